// torch::optim (include/torch/optim.h): LibTorch's optimizer API on nabla's optimizers. Each torch
// optimizer must equal nabla's own (same code, so bit-for-bit) and PyTorch / LibTorch 1.13 (numbers below).
#include "torch/optim.h"

#include <gtest/gtest.h>

#include <memory>
#include <tuple>
#include <vector>

namespace {

using torch::Tensor;
namespace optim = torch::optim;

// The fixed problem: loss = mean((x @ w^T + b - y)^2), w [2, 3], b [2], float32.
struct Problem {
  Tensor w = torch::tensor({{0.5f, -1.0f, 2.0f}, {1.5f, 0.3f, -0.7f}}).requires_grad_();
  Tensor b = torch::tensor({0.1f, -0.2f}).requires_grad_();
  std::vector<Tensor> params() const { return {w, b}; }
  Tensor loss() const {
    static const Tensor x =
        torch::tensor({{1.0f, 2.0f, -1.0f}, {0.5f, -0.3f, 0.8f}, {-1.2f, 0.7f, 0.1f}, {0.0f, 1.0f, 2.0f}});
    static const Tensor y = torch::tensor({{1.0f, 0.0f}, {-1.0f, 2.0f}, {0.5f, 0.5f}, {2.0f, -1.0f}});
    return (torch::matmul(x, w.t()) + b - y).pow(2).mean();
  }
  std::vector<float> values() const {
    std::vector<float> out;
    for (const Tensor& t : {w, b}) {
      const Tensor flat = t.detach().flatten();
      for (int64_t i = 0; i < flat.numel(); ++i) out.push_back(flat[i].item<float>());
    }
    return out;
  }
};

// N steps of zero_grad / backward / step, through LibTorch's interface (a torch::optim::Optimizer&).
void train(optim::Optimizer& opt, const Problem& p, int steps = 5) {
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    p.loss().backward();
    opt.step();
  }
}
// The same with nabla's optimizer.
void train_nabla(nabla::optim::Optimizer& opt, const Problem& p, int steps = 5) {
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    p.loss().backward();
    opt.step();
  }
}

void expect_near_all(const std::vector<float>& actual, const std::vector<float>& expected,
                     double tol = 1e-6) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) EXPECT_NEAR(actual[i], expected[i], tol) << "value " << i;
}

// Five steps on Problem, printed by PyTorch 1.13 (python3: torch.optim.X([w, b], ...); the same loop) and
// identical in LibTorch 1.13 (torch::optim::X with the options written below).
const std::vector<float> kSgdRef = {0.459214032f,  0.346200496f,   0.691752613f, 0.780573487f,
                                    -0.295898825f, -0.0653567091f, 0.166747585f, 0.226799622f};
const std::vector<float> kAdamRef = {0.665386677f,  -0.755988717f, 1.75285614f, 1.25530112f,
                                     0.0555431023f, -0.460594207f, 0.31268397f, 0.0430535004f};
const std::vector<float> kAdamWRef = {0.695952594f,  -0.753834546f, 1.74820554f,  1.25208771f,
                                      0.0545898676f, -0.45926851f,  0.316322476f, 0.0442637056f};
const std::vector<float> kRmspropRef = {0.680426419f,  -0.593539059f, 1.57788682f,  1.09294415f,
                                        -0.109589808f, -0.324213326f, 0.361950785f, 0.205463171f};
const std::vector<float> kAdagradRef = {0.637291431f,   -0.701040804f, 1.69384742f,  1.20725965f,
                                        0.00867149234f, -0.421463728f, 0.294469804f, 0.0752648711f};

// ---- each optimizer: equal to nabla's (exactly) and to PyTorch (to float rounding) ----
TEST(TorchOptim, SGDMatchesNablaAndPyTorch) {
  Problem a, b;
  // torch.optim.SGD(p, lr=0.1, momentum=0.5, weight_decay=1e-2, nesterov=True)
  optim::SGD opt(a.params(), optim::SGDOptions(0.1).momentum(0.5).weight_decay(1e-2).nesterov(true));
  nabla::optim::SGD ref(b.params(), {.lr = 0.1, .momentum = 0.5, .weight_decay = 1e-2, .nesterov = true});
  train(opt, a);
  train_nabla(ref, b);
  EXPECT_EQ(a.values(), b.values());
  expect_near_all(a.values(), kSgdRef);
}

