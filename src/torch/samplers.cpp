// samplers.cpp — DistributedRandomSampler's shuffle (out of line: <random> costs every including program
// ~0.5 s of compile time).
#include "torch/data/samplers.h"

#include <algorithm>
#include <random>

namespace torch::data::samplers {

void DistributedRandomSampler::reset(optional<size_t> new_size) {
  size_ = new_size.value_or(size_);
  populate_indices();
  std::mt19937 rand(epoch_);  // seeded by the epoch, as LibTorch does: the same order as LibTorch's
  std::shuffle(all_indices_.begin(), all_indices_.end(), rand);
  sample_index_ = begin_index_;
}

}  // namespace torch::data::samplers
