// Optimizers against PyTorch: golden 50-step trajectories (tests/golden/optim.json), bit-for-bit
// resume through state_dict, parameter groups, zero_grad, the fused kernels' fallbacks, and errors.
#include <cmath>

#include "optim_support.h"

using namespace nabla;
using namespace optim_test;

namespace {

using Groups = std::vector<optim::SGD::Group>;

// The golden problem: loss = sum((x @ W + b - y)^2) + 0.01 * sum(W^4).
struct Problem {
  Tensor x, y, W, b;
  explicit Problem(DType dtype = kFloat64) {
    const Json& p = golden().at("problem");
    x = from_json(p.at("x"), {5, 3}, dtype);
    y = from_json(p.at("y"), {5, 4}, dtype);
    W = from_json(p.at("W0"), {3, 4}, dtype).requires_grad_();
    b = from_json(p.at("b0"), {4}, dtype).requires_grad_();
  }
  Tensor loss() const { return (matmul(x, W) + b - y).pow(2).sum() + W.pow(4).sum() * 0.01; }
};

// The optimizer of a golden case over p.W, p.b (one group, or PyTorch's two merged groups).
std::unique_ptr<optim::Optimizer> optimizer_for(const Json& c, Problem& p) {
  const std::string name = c.at("optimizer");
  auto defaults = make_options(name, c.at("defaults"));
  std::vector<optim::OptimizerParamGroup> groups;
  if (c.at("groups").is_null()) {
    groups.emplace_back(std::vector<Tensor>{p.W, p.b});
  } else {
    groups.emplace_back(std::vector<Tensor>{p.W}, make_options(name, c["groups"][0].at("options")));
    groups.emplace_back(std::vector<Tensor>{p.b}, make_options(name, c["groups"][1].at("options")));
  }
  return make_optimizer(name, std::move(groups), *defaults);
}

void run_steps(optim::Optimizer& opt, const Problem& p, int steps) {
  for (int k = 0; k < steps; ++k) {
    opt.zero_grad();
    p.loss().backward();
    opt.step();
  }
}

void expect_close(const Tensor& actual, const Json& expected, double rtol, double atol,
                  const std::string& what) {
  const std::vector<double> a = actual.to_vector();
  const auto e = expected.get<std::vector<double>>();
  ASSERT_EQ(a.size(), e.size()) << what;
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_LE(std::abs(a[i] - e[i]), atol + rtol * std::abs(e[i]))
        << what << "[" << i << "]: " << a[i] << " vs " << e[i];
}

}  // namespace

TEST(OptimGolden, TrajectoriesMatchPyTorch) {
  const Json& cases = golden().at("optimizers");
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    const std::string name = c.at("name");
    const bool f32 = c.at("dtype") == "float32";
    // float64 must match to 1e-10 relative; float32 accumulates rounding differences over 50 steps.
    const double rtol = f32 ? 1e-4 : 1e-10, atol = f32 ? 1e-6 : 1e-14;
    Problem p(f32 ? kFloat32 : kFloat64);
    auto opt = optimizer_for(c, p);
    int done = 0;
    for (int checkpoint : {1, 10, 50}) {
      run_steps(*opt, p, checkpoint - done);
      done = checkpoint;
      const Json& expected = c.at("steps").at(std::to_string(checkpoint));
      expect_close(p.W, expected.at("W"), rtol, atol, name + " W@" + std::to_string(checkpoint));
      expect_close(p.b, expected.at("b"), rtol, atol, name + " b@" + std::to_string(checkpoint));
    }
  }
}

TEST(OptimGolden, ResumeFromStateDictIsBitForBit) {
  for (const auto& c : golden().at("optimizers")) {
    const std::string name = c.at("name");
    Problem straight(c.at("dtype") == "float32" ? kFloat32 : kFloat64);
    auto opt = optimizer_for(c, straight);
    run_steps(*opt, straight, 50);

    Problem first(straight.W.dtype());
    auto opt1 = optimizer_for(c, first);
    run_steps(*opt1, first, 20);
    optim::OptimizerStateDict saved = opt1->state_dict();
    for (auto& [key, t] : saved.tensors) t = t.clone();  // as if written to and read from a checkpoint
    const std::string json = saved.json;
    saved.json = json;

    Problem resumed(straight.W.dtype());
    {
      NoGradGuard ng;
      resumed.W.copy_(first.W);
      resumed.b.copy_(first.b);
    }
    auto opt2 = optimizer_for(c, resumed);
    opt2->load_state_dict(saved);
    run_steps(*opt1, first, 1);  // the original keeps going; the loaded state must not alias it
    run_steps(*opt2, resumed, 30);
    EXPECT_TRUE(equal(resumed.W, straight.W)) << name;
    EXPECT_TRUE(equal(resumed.b, straight.b)) << name;
  }
}

