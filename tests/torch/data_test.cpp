// torch/data: LibTorch's torch::data API on nabla — custom datasets through map(Stack) and
// make_data_loader (sequential order, worker threads, unstacked std::vector batches), samplers (each
// index once per epoch; DistributedRandomSampler against LibTorch 1.13's output), transforms (Normalize,
// Lambda, TensorLambda), TensorDataset, MNIST on tiny IDX files written here, and the typed errors.
#include <gtest/gtest.h>
#include <torch/data.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "nabla/io/idx.h"

namespace {

namespace fs = std::filesystem;
using torch::data::Example;

// Example i: data float32 [2, 3] filled with i, target int64 scalar 10 * i. Throws at `bad` if set.
class Counting : public torch::data::datasets::Dataset<Counting> {
 public:
  explicit Counting(size_t n, int64_t bad = -1) : n_(n), bad_(bad) {}
  Example<> get(size_t index) override {
    if (static_cast<int64_t>(index) == bad_) throw nabla::IndexError("Counting: bad sample");
    return {torch::full({2, 3}, static_cast<double>(index)),
            torch::scalar_tensor(static_cast<int64_t>(10 * index), torch::kInt64)};
  }
  torch::optional<size_t> size() const override { return n_; }

 private:
  size_t n_;
  int64_t bad_;
};

// The sample indices a stacked Counting batch holds (its target / 10), checking data agrees.
std::vector<int64_t> indices_of(const Example<>& batch) {
  std::vector<int64_t> out;
  for (int64_t b = 0; b < batch.target.size(0); ++b) {
    const int64_t i = batch.target[b].item<int64_t>() / 10;
    EXPECT_TRUE(torch::equal(batch.data[b], torch::full({2, 3}, static_cast<double>(i)))) << "sample " << i;
    out.push_back(i);
  }
  return out;
}

class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() /
              ("torch-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }

 private:
  static inline std::atomic<int> counter_{0};
  fs::path path_;
};

// A raw (uncompressed) IDX file of unsigned bytes, written byte by byte as LibTorch's reader expects.
void write_idx_u8(const std::string& path, const std::vector<int32_t>& dims,
                  const std::vector<uint8_t>& values) {
  std::ofstream f(path, std::ios::binary);
  std::vector<uint8_t> bytes = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (int32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) bytes.push_back(static_cast<uint8_t>(d >> s));
  bytes.insert(bytes.end(), values.begin(), values.end());
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// n images of h x w, pixel (i, y, x) = (40 * i + 7 * y + x) % 256, labels (3 * i) % 10.
std::vector<uint8_t> pixels(int n, int h, int w) {
  std::vector<uint8_t> v;
  for (int i = 0; i < n; ++i)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) v.push_back(static_cast<uint8_t>((40 * i + 7 * y + x) % 256));
  return v;
}
std::vector<uint8_t> labels(int n) {
  std::vector<uint8_t> v;
  for (int i = 0; i < n; ++i) v.push_back(static_cast<uint8_t>((3 * i) % 10));
  return v;
}
void write_mnist(const std::string& dir, const std::string& prefix, int n, int h, int w) {
  write_idx_u8(dir + "/" + prefix + "-images-idx3-ubyte", {n, h, w}, pixels(n, h, w));
  write_idx_u8(dir + "/" + prefix + "-labels-idx1-ubyte", {n}, labels(n));
}

TEST(TorchData, CustomDatasetStackedSequentialBatches) {
  auto ds = Counting(10).map(torch::data::transforms::Stack<>());
  ASSERT_EQ(ds.size().value(), 10u);
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(std::move(ds), 4);
  std::vector<int64_t> seen, batch_sizes;
  for (Example<>& batch : *loader) {
    EXPECT_EQ(batch.data.dim(), 3);
    EXPECT_EQ(batch.data.size(1), 2);
    EXPECT_EQ(batch.data.size(2), 3);
    EXPECT_EQ(batch.data.dtype(), torch::kFloat32);
    EXPECT_EQ(batch.target.dtype(), torch::kInt64);
    ASSERT_EQ(batch.target.size(0), batch.data.size(0));
    batch_sizes.push_back(batch.data.size(0));
    for (int64_t i : indices_of(batch)) seen.push_back(i);
  }
  EXPECT_EQ(batch_sizes, (std::vector<int64_t>{4, 4, 2}));
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(TorchData, WorkersKeepSequentialOrderEveryEpoch) {
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      Counting(23).map(torch::data::transforms::Stack<>()),
      torch::data::DataLoaderOptions().batch_size(5).workers(3).drop_last(true));
  EXPECT_EQ(loader->options().workers, 3u);
  EXPECT_EQ(loader->options().max_jobs, 6u);
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::vector<int64_t> seen;
    int batches = 0;
    for (auto& batch : *loader) {
      EXPECT_EQ(batch.data.size(0), 5);
      for (int64_t i : indices_of(batch)) seen.push_back(i);
      ++batches;
    }
    EXPECT_EQ(batches, 4) << "drop_last drops the short batch of 3";
    std::vector<int64_t> expected(20);
    for (int64_t i = 0; i < 20; ++i) expected[i] = i;
    EXPECT_EQ(seen, expected) << "epoch " << epoch;
  }
}

