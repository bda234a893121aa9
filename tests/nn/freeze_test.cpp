// Transfer learning (issue 21): Module::freeze()/unfreeze() set requires_grad on a module's parameters
// recursively, Module::trainable_parameters() is PyTorch's filter(lambda p: p.requires_grad, ...), and an
// optimizer given frozen parameters skips them (they never get a grad), as PyTorch's does.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace nabla;

namespace {

// A "pretrained" backbone two levels deep (Sequential inside a Module) and a new head.
struct Backbone : nn::Module {
  nn::Sequential features{nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 8), nn::ReLU()};
  nn::Linear proj{8, 8};
  Backbone() { register_modules({{"features", features}, {"proj", proj}}); }
  Tensor forward(Tensor x) override { return proj(features(x)).relu(); }
};

struct TransferNet : nn::Module {
  Backbone backbone;
  nn::Linear head{8, 3};
  TransferNet() { register_modules({{"backbone", backbone}, {"head", head}}); }
  Tensor forward(Tensor x) override { return head(backbone(x)); }
};

std::vector<Tensor> snapshot(const nn::Module& m) {
  std::vector<Tensor> out;
  for (auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

bool unchanged(const nn::Module& m, const std::vector<Tensor>& before) {
  auto now = m.parameters();
  EXPECT_EQ(now.size(), before.size());
  for (size_t i = 0; i < now.size(); ++i)
    if (!equal(now[i].detach(), before[i])) return false;
  return true;
}

int count_changed(const nn::Module& m, const std::vector<Tensor>& before) {
  auto now = m.parameters();
  int changed = 0;
  for (size_t i = 0; i < now.size(); ++i) changed += equal(now[i].detach(), before[i]) ? 0 : 1;
  return changed;
}

struct Data {
  Tensor x, y;
};
Data toy_batch() {
  RandomGenerator gen(7);
  return {randn({32, 4}, {}, &gen), randint(0, 3, {32}, {.dtype = kInt64}, &gen)};
}

// Trains `model` for `steps` steps with `opt`; returns {first loss, last loss}.
std::pair<float, float> train(TransferNet& model, optim::Optimizer& opt, int steps) {
  Data d = toy_batch();
  float first = 0, last = 0;
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    Tensor loss = nn::functional::cross_entropy(model(d.x), d.y);
    loss.backward();
    opt.step();
    (s == 0 ? first : last) = loss.item<float>();
  }
  return {first, last};
}

}  // namespace

TEST(Freeze, RecursiveChainableAndReversible) {
  TransferNet model;
  const size_t n_backbone = model.backbone.parameters().size();
  ASSERT_EQ(n_backbone, 6u);  // 3 Linear layers, weight + bias, at two depths
  nn::Module& same = model.backbone.freeze();
  EXPECT_EQ(&same, static_cast<nn::Module*>(&model.backbone));
  for (auto& [name, p] : model.named_parameters())
    EXPECT_EQ(p.requires_grad(), name.rfind("head.", 0) == 0) << name;
  // trainable_parameters(): exactly the head's, in registration order, the same tensors (not copies).
  auto trainable = model.trainable_parameters();
  ASSERT_EQ(trainable.size(), 2u);
  EXPECT_TRUE(trainable[0].is_same(model.head.weight));
  EXPECT_TRUE(trainable[1].is_same(model.head.bias));
  EXPECT_TRUE(model.backbone.trainable_parameters().empty());
  EXPECT_EQ(model.backbone.parameters().size(), n_backbone) << "parameters() still lists frozen ones";
  // recurse = false: the module's own parameters only (a Linear's are its own).
  EXPECT_EQ(model.head.trainable_parameters(false).size(), 2u);
  EXPECT_TRUE(model.trainable_parameters(false).empty());

  model.backbone.unfreeze();
  EXPECT_EQ(model.trainable_parameters().size(), n_backbone + 2);
  for (auto& p : model.parameters()) EXPECT_TRUE(p.requires_grad());
  // Freezing a whole model, then one layer back: the fine-tuning pattern.
  model.freeze();
  model.head.unfreeze();
  EXPECT_EQ(model.trainable_parameters().size(), 2u);
}

