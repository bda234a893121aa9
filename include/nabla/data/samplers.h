// samplers.h — which indices an epoch visits, like torch.utils.data's samplers. A sampler returns the
// whole epoch's index list at once; random samplers draw from the RandomGenerator they are given (the
// DataLoader passes one seeded from its seed and the epoch number).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "nabla/tensor/options.h"

namespace nabla::data {

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual int64_t size() const = 0;  // indices per epoch
  virtual std::vector<int64_t> indices(RandomGenerator& gen) const = 0;
};
using SamplerPtr = std::shared_ptr<const Sampler>;

// 0, 1, ..., n-1.
class SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(int64_t n);
  int64_t size() const override { return n_; }
  std::vector<int64_t> indices(RandomGenerator& gen) const override;

 private:
  int64_t n_;
};

// A permutation of [0, n) (or num_samples draws with replacement).
class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(int64_t n, bool replacement = false,
                         std::optional<int64_t> num_samples = std::nullopt);
  int64_t size() const override { return num_samples_; }
  std::vector<int64_t> indices(RandomGenerator& gen) const override;

 private:
  int64_t n_, num_samples_;
  bool replacement_;
};

// A permutation of the given indices.
class SubsetRandomSampler : public Sampler {
 public:
  explicit SubsetRandomSampler(std::vector<int64_t> indices);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  std::vector<int64_t> indices(RandomGenerator& gen) const override;

 private:
  std::vector<int64_t> indices_;
};

// num_samples indices drawn with probability proportional to weights (with or without replacement).
class WeightedRandomSampler : public Sampler {
 public:
  WeightedRandomSampler(std::vector<double> weights, int64_t num_samples, bool replacement = true);
  int64_t size() const override { return num_samples_; }
  std::vector<int64_t> indices(RandomGenerator& gen) const override;

 private:
  std::vector<double> cumulative_;  // prefix sums of the weights
  std::vector<double> weights_;
  int64_t num_samples_;
  bool replacement_;
};

// Groups a sampler's indices into batches. Subclasses (BucketBatchSampler) choose batches otherwise;
// DataLoaderOptions::batch_sampler takes any of them.
class BatchSampler {
 public:
  BatchSampler(SamplerPtr sampler, int64_t batch_size, bool drop_last);
  virtual ~BatchSampler() = default;
  virtual int64_t size() const;  // batches per epoch
  virtual std::vector<std::vector<int64_t>> batches(RandomGenerator& gen) const;
  const SamplerPtr& sampler() const { return sampler_; }  // null for a subclass without one

 protected:
  BatchSampler() = default;

 private:
  SamplerPtr sampler_;
  int64_t batch_size_ = 1;
  bool drop_last_ = false;
};
using BatchSamplerPtr = std::shared_ptr<const BatchSampler>;

// Batches of samples of similar length, so padding a batch to its longest sample wastes little
// (torchtext's BucketIterator, torchnlp's BucketBatchSampler): each epoch the indices are shuffled (or
// kept in order), cut into pools of batch_size * bucket_size_multiplier, each pool sorted by length
// (stably) and cut into batches, and the batches' order shuffled. Every index is in exactly one batch
// (drop_last: the short last batch of each pool is left out).
struct BucketBatchSamplerOptions {
  bool shuffle = true;
  bool drop_last = false;
  int64_t bucket_size_multiplier = 100;
};
class BucketBatchSampler : public BatchSampler {
 public:
  BucketBatchSampler(std::vector<int64_t> lengths, int64_t batch_size,
                     BucketBatchSamplerOptions options = {});
  int64_t size() const override;
  std::vector<std::vector<int64_t>> batches(RandomGenerator& gen) const override;

 private:
  std::vector<int64_t> lengths_;
  int64_t batch_size_;
  BucketBatchSamplerOptions options_;
};

// A uniform integer in [0, n) without modulo bias (Lemire's method).
uint64_t uniform_index(RandomGenerator& gen, uint64_t n);
// In-place Fisher-Yates shuffle.
void shuffle_indices(std::vector<int64_t>& v, RandomGenerator& gen);

}  // namespace nabla::data