TEST(TorchOptim, AdamMatchesNablaAndPyTorch) {
  Problem a, b;
  // torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.9), weight_decay=0.1)
  optim::Adam opt(a.params(), optim::AdamOptions(0.05).betas(std::make_tuple(0.5, 0.9)).weight_decay(0.1));
  nabla::optim::Adam ref(b.params(), {.lr = 0.05, .betas = {0.5, 0.9}, .weight_decay = 0.1});
  train(opt, a);
  train_nabla(ref, b);
  EXPECT_EQ(a.values(), b.values());
  expect_near_all(a.values(), kAdamRef);
}

TEST(TorchOptim, AdamWMatchesNablaAndPyTorch) {
  Problem a, b;
  // torch.optim.AdamW(p, lr=0.05, betas=(0.5, 0.9), amsgrad=True); weight_decay defaults to 1e-2
  optim::AdamW opt(a.params(), optim::AdamWOptions(0.05).betas({0.5, 0.9}).amsgrad(true));
  nabla::optim::AdamW ref(b.params(), {.lr = 0.05, .betas = {0.5, 0.9}, .amsgrad = true});
  train(opt, a);
  train_nabla(ref, b);
  EXPECT_EQ(a.values(), b.values());
  expect_near_all(a.values(), kAdamWRef);
}

TEST(TorchOptim, RMSpropMatchesNablaAndPyTorch) {
  Problem a, b;
  // torch.optim.RMSprop(p, lr=0.01, momentum=0.3, centered=True)
  optim::RMSprop opt(a.params(), optim::RMSpropOptions(0.01).momentum(0.3).centered(true));
  nabla::optim::RMSprop ref(b.params(), {.lr = 0.01, .momentum = 0.3, .centered = true});
  train(opt, a);
  train_nabla(ref, b);
  EXPECT_EQ(a.values(), b.values());
  expect_near_all(a.values(), kRmspropRef);
}

TEST(TorchOptim, AdagradMatchesNablaAndPyTorch) {
  Problem a, b;
  // torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)
  optim::Adagrad opt(a.params(), optim::AdagradOptions(0.1).lr_decay(0.01).initial_accumulator_value(0.1));
  nabla::optim::Adagrad ref(b.params(), {.lr = 0.1, .lr_decay = 0.01, .initial_accumulator_value = 0.1});
  train(opt, a);
  train_nabla(ref, b);
  EXPECT_EQ(a.values(), b.values());
  expect_near_all(a.values(), kAdagradRef);
}

// The options that the PyTorch comparisons rely on really change the result (a dropped option would
// otherwise go unnoticed only if it had no effect on this problem).
TEST(TorchOptim, OptionsChangeTheResult) {
  Problem plain, momentum, nesterov, decay;
  optim::SGD o1(plain.params(), optim::SGDOptions(0.1));
  optim::SGD o2(momentum.params(), optim::SGDOptions(0.1).momentum(0.5));
  optim::SGD o3(nesterov.params(), optim::SGDOptions(0.1).momentum(0.5).nesterov(true));
  optim::SGD o4(decay.params(), optim::SGDOptions(0.1).weight_decay(0.5));
  train(o1, plain);
  train(o2, momentum);
  train(o3, nesterov);
  train(o4, decay);
  EXPECT_NE(plain.values(), momentum.values());
  EXPECT_NE(momentum.values(), nesterov.values());
  EXPECT_NE(plain.values(), decay.values());

  Problem default_betas, betas;
  optim::Adam a1(default_betas.params(), optim::AdamOptions(0.05));
  optim::Adam a2(betas.params(), optim::AdamOptions(0.05).betas(std::make_tuple(0.5, 0.999)));
  train(a1, default_betas);
  train(a2, betas);
  EXPECT_NE(default_betas.values(), betas.values());
}