TEST(Optim, DefaultsAreTorchOptims) {
  const optim::SGDConfig sgd;
  EXPECT_FALSE(sgd.lr.has_value());  // required, as in PyTorch 1.13
  EXPECT_EQ(sgd.momentum, 0);
  EXPECT_EQ(sgd.dampening, 0);
  EXPECT_EQ(sgd.weight_decay, 0);
  EXPECT_FALSE(sgd.nesterov);
  EXPECT_FALSE(sgd.maximize);
  const optim::AdamConfig adam;
  EXPECT_EQ(adam.lr, 1e-3);
  EXPECT_EQ(adam.betas, std::make_pair(0.9, 0.999));
  EXPECT_EQ(adam.eps, 1e-8);
  EXPECT_EQ(adam.weight_decay, 0);
  EXPECT_FALSE(adam.amsgrad);
  EXPECT_EQ(optim::AdamWConfig().weight_decay, 1e-2);
  const optim::RMSpropConfig rms;
  EXPECT_EQ(rms.lr, 1e-2);
  EXPECT_EQ(rms.alpha, 0.99);
  EXPECT_EQ(rms.eps, 1e-8);
  EXPECT_EQ(rms.momentum, 0);
  EXPECT_FALSE(rms.centered);
  const optim::AdagradConfig ada;
  EXPECT_EQ(ada.lr, 1e-2);
  EXPECT_EQ(ada.lr_decay, 0);
  EXPECT_EQ(ada.initial_accumulator_value, 0);
  EXPECT_EQ(ada.eps, 1e-10);
  // What an optimizer built from an aggregate stores (and saves) is the same as from LibTorch options.
  Tensor w = zeros({2}).requires_grad_();
  EXPECT_EQ(optim::Adam({w}).defaults().to_json(), optim::AdamOptions().to_json());
  EXPECT_EQ(optim::RMSprop({w}).defaults().to_json(), optim::RMSpropOptions().to_json());
  EXPECT_EQ(optim::Adagrad({w}).defaults().to_json(), optim::AdagradOptions().to_json());
  EXPECT_EQ(optim::AdamW({w}).defaults().to_json(), optim::AdamWOptions().to_json());
}

// The LibTorch-style chained options (kept for code ported from LibTorch) still build optimizers.
TEST(Optim, LibTorchStyleOptionsStillWork) {
  optim::SGDOptions sgd(0.1);
  EXPECT_EQ(sgd.momentum(), 0);
  EXPECT_EQ(optim::AdamOptions().lr(), 1e-3);
  EXPECT_EQ(optim::AdamWOptions().weight_decay(), 1e-2);
  EXPECT_EQ(optim::SGDOptions(0.1).momentum(0.9).nesterov(true).momentum(), 0.9);  // chainable
  Tensor a = zeros({3}, {.dtype = kFloat64}).requires_grad_(),
         b = zeros({2}, {.dtype = kFloat64}).requires_grad_();
  optim::SGD chained({a}, optim::SGDOptions(0.1).momentum(0.9).weight_decay(1e-2));
  Tensor a2 = zeros({3}, {.dtype = kFloat64}).requires_grad_();
  optim::SGD aggregate({a2}, {.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-2});
  EXPECT_EQ(chained.defaults().to_json(), aggregate.defaults().to_json());
  for (int k = 0; k < 2; ++k) {
    a.set_grad(ones({3}, {.dtype = kFloat64}));
    a2.set_grad(ones({3}, {.dtype = kFloat64}));
    chained.step();
    aggregate.step();
  }
  EXPECT_TRUE(equal(a, a2));
  optim::Adam groups(std::vector<optim::OptimizerParamGroup>{{{a}, optim::AdamOptions(0.5)}, {{b}}},
                     optim::AdamOptions(0.1).amsgrad(true));
  EXPECT_EQ(groups.param_groups()[0].lr(), 0.5);
  EXPECT_EQ(groups.param_groups()[1].lr(), 0.1);
  optim::RMSprop rms({a}, optim::RMSpropOptions().centered(true));
  optim::Adagrad adagrad({a}, optim::AdagradOptions(0.2));
  optim::AdamW adamw({a}, optim::AdamWOptions(0.2));
  EXPECT_EQ(adagrad.param_groups()[0].lr(), 0.2);
  EXPECT_EQ(adamw.param_groups()[0].lr(), 0.2);
}

