// torch/data/samplers.h — LibTorch's samplers: reset() starts an epoch, next(batch_size) hands out the
// next indices until std::nullopt. The DataLoader resets its sampler at every begin(). RandomSampler
// draws its permutation from nabla's default generator (torch::manual_seed makes it reproducible; the
// sequence differs from LibTorch's). save()/load() throw NotImplementedError (see Sampler).
// The built-in samplers' bodies (and vtables: their destructors are the key functions) are in
// src/torch/samplers.cpp, compiled once rather than in every program.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "nabla/tensor/error.h"
#include "torch/data/check.h"
#include "torch/types.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace torch::data::samplers {

// save()/load() exist so that a user sampler overriding them compiles; the built-in samplers do not
// serialize their position (NotImplementedError).
template <typename BatchRequest = std::vector<size_t>>
class Sampler {
 public:
  using BatchRequestType = BatchRequest;
  virtual ~Sampler() = default;
  virtual void reset(optional<size_t> new_size) = 0;
  virtual optional<BatchRequest> next(size_t batch_size) = 0;
  virtual void save(serialize::OutputArchive& /*archive*/) const {
    throw nabla::NotImplementedError("torch::data sampler save(): sampler state is not serialized in nabla");
  }
  virtual void load(serialize::InputArchive& /*archive*/) {
    throw nabla::NotImplementedError("torch::data sampler load(): sampler state is not serialized in nabla");
  }
};

// 0, 1, ..., size-1.
class SequentialSampler : public Sampler<> {
 public:
  explicit SequentialSampler(size_t size) : size_(size) {}
  ~SequentialSampler() override;
  void reset(optional<size_t> new_size = nullopt) override;
  optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return index_; }

 private:
  size_t size_;
  size_t index_ = 0;
};

// A fresh random permutation of [0, size) at construction and at every reset().
class RandomSampler : public Sampler<> {
 public:
  explicit RandomSampler(int64_t size, Dtype index_dtype = nabla::kInt64);
  ~RandomSampler() override;
  void reset(optional<size_t> new_size = nullopt) override;
  optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return index_; }

 private:
  void draw(size_t n);
  Dtype index_dtype_;  // accepted for LibTorch's signature; indices are size_t either way
  std::vector<size_t> indices_;
  size_t index_ = 0;
};

// The part of the dataset replica `rank` of `num_replicas` visits (LibTorch's semantics).
template <typename BatchRequest = std::vector<size_t>>
class DistributedSampler : public Sampler<BatchRequest> {
 public:
  DistributedSampler(size_t size, size_t num_replicas = 1, size_t rank = 0, bool allow_duplicates = true)
      : size_(size),
        num_replicas_(num_replicas),
        rank_(rank),
        epoch_(0),
        allow_duplicates_(allow_duplicates) {
    torch::data::detail::check<nabla::ValueError>(num_replicas >= 1 && rank < num_replicas,
                                                  "DistributedSampler: rank ", rank,
                                                  " must be in [0, num_replicas=", num_replicas, ")");
  }
  void set_epoch(size_t epoch) { epoch_ = epoch; }
  size_t epoch() const { return epoch_; }

 protected:
  size_t local_sample_count() const {
    return allow_duplicates_ ? (size_ + num_replicas_ - 1) / num_replicas_ : size_ / num_replicas_;
  }
  size_t size_;            // NOLINT(cppcoreguidelines-non-private-member-variables-in-classes)
  size_t num_replicas_;    // NOLINT
  size_t rank_;            // NOLINT
  size_t epoch_;           // NOLINT
  bool allow_duplicates_;  // NOLINT
};

// Instantiated once, in the library (src/torch/samplers.cpp).
extern template class Sampler<>;
extern template class DistributedSampler<>;

// Shuffles [0, size) (padded by wrapping round to a multiple of num_replicas when allow_duplicates) with
// std::mt19937 seeded by the epoch, like LibTorch, then takes this rank's contiguous share.
class DistributedRandomSampler : public DistributedSampler<> {
 public:
  DistributedRandomSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                           bool allow_duplicates = true)
      : DistributedSampler(size, num_replicas, rank, allow_duplicates) {
    reset(size_);
  }
  ~DistributedRandomSampler() override;
  void reset(optional<size_t> new_size = nullopt) override;
  optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return sample_index_; }

 private:
  void populate_indices();
  size_t begin_index_ = 0, end_index_ = 0, sample_index_ = 0;
  std::vector<size_t> all_indices_;
};

// This rank's contiguous share of 0, 1, ..., size-1 (wrapping round when allow_duplicates).
class DistributedSequentialSampler : public DistributedSampler<> {
 public:
  DistributedSequentialSampler(size_t size, size_t num_replicas = 1, size_t rank = 0,
                               bool allow_duplicates = true)
      : DistributedSampler(size, num_replicas, rank, allow_duplicates) {
    populate_indices();
  }
  ~DistributedSequentialSampler() override;
  void reset(optional<size_t> new_size = nullopt) override;
  optional<std::vector<size_t>> next(size_t batch_size) override;
  size_t index() const noexcept { return sample_index_; }

 private:
  void populate_indices();
  size_t begin_index_ = 0, end_index_ = 0, sample_index_ = 0;
  std::vector<size_t> all_indices_;
};

}  // namespace torch::data::samplers