// get() is not const in LibTorch and may mutate the dataset without locks: every worker must call it on
// its own copy. Counts get() calls that overlap on one copy.
class Exclusive : public torch::data::datasets::Dataset<Exclusive> {
 public:
  explicit Exclusive(std::shared_ptr<std::atomic<int>> overlaps) : overlaps_(std::move(overlaps)) {}
  Exclusive(const Exclusive& other) : overlaps_(other.overlaps_) {}
  Example<> get(size_t index) override {
    if (in_get_.fetch_add(1) != 0) overlaps_->fetch_add(1);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    in_get_.fetch_sub(1);
    return {torch::zeros({1}), torch::scalar_tensor(static_cast<int64_t>(index), torch::kInt64)};
  }
  torch::optional<size_t> size() const override { return 64; }

 private:
  std::shared_ptr<std::atomic<int>> overlaps_;
  std::atomic<int> in_get_{0};
};

TEST(TorchData, EachWorkerUsesItsOwnDatasetCopy) {
  auto overlaps = std::make_shared<std::atomic<int>>(0);
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      Exclusive(overlaps).map(torch::data::transforms::Stack<>()),
      torch::data::DataLoaderOptions().batch_size(2).workers(4));
  int64_t n = 0;
  for (auto& batch : *loader) n += batch.target.size(0);
  EXPECT_EQ(n, 64);
  EXPECT_EQ(overlaps->load(), 0);
}

TEST(TorchData, UnstackedBatchesAreVectorsOfExamples) {
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      Counting(7), torch::data::DataLoaderOptions(3));
  std::vector<size_t> sizes;
  int64_t next = 0;
  for (std::vector<Example<>>& batch : *loader) {
    sizes.push_back(batch.size());
    for (const Example<>& e : batch) {
      EXPECT_EQ(e.data.sizes(), (std::vector<int64_t>{2, 3}));
      EXPECT_EQ(e.target.item<int64_t>(), 10 * next++);
    }
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 1}));
}

