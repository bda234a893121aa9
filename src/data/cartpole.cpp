// cartpole.cpp — CartPole-v1 as Gymnasium defines it (classic_control/cartpole.py), in float64.
#include <cmath>
#include <cstdio>
#include <string>

#include "nabla/data/rl.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::rl {

CartPole::CartPole(Options options) : options_(options) {
  NABLA_CHECK(options.max_episode_steps > 0, ValueError,
              "CartPole: max_episode_steps must be positive, got {}", options.max_episode_steps);
}

Box CartPole::observation_space() const {
  // Gymnasium: x and theta bounded at twice their thresholds, the velocities unbounded.
  const double inf = HUGE_VAL;
  return {{-2 * kXThreshold, -inf, -2 * kThetaThreshold, -inf},
          {2 * kXThreshold, inf, 2 * kThetaThreshold, inf},
          {4}};
}

Tensor CartPole::observation() const {
  // Gymnasium returns the float64 state as float32.
  const float obs[4] = {static_cast<float>(state_[0]), static_cast<float>(state_[1]),
                        static_cast<float>(state_[2]), static_cast<float>(state_[3])};
  return from_buffer(obs, {4}, kFloat32);
}

Tensor CartPole::reset(std::optional<uint64_t> seed) {
  if (seed)
    rng_.manual_seed(*seed);
  else if (!seeded_)
    rng_.manual_seed(default_generator().next_u64());
  seeded_ = true;
  for (double& v : state_) v = -0.05 + 0.1 * rng_.next_double();  // uniform in [-0.05, 0.05)
  steps_ = 0;
  started_ = true;
  done_ = false;
  return observation();
}

void CartPole::set_state(const std::array<double, 4>& state) {
  state_ = state;
  started_ = true;
  done_ = false;
}

StepResult CartPole::step(int64_t action) {
  NABLA_CHECK(started_, ValueError, "CartPole.step: call reset() before the first step");
  NABLA_CHECK(
      !done_, ValueError,
      "CartPole.step: the episode ended (terminated or truncated) at step {}; call reset() to start a "
      "new one",
      steps_);
  NABLA_CHECK(action == 0 || action == 1, ValueError,
              "CartPole.step: action must be 0 (push left) or 1 (push right), got {}", action);
  auto& [x, x_dot, theta, theta_dot] = state_;
  const double force = action == 1 ? kForce : -kForce;
  const double total_mass = kMassCart + kMassPole, polemass_length = kMassPole * kHalfLength;
  const double cos_t = std::cos(theta), sin_t = std::sin(theta);
  // The equations of motion of Barto, Sutton & Anderson (1983), as Gymnasium writes them (in its evaluation
  // order; with -march=native the compiler may fuse multiply-adds, so results agree to rounding, not bits).
  const double temp = (force + polemass_length * (theta_dot * theta_dot) * sin_t) / total_mass;
  const double theta_acc = (kGravity * sin_t - cos_t * temp) /
                           (kHalfLength * (4.0 / 3.0 - kMassPole * (cos_t * cos_t) / total_mass));
  const double x_acc = temp - polemass_length * theta_acc * cos_t / total_mass;
  // Explicit Euler: positions move with the old velocities.
  x += kTau * x_dot;
  x_dot += kTau * x_acc;
  theta += kTau * theta_dot;
  theta_dot += kTau * theta_acc;
  ++steps_;

  StepResult r;
  r.observation = observation();
  r.reward = 1.0;
  r.terminated = x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold || theta > kThetaThreshold;
  r.truncated = !r.terminated && steps_ >= options_.max_episode_steps;
  done_ = r.done();
  return r;
}

// Two lines: the track from -2.4 to 2.4 with the cart, and the pole's tilt as a slash or bar above it.
std::string CartPole::render() const {
  constexpr int kWidth = 49;
  const double x = state_[0], theta = state_[2];
  int col = static_cast<int>(std::lround((x + kXThreshold) / (2 * kXThreshold) * (kWidth - 1)));
  col = col < 0 ? 0 : (col >= kWidth ? kWidth - 1 : col);
  std::string pole(kWidth, ' '), track(kWidth, '-');
  // Angle thirds of the threshold: upright '|', leaning '/' (right) or '\\' (left).
  pole[col] = theta > kThetaThreshold / 3 ? '/' : (theta < -kThetaThreshold / 3 ? '\\' : '|');
  track[col] = '#';
  char tail[96];
  std::snprintf(tail, sizeof tail, "  x %+.2f  theta %+5.1f deg  step %lld", x,
                theta * 180 / 3.14159265358979323846, static_cast<long long>(steps_));
  return "|" + pole + "|\n|" + track + "|" + tail;
}

}  // namespace nabla::rl
