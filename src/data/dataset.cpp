// dataset.cpp — TensorDataset, Subset, ConcatDataset, TransformDataset, random_split, kfold_indices.
#include "nabla/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "nabla/data/samplers.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::data {

namespace {
int64_t checked_index(int64_t index, int64_t size, const char* what) {
  NABLA_CHECK(index >= -size && index < size, IndexError, "{}: index {} out of range for size {}", what,
              index, size);
  return index < 0 ? index + size : index;
}
Tensor index_tensor(const std::vector<int64_t>& idx) {
  return from_buffer(idx.data(), {static_cast<int64_t>(idx.size())}, kInt64);
}
}  // namespace

TensorDataset::TensorDataset(Tensor data, Tensor target)
    : data_(std::move(data)), target_(std::move(target)) {
  NABLA_CHECK(data_.defined() && data_.dim() >= 1, ShapeError,
              "TensorDataset: data must have at least 1 dim");
  NABLA_CHECK(!target_.defined() || (target_.dim() >= 1 && target_.size(0) == data_.size(0)), ShapeError,
              "TensorDataset: size mismatch between tensors: data {} and target {}", data_.toString(),
              target_.toString());
}

Example TensorDataset::get(int64_t index) const {
  int64_t i = checked_index(index, size(), "TensorDataset");
  return {data_.select(0, i), target_.defined() ? target_.select(0, i) : Tensor()};
}

Tensor TensorDataset::targets() const {
  if (!target_.defined() || target_.dim() != 1 || target_.is_floating_point()) return Tensor();
  return target_.to(kInt64);
}

Subset::Subset(DatasetPtr dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  NABLA_CHECK(dataset_ != nullptr, ValueError, "Subset: null dataset");
  int64_t n = dataset_->size();
  for (int64_t i : indices_)
    NABLA_CHECK(i >= 0 && i < n, IndexError, "Subset: index {} out of range for size {}", i, n);
}

Example Subset::get(int64_t index) const {
  return dataset_->get(indices_[checked_index(index, size(), "Subset")]);
}

Tensor Subset::targets() const {
  Tensor all = dataset_->targets();
  return all.defined() ? all.index_select(0, index_tensor(indices_)) : Tensor();
}

ConcatDataset::ConcatDataset(std::vector<DatasetPtr> datasets) : datasets_(std::move(datasets)) {
  NABLA_CHECK(!datasets_.empty(), ValueError, "ConcatDataset: datasets should not be an empty list");
  int64_t total = 0;
  for (auto& d : datasets_) {
    NABLA_CHECK(d != nullptr, ValueError, "ConcatDataset: null dataset");
    total += d->size();
    cumulative_.push_back(total);
  }
}

Example ConcatDataset::get(int64_t index) const {
  int64_t i = checked_index(index, size(), "ConcatDataset");
  size_t which = std::upper_bound(cumulative_.begin(), cumulative_.end(), i) - cumulative_.begin();
  int64_t start = which == 0 ? 0 : cumulative_[which - 1];
  return datasets_[which]->get(i - start);
}

Tensor ConcatDataset::targets() const {
  TensorList parts;
  for (auto& d : datasets_) {
    Tensor t = d->targets();
    if (!t.defined()) return Tensor();
    parts.push_back(t);
  }
  return cat(parts);
}

TransformDataset::TransformDataset(DatasetPtr dataset, Fn transform, Fn target_transform)
    : dataset_(std::move(dataset)),
      transform_(std::move(transform)),
      target_transform_(std::move(target_transform)) {
  NABLA_CHECK(dataset_ != nullptr, ValueError, "TransformDataset: null dataset");
}

Example TransformDataset::get(int64_t index) const {
  Example e = dataset_->get(index);
  if (transform_) e.data = transform_(e.data);
  if (target_transform_ && e.target.defined()) e.target = target_transform_(e.target);
  return e;
}

// ---- splitting ----