TEST(TorchData, RandomSamplerVisitsEachIndexOncePerEpoch) {
  // make_data_loader's default sampler is RandomSampler.
  auto loader = torch::data::make_data_loader(Counting(50).map(torch::data::transforms::Stack<>()),
                                              torch::data::DataLoaderOptions().batch_size(7).workers(2));
  std::vector<std::vector<int64_t>> orders;
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<int64_t> seen;
    for (auto& batch : *loader)
      for (int64_t i : indices_of(batch)) seen.push_back(i);
    std::vector<int64_t> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> all(50);
    for (int64_t i = 0; i < 50; ++i) all[i] = i;
    EXPECT_EQ(sorted, all) << "epoch " << epoch;
    orders.push_back(seen);
  }
  EXPECT_NE(orders[0], orders[1]) << "a new permutation each epoch";
  EXPECT_NE(orders[0], std::vector<int64_t>(orders[0].size()));
  std::vector<int64_t> identity(50);
  for (int64_t i = 0; i < 50; ++i) identity[i] = i;
  EXPECT_NE(orders[0], identity);

  // Used directly: next() hands out the permutation in pieces, then nullopt; reset() starts over.
  torch::data::samplers::RandomSampler sampler(10);
  std::multiset<size_t> got;
  while (auto b = sampler.next(4)) {
    EXPECT_LE(b->size(), 4u);
    got.insert(b->begin(), b->end());
  }
  EXPECT_EQ(got, (std::multiset<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(sampler.index(), 10u);
  sampler.reset(3);
  EXPECT_EQ(sampler.next(100)->size(), 3u);
  EXPECT_FALSE(sampler.next(1).has_value());
}

TEST(TorchData, RandomSamplerFollowsManualSeed) {
  auto order = [] {
    torch::manual_seed(7);
    torch::data::samplers::RandomSampler s(20);
    s.reset();
    return *s.next(20);
  };
  EXPECT_EQ(order(), order());
}

TEST(TorchData, DistributedRandomSamplerMatchesLibTorch) {
  // Printed by LibTorch 1.13: DistributedRandomSampler(10, /*num_replicas=*/3, /*rank=*/1), next(2)...
  torch::data::samplers::DistributedRandomSampler s(10, 3, 1);
  std::vector<size_t> got;
  s.reset();
  while (auto b = s.next(2)) got.insert(got.end(), b->begin(), b->end());
  EXPECT_EQ(got, (std::vector<size_t>{9, 1, 4, 7}));
  s.set_epoch(1);
  s.reset();
  got.clear();
  while (auto b = s.next(2)) got.insert(got.end(), b->begin(), b->end());
  EXPECT_EQ(got, (std::vector<size_t>{1, 4, 6, 3}));
  torch::data::samplers::DistributedSequentialSampler q(10, 3, 2);
  got.clear();
  while (auto b = q.next(2)) got.insert(got.end(), b->begin(), b->end());
  EXPECT_EQ(got, (std::vector<size_t>{8, 9, 0, 1}));
}

TEST(TorchData, NormalizeIsXMinusMeanOverStd) {
  torch::Tensor x = torch::rand({1, 4, 5});
  torch::data::transforms::Normalize<> one(0.1307, 0.3081);
  EXPECT_TRUE(torch::allclose(one(x), (x - 0.1307) / 0.3081, 1e-6, 1e-6));

  torch::Tensor rgb = torch::rand({3, 2, 2});
  torch::data::transforms::Normalize<> per_channel({0.1, 0.2, 0.3}, {0.5, 2.0, 4.0});
  const double mean[] = {0.1, 0.2, 0.3}, stddev[] = {0.5, 2.0, 4.0};
  torch::Tensor y = per_channel(rgb);
  for (int64_t c = 0; c < 3; ++c)
    EXPECT_TRUE(torch::allclose(y[c], (rgb[c] - mean[c]) / stddev[c], 1e-6, 1e-6)) << "channel " << c;

  // Through Dataset::map, the target untouched.
  auto ds =
      Counting(3).map(torch::data::transforms::Normalize<>(1.0, 2.0)).map(torch::data::transforms::Stack<>());
  Example<> batch = ds.get_batch({0, 2});
  EXPECT_TRUE(torch::allclose(batch.data[0], torch::full({2, 3}, -0.5)));
  EXPECT_TRUE(torch::allclose(batch.data[1], torch::full({2, 3}, 0.5)));
  EXPECT_EQ(batch.target[1].item<int64_t>(), 20);
}

TEST(TorchData, LambdaTransforms) {
  using torch::data::transforms::Lambda;
  using torch::data::transforms::TensorLambda;
  auto ds = Counting(4)
                .map(TensorLambda<>([](torch::Tensor t) { return t * 3; }))
                .map(Lambda<Example<>>([](Example<> e) {
                  e.target = e.target + 1;
                  return e;
                }))
                .map(torch::data::transforms::Stack<>());
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(std::move(ds), 4);
  int batches = 0;
  for (auto& batch : *loader) {
    ++batches;
    for (int64_t i = 0; i < 4; ++i) {
      EXPECT_TRUE(torch::equal(batch.data[i], torch::full({2, 3}, 3.0 * static_cast<double>(i))));
      EXPECT_EQ(batch.target[i].item<int64_t>(), 10 * i + 1);
    }
  }
  EXPECT_EQ(batches, 1);
}

TEST(TorchData, TensorDatasetRowsStackedInOrder) {
  torch::data::datasets::TensorDataset tds(torch::arange(12, torch::kFloat32).reshape({6, 2}));
  EXPECT_EQ(tds.size().value(), 6u);
  torch::Tensor row = tds.get(4);  // TensorExample converts to its tensor
  EXPECT_TRUE(torch::equal(row, torch::tensor({8.0f, 9.0f})));
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      tds.map(torch::data::transforms::Stack<torch::data::TensorExample>()), 4);
  std::vector<torch::Tensor> batches;
  for (torch::data::TensorExample& b : *loader) batches.push_back(b.data);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_TRUE(torch::equal(batches[0], torch::arange(8, torch::kFloat32).reshape({4, 2})));
  EXPECT_TRUE(torch::equal(batches[1], torch::arange(8, 12, torch::kFloat32).reshape({2, 2})));
}