// nabla's aggregate options: SGD's lr is required; a group without lr takes the default one (PyTorch's rule).
TEST(Optim, AggregateOptionsAndGroups) {
  Tensor a = zeros({3}, {.dtype = kFloat64}).requires_grad_(),
         b = zeros({2}, {.dtype = kFloat64}).requires_grad_();
  expect_error<ValueError>([&] { optim::SGD opt({a}, {.momentum = 0.9}); },
                           "parameter group didn't specify a value of required optimization parameter lr");
  optim::SGD sgd({{{a}, {.momentum = 0.5}}, {{b}}}, {.lr = 0.3, .momentum = 0.9});
  EXPECT_EQ(sgd.param_groups()[0].lr(), 0.3);
  EXPECT_EQ(sgd.param_groups()[0].options().get_momentum(), 0.5);
  EXPECT_EQ(sgd.param_groups()[1].options().get_momentum(), 0.9);
  optim::Adam adam({{{a}, {.lr = 1e-2, .betas = {0.8, 0.99}}}, {{b}}}, {.lr = 1e-3});
  EXPECT_EQ(adam.param_groups()[0].lr(), 1e-2);
  EXPECT_EQ(adam.param_groups()[0].options().get_momentum(), 0.8);
  EXPECT_EQ(adam.param_groups()[1].lr(), 1e-3);
  optim::RMSprop rms({{{a}, {.lr = 0.5}}, {{b}}});
  EXPECT_EQ(rms.param_groups()[1].lr(), 1e-2);
  optim::Adagrad ada({{{a}}, {{b}, {.lr = 0.5}}});
  EXPECT_EQ(ada.param_groups()[1].lr(), 0.5);
  expect_error<ValueError>([&] { optim::Adam opt({{{a}, {.lr = -1.0}}}); }, "Invalid learning rate: -1.0");
  Tensor c = zeros({1}, {.dtype = kFloat64}).requires_grad_(),
         d = zeros({1}, {.dtype = kFloat64}).requires_grad_();
  sgd.add_param_group({{c}, {.momentum = 0.1}});  // lr from the defaults, like PyTorch
  EXPECT_EQ(sgd.param_groups()[2].lr(), 0.3);
  EXPECT_EQ(sgd.param_groups()[2].options().get_momentum(), 0.1);
  adam.add_param_group({{c}, {.lr = 0.25}});
  EXPECT_EQ(adam.param_groups()[2].lr(), 0.25);
  rms.add_param_group(optim::OptimizerParamGroup({d}, optim::RMSpropOptions(0.125)));  // LibTorch form
  EXPECT_EQ(rms.param_groups()[2].lr(), 0.125);
  expect_error<ValueError>(
      [&] {
        ada.add_param_group({{d}, {.lr_decay = -1}});
      },
      "Invalid lr_decay value: -1.0");
}

