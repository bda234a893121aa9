// samplers.cpp — the built-in samplers' bodies, compiled once here rather than in every program that
// includes <torch/torch.h> (their destructors are the key functions: the vtables live here too).
// DistributedRandomSampler's shuffle needs <random> (~0.5 s of compile time for every includer).
#include "torch/data/samplers.h"

#include <algorithm>
#include <random>

namespace torch::data::samplers {

template class Sampler<>;
template class DistributedSampler<>;

namespace {
// Up to batch_size entries of `indices` from `index` on (advancing it); nullopt when none are left.
optional<std::vector<size_t>> take(const std::vector<size_t>& indices, size_t& index, size_t end,
                                   size_t batch_size) {
  if (index >= end) return nullopt;
  const size_t stop = index + batch_size < end ? index + batch_size : end;
  std::vector<size_t> batch(indices.begin() + static_cast<std::ptrdiff_t>(index),
                            indices.begin() + static_cast<std::ptrdiff_t>(stop));
  index = stop;
  return batch;
}
}  // namespace

SequentialSampler::~SequentialSampler() = default;
void SequentialSampler::reset(optional<size_t> new_size) {
  if (new_size) size_ = *new_size;
  index_ = 0;
}
optional<std::vector<size_t>> SequentialSampler::next(size_t batch_size) {
  if (index_ >= size_) return nullopt;
  const size_t stop = index_ + batch_size < size_ ? index_ + batch_size : size_;
  std::vector<size_t> batch(stop - index_);
  for (size_t i = 0; i < batch.size(); ++i) batch[i] = index_ + i;
  index_ = stop;
  return batch;
}

RandomSampler::RandomSampler(int64_t size, Dtype index_dtype) : index_dtype_(index_dtype) {
  torch::data::detail::check<nabla::ValueError>(size >= 0, "RandomSampler: size must be >= 0, got ", size);
  draw(static_cast<size_t>(size));
}
RandomSampler::~RandomSampler() = default;
void RandomSampler::reset(optional<size_t> new_size) {
  draw(new_size.value_or(indices_.size()));
  index_ = 0;
}
optional<std::vector<size_t>> RandomSampler::next(size_t batch_size) {
  return take(indices_, index_, indices_.size(), batch_size);
}
void RandomSampler::draw(size_t n) {
  Tensor perm = nabla::randperm(static_cast<int64_t>(n), {.dtype = nabla::kInt64});
  const int64_t* p = perm.data_ptr<int64_t>();
  indices_.assign(p, p + n);
}

DistributedRandomSampler::~DistributedRandomSampler() = default;
void DistributedRandomSampler::reset(optional<size_t> new_size) {
  size_ = new_size.value_or(size_);
  populate_indices();
  std::mt19937 rand(epoch_);  // seeded by the epoch, as LibTorch does: the same order as LibTorch's
  std::shuffle(all_indices_.begin(), all_indices_.end(), rand);
  sample_index_ = begin_index_;
}
optional<std::vector<size_t>> DistributedRandomSampler::next(size_t batch_size) {
  return take(all_indices_, sample_index_, end_index_, batch_size);
}
void DistributedRandomSampler::populate_indices() {
  const size_t local = local_sample_count();
  const size_t count = num_replicas_ == 1 ? size_ : local * num_replicas_;
  all_indices_.resize(count);
  for (size_t i = 0; i < all_indices_.size(); ++i) all_indices_[i] = i;
  for (size_t i = size_; i < count; ++i) all_indices_[i] = i - size_;
  begin_index_ = rank_ * local;
  end_index_ = begin_index_ + local;
  sample_index_ = begin_index_;
}

DistributedSequentialSampler::~DistributedSequentialSampler() = default;
void DistributedSequentialSampler::reset(optional<size_t> new_size) {
  if (new_size && *new_size != size_) {
    size_ = *new_size;
    populate_indices();
  } else {
    sample_index_ = begin_index_;
  }
}
optional<std::vector<size_t>> DistributedSequentialSampler::next(size_t batch_size) {
  return take(all_indices_, sample_index_, end_index_, batch_size);
}
void DistributedSequentialSampler::populate_indices() {
  begin_index_ = rank_ * local_sample_count();
  end_index_ = begin_index_ + local_sample_count();
  sample_index_ = begin_index_;
  all_indices_.resize(end_index_);
  for (size_t i = 0; i < end_index_; ++i) all_indices_[i] = i % (size_ > 0 ? size_ : 1);
}

}  // namespace torch::data::samplers