namespace {
// Counts from `lengths` (counts, or fractions summing to 1 like PyTorch >= 1.13).
std::vector<int64_t> split_counts(int64_t n, const std::vector<double>& lengths) {
  double sum = std::accumulate(lengths.begin(), lengths.end(), 0.0);
  bool fractions = std::abs(sum - 1.0) < 1e-9 && n != 1;
  std::vector<int64_t> counts;
  for (double l : lengths) {
    NABLA_CHECK(l >= 0, ValueError, "random_split: lengths must be non-negative, got {}", l);
    counts.push_back(fractions ? static_cast<int64_t>(std::floor(n * l)) : static_cast<int64_t>(l));
    NABLA_CHECK(
        fractions || l == std::floor(l), ValueError,
        "random_split: length {} is neither an integer count nor a fraction (fractions must sum to 1)", l);
  }
  if (fractions) {
    int64_t rest = n - std::accumulate(counts.begin(), counts.end(), int64_t{0});
    for (int64_t i = 0; i < rest; ++i) counts[i % counts.size()] += 1;
  }
  int64_t total = std::accumulate(counts.begin(), counts.end(), int64_t{0});
  NABLA_CHECK(total == n, ValueError,
              "random_split: sum of input lengths ({}) does not equal the length of the input dataset ({})",
              total, n);
  return counts;
}
}  // namespace

std::vector<std::shared_ptr<Subset>> random_split(const DatasetPtr& dataset,
                                                  const std::vector<double>& lengths, uint64_t seed) {
  NABLA_CHECK(dataset != nullptr, ValueError, "random_split: null dataset");
  std::vector<int64_t> counts = split_counts(dataset->size(), lengths);
  std::vector<int64_t> perm(dataset->size());
  std::iota(perm.begin(), perm.end(), 0);
  RandomGenerator gen(seed);
  shuffle_indices(perm, gen);
  std::vector<std::shared_ptr<Subset>> out;
  int64_t offset = 0;
  for (int64_t c : counts) {
    out.push_back(std::make_shared<Subset>(
        dataset, std::vector<int64_t>(perm.begin() + offset, perm.begin() + offset + c)));
    offset += c;
  }
  return out;
}

std::vector<Fold> kfold_indices(int64_t n, int k, uint64_t seed,
                                const std::optional<std::vector<int64_t>>& stratify_labels) {
  NABLA_CHECK(k >= 2 && k <= n, ValueError, "kfold_indices: k must be in [2, n={}], got {}", n, k);
  NABLA_CHECK(!stratify_labels || static_cast<int64_t>(stratify_labels->size()) == n, ValueError,
              "kfold_indices: {} stratify labels for {} samples",
              stratify_labels ? stratify_labels->size() : 0, n);
  RandomGenerator gen(seed);
  std::vector<int> fold_of(n);
  if (!stratify_labels) {
    std::vector<int64_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    shuffle_indices(perm, gen);
    for (int64_t i = 0; i < n; ++i) fold_of[perm[i]] = static_cast<int>(i * k / n);  // sizes differ by <= 1
  } else {
    // Each class's shuffled members are dealt round-robin, continuing where the previous class stopped,
    // so every fold gets floor or ceil of its share of each class and fold sizes differ by at most 1.
    std::map<int64_t, std::vector<int64_t>> by_class;
    for (int64_t i = 0; i < n; ++i) by_class[(*stratify_labels)[i]].push_back(i);
    int64_t next = 0;
    for (auto& [label, members] : by_class) {
      shuffle_indices(members, gen);
      for (int64_t i : members) fold_of[i] = static_cast<int>(next++ % k);
    }
  }
  std::vector<Fold> folds(k);
  for (int64_t i = 0; i < n; ++i)
    for (int f = 0; f < k; ++f) (f == fold_of[i] ? folds[f].val : folds[f].train).push_back(i);
  return folds;
}

}  // namespace nabla::data