TEST(Optim, StateNamesAndStateDictLayout) {
  Problem p;
  optim::Adam opt({p.W, p.b}, {.lr = 0.01, .amsgrad = true});
  ASSERT_NE(opt.state(p.W), nullptr);
  EXPECT_TRUE(opt.state(p.W)->empty());  // lazily created, like PyTorch
  EXPECT_EQ(opt.state(zeros({1})), nullptr);
  run_steps(opt, p, 3);
  const optim::ParamState& s = *opt.state(p.W);
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.at("step").item<double>(), 3);
  EXPECT_EQ(s.at("step").dtype(), kFloat32);
  EXPECT_EQ(s.at("exp_avg").sizes(), p.W.sizes());
  EXPECT_TRUE(s.count("exp_avg_sq") && s.count("max_exp_avg_sq"));

  const optim::OptimizerStateDict sd = opt.state_dict();
  EXPECT_EQ(sd.tensors.size(), 8u);
  EXPECT_TRUE(sd.tensors.count("state.0.exp_avg") && sd.tensors.count("state.1.max_exp_avg_sq"));
  const Json j = Json::parse(sd.json);
  EXPECT_EQ(j.at("optimizer"), "Adam");
  const Json& g = j.at("param_groups").at(0);
  EXPECT_EQ(g.at("params"), Json::array({0, 1}));
  EXPECT_EQ(g.at("lr"), 0.01);
  EXPECT_EQ(g.at("betas"), Json::array({0.9, 0.999}));
  EXPECT_EQ(g.at("amsgrad"), true);

  optim::SGD sgd({p.W}, {.lr = 0.1, .momentum = 0.9});
  run_steps(sgd, p, 1);
  EXPECT_EQ(sgd.state(p.W)->count("momentum_buffer"), 1u);
  optim::RMSprop rms({p.W}, {.momentum = 0.5, .centered = true});
  run_steps(rms, p, 1);
  for (const char* key : {"step", "square_avg", "grad_avg", "momentum_buffer"})
    EXPECT_EQ(rms.state(p.W)->count(key), 1u) << key;
  optim::Adagrad ada({p.W}, {.initial_accumulator_value = 0.5});
  run_steps(ada, p, 1);
  EXPECT_EQ(ada.state(p.W)->count("sum"), 1u);
}

TEST(Optim, LoadStateDictRestoresOptionsAndCastsState) {
  Problem p;
  optim::SGD opt({{{p.W}, {.lr = 0.1, .momentum = 0.9}}, {{p.b}}}, {.lr = 0.2});
  run_steps(opt, p, 2);
  opt.param_groups()[1].set_initial_lr(0.2);
  const auto sd = opt.state_dict();

  Problem q(kFloat32);
  optim::SGD other(Groups{{{q.W}}, {{q.b}}}, {.lr = 0.5});
  other.load_state_dict(sd);
  EXPECT_EQ(other.param_groups()[0].lr(), 0.1);
  EXPECT_EQ(static_cast<const optim::SGDOptions&>(other.param_groups()[0].options()).momentum(), 0.9);
  EXPECT_EQ(other.param_groups()[1].lr(), 0.2);
  EXPECT_FALSE(other.param_groups()[0].initial_lr().has_value());
  EXPECT_EQ(other.param_groups()[1].initial_lr(), 0.2);
  const Tensor& buf = other.state(q.W)->at("momentum_buffer");
  EXPECT_EQ(buf.dtype(), kFloat32);  // state follows the parameter's dtype, like PyTorch
  EXPECT_TRUE(allclose(buf.to(kFloat64), sd.tensors.at("state.0.momentum_buffer"), 1e-6, 1e-6));
}

TEST(Optim, ParamGroupsHaveTheirOwnLrAndDefaults) {
  Tensor a = zeros({3}, {.dtype = kFloat64}).requires_grad_(),
         b = zeros({2}, {.dtype = kFloat64}).requires_grad_();
  optim::SGD opt({{{a}, {.lr = 0.5}}, {{b}}}, {.lr = 0.1});
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(opt.param_groups()[0].lr(), 0.5);
  EXPECT_EQ(opt.param_groups()[1].lr(), 0.1);  // no options: the defaults
  a.set_grad(ones({3}, {.dtype = kFloat64}));
  b.set_grad(ones({2}, {.dtype = kFloat64}));
  opt.step();
  EXPECT_EQ(a.to_vector(), std::vector<double>(3, -0.5));
  EXPECT_EQ(b.to_vector(), std::vector<double>(2, -0.1));
  opt.param_groups()[1].set_lr(1.0);  // what schedulers do
  opt.step();
  EXPECT_EQ(b.to_vector(), std::vector<double>(2, -1.1));

  Tensor c = zeros({1}, {.dtype = kFloat64}).requires_grad_();
  opt.add_param_group({{c}});
  EXPECT_EQ(opt.param_groups()[2].lr(), 0.1);
  c.set_grad(full({1}, 2.0, {.dtype = kFloat64}));
  opt.step();
  EXPECT_DOUBLE_EQ(c.item<double>(), -0.2);
}