TEST(Freeze, FrozenParametersGetNoGradient) {
  TransferNet model;
  model.backbone.freeze();
  Data d = toy_batch();
  nn::functional::cross_entropy(model(d.x), d.y).backward();
  for (auto& [name, p] : model.backbone.named_parameters()) EXPECT_FALSE(p.grad().defined()) << name;
  EXPECT_TRUE(model.head.weight.grad().defined());
  EXPECT_GT(model.head.weight.grad().abs().sum().item<float>(), 0.0f);
}

// PyTorch: optim.SGD(model.parameters(), ...) with a frozen backbone leaves it alone, even with momentum
// and weight decay (a parameter whose grad is None is skipped), and so do the other optimizers.
TEST(Freeze, OptimizersSkipFrozenParameters) {
  struct Case {
    std::string name;
    std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)> make;
  };
  std::vector<Case> cases = {
      {"SGD", [](auto p) { return std::make_unique<optim::SGD>(p, optim::SGDConfig{.lr = 0.1}); }},
      {"SGD momentum weight_decay",
       [](auto p) {
         return std::make_unique<optim::SGD>(
             p, optim::SGDConfig{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
       }},
      {"Adam weight_decay",
       [](auto p) {
         return std::make_unique<optim::Adam>(p, optim::AdamConfig{.lr = 0.01, .weight_decay = 0.1});
       }},
      {"AdamW", [](auto p) { return std::make_unique<optim::AdamW>(p, optim::AdamWConfig{.lr = 0.01}); }},
      {"RMSprop",
       [](auto p) { return std::make_unique<optim::RMSprop>(p, optim::RMSpropConfig{.lr = 0.01}); }},
      {"Adagrad",
       [](auto p) { return std::make_unique<optim::Adagrad>(p, optim::AdagradConfig{.lr = 0.1}); }},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    manual_seed(1);
    TransferNet model;
    model.backbone.freeze();
    auto backbone_before = snapshot(model.backbone);
    auto head_before = snapshot(model.head);
    // Given every parameter, frozen ones included (they must be accepted, then skipped).
    auto opt = c.make(model.parameters());
    auto [first, last] = train(model, *opt, 5);
    EXPECT_TRUE(unchanged(model.backbone, backbone_before)) << "a frozen parameter moved";
    EXPECT_EQ(count_changed(model.head, head_before), 2) << "the head's weight and bias both train";
    EXPECT_LT(last, first) << "training the head lowers the loss";
  }
}

TEST(Freeze, OptimizerOverTrainableParametersThenUnfreeze) {
  manual_seed(2);
  TransferNet model;
  model.backbone.freeze();
  optim::SGD head_only(model.trainable_parameters(), {.lr = 0.1, .momentum = 0.9});
  ASSERT_EQ(head_only.param_groups().size(), 1u);
  EXPECT_EQ(head_only.param_groups()[0].params().size(), 2u);
  auto backbone_before = snapshot(model.backbone);
  auto head_before = snapshot(model.head);
  train(model, head_only, 3);
  EXPECT_TRUE(unchanged(model.backbone, backbone_before));
  EXPECT_EQ(count_changed(model.head, head_before), 2);

  // Stage two of fine-tuning: unfreeze and train everything with a new optimizer; the backbone moves.
  model.backbone.unfreeze();
  optim::SGD all(model.trainable_parameters(), {.lr = 0.01});
  EXPECT_EQ(all.param_groups()[0].params().size(), model.parameters().size());
  train(model, all, 2);
  EXPECT_EQ(count_changed(model.backbone, backbone_before), 6) << "every backbone parameter trains again";
}
