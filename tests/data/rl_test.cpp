// CartPole against Gymnasium's equations (tests/golden/cartpole.json, from gen_cartpole_golden.py, a
// transcription of Gymnasium's CartPoleEnv.step), its episode rules and errors; the replay buffer and the
// epsilon schedules.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "expect_error.h"
#include "golden/golden_json.h"

using namespace nabla;
using nabla::testing::expect_error;

TEST(CartPole, TrajectoriesMatchGymnasiumsEquations) {
  const auto golden = golden_io::load_json("cartpole.json");
  ASSERT_GE(golden["cases"].size(), 5u);
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    rl::CartPole env;
    env.set_state(c["start"].get<std::array<double, 4>>());
    const auto& actions = c["actions"];
    for (size_t i = 0; i < actions.size(); ++i) {
      rl::StepResult r = env.step(actions[i].get<int64_t>());
      const auto want = c["states"][i].get<std::array<double, 4>>();
      for (int k = 0; k < 4; ++k) {
        EXPECT_NEAR(env.state()[k], want[k], 1e-12 * (1 + std::abs(want[k])))
            << "step " << i << " element " << k;
        EXPECT_NEAR(r.observation[k].item<float>(), want[k], 1e-6 * (1 + std::abs(want[k])));  // float32
      }
      EXPECT_EQ(r.terminated, c["terminated"][i].get<bool>()) << "step " << i;
      EXPECT_FALSE(r.truncated);
      EXPECT_EQ(r.reward, 1.0);  // the terminating step is rewarded too
    }
    EXPECT_TRUE(c["terminated"].back().get<bool>());
  }
}

TEST(CartPole, ResetIsSeededAndSmall) {
  rl::CartPole a, b;
  Tensor oa = a.reset(42), ob = b.reset(42), oc = b.reset(43);
  EXPECT_EQ(oa.sizes().vec(), (std::vector<int64_t>{4}));
  EXPECT_EQ(oa.dtype(), kFloat32);
  EXPECT_TRUE(oa.equal(ob));
  EXPECT_FALSE(oa.equal(oc));
  EXPECT_LE(oa.abs().max().item<float>(), 0.05f);
  EXPECT_EQ(a.elapsed_steps(), 0);
  // Without a seed the first reset draws one from the default generator: manual_seed repeats it.
  manual_seed(5);
  Tensor d1 = rl::CartPole().reset();
  manual_seed(5);
  Tensor d2 = rl::CartPole().reset();
  EXPECT_TRUE(d1.equal(d2));
}

TEST(CartPole, PushingOneWayFallsWithinTwentySteps) {
  rl::CartPole env;
  env.reset(0);
  double total = 0;
  rl::StepResult r;
  int steps = 0;
  do {
    r = env.step(1);
    total += r.reward;
    ++steps;
  } while (!r.done() && steps < 100);
  EXPECT_TRUE(r.terminated);
  EXPECT_LT(steps, 20);
  EXPECT_EQ(total, steps);
  EXPECT_LT(env.state()[2], -rl::CartPole::kThetaThreshold);  // pushed right, the pole falls left
}

TEST(CartPole, ABalancingPolicyIsTruncatedAtTheTimeLimit) {
  rl::CartPole env({.max_episode_steps = 50});
  Tensor obs = env.reset(1);
  rl::StepResult r;
  int steps = 0;
  do {  // push toward the side the pole is falling to
    const float theta = obs[2].item<float>(), theta_dot = obs[3].item<float>();
    r = env.step(theta + 0.5f * theta_dot > 0 ? 1 : 0);
    obs = r.observation;
    ++steps;
  } while (!r.done());
  EXPECT_EQ(steps, 50);
  EXPECT_TRUE(r.truncated);
  EXPECT_FALSE(r.terminated);
}

TEST(CartPole, MisuseIsATypedError) {
  rl::CartPole env;
  expect_error<ValueError>([&] { env.step(0); }, "call reset()");
  env.reset(0);
  expect_error<ValueError>([&] { env.step(2); }, {"action must be 0", "got 2"});
  while (!env.step(1).done()) {
  }
  expect_error<ValueError>([&] { env.step(1); }, {"episode ended", "reset()"});
  expect_error<ValueError>([] { rl::CartPole({.max_episode_steps = 0}); }, "max_episode_steps");
}

