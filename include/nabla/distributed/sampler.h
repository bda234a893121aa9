// sampler.h — torch.utils.data.distributed.DistributedSampler: each rank's share of a dataset, for a
// DataLoader's sampler option. Same index lists as PyTorch for the same arguments (shuffled with
// torch's mt19937 and randperm, so a seed gives PyTorch's permutation):
//   auto sampler = std::make_shared<distributed::DistributedSampler>(dataset.size());
//   data::DataLoader loader(dataset, {.batch_size = 32, .sampler = sampler});
//   for (int epoch = 0; ...; ++epoch) { sampler->set_epoch(epoch); for (auto& batch : loader) ... }
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "nabla/data/samplers.h"

namespace nabla::distributed {

struct DistributedSamplerOptions {
  std::optional<int64_t> num_replicas = std::nullopt;  // unset: get_world_size()
  std::optional<int64_t> rank = std::nullopt;          // unset: get_rank()
  bool shuffle = true;
  uint64_t seed = 0;  // the permutation of epoch e is seeded with seed + e, the same on every rank
  bool drop_last = false;
};

class DistributedSampler : public data::Sampler {
 public:
  // ValueError for a rank outside [0, num_replicas), num_replicas < 1, a negative size, or an unset
  // num_replicas/rank without an initialized process group.
  explicit DistributedSampler(int64_t dataset_size, DistributedSamplerOptions options = {});
  // num_samples: ceil(size / num_replicas) (padded by repeating indices from the start); with drop_last
  // and an uneven size, ceil((size - num_replicas) / num_replicas) (the tail is dropped).
  int64_t size() const override { return num_samples_; }
  // This rank's indices for the current epoch; ignores gen (the epoch's seed decides).
  std::vector<int64_t> indices(RandomGenerator& gen) const override;
  std::vector<int64_t> indices() const;
  // Changes the permutation (shuffle): call before each epoch, with the same epoch on every rank.
  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  int64_t epoch() const { return epoch_; }
  int64_t num_replicas() const { return num_replicas_; }
  int64_t rank() const { return rank_; }
  int64_t total_size() const { return total_size_; }

 private:
  int64_t dataset_size_, num_replicas_, rank_, num_samples_, total_size_;
  bool shuffle_, drop_last_;
  uint64_t seed_;
  int64_t epoch_ = 0;
};

// torch.randperm(n, generator=torch.Generator().manual_seed(seed)) on the CPU: the same permutation
// (mt19937 seeded with the low 32 bits of seed, then randperm_cpu's swaps).
std::vector<int64_t> torch_randperm(int64_t n, uint64_t seed);

}  // namespace nabla::distributed