// ---- option classes: LibTorch's defaults, chains, getters, equality ----
TEST(TorchOptim, OptionDefaultsAndGetters) {
  const optim::SGDOptions sgd = optim::SGDOptions(0.01).momentum(0.5).weight_decay(1e-4).nesterov(true);
  EXPECT_EQ(sgd.lr(), 0.01);
  EXPECT_EQ(sgd.momentum(), 0.5);
  EXPECT_EQ(sgd.dampening(), 0.0);
  EXPECT_EQ(sgd.weight_decay(), 1e-4);
  EXPECT_TRUE(sgd.nesterov());

  const optim::AdamOptions adam = optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.999));
  EXPECT_EQ(adam.lr(), 2e-4);
  EXPECT_EQ(std::get<0>(adam.betas()), 0.5);
  EXPECT_EQ(std::get<1>(adam.betas()), 0.999);
  EXPECT_EQ(adam.eps(), 1e-8);
  const optim::AdamOptions::betas_t default_betas = optim::AdamOptions().betas();
  EXPECT_EQ(default_betas, std::make_tuple(0.9, 0.999));
  EXPECT_EQ(optim::AdamOptions().lr(), 1e-3);
  EXPECT_EQ(optim::AdamWOptions().weight_decay(), 1e-2);  // AdamW's default, unlike Adam's 0
  EXPECT_EQ(optim::AdamOptions().weight_decay(), 0.0);
  EXPECT_EQ(optim::RMSpropOptions().lr(), 1e-2);
  EXPECT_EQ(optim::RMSpropOptions().alpha(), 0.99);
  EXPECT_EQ(optim::AdagradOptions().lr(), 1e-2);
  EXPECT_EQ(optim::AdagradOptions().eps(), 1e-10);

  // TORCH_ARG's mutable getter writes the field.
  optim::RMSpropOptions rms;
  rms.momentum() = 0.25;
  EXPECT_EQ(rms.momentum(), 0.25);
  EXPECT_TRUE(optim::AdagradOptions(0.1).lr_decay(0.5) == optim::AdagradOptions(0.1).lr_decay(0.5));
  EXPECT_FALSE(optim::AdamOptions().amsgrad(true) == optim::AdamOptions());
  EXPECT_FALSE(optim::SGDOptions(0.1) == optim::SGDOptions(0.2));
}

// The constructor's options become the optimizer's defaults and group 0's, with the torch types.
TEST(TorchOptim, DefaultsParametersSize) {
  Problem p;
  optim::Adam opt(p.params(), optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.999)));
  auto& defaults = static_cast<optim::AdamOptions&>(opt.defaults());
  EXPECT_EQ(defaults.lr(), 2e-4);
  EXPECT_EQ(std::get<0>(defaults.betas()), 0.5);
  ASSERT_EQ(opt.param_groups().size(), 1u);
  EXPECT_NE(dynamic_cast<optim::AdamOptions*>(&opt.param_groups()[0].options()), nullptr);
  EXPECT_EQ(opt.size(), 2u);
  ASSERT_EQ(opt.parameters().size(), 2u);
  EXPECT_TRUE(opt.parameters()[0].is_same(p.w));
  EXPECT_TRUE(opt.parameters()[1].is_same(p.b));
  EXPECT_EQ(opt.name(), "Adam");
}

// Braced parameter lists and a bare lr, as LibTorch programs write them.
TEST(TorchOptim, BracedParameterLists) {
  Problem a, b;
  optim::SGD opt({a.w, a.b}, 0.1);  // SGDOptions(double) converts implicitly, as in LibTorch
  optim::SGD ref({b.w}, optim::SGDOptions(0.1));
  ref.add_param_group({{b.b}});  // no options: the defaults
  EXPECT_EQ(opt.size(), 2u);
  EXPECT_EQ(ref.param_groups().size(), 2u);
  train(opt, a);
  train(ref, b);
  EXPECT_EQ(a.values(), b.values());
}

// ---- learning-rate changes through the param groups, as LibTorch users write them ----
TEST(TorchOptim, StaticCastLrChangeTakesEffect) {
  Problem a, b;
  optim::SGD opt(a.params(), optim::SGDOptions(0.1).momentum(0.5));
  nabla::optim::SGD ref(b.params(), {.lr = 0.1, .momentum = 0.5});
  train(opt, a, 2);
  train_nabla(ref, b, 2);
  for (auto& group : opt.param_groups()) static_cast<optim::SGDOptions&>(group.options()).lr(0.01);
  ref.param_groups()[0].set_lr(0.01);
  EXPECT_EQ(static_cast<optim::SGDOptions&>(opt.param_groups()[0].options()).lr(), 0.01);
  train(opt, a, 3);
  train_nabla(ref, b, 3);
  EXPECT_EQ(a.values(), b.values());

  // lr 0 through OptimizerOptions::set_lr freezes the parameters (momentum is scaled by lr too).
  opt.param_groups()[0].options().set_lr(0.0);
  EXPECT_EQ(opt.param_groups()[0].options().get_lr(), 0.0);
  const std::vector<float> before = a.values();
  train(opt, a, 2);
  EXPECT_EQ(a.values(), before);
}

