// replay_buffer.cpp — the experience replay memory of DQN, and epsilon schedules.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "nabla/data/rl.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::rl {

ReplayBuffer::ReplayBuffer(int64_t capacity, uint64_t seed) : capacity_(capacity), rng_(seed) {
  NABLA_CHECK(capacity > 0, ValueError, "ReplayBuffer: capacity must be positive, got {}", capacity);
}

void ReplayBuffer::push(const Tensor& observation, int64_t action, double reward,
                        const Tensor& next_observation, bool done) {
  NABLA_CHECK(observation.defined() && next_observation.defined(), ValueError,
              "ReplayBuffer.push: observation and next_observation must be defined tensors");
  NABLA_CHECK(observation.sizes() == next_observation.sizes(), ShapeError,
              "ReplayBuffer.push: observation {} and next_observation {} have different shapes",
              shape_str(observation.sizes()), shape_str(next_observation.sizes()));
  if (!items_.empty())
    NABLA_CHECK(observation.sizes() == items_.front().observation.sizes(), ShapeError,
                "ReplayBuffer.push: observation of shape {}, but the buffer holds shape {}",
                shape_str(observation.sizes()), shape_str(items_.front().observation.sizes()));
  // detach: a stored observation must not keep an autograd graph (or its memory) alive.
  Item item{observation.detach(), next_observation.detach(), action, reward, done};
  if (size() < capacity_) {
    items_.push_back(std::move(item));
  } else {
    items_[next_] = std::move(item);  // drop the oldest
  }
  next_ = (next_ + 1) % capacity_;
}

Transitions ReplayBuffer::sample(int64_t batch_size) {
  NABLA_CHECK(batch_size > 0 && batch_size <= size(), ValueError,
              "ReplayBuffer.sample: batch_size {} must be in [1, {}] (the transitions stored)", batch_size,
              size());
  // Partial Fisher-Yates: the first batch_size entries of a random permutation, no repeats.
  std::vector<int64_t> idx(items_.size());
  std::iota(idx.begin(), idx.end(), 0);
  for (int64_t i = 0; i < batch_size; ++i) {
    const int64_t j = i + static_cast<int64_t>(rng_.next_u64() % static_cast<uint64_t>(size() - i));
    std::swap(idx[i], idx[j]);
  }
  std::vector<Tensor> obs, next_obs;
  std::vector<int64_t> actions;
  std::vector<float> rewards, dones;
  for (int64_t i = 0; i < batch_size; ++i) {
    const Item& it = items_[idx[i]];
    obs.push_back(it.observation);
    next_obs.push_back(it.next_observation);
    actions.push_back(it.action);
    rewards.push_back(static_cast<float>(it.reward));
    dones.push_back(it.done ? 1.0f : 0.0f);
  }
  const int64_t b = batch_size;
  return {stack(obs), from_buffer(actions.data(), {b}, kInt64), from_buffer(rewards.data(), {b}, kFloat32),
          stack(next_obs), from_buffer(dones.data(), {b}, kFloat32)};
}

double ExponentialEpsilon::operator()(int64_t step) const {
  return std::max(end, start * std::pow(decay, static_cast<double>(step)));
}

double LinearEpsilon::operator()(int64_t step) const {
  if (steps <= 0 || step >= steps) return end;
  return start + (end - start) * static_cast<double>(step) / static_cast<double>(steps);
}

}  // namespace nabla::rl
