// LR schedulers against PyTorch: the lr (and OneCycleLR momentum) sequence over 100 steps of every
// golden case (tests/golden/optim.json), resume through state_dict, and errors.
#include <cmath>

#include "optim_support.h"

using namespace nabla;
using namespace optim_test;

namespace {

// PyTorch's golden setup: two groups with lr 0.1 and 0.05 (SGD with momentum 0.9, or defaults).
struct TwoGroups {
  std::vector<Tensor> params{zeros({2}).requires_grad_(), zeros({3}).requires_grad_()};
  std::unique_ptr<optim::Optimizer> opt;
  explicit TwoGroups(const std::string& name) {
    const Json defaults = name == "SGD" ? Json{{"lr", 0.1}, {"momentum", 0.9}} : Json::object();
    auto group_options = [&](double lr) {
      Json o = defaults;
      o["lr"] = lr;
      return make_options(name, o);
    };
    std::vector<optim::OptimizerParamGroup> groups;
    groups.emplace_back(std::vector<Tensor>{params[0]}, group_options(0.1));
    groups.emplace_back(std::vector<Tensor>{params[1]}, group_options(0.05));
    opt = make_optimizer(name, std::move(groups), *make_options(name, defaults));
  }
  std::vector<double> lrs() const {
    std::vector<double> out;
    for (const auto& g : opt->param_groups()) out.push_back(g.lr());
    return out;
  }
  std::vector<double> momenta() const {
    std::vector<double> out;
    for (const auto& g : opt->param_groups()) {
      const auto& o = g.options();
      out.push_back(o.momentum_kind() == optim::MomentumKind::None ? 0.0 : o.get_momentum());
    }
    return out;
  }
};

double lambda_fn(const std::string& name, int64_t epoch) {
  if (name == "exp") return std::pow(0.95, static_cast<double>(epoch));
  return 1.0 / static_cast<double>(1 + epoch);
}

std::shared_ptr<optim::LRScheduler> make_scheduler(const std::string& kind, optim::Optimizer& opt,
                                                   const Json& a) {
  if (kind == "LambdaLR") {
    const Json& f = a.at("lambda");
    std::vector<optim::LambdaLR::LrLambda> fns;
    for (const auto& n : f.is_array() ? f : Json::array({f}))
      fns.push_back([name = n.get<std::string>()](int64_t e) { return lambda_fn(name, e); });
    if (f.is_array()) return std::make_shared<optim::LambdaLR>(opt, fns);
    return std::make_shared<optim::LambdaLR>(opt, fns[0]);
  }
  if (kind == "StepLR") return std::make_shared<optim::StepLR>(opt, a.at("step_size"), a.value("gamma", 0.1));
  if (kind == "MultiStepLR")
    return std::make_shared<optim::MultiStepLR>(opt, a.at("milestones").get<std::vector<int64_t>>(),
                                                a.value("gamma", 0.1));
  if (kind == "ExponentialLR") return std::make_shared<optim::ExponentialLR>(opt, a.at("gamma"));
  if (kind == "CosineAnnealingLR")
    return std::make_shared<optim::CosineAnnealingLR>(opt, a.at("T_max"), a.value("eta_min", 0.0));
  if (kind == "LinearLR")
    return std::make_shared<optim::LinearLR>(opt, a.value("start_factor", 1.0 / 3),
                                             a.value("end_factor", 1.0), a.value("total_iters", 5));
  if (kind == "CosineAnnealingWarmRestarts")
    return std::make_shared<optim::CosineAnnealingWarmRestarts>(opt, a.at("T_0"), a.value("T_mult", 1),
                                                                a.value("eta_min", 0.0));
  if (kind == "OneCycleLR") {
    optim::OneCycleLROptions o;
    const Json& m = a.at("max_lr");
    o.max_lr = m.is_array() ? m.get<std::vector<double>>() : std::vector<double>{m.get<double>()};
    if (a.contains("total_steps")) o.total_steps = a["total_steps"].get<int64_t>();
    if (a.contains("epochs")) o.epochs = a["epochs"].get<int64_t>();
    if (a.contains("steps_per_epoch")) o.steps_per_epoch = a["steps_per_epoch"].get<int64_t>();
    o.pct_start = a.value("pct_start", 0.3);
    o.anneal_strategy = a.value("anneal_strategy", "cos");
    o.cycle_momentum = a.value("cycle_momentum", true);
    o.base_momentum = {a.value("base_momentum", 0.85)};
    o.max_momentum = {a.value("max_momentum", 0.95)};
    o.div_factor = a.value("div_factor", 25.0);
    o.final_div_factor = a.value("final_div_factor", 1e4);
    o.three_phase = a.value("three_phase", false);
    return std::make_shared<optim::OneCycleLR>(opt, o);
  }
  if (kind == "SequentialLR") {
    std::vector<std::shared_ptr<optim::LRScheduler>> subs;
    for (const auto& s : a.at("schedulers")) subs.push_back(make_scheduler(s.at("kind"), opt, s.at("args")));
    return std::make_shared<optim::SequentialLR>(opt, subs, a.at("milestones").get<std::vector<int64_t>>());
  }
  throw std::runtime_error("unknown scheduler " + kind);
}

std::unique_ptr<optim::ReduceLROnPlateau> make_plateau(optim::Optimizer& opt, const Json& a) {
  optim::ReduceLROnPlateauOptions o;
  o.mode = a.value("mode", "min");
  o.factor = a.value("factor", 0.1);
  o.patience = a.value("patience", 10);
  o.threshold = a.value("threshold", 1e-4);
  o.threshold_mode = a.value("threshold_mode", "rel");
  o.cooldown = a.value("cooldown", 0);
  if (a.contains("min_lr"))
    o.min_lr = a["min_lr"].is_array() ? a["min_lr"].get<std::vector<double>>()
                                      : std::vector<double>{a["min_lr"].get<double>()};
  o.eps = a.value("eps", 1e-8);
  return std::make_unique<optim::ReduceLROnPlateau>(opt, o);
}

void expect_seq(const std::vector<double>& actual, const Json& expected, const std::string& what) {
  const auto e = expected.get<std::vector<double>>();
  ASSERT_EQ(actual.size(), e.size()) << what;
  for (size_t i = 0; i < e.size(); ++i)
    EXPECT_LE(std::abs(actual[i] - e[i]), 1e-12 * std::abs(e[i]))
        << what << " group " << i << ": " << actual[i] << " vs " << e[i];
}

// Steps a golden case from step `from` to `to`, checking lrs (and momenta) after each step.
void run_case(const Json& c, TwoGroups& s, optim::LRScheduler* sched, optim::ReduceLROnPlateau* plateau,
              int from, int to) {
  const std::string name = c.at("name");
  for (int k = from; k < to; ++k) {
    s.opt->step();  // no gradients: a no-op, in PyTorch's order
    if (plateau)
      plateau->step(c.at("metrics")[k].get<double>());
    else
      sched->step();
    expect_seq(s.lrs(), c.at("lrs")[k + 1], name + " step " + std::to_string(k + 1));
    expect_seq(plateau ? plateau->get_last_lr() : sched->get_last_lr(), c.at("lrs")[k + 1],
               name + " last_lr");
    if (c.contains("momenta")) expect_seq(s.momenta(), c["momenta"][k + 1], name + " momentum");
  }
}

}  // namespace

