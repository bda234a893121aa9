// data_setup.h — turns `--data` into ready-to-train tensors: images decoded once, ToTensor +
// Normalize applied once, split into train/val (seeded), plus the test split.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/train/run_state.h"

namespace nabla::tool {

struct DataSplits {
  std::shared_ptr<data::TensorDataset> train, val, test;  // val/test may be null
  std::vector<std::string> classes;
  std::vector<double> mean, std;
  int64_t channels = 1, height = 28, width = 28;
};

// spec: mnist | fashion-mnist | cifar10 | imagefolder:DIR. data_dir holds the torchvision layouts
// (tools/fetch-data). train_ratio < 1 holds out a validation part of the training split.
// IOError naming the missing files and how to get them.
DataSplits load_data(const std::string& spec, const std::string& data_dir, double train_ratio, uint64_t seed);
// The samples of `ds` at `indices`, as a new in-memory data set (train/val splits, K-fold folds).
std::shared_ptr<data::TensorDataset> take(const data::TensorDataset& ds, const std::vector<int64_t>& indices);
// Per-channel values as a [1, C, 1, 1] float32 tensor; a single value is used for every channel.
Tensor channel_values(const std::vector<double>& values, int64_t channels);
// The same preprocessing for one image file (predict): resized to the trained size, normalised.
Tensor preprocess_image(const std::string& path, const training::RunConfig& config);

}  // namespace nabla::tool