TEST(CartPole, SpacesAndRender) {
  rl::CartPole env;
  EXPECT_EQ(env.action_space().n, 2);
  rl::Box box = env.observation_space();
  EXPECT_EQ(box.shape, (std::vector<int64_t>{4}));
  EXPECT_DOUBLE_EQ(box.high[0], 4.8);
  EXPECT_TRUE(std::isinf(box.high[1]));
  env.set_state({0, 0, 0.2, 0});
  std::string pic = env.render();
  EXPECT_NE(pic.find('#'), std::string::npos);
  EXPECT_NE(pic.find('/'), std::string::npos);  // leaning right
  EXPECT_NE(pic.find("theta +11.5 deg"), std::string::npos) << pic;
}

TEST(ReplayBuffer, DropsTheOldestAndSamplesWithoutRepeats) {
  rl::ReplayBuffer memory(5, /*seed=*/3);
  for (int i = 0; i < 8; ++i)
    memory.push(full({2}, static_cast<double>(i)), i % 2, 10.0 * i, full({2}, i + 0.5), i == 7);
  EXPECT_EQ(memory.size(), 5);
  rl::Transitions t = memory.sample(5);
  EXPECT_EQ(t.observations.sizes().vec(), (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(t.next_observations.sizes().vec(), (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(t.actions.dtype(), kInt64);
  EXPECT_EQ(t.rewards.dtype(), kFloat32);
  EXPECT_EQ(t.dones.dtype(), kFloat32);
  std::set<int> seen;
  for (int k = 0; k < 5; ++k) {
    const int i = static_cast<int>(t.observations[k][0].item<float>());
    seen.insert(i);
    EXPECT_GE(i, 3);  // 0, 1, 2 were dropped
    EXPECT_EQ(t.actions[k].item<int64_t>(), i % 2);
    EXPECT_EQ(t.rewards[k].item<float>(), 10.0f * i);
    EXPECT_EQ(t.next_observations[k][1].item<float>(), i + 0.5f);
    EXPECT_EQ(t.dones[k].item<float>(), i == 7 ? 1.0f : 0.0f);
  }
  EXPECT_EQ(seen.size(), 5u);  // a permutation: no transition twice in one batch
}

TEST(ReplayBuffer, SamplesDifferAndErrorsAreTyped) {
  rl::ReplayBuffer memory(100, 1);
  for (int i = 0; i < 100; ++i) memory.push(full({1}, static_cast<double>(i)), 0, 0, full({1}, 0.0), false);
  Tensor a = memory.sample(10).observations, b = memory.sample(10).observations;
  EXPECT_FALSE(a.equal(b));
  expect_error<ValueError>([&] { memory.sample(101); }, {"batch_size 101", "[1, 100]"});
  expect_error<ValueError>([&] { memory.sample(0); }, "batch_size 0");
  expect_error<ShapeError>([&] { memory.push(zeros({3}), 0, 0, zeros({3}), false); }, {"[3]", "[1]"});
  expect_error<ShapeError>([&] { memory.push(zeros({1}), 0, 0, zeros({2}), false); }, "different shapes");
  expect_error<ValueError>([] { rl::ReplayBuffer(0); }, "capacity");
}

TEST(ReplayBuffer, StoredObservationsCarryNoGraph) {
  rl::ReplayBuffer memory(4);
  Tensor x = ones({2}).requires_grad_();
  memory.push(x * 2, 0, 1, x * 3, false);
  EXPECT_FALSE(memory.sample(1).observations.requires_grad());
}

TEST(Epsilon, Schedules) {
  rl::ExponentialEpsilon e{.start = 1.0, .end = 0.01, .decay = 0.995};
  EXPECT_DOUBLE_EQ(e(0), 1.0);
  EXPECT_NEAR(e(100), std::pow(0.995, 100), 1e-12);
  EXPECT_DOUBLE_EQ(e(100000), 0.01);
  rl::LinearEpsilon l{.start = 1.0, .end = 0.1, .steps = 100};
  EXPECT_DOUBLE_EQ(l(0), 1.0);
  EXPECT_NEAR(l(50), 0.55, 1e-12);
  EXPECT_DOUBLE_EQ(l(100), 0.1);
  EXPECT_DOUBLE_EQ(l(1000), 0.1);
}
