// mnist.cpp — torch::data::datasets::MNIST's file reading (out of line: it needs <filesystem>, which
// costs every including program ~0.4 s of compile time).
#include <filesystem>
#include <string>

#include "nabla/io/idx.h"
#include "torch/data/datasets.h"

namespace torch::data::datasets {

namespace {
std::string find_mnist_file(const std::string& root, const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dirs[] = {fs::path(root), fs::path(root) / "MNIST" / "raw"};
  for (const fs::path& dir : dirs) {
    for (const char* suffix : {"", ".gz"}) {
      std::error_code ec;
      const fs::path p = dir / (name + suffix);
      if (fs::is_regular_file(p, ec)) return p.string();
    }
  }
  torch::data::detail::check<nabla::IOError>(
      false, "MNIST: cannot open ", (dirs[0] / name).string(), " (no such file; also looked for ", name,
      ".gz and ", (dirs[1] / name).string(), "[.gz]); pass the folder that holds the raw IDX files");
  return {};
}

// The IDX file as uint8 of `rank` dims, else IOError naming the file.
Tensor read_mnist_idx(const std::string& path, int64_t rank, const char* what) {
  Tensor t = nabla::io::read_idx(path);
  torch::data::detail::check<nabla::IOError>(t.dtype() == nabla::kUInt8 && t.dim() == rank, "MNIST: ", path,
                                             ": expected ", what, " as unsigned bytes of ", rank,
                                             " dims, got ", t.toString());
  return t;
}
}  // namespace

MNIST::MNIST(const std::string& root, Mode mode) : mode_(mode) {
  const std::string prefix = mode == Mode::kTrain ? "train" : "t10k";
  const std::string images_path = find_mnist_file(root, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_mnist_file(root, prefix + "-labels-idx1-ubyte");
  Tensor images = read_mnist_idx(images_path, 3, "images");
  Tensor labels = read_mnist_idx(labels_path, 1, "labels");
  torch::data::detail::check<nabla::IOError>(labels.size(0) == images.size(0), "MNIST: ", labels_path,
                                             " holds ", labels.size(0), " labels but ", images_path,
                                             " holds ", images.size(0), " images");
  images_ = images.to(nabla::kFloat32).div_(255).unsqueeze(1).contiguous();
  targets_ = labels.to(nabla::kInt64);
}

}  // namespace torch::data::datasets
