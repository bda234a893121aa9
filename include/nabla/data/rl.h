// rl.h — what reinforcement-learning code needs besides a network (namespace nabla::rl): an environment
// interface with Gymnasium's reset/step contract, the classic CartPole, a replay buffer and epsilon
// schedules for epsilon-greedy exploration.
//
//   rl::CartPole env;                                   // CartPole-v1: episodes end after 500 steps
//   Tensor obs = env.reset(/*seed=*/0);                 // float32 [4]
//   rl::StepResult r = env.step(action);                // observation, reward, terminated, truncated
//   rl::ReplayBuffer memory(10000, /*seed=*/0);
//   memory.push(obs, action, r.reward, r.observation, r.terminated);
//   rl::Transitions batch = memory.sample(64);          // stacked tensors, for a DQN update
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/tensor/options.h"
#include "nabla/tensor/tensor.h"

namespace nabla::rl {

// What step() returns (Gymnasium's 5-tuple without `info`). `terminated`: the episode reached a terminal
// state (no bootstrapping from it); `truncated`: it was cut off by a time limit (the state is not terminal).
struct StepResult {
  Tensor observation;
  double reward = 0;
  bool terminated = false;
  bool truncated = false;
  bool done() const { return terminated || truncated; }
};

// A discrete action space {0, ..., n - 1}.
struct Discrete {
  int64_t n = 0;
};

// A box observation space: per-element bounds of a float32 tensor of the given shape.
struct Box {
  std::vector<double> low, high;
  std::vector<int64_t> shape;
};

// Gymnasium's Env contract: reset() starts an episode and returns its first observation; step(action)
// advances it. Calling step() before reset() or after the episode ended is an error (Gymnasium only
// warns and returns garbage). A seed passed to reset() reseeds the environment's generator; the first
// reset() without one seeds it from nabla's default generator (so manual_seed makes runs repeatable).
class Env {
 public:
  virtual ~Env() = default;
  virtual Tensor reset(std::optional<uint64_t> seed = std::nullopt) = 0;
  virtual StepResult step(int64_t action) = 0;
  virtual Discrete action_space() const = 0;
  virtual Box observation_space() const = 0;
  virtual std::string render() const = 0;  // a text picture of the current state
};

// CartPole (Barto, Sutton & Anderson 1983) with Gymnasium's CartPole-v1 constants, dynamics and rules:
// gravity 9.8, cart mass 1.0, pole mass 0.1, pole half-length 0.5, force 10 N (action 0 pushes left,
// 1 right), time step 0.02 s, explicit Euler integration in float64; the state starts uniform in
// [-0.05, 0.05]^4; reward 1 for every step, the terminating one included; terminated when |x| > 2.4 or
// |theta| > 12 degrees; truncated after max_episode_steps (500 for v1, 200 for v0).
class CartPole : public Env {
 public:
  struct Options {
    int64_t max_episode_steps = 500;
  };
  CartPole() : CartPole(Options{}) {}
  explicit CartPole(Options options);

  Tensor reset(std::optional<uint64_t> seed = std::nullopt) override;
  StepResult step(int64_t action) override;
  Discrete action_space() const override { return {2}; }
  Box observation_space() const override;
  std::string render() const override;

  // The state (x, x_dot, theta, theta_dot) in float64, and setting it (tests, demonstrations).
  const std::array<double, 4>& state() const { return state_; }
  void set_state(const std::array<double, 4>& state);
  int64_t elapsed_steps() const { return steps_; }

  static constexpr double kGravity = 9.8, kMassCart = 1.0, kMassPole = 0.1, kHalfLength = 0.5, kForce = 10.0,
                          kTau = 0.02, kXThreshold = 2.4,
                          kThetaThreshold = 12 * 2 * 3.14159265358979323846 / 360;

 private:
  Tensor observation() const;
  Options options_;
  RandomGenerator rng_;
  bool seeded_ = false;
  std::array<double, 4> state_{};
  int64_t steps_ = 0;
  bool started_ = false, done_ = false;
};

// Stacked transitions: observations [B, ...] (float32), actions [B] (int64), rewards [B] (float32),
// next observations [B, ...], dones [B] (float32: 1 where the next state is terminal).
struct Transitions {
  Tensor observations, actions, rewards, next_observations, dones;
};

// A fixed-capacity FIFO of transitions (the oldest is dropped when full, like a deque with maxlen),
// sampled uniformly without replacement within one batch.
class ReplayBuffer {
 public:
  explicit ReplayBuffer(int64_t capacity, uint64_t seed = 0);
  void push(const Tensor& observation, int64_t action, double reward, const Tensor& next_observation,
            bool done);
  Transitions sample(int64_t batch_size);
  int64_t size() const { return static_cast<int64_t>(items_.size()); }
  int64_t capacity() const { return capacity_; }

 private:
  struct Item {
    Tensor observation, next_observation;
    int64_t action;
    double reward;
    bool done;
  };
  int64_t capacity_;
  std::vector<Item> items_;  // a ring once full; next_ is the slot to overwrite
  int64_t next_ = 0;
  RandomGenerator rng_;
};

// Epsilon for epsilon-greedy exploration at a given step: the seed's multiplicative decay
// (max(end, start * decay^step)) or a linear ramp from start to end over `steps` steps.
struct ExponentialEpsilon {
  double start = 1.0, end = 0.01, decay = 0.995;
  double operator()(int64_t step) const;
};
struct LinearEpsilon {
  double start = 1.0, end = 0.05;
  int64_t steps = 10000;
  double operator()(int64_t step) const;
};

}  // namespace nabla::rl