TEST(TorchData, MNISTReadsRawIdxFilesInRoot) {
  TempDir dir;
  write_mnist(dir.str(), "train", 5, 3, 4);
  torch::data::datasets::MNIST mnist(dir.str(), torch::data::datasets::MNIST::Mode::kTrain);
  EXPECT_TRUE(mnist.is_train());
  ASSERT_EQ(mnist.size().value(), 5u);
  EXPECT_EQ(mnist.images().sizes(), (std::vector<int64_t>{5, 1, 3, 4}));
  EXPECT_EQ(mnist.images().dtype(), torch::kFloat32);
  EXPECT_EQ(mnist.targets().dtype(), torch::kInt64);
  const std::vector<uint8_t> px = pixels(5, 3, 4);
  std::vector<float> expected(px.size());
  for (size_t k = 0; k < px.size(); ++k) expected[k] = static_cast<float>(px[k]) / 255.0f;
  EXPECT_TRUE(torch::allclose(mnist.images(), torch::tensor(expected).reshape({5, 1, 3, 4}), 0, 1e-7));
  EXPECT_GT(mnist.images().max().item<float>(), 0.6f);
  EXPECT_LE(mnist.images().max().item<float>(), 1.0f);
  Example<> e = mnist.get(2);
  EXPECT_EQ(e.data.sizes(), (std::vector<int64_t>{1, 3, 4}));
  EXPECT_EQ(e.target.item<int64_t>(), 6);

  // The LibTorch program's pipeline: Normalize, Stack, a sequential loader.
  auto ds = torch::data::datasets::MNIST(dir.str())
                .map(torch::data::transforms::Normalize<>(0.1307, 0.3081))
                .map(torch::data::transforms::Stack<>());
  const size_t n = ds.size().value();
  EXPECT_EQ(n, 5u);
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      std::move(ds), torch::data::DataLoaderOptions().batch_size(2).workers(2));
  std::vector<int64_t> targets;
  int64_t offset = 0;
  for (auto& batch : *loader) {
    EXPECT_EQ(batch.data.size(1), 1);
    torch::Tensor raw = mnist.images().narrow(0, offset, batch.data.size(0));
    EXPECT_TRUE(torch::allclose(batch.data, (raw - 0.1307) / 0.3081, 1e-5, 1e-5));
    offset += batch.data.size(0);
    for (int64_t b = 0; b < batch.target.size(0); ++b) targets.push_back(batch.target[b].item<int64_t>());
  }
  EXPECT_EQ(targets, (std::vector<int64_t>{0, 3, 6, 9, 2}));
}

TEST(TorchData, MNISTTestSplitGzipAndTorchvisionLayout) {
  TempDir dir;
  const fs::path raw = fs::path(dir.str()) / "MNIST" / "raw";
  fs::create_directories(raw);
  const std::vector<uint8_t> px = pixels(3, 2, 2);
  nabla::io::write_idx((raw / "t10k-images-idx3-ubyte.gz").string(),
                       nabla::from_buffer(px.data(), {3, 2, 2}, nabla::kUInt8), /*gzip=*/true);
  const std::vector<uint8_t> lab = labels(3);
  nabla::io::write_idx((raw / "t10k-labels-idx1-ubyte.gz").string(),
                       nabla::from_buffer(lab.data(), {3}, nabla::kUInt8), /*gzip=*/true);
  torch::data::datasets::MNIST mnist(dir.str(), torch::data::datasets::MNIST::Mode::kTest);
  EXPECT_FALSE(mnist.is_train());
  ASSERT_EQ(mnist.size().value(), 3u);
  EXPECT_FLOAT_EQ(mnist.images()[1][0][1][1].item<float>(), static_cast<float>(px[7]) / 255.0f);
  EXPECT_EQ(mnist.targets()[2].item<int64_t>(), 6);
  // No training files there: the error names the missing path.
  try {
    torch::data::datasets::MNIST train(dir.str());
    ADD_FAILURE() << "expected nabla::IOError";
  } catch (const nabla::IOError& e) {
    EXPECT_NE(std::string(e.what()).find("train-images-idx3-ubyte"), std::string::npos) << e.what();
  }
}

TEST(TorchData, MissingMNISTRootIsATypedErrorNamingThePath) {
  const std::string root = (fs::temp_directory_path() / "torch-data-test-no-such-root").string();
  try {
    torch::data::datasets::MNIST mnist(root, torch::data::datasets::MNIST::Mode::kTrain);
    ADD_FAILURE() << "expected nabla::IOError";
  } catch (const nabla::IOError& e) {
    EXPECT_NE(std::string(e.what()).find(root + "/train-images-idx3-ubyte"), std::string::npos) << e.what();
  }
}

