// data_setup.cpp — datasets for the CLI.
#include "tool/data_setup.h"

#include <filesystem>

#include "nabla/data/datasets.h"
#include "nabla/data/transforms.h"
#include "nabla/io/image.h"
#include "nabla/ops/ops.h"
#include "nabla/train/inference.h"
#include "util/check.h"

namespace nabla::tool {

namespace {

// Stacks a dataset's uint8 HW / HWC images into float [N, C, H, W] in [0, 1], normalised.
std::shared_ptr<data::TensorDataset> materialize(const data::Dataset& ds, const std::vector<double>& mean,
                                                 const std::vector<double>& stdv) {
  NABLA_CHECK(ds.size() > 0, IOError, "data set is empty");
  TensorList images;
  std::vector<int64_t> labels;
  images.reserve(ds.size());
  for (int64_t i = 0; i < ds.size(); ++i) {
    auto e = ds.get(i);
    images.push_back(e.data);
    labels.push_back(e.target.item<int64_t>());
  }
  Tensor x = stack(images, 0);  // [N, H, W] or [N, H, W, C]
  x = x.dim() == 3 ? x.unsqueeze(1) : x.permute({0, 3, 1, 2});
  x = x.to(kFloat32) / 255.0;
  x = ((x - channel_values(mean, x.size(1))) / channel_values(stdv, x.size(1))).contiguous();
  return std::make_shared<data::TensorDataset>(
      x, from_buffer(labels.data(), {static_cast<int64_t>(labels.size())}, kInt64));
}

void require_files(const std::string& dir, const std::string& name) {
  NABLA_CHECK(std::filesystem::exists(dir), IOError,
              "{} not found under {} — run tools/fetch-data (or `make demo`) to download it", name, dir);
}

}  // namespace

std::shared_ptr<data::TensorDataset> take(const data::TensorDataset& ds, const std::vector<int64_t>& idx) {
  Tensor i = from_buffer(idx.data(), {static_cast<int64_t>(idx.size())}, kInt64);
  return std::make_shared<data::TensorDataset>(ds.data().index_select(0, i).contiguous(),
                                               ds.targets().index_select(0, i));
}

Tensor channel_values(const std::vector<double>& values, int64_t channels) {
  std::vector<float> v(channels);
  for (int64_t c = 0; c < channels; ++c)
    v[c] = static_cast<float>(values.size() == 1 ? values[0] : values[c]);
  return from_buffer(v.data(), {1, channels, 1, 1}, kFloat32);
}

DataSplits load_data(const std::string& spec, const std::string& data_dir, double train_ratio,
                     uint64_t seed) {
  NABLA_CHECK(train_ratio > 0 && train_ratio <= 1, ValueError, "--train_ratio must be in (0, 1], got {}",
              train_ratio);
  DataSplits d;
  std::unique_ptr<data::Dataset> train_raw, test_raw;
  if (spec == "mnist" || spec == "fashion-mnist") {
    const bool fashion = spec == "fashion-mnist";
    require_files(data_dir + (fashion ? "/FashionMNIST/raw" : "/MNIST/raw"), spec);
    d.mean = {fashion ? 0.2860 : 0.1307};
    d.std = {fashion ? 0.3530 : 0.3081};
    data::DatasetOptions tr, te;
    te.train = false;
    if (fashion) {
      auto a = std::make_unique<data::FashionMNIST>(data_dir, tr);
      d.classes = a->classes();
      train_raw = std::move(a);
      test_raw = std::make_unique<data::FashionMNIST>(data_dir, te);
    } else {
      auto a = std::make_unique<data::MNIST>(data_dir, tr);
      d.classes = a->classes();
      train_raw = std::move(a);
      test_raw = std::make_unique<data::MNIST>(data_dir, te);
    }
  } else if (spec == "cifar10") {
    require_files(data_dir + "/cifar-10-batches-bin", spec);
    d.mean = {0.4914, 0.4822, 0.4465};
    d.std = {0.2470, 0.2435, 0.2616};
    data::DatasetOptions tr, te;
    te.train = false;
    auto a = std::make_unique<data::CIFAR10>(data_dir, tr);
    d.classes = a->classes();
    train_raw = std::move(a);
    test_raw = std::make_unique<data::CIFAR10>(data_dir, te);
  } else if (spec.rfind("imagefolder:", 0) == 0) {
    const std::string dir = spec.substr(12);
    require_files(dir, spec);
    d.mean = {0.5};
    d.std = {0.5};
    data::ImageFolderOptions o;
    o.transform = data::Resize(32, 32);
    auto a = std::make_unique<data::ImageFolder>(dir, o);
    d.classes = a->classes();
    train_raw = std::move(a);
  } else {
    throw ValueError(
        fmt::format("unknown --data '{}' (expected mnist, fashion-mnist, cifar10 or imagefolder:DIR)", spec));
  }
  auto full = materialize(*train_raw, d.mean, d.std);
  d.channels = full->data().size(1);
  d.height = full->data().size(2);
  d.width = full->data().size(3);
  if (test_raw) d.test = materialize(*test_raw, d.mean, d.std);
  if (train_ratio >= 1) {
    d.train = full;
    return d;
  }
  RandomGenerator gen(seed);
  Tensor perm = randperm(full->size(), {.dtype = kInt64}, &gen);
  const int64_t n_train = static_cast<int64_t>(static_cast<double>(full->size()) * train_ratio);
  const int64_t* p = perm.data_ptr<int64_t>();
  d.train = take(*full, std::vector<int64_t>(p, p + n_train));
  d.val = take(*full, std::vector<int64_t>(p + n_train, p + full->size()));
  return d;
}

Tensor preprocess_image(const std::string& path, const training::RunConfig& c) {
  const auto mode = static_cast<io::ImageReadMode>(training::image_read_channels(c));
  return training::preprocess_image(io::read_image(path, mode), c).unsqueeze(0);  // HWC uint8 -> [1, C, H, W]
}

}  // namespace nabla::tool
