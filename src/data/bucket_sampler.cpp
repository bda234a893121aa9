// bucket_sampler.cpp — BucketBatchSampler: batches of similar lengths (see samplers.h).
#include <algorithm>
#include <numeric>

#include "nabla/data/samplers.h"
#include "util/check.h"

namespace nabla::data {

BucketBatchSampler::BucketBatchSampler(std::vector<int64_t> lengths, int64_t batch_size,
                                       BucketBatchSamplerOptions options)
    : lengths_(std::move(lengths)), batch_size_(batch_size), options_(options) {
  NABLA_CHECK(batch_size >= 1, ValueError,
              "BucketBatchSampler: batch_size should be a positive integer, got {}", batch_size);
  NABLA_CHECK(options.bucket_size_multiplier >= 1, ValueError,
              "BucketBatchSampler: bucket_size_multiplier should be a positive integer, got {}",
              options.bucket_size_multiplier);
  for (size_t i = 0; i < lengths_.size(); ++i)
    NABLA_CHECK(lengths_[i] >= 0, ValueError, "BucketBatchSampler: lengths[{}] = {} is negative", i,
                lengths_[i]);
}

int64_t BucketBatchSampler::size() const {
  // Pools but the last hold a whole number of batches, so only one batch can be short.
  const int64_t n = static_cast<int64_t>(lengths_.size());
  return options_.drop_last ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

std::vector<std::vector<int64_t>> BucketBatchSampler::batches(RandomGenerator& gen) const {
  std::vector<int64_t> idx(lengths_.size());
  std::iota(idx.begin(), idx.end(), 0);
  if (options_.shuffle) shuffle_indices(idx, gen);
  const size_t pool = static_cast<size_t>(batch_size_ * options_.bucket_size_multiplier);
  const size_t bs = static_cast<size_t>(batch_size_);
  std::vector<std::vector<int64_t>> out;
  for (size_t start = 0; start < idx.size(); start += pool) {
    const auto first = idx.begin() + static_cast<std::ptrdiff_t>(start);
    const auto last = idx.begin() + static_cast<std::ptrdiff_t>(std::min(idx.size(), start + pool));
    std::stable_sort(first, last, [&](int64_t a, int64_t b) { return lengths_[a] < lengths_[b]; });
    for (auto b = first; b < last;) {
      const auto e = b + std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(bs), last - b);
      if (!options_.drop_last || static_cast<size_t>(e - b) == bs) out.emplace_back(b, e);
      b = e;
    }
  }
  if (options_.shuffle) {  // Fisher-Yates over the batches, as shuffle_indices does over indices
    for (size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[uniform_index(gen, i)]);
  }
  return out;
}

}  // namespace nabla::data