// Groups with their own options; a group without options takes the defaults. Compared with
// torch.optim.Adam([{'params': [w], 'lr': 0.5}, {'params': [b]}], lr=0.1), three steps.
TEST(TorchOptim, ParamGroupsMatchPyTorch) {
  Problem p;
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{p.w}, std::make_unique<optim::AdamOptions>(0.5));
  groups.emplace_back(std::vector<Tensor>{p.b});
  optim::Adam opt(groups, optim::AdamOptions(0.1));
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.param_groups()[0].options().get_lr(), 0.5);
  EXPECT_EQ(opt.param_groups()[1].options().get_lr(), 0.1);
  EXPECT_NE(dynamic_cast<optim::AdamOptions*>(&opt.param_groups()[1].options()), nullptr);
  train(opt, p, 3);
  expect_near_all(p.values(), {0.621056437f, 0.422195554f, 0.562986374f, 0.156855285f, -0.774676919f,
                               0.477847725f, 0.304923862f, 0.100263387f});
}

TEST(TorchOptim, AddParamGroup) {
  Problem a, b;
  optim::SGD opt(std::vector<Tensor>{a.w}, optim::SGDOptions(0.1));
  opt.add_param_group(optim::OptimizerParamGroup({a.b}, std::make_unique<optim::SGDOptions>(0.3)));
  EXPECT_EQ(opt.size(), 2u);
  ASSERT_EQ(opt.param_groups().size(), 2u);
  nabla::optim::SGD ref({{{b.w}}, {{b.b}, {.lr = 0.3}}}, {.lr = 0.1});
  train(opt, a);
  train_nabla(ref, b);
  EXPECT_EQ(a.values(), b.values());
  // The same parameter twice is an error, as in LibTorch.
  EXPECT_THROW(opt.add_param_group(optim::OptimizerParamGroup({a.w})), std::exception);
  // add_parameters: a new group with group 0's options.
  Tensor extra = torch::zeros({3}).requires_grad_();
  opt.add_parameters({extra});
  EXPECT_EQ(opt.size(), 3u);
  EXPECT_EQ(opt.param_groups().back().options().get_lr(), 0.1);
}

// ---- zero_grad / step(closure) ----
TEST(TorchOptim, ZeroGradKeepsZeroGradients) {
  Problem p;
  optim::SGD opt(p.params(), optim::SGDOptions(0.1));
  p.loss().backward();
  ASSERT_NE(p.w.grad().abs().sum().item<float>(), 0.0f);
  opt.zero_grad();  // LibTorch 1.13: the gradients stay defined, zeroed
  ASSERT_TRUE(p.w.grad().defined());
  EXPECT_EQ(p.w.grad().abs().sum().item<float>(), 0.0f);
  opt.zero_grad(true);  // LibTorch 2.x's set_to_none
  EXPECT_FALSE(p.w.grad().defined());
}

// Adam moves a parameter whose gradient was zeroed (not cleared): LibTorch 1.13's zero_grad semantics.
TEST(TorchOptim, ZeroedGradientStillSteps) {
  Problem a;
  optim::Adam opt(a.params(), optim::AdamOptions(0.1));
  train(opt, a, 1);
  const float b0 = a.values().back();
  opt.zero_grad();
  (a.w.sum() * 0 + torch::matmul(a.w, a.w.t()).sum()).backward();  // b gets no gradient this time
  ASSERT_TRUE(a.b.grad().defined());
  opt.step();
  EXPECT_NE(a.values().back(), b0);  // the momentum still moved b
}

