// dataset.h — map-style datasets like torch.utils.data: Dataset, TensorDataset, Subset, ConcatDataset,
// random_split and a K-fold helper. A sample is an Example {data, target}: a PyTorch user's (x, y).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::data {

struct Example {
  Tensor data;
  Tensor target;  // may be undefined (unlabelled data)
};

// A map-style dataset: size() samples, get(i) for i in [0, size()). get() is const and must be safe to
// call from several threads at once: DataLoader workers call it concurrently.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  virtual Example get(int64_t index) const = 0;
  Example operator[](int64_t index) const { return get(index); }
  // Labels of every sample as int64 [N] when the dataset knows them without loading the data
  // (used by stratified K-fold and by WeightedRandomSampler helpers); undefined otherwise.
  virtual Tensor targets() const { return Tensor(); }
};
using DatasetPtr = std::shared_ptr<const Dataset>;

// Wraps a concrete dataset value into a DatasetPtr: share(MNIST(...)).
template <typename D>
DatasetPtr share(D&& dataset) {
  return std::make_shared<std::remove_cvref_t<D>>(std::forward<D>(dataset));
}

// Samples are the rows of `data` and `target` (first dims must match).
class TensorDataset : public Dataset {
 public:
  explicit TensorDataset(Tensor data, Tensor target = Tensor());
  int64_t size() const override { return data_.size(0); }
  Example get(int64_t index) const override;
  Tensor targets() const override;
  const Tensor& data() const { return data_; }

 private:
  Tensor data_, target_;
};

class Subset : public Dataset {
 public:
  Subset(DatasetPtr dataset, std::vector<int64_t> indices);  // indices checked against dataset->size()
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  Example get(int64_t index) const override;
  Tensor targets() const override;
  const std::vector<int64_t>& indices() const { return indices_; }
  const DatasetPtr& dataset() const { return dataset_; }

 private:
  DatasetPtr dataset_;
  std::vector<int64_t> indices_;
};

class ConcatDataset : public Dataset {
 public:
  explicit ConcatDataset(std::vector<DatasetPtr> datasets);
  int64_t size() const override { return cumulative_.empty() ? 0 : cumulative_.back(); }
  Example get(int64_t index) const override;
  Tensor targets() const override;

 private:
  std::vector<DatasetPtr> datasets_;
  std::vector<int64_t> cumulative_;
};

// Applies transforms to a dataset's samples (torchvision datasets take transform/target_transform; this
// adds them to any dataset).
class TransformDataset : public Dataset {
 public:
  using Fn = std::function<Tensor(const Tensor&)>;
  TransformDataset(DatasetPtr dataset, Fn transform, Fn target_transform = nullptr);
  int64_t size() const override { return dataset_->size(); }
  Example get(int64_t index) const override;
  Tensor targets() const override { return target_transform_ ? Tensor() : dataset_->targets(); }

 private:
  DatasetPtr dataset_;
  Fn transform_, target_transform_;
};

// Like torch.utils.data.random_split: lengths are counts summing to size(), or fractions summing to 1
// (remainders go round-robin to the first splits, as PyTorch does). Deterministic for a seed.
std::vector<std::shared_ptr<Subset>> random_split(const DatasetPtr& dataset,
                                                  const std::vector<double>& lengths, uint64_t seed);

// K-fold cross-validation indices over n samples, shuffled with `seed`. With `stratify_labels` (n labels),
// every fold keeps each class's proportion (like sklearn's StratifiedKFold). Every index is in exactly
// one val list; train is the complement, both sorted ascending.
struct Fold {
  std::vector<int64_t> train, val;
};
std::vector<Fold> kfold_indices(int64_t n, int k, uint64_t seed,
                                const std::optional<std::vector<int64_t>>& stratify_labels = std::nullopt);

}  // namespace nabla::data
