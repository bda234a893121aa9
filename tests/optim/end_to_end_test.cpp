// End to end with nn: a small MLP trained by each optimizer, with a scheduler and gradient clipping,
// learns a smooth regression target; a checkpointed run resumes bit for bit.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <memory>

using namespace nabla;

namespace {

struct Data {
  Tensor x, y;
  Data() {
    RandomGenerator gen(7);
    x = rand({128, 4}, {.dtype = kFloat32}, &gen) * 4 - 2;
    y = (x.narrow(1, 0, 1) * 1.5).sin() + x.narrow(1, 1, 1) * x.narrow(1, 2, 1) * 0.5 -
        x.narrow(1, 3, 1) * 0.25;
  }
};

std::unique_ptr<optim::Optimizer> make(const std::string& name, const std::vector<Tensor>& params) {
  if (name == "SGD")
    return std::make_unique<optim::SGD>(params, optim::SGDConfig{.lr = 0.05, .momentum = 0.9});
  if (name == "Adam") return std::make_unique<optim::Adam>(params, optim::AdamConfig{.lr = 0.03});
  if (name == "AdamW") return std::make_unique<optim::AdamW>(params, optim::AdamWConfig{.lr = 0.03});
  if (name == "RMSprop") return std::make_unique<optim::RMSprop>(params, optim::RMSpropConfig{.lr = 0.01});
  return std::make_unique<optim::Adagrad>(params, optim::AdagradConfig{.lr = 0.1});
}

double fit(nn::Sequential& net, optim::Optimizer& opt, optim::LRScheduler& sched, const Data& d, int steps) {
  double loss_value = 0;
  for (int k = 0; k < steps; ++k) {
    opt.zero_grad();
    Tensor loss = nn::functional::mse_loss(net(d.x), d.y);
    loss.backward();
    optim::clip_grad_norm_(net.parameters(), 10.0);
    opt.step();
    sched.step();
    loss_value = loss.item<double>();
  }
  return loss_value;
}

}  // namespace

TEST(OptimEndToEnd, EveryOptimizerTrainsAnMlp) {
  const Data d;
  for (const std::string name : {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad"}) {
    manual_seed(3);
    nn::Sequential net{nn::Linear(4, 32), nn::Tanh(), nn::Linear(32, 1)};
    auto opt = make(name, net.parameters());
    optim::CosineAnnealingLR sched(*opt, 150, 1e-4);
    const double initial = nn::functional::mse_loss(net(d.x), d.y).item<double>();
    const double final_loss = fit(net, *opt, sched, d, 150);
    EXPECT_LT(final_loss, initial / 10) << name << ": " << initial << " -> " << final_loss;
  }
}

TEST(OptimEndToEnd, CheckpointedRunResumesBitForBit) {
  const Data d;
  auto build = [] {
    manual_seed(11);
    return nn::Sequential{nn::Linear(4, 16), nn::Tanh(), nn::Linear(16, 1)};
  };
  nn::Sequential straight = build();
  optim::Adam opt(straight.parameters(), {.lr = 0.02, .amsgrad = true});
  optim::OneCycleLR sched(opt, {.max_lr = {0.05}, .total_steps = 60});
  fit(straight, opt, sched, d, 60);

  nn::Sequential first = build();
  optim::Adam opt1(first.parameters(), {.lr = 0.02, .amsgrad = true});
  optim::OneCycleLR sched1(opt1, {.max_lr = {0.05}, .total_steps = 60});
  fit(first, opt1, sched1, d, 25);
  optim::OptimizerStateDict opt_state = opt1.state_dict();
  for (auto& [key, t] : opt_state.tensors) t = t.clone();
  const std::string sched_state = sched1.state_dict();

  nn::Sequential resumed = build();
  {
    NoGradGuard ng;
    const auto src = first.parameters(), dst = resumed.parameters();
    for (size_t i = 0; i < src.size(); ++i) Tensor(dst[i]).copy_(src[i]);
  }
  optim::Adam opt2(resumed.parameters(), {.lr = 0.02, .amsgrad = true});
  optim::OneCycleLR sched2(opt2, {.max_lr = {0.05}, .total_steps = 60});
  opt2.load_state_dict(opt_state);
  sched2.load_state_dict(sched_state);
  fit(resumed, opt2, sched2, d, 35);
  const auto a = straight.parameters(), b = resumed.parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(equal(a[i], b[i])) << "parameter " << i;
}