TEST(TorchOptim, StepWithClosure) {
  Problem a, b;
  optim::RMSprop opt(a.params(), optim::RMSpropOptions(0.01));
  optim::RMSprop ref(b.params(), optim::RMSpropOptions(0.01));
  const float loss0 = a.loss().item<float>();
  EXPECT_NEAR(loss0, 6.27651215f, 1e-5);  // PyTorch's initial loss
  int calls = 0;
  const Tensor loss = opt.step([&] {
    ++calls;
    opt.zero_grad();
    Tensor l = a.loss();
    l.backward();
    return l;
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(loss.item<float>(), loss0);
  train(ref, b, 1);
  EXPECT_EQ(a.values(), b.values());
  EXPECT_FALSE(opt.step().defined());  // without a closure: an undefined loss
}

// Works through a base pointer, as LibTorch programs hold optimizers.
TEST(TorchOptim, PolymorphicUse) {
  Problem a, b;
  std::unique_ptr<optim::Optimizer> opt =
      std::make_unique<optim::AdamW>(a.params(), optim::AdamWOptions(0.05).weight_decay(0.2));
  nabla::optim::AdamW ref(b.params(), {.lr = 0.05, .weight_decay = 0.2});
  train(*opt, a);
  train_nabla(ref, b);
  EXPECT_EQ(a.values(), b.values());
  nabla::optim::Optimizer& as_nabla = *opt;  // the interface converts to nabla's optimizer
  EXPECT_EQ(as_nabla.name(), "AdamW");
}

// ---- state: what torch::save / torch::load use ----
TEST(TorchOptim, StateDictRoundTrip) {
  Problem a, b, c;
  optim::Adam opt(a.params(), optim::AdamOptions(0.05).amsgrad(true));
  train(opt, a, 3);
  ASSERT_NE(opt.state(a.w), nullptr);
  EXPECT_EQ(opt.state(a.w)->count("exp_avg"), 1u);
  EXPECT_EQ(opt.state(a.w)->at("step").item<float>(), 3.0f);

  // b starts where a is, with a fresh optimizer at another lr, then loads a's state.
  {
    torch::NoGradGuard no_grad;
    b.w.copy_(a.w);
    b.b.copy_(a.b);
  }
  optim::Adam resumed(b.params(), optim::AdamOptions(0.5));
  const nabla::optim::Optimizer& saver = opt;  // torch::save's view
  nabla::optim::Optimizer& loader = resumed;   // torch::load's view
  loader.load_state_dict(saver.state_dict());
  auto* options = dynamic_cast<optim::AdamOptions*>(&resumed.param_groups()[0].options());
  ASSERT_NE(options, nullptr);  // still the torch type: static_cast stays valid after a load
  EXPECT_EQ(options->lr(), 0.05);
  EXPECT_TRUE(options->amsgrad());
  train(opt, a, 2);
  train(resumed, b, 2);
  EXPECT_EQ(a.values(), b.values());

  // A state dict of another optimizer is refused.
  optim::SGD sgd(c.params(), optim::SGDOptions(0.1));
  EXPECT_THROW(sgd.load_state_dict(opt.state_dict()), std::exception);
}

TEST(TorchOptim, InvalidOptionsThrow) {
  Problem p;
  EXPECT_THROW(optim::SGD(p.params(), optim::SGDOptions(0.1).nesterov(true)), std::exception);
  EXPECT_THROW(optim::SGD(p.params(), optim::SGDOptions(-1)), std::exception);
  EXPECT_THROW(optim::Adam(p.params(), optim::AdamOptions().betas({1.0, 0.999})), std::exception);
  EXPECT_THROW(optim::RMSprop(p.params(), optim::RMSpropOptions().eps(-1)), std::exception);
  EXPECT_THROW(optim::Adagrad(p.params(), optim::AdagradOptions().lr_decay(-1)), std::exception);
  EXPECT_THROW(optim::StepLR(*std::make_unique<optim::SGD>(p.params(), optim::SGDOptions(0.1)), 0),
               std::exception);
}

// ---- schedulers ----
// LibTorch 1.13 (torch::optim::StepLR(opt, 3, 0.5), lr read before each step()) prints
// 1 1 1 1 0.5 0.5 0.5 0.25 0.25 0.25: the first decay comes after step_size + 1 calls (PyTorch's, which
// steps on construction, after step_size).
TEST(TorchOptim, StepLRMatchesLibTorch) {
  Problem p;
  optim::SGD opt(p.params(), optim::SGDOptions(1.0));
  optim::StepLR sched(opt, 3, 0.5);
  std::vector<double> lrs;
  for (int epoch = 0; epoch < 10; ++epoch) {
    lrs.push_back(opt.param_groups()[0].options().get_lr());
    sched.step();
  }
  EXPECT_EQ(lrs, (std::vector<double>{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25}));
}

TEST(TorchOptim, StepLRAllGroupsAndTraining) {
  Problem a, b;
  std::vector<optim::OptimizerParamGroup> groups = {optim::OptimizerParamGroup({a.w}),
                                                    optim::OptimizerParamGroup({a.b})};
  optim::SGD opt(groups, optim::SGDOptions(0.1).momentum(0.9));
  static_cast<optim::SGDOptions&>(opt.param_groups()[1].options()).lr(0.2);
  optim::StepLR sched(opt, /*step_size=*/2);  // gamma defaults to 0.1
  nabla::optim::SGD ref({{{b.w}}, {{b.b}, {.lr = 0.2, .momentum = 0.9}}}, {.lr = 0.1, .momentum = 0.9});
  for (int epoch = 0; epoch < 6; ++epoch) {
    train(opt, a, 1);
    train_nabla(ref, b, 1);
    sched.step();
    if (epoch == 2 || epoch == 4)  // after the 3rd and 5th step() calls
      for (auto& g : ref.param_groups()) g.set_lr(g.lr() * 0.1);
    EXPECT_EQ(opt.param_groups()[0].options().get_lr(), ref.param_groups()[0].lr()) << epoch;
    EXPECT_EQ(opt.param_groups()[1].options().get_lr(), ref.param_groups()[1].lr()) << epoch;
  }
  EXPECT_EQ(a.values(), b.values());
  EXPECT_NEAR(opt.param_groups()[1].options().get_lr(), 0.2 * 0.01, 1e-15);
}

// A user scheduler written against LibTorch's LRScheduler (get_lrs, get_current_lrs, step_count_).
class HalveEveryStep : public optim::LRScheduler {
 public:
  using LRScheduler::LRScheduler;
  unsigned count() const { return step_count_; }

 private:
  std::vector<double> get_lrs() override {
    std::vector<double> lrs = get_current_lrs();
    for (double& lr : lrs) lr /= 2;
    return lrs;
  }
};

TEST(TorchOptim, CustomLRScheduler) {
  Problem p;
  optim::Adagrad opt(p.params(), optim::AdagradOptions(1.0));
  HalveEveryStep sched(opt);
  EXPECT_EQ(sched.count(), 0u);
  sched.step();
  sched.step();
  EXPECT_EQ(sched.count(), 2u);
  EXPECT_EQ(opt.param_groups()[0].options().get_lr(), 0.25);
}

// PyTorch: ReduceLROnPlateau(SGD([w], lr=1.0), mode='min', factor=0.5, patience=1, cooldown=1,
// min_lr=0.2), stepped with the metrics below, gives these lrs.
TEST(TorchOptim, ReduceLROnPlateauMatchesPyTorch) {
  Problem p;
  optim::SGD opt(p.params(), optim::SGDOptions(1.0));
  optim::ReduceLROnPlateauScheduler sched(opt, optim::ReduceLROnPlateauScheduler::min, 0.5f, 1, 1e-4,
                                          optim::ReduceLROnPlateauScheduler::rel, 1, {0.2f});
  const std::vector<float> metrics = {1.0f, 0.9f,  0.95f, 0.95f, 0.95f, 0.95f,
                                      0.8f, 0.85f, 0.85f, 0.85f, 0.85f, 0.85f};
  const std::vector<double> expected = {1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2};
  for (size_t i = 0; i < metrics.size(); ++i) {
    sched.step(metrics[i]);
    EXPECT_NEAR(opt.param_groups()[0].options().get_lr(), expected[i], 1e-7) << "step " << i;
  }
  EXPECT_THROW(optim::ReduceLROnPlateauScheduler(opt, optim::ReduceLROnPlateauScheduler::min, 1.5f),
               std::exception);
  EXPECT_THROW(optim::ReduceLROnPlateauScheduler(opt, optim::ReduceLROnPlateauScheduler::max, 0.1f, 10, 1e-4,
                                                 optim::ReduceLROnPlateauScheduler::abs, 0, {0.1f, 0.2f}),
               std::exception);
}

}  // namespace
