// sampler.cpp — DistributedSampler, line by line after torch/utils/data/distributed.py (PyTorch 1.13).
#include "nabla/distributed/sampler.h"

#include <random>

#include "nabla/distributed/process_group.h"
#include "util/check.h"

namespace nabla::distributed {

std::vector<int64_t> torch_randperm(int64_t n, uint64_t seed) {
  // at::mt19937(seed) keeps seed & 0xffffffff, as std::mt19937 does; CPUGeneratorImpl::random() is
  // one 32-bit draw. randperm_cpu (ATen/native/TensorFactories.cpp) swaps r[i] with r[i + z].
  std::mt19937 engine(static_cast<uint32_t>(seed));
  std::vector<int64_t> r(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) r[i] = i;
  for (int64_t i = 0; i + 1 < n; ++i) {
    const int64_t z = static_cast<int64_t>(engine() % static_cast<uint64_t>(n - i));
    std::swap(r[i], r[i + z]);
  }
  return r;
}

DistributedSampler::DistributedSampler(int64_t dataset_size, DistributedSamplerOptions options)
    : dataset_size_(dataset_size),
      shuffle_(options.shuffle),
      drop_last_(options.drop_last),
      seed_(options.seed) {
  NABLA_CHECK(dataset_size >= 0, ValueError, "DistributedSampler: dataset size must be >= 0, got {}",
              dataset_size);
  if (!options.num_replicas || !options.rank)
    NABLA_CHECK(is_initialized(), ValueError,
                "DistributedSampler: num_replicas and rank default to the process group's, which is not "
                "initialized (call distributed::init_process_group() or pass num_replicas and rank)");
  num_replicas_ = options.num_replicas ? *options.num_replicas : get_world_size();
  rank_ = options.rank ? *options.rank : get_rank();
  NABLA_CHECK(num_replicas_ >= 1, ValueError, "DistributedSampler: num_replicas must be >= 1, got {}",
              num_replicas_);
  NABLA_CHECK(rank_ >= 0 && rank_ < num_replicas_, ValueError,
              "DistributedSampler: Invalid rank {}, rank should be in the interval [0, {}]", rank_,
              num_replicas_ - 1);
  auto ceil_div = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
  if (drop_last_ && dataset_size_ % num_replicas_ != 0)
    num_samples_ = ceil_div(dataset_size_ - num_replicas_, num_replicas_);  // >= 0: size > replicas here
  else
    num_samples_ = ceil_div(dataset_size_, num_replicas_);
  if (num_samples_ < 0) num_samples_ = 0;  // Python's ceil of a negative fraction (size < replicas) is 0
  total_size_ = num_samples_ * num_replicas_;
}

std::vector<int64_t> DistributedSampler::indices() const {
  std::vector<int64_t> all;
  if (shuffle_) {
    all = torch_randperm(dataset_size_, seed_ + static_cast<uint64_t>(epoch_));
  } else {
    all.resize(static_cast<size_t>(dataset_size_));
    for (int64_t i = 0; i < dataset_size_; ++i) all[i] = i;
  }
  if (!drop_last_) {
    // Pad by repeating the list from its start (several times when it is shorter than the padding).
    const int64_t n = static_cast<int64_t>(all.size());
    for (int64_t i = 0; n > 0 && static_cast<int64_t>(all.size()) < total_size_; ++i)
      all.push_back(all[i % n]);
  } else {
    all.resize(static_cast<size_t>(total_size_));
  }
  std::vector<int64_t> mine;
  mine.reserve(static_cast<size_t>(num_samples_));
  for (int64_t i = rank_; i < total_size_; i += num_replicas_) mine.push_back(all[i]);
  return mine;
}

std::vector<int64_t> DistributedSampler::indices(RandomGenerator&) const { return indices(); }

}  // namespace nabla::distributed