TEST(Optim, ZeroGradAndParamsWithoutGrad) {
  Problem p;
  optim::SGD opt({p.W, p.b}, {.lr = 0.1, .momentum = 0.9});
  p.loss().backward();
  p.b.set_grad(Tensor());  // b has no gradient: skipped, no state, unchanged
  const std::vector<double> b0 = p.b.to_vector();
  opt.step();
  EXPECT_EQ(p.b.to_vector(), b0);
  EXPECT_TRUE(opt.state(p.b)->empty());
  EXPECT_EQ(opt.state(p.W)->size(), 1u);

  opt.zero_grad(/*set_to_none=*/false);
  ASSERT_TRUE(p.W.grad().defined());
  EXPECT_EQ(p.W.grad().abs().sum().item<double>(), 0);
  opt.zero_grad();
  EXPECT_FALSE(p.W.grad().defined());
}

TEST(Optim, StepBumpsVersionAndRunsClosure) {
  Problem p;
  optim::Adam opt({p.W, p.b}, {.lr = 0.01});
  int calls = 0;
  const uint32_t v0 = p.W.version();
  Tensor loss = opt.step([&] {
    ++calls;
    opt.zero_grad();
    Tensor l = p.loss();
    l.backward();
    return l;
  });
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(loss.defined());
  EXPECT_GT(loss.item<double>(), 0);
  EXPECT_GT(p.W.version(), v0);
  EXPECT_FALSE(opt.step().defined());
  // A graph that saved W before the in-place update notices it.
  Tensor y = (p.W * p.W).sum();
  p.loss().backward();
  opt.step();
  expect_error<AutogradError>([&] { y.backward(); }, "modified by an inplace operation");
}