TEST(TorchData, MNISTLabelCountMismatchIsAnIOError) {
  TempDir dir;
  write_idx_u8(dir.str() + "/train-images-idx3-ubyte", {4, 2, 2}, pixels(4, 2, 2));
  write_idx_u8(dir.str() + "/train-labels-idx1-ubyte", {3}, labels(3));
  try {
    torch::data::datasets::MNIST mnist(dir.str());
    ADD_FAILURE() << "expected nabla::IOError";
  } catch (const nabla::IOError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("train-labels-idx1-ubyte"), std::string::npos) << msg;
    EXPECT_NE(msg.find("3 labels"), std::string::npos) << msg;
  }
}

TEST(TorchData, DatasetErrorReachesTheLoopTyped) {
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      Counting(12, /*bad=*/9).map(torch::data::transforms::Stack<>()),
      torch::data::DataLoaderOptions().batch_size(4).workers(2));
  int batches = 0;
  try {
    for (auto& batch : *loader) {
      (void)batch;
      ++batches;
    }
    ADD_FAILURE() << "expected nabla::IndexError";
  } catch (const nabla::IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("Counting: bad sample"), std::string::npos) << e.what();
  }
  EXPECT_EQ(batches, 2) << "the two batches before the bad one arrive first";
}

TEST(TorchData, EarlyBreakThenNewEpochAndNoSecondLiveIterator) {
  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      Counting(30).map(torch::data::transforms::Stack<>()),
      torch::data::DataLoaderOptions().batch_size(3).workers(2));
  for (auto& batch : *loader) {
    EXPECT_EQ(indices_of(batch), (std::vector<int64_t>{0, 1, 2}));
    break;
  }
  auto it = loader->begin();  // a fresh epoch after the break
  EXPECT_EQ(indices_of(*it), (std::vector<int64_t>{0, 1, 2}));
  ++it;
  EXPECT_EQ(indices_of(*it), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_THROW(loader->begin(), nabla::ValueError);  // `it` is mid-epoch, as LibTorch refuses
  int rest = 0;
  for (; it != loader->end(); ++it) ++rest;
  EXPECT_EQ(rest, 9);
  EXPECT_THROW(++it, nabla::IndexError);
  EXPECT_NO_THROW(loader->begin());  // exhausted: a new epoch may start
}

// A user sampler written for LibTorch (save/load overrides included) drives the loader's order.
class EvensThenOdds : public torch::data::samplers::Sampler<> {
 public:
  explicit EvensThenOdds(size_t n) : n_(n) {}
  void reset(torch::optional<size_t> new_size) override {
    if (new_size) n_ = *new_size;
    order_.clear();
    for (size_t i = 0; i < n_; i += 2) order_.push_back(i);
    for (size_t i = 1; i < n_; i += 2) order_.push_back(i);
    pos_ = 0;
  }
  torch::optional<std::vector<size_t>> next(size_t batch_size) override {
    if (pos_ >= order_.size()) return torch::nullopt;
    const size_t stop = std::min(order_.size(), pos_ + batch_size);
    std::vector<size_t> batch(order_.begin() + static_cast<std::ptrdiff_t>(pos_),
                              order_.begin() + static_cast<std::ptrdiff_t>(stop));
    pos_ = stop;
    return batch;
  }
  void save(torch::serialize::OutputArchive&) const override {}
  void load(torch::serialize::InputArchive&) override {}

 private:
  size_t n_, pos_ = 0;
  std::vector<size_t> order_;
};

TEST(TorchData, CustomSamplerOrder) {
  auto loader =
      torch::data::make_data_loader(Counting(7).map(torch::data::transforms::Stack<>()), EvensThenOdds(7),
                                    torch::data::DataLoaderOptions().batch_size(3).workers(2));
  std::vector<int64_t> seen;
  for (auto& batch : *loader)
    for (int64_t i : indices_of(batch)) seen.push_back(i);
  EXPECT_EQ(seen, (std::vector<int64_t>{0, 2, 4, 6, 1, 3, 5}));
}

TEST(TorchData, MakeDataLoaderNeedsASizedDataset) {
  class Unsized : public torch::data::datasets::Dataset<Unsized> {
   public:
    Example<> get(size_t) override { return {}; }
    torch::optional<size_t> size() const override { return torch::nullopt; }
  };
  EXPECT_THROW(torch::data::make_data_loader(Unsized()), nabla::ValueError);
}

}  // namespace