TEST(LRSchedulerGolden, SequencesMatchPyTorch) {
  const Json& cases = golden().at("schedulers");
  ASSERT_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    TwoGroups s(c.at("optimizer"));
    std::shared_ptr<optim::LRScheduler> sched;
    std::unique_ptr<optim::ReduceLROnPlateau> plateau;
    if (c.at("kind") == "ReduceLROnPlateau")
      plateau = make_plateau(*s.opt, c.at("args"));
    else
      sched = make_scheduler(c.at("kind"), *s.opt, c.at("args"));
    expect_seq(s.lrs(), c.at("lrs")[0], c.at("name").get<std::string>() + " initial");
    if (c.contains("momenta")) expect_seq(s.momenta(), c["momenta"][0], "initial momentum");
    run_case(c, s, sched.get(), plateau.get(), 0, 100);
  }
}

TEST(LRSchedulerGolden, WorkOnEveryOptimizer) {
  // The lr schedule does not depend on the optimizer; momentum cycling uses momentum or beta1.
  for (const char* opt : {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad"}) {
    for (const char* name : {"cosine", "step", "warm_restarts_mult2", "sequential_warmup_cosine"}) {
      Json c = golden_case("schedulers", name);
      TwoGroups s(opt);
      auto sched = make_scheduler(c.at("kind"), *s.opt, c.at("args"));
      run_case(c, s, sched.get(), nullptr, 0, 100);
    }
  }
  for (auto [opt, name] :
       {std::pair{"RMSprop", "onecycle_cos"}, std::pair{"AdamW", "onecycle_linear_adam"}}) {
    Json c = golden_case("schedulers", name);
    TwoGroups s(opt);
    auto sched = make_scheduler(c.at("kind"), *s.opt, c.at("args"));
    expect_seq(s.momenta(), c["momenta"][0], name);
    run_case(c, s, sched.get(), nullptr, 0, 100);
  }
}

TEST(LRSchedulerGolden, ResumeFromStateDictContinuesTheSequence) {
  for (const auto& c : golden().at("schedulers")) {
    const bool is_plateau = c.at("kind") == "ReduceLROnPlateau";
    TwoGroups first(c.at("optimizer"));
    std::shared_ptr<optim::LRScheduler> sched;
    std::unique_ptr<optim::ReduceLROnPlateau> plateau;
    if (is_plateau)
      plateau = make_plateau(*first.opt, c.at("args"));
    else
      sched = make_scheduler(c.at("kind"), *first.opt, c.at("args"));
    run_case(c, first, sched.get(), plateau.get(), 0, 37);
    const optim::OptimizerStateDict opt_state = first.opt->state_dict();
    const std::string sched_state = is_plateau ? plateau->state_dict() : sched->state_dict();

    // PyTorch's recipe: build optimizer and scheduler as before, then load both.
    TwoGroups second(c.at("optimizer"));
    std::shared_ptr<optim::LRScheduler> sched2;
    std::unique_ptr<optim::ReduceLROnPlateau> plateau2;
    if (is_plateau)
      plateau2 = make_plateau(*second.opt, c.at("args"));
    else
      sched2 = make_scheduler(c.at("kind"), *second.opt, c.at("args"));
    second.opt->load_state_dict(opt_state);
    if (is_plateau)
      plateau2->load_state_dict(sched_state);
    else
      sched2->load_state_dict(sched_state);
    run_case(c, second, sched2.get(), plateau2.get(), 37, 100);
  }
}

TEST(LRScheduler, DrivesTheOptimizersLr) {
  Tensor p = zeros({1}, {.dtype = kFloat64}).requires_grad_();
  optim::SGD opt({p}, {.lr = 1.0});
  optim::StepLR sched(opt, 2, 0.5);
  EXPECT_EQ(opt.param_groups()[0].initial_lr(), 1.0);
  EXPECT_EQ(sched.base_lrs(), std::vector<double>{1.0});
  double expected = 0;
  for (int k = 0; k < 6; ++k) {
    expected -= opt.param_groups()[0].lr();
    p.set_grad(ones({1}, {.dtype = kFloat64}));
    opt.step();
    sched.step();
  }
  EXPECT_EQ(p.item<double>(), expected);
  EXPECT_EQ(expected, -(1 + 1 + 0.5 + 0.5 + 0.25 + 0.25));
  EXPECT_EQ(sched.last_epoch(), 6);
  sched.step(3.0);  // PyTorch's deprecated step(epoch): closed form
  EXPECT_EQ(sched.get_last_lr(), std::vector<double>{0.5});
}

TEST(LRSchedulerErrors, MessagesMatchPyTorch) {
  Tensor p = zeros({1}).requires_grad_();
  optim::SGD opt({p}, {.lr = 0.1});
  optim::Adagrad ada({zeros({1}).requires_grad_()});
  expect_error<ValueError>([&] { optim::LinearLR s(opt, 1.5); },
                           "Starting multiplicative factor expected to be between 0 and 1.");
  expect_error<ValueError>([&] { optim::LinearLR s(opt, 0.5, -1); },
                           "Ending multiplicative factor expected to be between 0 and 1.");
  expect_error<ValueError>([&] { optim::CosineAnnealingWarmRestarts s(opt, 0); },
                           "Expected positive integer T_0, but got 0");
  expect_error<ValueError>([&] { optim::CosineAnnealingWarmRestarts s(opt, 5, 0); },
                           "Expected integer T_mult >= 1, but got 0");
  expect_error<ValueError>(
      [&] { optim::LambdaLR s(opt, std::vector<optim::LambdaLR::LrLambda>(3, [](int64_t) { return 1.0; })); },
      "Expected 1 lr_lambdas, but got 3");
  expect_error<ValueError>([&] { optim::OneCycleLR s(opt, {.max_lr = {0.1}}); },
                           "You must define either total_steps OR (epochs AND steps_per_epoch)");
  expect_error<ValueError>([&] { optim::OneCycleLR s(opt, {.max_lr = {0.1}, .total_steps = 0}); },
                           "Expected positive integer total_steps, but got 0");
  expect_error<ValueError>(
      [&] { optim::OneCycleLR s(opt, {.max_lr = {0.1}, .epochs = 2, .steps_per_epoch = -1}); },
      "Expected positive integer steps_per_epoch, but got -1");
  expect_error<ValueError>(
      [&] { optim::OneCycleLR s(opt, {.max_lr = {0.1}, .total_steps = 10, .pct_start = 1.5}); },
      "Expected float between 0 and 1 pct_start, but got 1.5");
  expect_error<ValueError>(
      [&] { optim::OneCycleLR s(opt, {.max_lr = {0.1}, .total_steps = 10, .anneal_strategy = "step"}); },
      "anneal_strategy must by one of 'cos' or 'linear', instead got step");
  expect_error<ValueError>(
      [&] {
        optim::OneCycleLR s(opt, {.max_lr = {0.1, 0.2}, .total_steps = 10});
      },
      "expected 1 values for max_lr, got 2");
  expect_error<ValueError>([&] { optim::OneCycleLR s(ada, {.max_lr = {0.1}, .total_steps = 10}); },
                           "optimizer must support momentum with `cycle_momentum` option enabled");
  optim::OneCycleLR short_cycle(opt, {.max_lr = {0.1}, .total_steps = 2});
  short_cycle.step();
  short_cycle.step();
  expect_error<ValueError>([&] { short_cycle.step(); },
                           "Tried to step 4 times. The specified number of total steps is 2");
}

TEST(LRSchedulerErrors, PlateauSequentialAndResume) {
  Tensor p = zeros({1}).requires_grad_();
  optim::SGD opt({p}, {.lr = 0.1});
  expect_error<ValueError>([&] { optim::ReduceLROnPlateau s(opt, {.factor = 1.0}); },
                           "Factor should be < 1.0.");
  expect_error<ValueError>([&] { optim::ReduceLROnPlateau s(opt, {.mode = "avg"}); }, "mode avg is unknown!");
  expect_error<ValueError>([&] { optim::ReduceLROnPlateau s(opt, {.threshold_mode = "pct"}); },
                           "threshold mode pct is unknown!");
  expect_error<ValueError>(
      [&] {
        optim::ReduceLROnPlateau s(opt, {.min_lr = {0.1, 0.2}});
      },
      "expected 1 min_lrs, got 2");
  optim::SGD other({zeros({1}).requires_grad_()}, {.lr = 0.1});
  auto a = std::make_shared<optim::StepLR>(opt, 5);
  auto b = std::make_shared<optim::ExponentialLR>(other, 0.9);
  expect_error<ValueError>(
      [&] {
        optim::SequentialLR s(opt, {a, b}, {3});
      },
      "got schedulers at index 1 to be different than the optimizer passed in.");
  auto c = std::make_shared<optim::ExponentialLR>(opt, 0.9);
  expect_error<ValueError>(
      [&] {
        optim::SequentialLR s(opt, {a, c}, {3, 4});
      },
      "number of schedulers 2 and the number of milestones to be equal to 2");
  optim::SGD fresh({zeros({1}).requires_grad_()}, {.lr = 0.1});
  expect_error<ValueError>(
      [&] { optim::StepLR s(fresh, 5, 0.1, /*last_epoch=*/10); },
      "param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer");
  optim::StepLR step(opt, 5);
  expect_error<ValueError>([&] { step.load_state_dict(c->state_dict()); },
                           "the state dict is for a ExponentialLR, not a StepLR");
  expect_error<ValueError>([&] { step.step(2.5); }, "epoch must be a whole number");
  optim::ReduceLROnPlateau plateau(opt);
  expect_error<ValueError>([&] { plateau.load_state_dict(step.state_dict()); }, "is for a StepLR");
  // A "type" that is not a string escaped as json's type_error ("unexpected error" in the tool).
  expect_error<ValueError>([&] { step.load_state_dict(R"({"type": 0})"); }, "is for a ?, not a StepLR");
  expect_error<ValueError>([&] { plateau.load_state_dict(R"({"type": []})"); }, "is for a ?");
}