TEST(Optim, NonContiguousParamsMatchContiguousOnes) {
  for (const std::string name : {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad"}) {
    Tensor base = randn({4, 3}, {.dtype = kFloat64});
    Tensor strided = base.clone().t().detach().requires_grad_();  // [3, 4], transposed strides
    ASSERT_FALSE(strided.is_contiguous());
    Tensor dense = strided.detach().contiguous().requires_grad_();
    const Json kwargs = name == "SGD" ? Json{{"lr", 0.1}, {"momentum", 0.9}} : Json{{"lr", 0.1}};
    auto opt_s = make_optimizer(name, {{{strided}}}, *make_options(name, kwargs));
    auto opt_d = make_optimizer(name, {{{dense}}}, *make_options(name, kwargs));
    for (int k = 0; k < 3; ++k) {
      Tensor g = randn({3, 4}, {.dtype = kFloat64});
      strided.set_grad(g.t().contiguous().t());  // a non-contiguous gradient too
      dense.set_grad(g.clone());
      opt_s->step();
      opt_d->step();
    }
    EXPECT_FALSE(strided.is_contiguous()) << name;  // updated in place, layout kept
    EXPECT_TRUE(equal(strided, dense)) << name;
  }
}

TEST(Optim, LargeTensorsUseTheParallelPathCorrectly) {
  // 300k elements: split across threads; compare with Adam written with tensor ops.
  const int64_t n = 300001;
  Tensor p = randn({n}, {.dtype = kFloat64}).requires_grad_();
  Tensor ref = p.detach().clone();
  optim::Adam opt({p}, {.lr = 0.01, .weight_decay = 0.1});
  Tensor m = zeros({n}, {.dtype = kFloat64}), v = zeros({n}, {.dtype = kFloat64});
  for (int step = 1; step <= 3; ++step) {
    Tensor g = randn({n}, {.dtype = kFloat64});
    p.set_grad(g.clone());
    opt.step();
    Tensor gd = g + ref * 0.1;
    m = m * 0.9 + gd * 0.1;
    v = v * 0.999 + gd * gd * 0.001;
    const double bc1 = 1 - std::pow(0.9, step), bc2 = 1 - std::pow(0.999, step);
    ref = ref - m * (0.01 / bc1) / (v.sqrt() / std::sqrt(bc2) + 1e-8);
  }
  EXPECT_TRUE(allclose(p, ref, 1e-12, 1e-14));
}

TEST(OptimErrors, InvalidOptionsUsePyTorchMessages) {
  Tensor w = zeros({2}).requires_grad_();
  auto sgd = [&](const optim::SGDConfig& o) { optim::SGD opt({w}, o); };
  expect_error<ValueError>([&] { sgd(optim::SGDConfig{.lr = -0.1}); }, "Invalid learning rate: -0.1");
  expect_error<ValueError>([&] { sgd(optim::SGDConfig{.lr = 0.1, .momentum = -0.5}); },
                           "Invalid momentum value: -0.5");
  expect_error<ValueError>([&] { sgd(optim::SGDConfig{.lr = 0.1, .weight_decay = -1}); },
                           "Invalid weight_decay value: -1.0");
  expect_error<ValueError>([&] { sgd(optim::SGDConfig{.lr = 0.1, .nesterov = true}); },
                           "Nesterov momentum requires a momentum and zero dampening");
  expect_error<ValueError>(
      [&] { sgd(optim::SGDConfig{.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true}); },
      "Nesterov momentum requires a momentum and zero dampening");
  auto adam = [&](const optim::AdamConfig& o) { optim::Adam opt({w}, o); };
  expect_error<ValueError>([&] { adam(optim::AdamConfig{.lr = -1e-3}); }, "Invalid learning rate: -0.001");
  expect_error<ValueError>([&] { adam(optim::AdamConfig{.eps = -1e-8}); }, "Invalid epsilon value: -1e-08");
  expect_error<ValueError>(
      [&] {
        adam(optim::AdamConfig{.betas = {1.0, 0.999}});
      },
      "Invalid beta parameter at index 0: 1.0");
  expect_error<ValueError>(
      [&] {
        adam(optim::AdamConfig{.betas = {0.9, -0.1}});
      },
      "Invalid beta parameter at index 1: -0.1");
  expect_error<ValueError>([&] { optim::AdamW opt({w}, {.weight_decay = -0.01}); },
                           "Invalid weight_decay value: -0.01");
  expect_error<ValueError>([&] { optim::RMSprop opt({w}, {.alpha = -0.5}); }, "Invalid alpha value: -0.5");
  expect_error<ValueError>([&] { optim::RMSprop opt({w}, {.momentum = -0.5}); },
                           "Invalid momentum value: -0.5");
  expect_error<ValueError>([&] { optim::Adagrad opt({w}, {.lr_decay = -0.5}); },
                           "Invalid lr_decay value: -0.5");
  expect_error<ValueError>([&] { optim::Adagrad opt({w}, {.initial_accumulator_value = -1}); },
                           "Invalid initial_accumulator_value value: -1.0");
  // Options of a group are validated too.
  expect_error<ValueError>(
      [&] {
        optim::SGD opt({{{w}, {.lr = -2.5}}}, {.lr = 0.1});
      },
      "Invalid learning rate: -2.5");
}

TEST(OptimErrors, BadParameters) {
  Tensor w = zeros({2}).requires_grad_();
  expect_error<ValueError>([] { optim::SGD opt(std::vector<Tensor>{}, {.lr = 0.1}); },
                           "optimizer got an empty parameter list");
  expect_error<ValueError>([&] { optim::SGD opt({w * 2}, {.lr = 0.1}); }, "can't optimize a non-leaf Tensor");
  expect_error<ValueError>([&] { optim::SGD opt({w, w}, {.lr = 0.1}); }, "duplicate parameters");
  expect_error<ValueError>([&] { optim::SGD opt({Tensor()}, {.lr = 0.1}); }, "undefined");
  optim::SGD opt({w}, {.lr = 0.1});
  expect_error<ValueError>([&] { opt.add_param_group({{w}}); },
                           "some parameters appear in more than one parameter group");
  expect_error<ValueError>(
      [&] { opt.add_param_group(optim::OptimizerParamGroup({zeros({1})}, optim::AdamOptions())); },
      "SGD: a parameter group has the options of another optimizer (expected SGDOptions)");
  w.set_grad(zeros({2}, {.dtype = kFloat64}));
  expect_error<DTypeError>([&] { opt.step(); },
                           "SGD.step: a parameter of dtype float32 has a gradient of dtype float64");
}

TEST(OptimErrors, LoadStateDictValidates) {
  Tensor a = zeros({2}).requires_grad_(), b = zeros({3}).requires_grad_();
  optim::SGD opt(Groups{{{a}}, {{b}}}, {.lr = 0.1, .momentum = 0.9});
  a.set_grad(ones({2}));
  b.set_grad(ones({3}));
  opt.step();
  const auto sd = opt.state_dict();
  optim::Adam adam({a, b});
  expect_error<ValueError>([&] { adam.load_state_dict(sd); },
                           "the state dict is for the SGD optimizer, not Adam");
  optim::SGD one_group({a, b}, {.lr = 0.1});
  expect_error<ValueError>([&] { one_group.load_state_dict(sd); },
                           "loaded state dict has a different number of parameter groups");
  optim::SGD sizes({{{a, b}}, {{zeros({1}).requires_grad_()}}}, {.lr = 0.1});
  expect_error<ValueError>([&] { sizes.load_state_dict(sd); },
                           "loaded state dict contains a parameter group that doesn't match the size");
  optim::SGD same(Groups{{{a}}, {{b}}}, {.lr = 0.1});
  auto bad = sd;
  bad.tensors["momentum.0"] = zeros({2});
  expect_error<ValueError>([&] { same.load_state_dict(bad); }, "unexpected tensor key 'momentum.0'");
  bad = sd;
  bad.tensors["state.7.momentum_buffer"] = zeros({2});
  expect_error<ValueError>([&] { same.load_state_dict(bad); }, "refers to parameter 7");
  bad = sd;
  bad.tensors["state.0.momentum_buffer"] = zeros({5});
  expect_error<ShapeError>([&] { same.load_state_dict(bad); },
                           "has shape [5] but its parameter has shape [2]");
  bad = sd;
  bad.json = "[1, 2]";
  expect_error<ValueError>([&] { same.load_state_dict(bad); }, "expected a JSON object");
  bad.json = R"({"optimizer": "SGD", "param_groups": [{"params": [0], "lr": "fast"}, {"params": [1]}]})";
  expect_error<ValueError>([&] { same.load_state_dict(bad); }, "'lr' should be a number");
  EXPECT_EQ(same.param_groups()[0].lr(), 0.1);  // a failed load changes nothing
}

// Found by tools/adversarial: a NaN or negative Adam step count was loaded as is (the resumed run's bias
// correction went NaN at once), a parameter index listed twice silently remapped the states, and a
// non-string "optimizer" escaped as json's own type_error.
TEST(OptimErrors, LoadStateDictRefusesBadStepsAndIndices) {
  Tensor a = zeros({2}).requires_grad_(), b = zeros({3}).requires_grad_();
  optim::Adam adam({a, b});
  a.set_grad(ones({2}));
  b.set_grad(ones({3}));
  adam.step();
  const auto sd = adam.state_dict();
  optim::Adam other({a, b});
  other.load_state_dict(sd);  // the unchanged state loads
  for (double step : {std::nan(""), -1.0, 1.5, HUGE_VAL}) {
    auto bad = sd;
    bad.tensors["state.0.step"] = full({}, step);
    expect_error<ValueError>([&] { other.load_state_dict(bad); }, "'state.0.step' must be a whole number");
  }
  auto bad = sd;
  bad.tensors["state.0.step"] = zeros({2});
  expect_error<ValueError>([&] { other.load_state_dict(bad); }, "must hold one step count, got 2 values");
  bad = sd;
  bad.json = R"({"optimizer": "Adam", "param_groups": [{"params": [0, 0]}]})";
  expect_error<ValueError>([&] { other.load_state_dict(bad); }, "parameter index 0 is listed twice");
  bad.json = R"({"optimizer": 7, "param_groups": []})";
  expect_error<ValueError>([&] { other.load_state_dict(bad); }, "the state dict is for the ? optimizer");
}

// Updates of 16K+ elements are split with the helper thread, 2M+ over OpenMP's threads: each element's
// arithmetic is the same, so 1 and 2 threads give the same bits.
TEST(Optim, LargeUpdatesAreTheSameOnOneAndTwoThreads) {
  const int threads = nabla::get_num_threads();
  for (int64_t n : {int64_t{20000}, int64_t{300001}, int64_t{1} << 21}) {
    std::vector<std::vector<double>> results;
    for (int t : {1, 2}) {
      nabla::set_num_threads(t);
      nabla::manual_seed(7);
      Tensor p = nabla::randn({n}).requires_grad_(), q = nabla::randn({n}).requires_grad_();
      optim::SGD sgd({p}, {.lr = 0.1, .momentum = 0.9});
      optim::Adam adam({q}, {.lr = 0.01});
      for (int step = 0; step < 3; ++step) {
        p.set_grad(p.detach() * 0.5 + 1);
        q.set_grad(q.detach() * 0.5 - 1);
        sgd.step();
        adam.step();
      }
      std::vector<double> r = p.detach().to_vector(), rq = q.detach().to_vector();
      r.insert(r.end(), rq.begin(), rq.end());
      results.push_back(std::move(r));
    }
    EXPECT_EQ(results[0], results[1]) << n;
  }
  nabla::set_num_threads(threads);
}
