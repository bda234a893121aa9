// The curriculum's reference models build, run forward + backward, and behave as nn::Modules:
// PyTorch state_dict names, hooks, train/eval, freezing, printing.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <map>
#include <sstream>

using namespace nabla;

namespace {

struct MLP : nn::Module {  // 784-256-128-10 with dropout
  nn::Linear fc1{784, 256}, fc2{256, 128}, fc3{128, 10};
  nn::Dropout drop{0.2};
  MLP() { register_modules({{"fc1", fc1}, {"fc2", fc2}, {"fc3", fc3}, {"drop", drop}}); }
  Tensor forward(Tensor x) override {
    x = x.view({-1, 784});
    x = drop(relu(fc1(x)));
    x = drop(relu(fc2(x)));
    return fc3(x);
  }
};

// The FashionCNN of DESIGN.md, verbatim.
struct FashionCNN : nn::Module {
  nn::Sequential layer1{nn::Conv2d(1, 32, 3, {.padding = 1}), nn::BatchNorm2d(32), nn::ReLU(),
                        nn::MaxPool2d(2)};
  nn::Sequential layer2{nn::Conv2d(32, 64, 3), nn::BatchNorm2d(64), nn::ReLU(), nn::MaxPool2d(2)};
  nn::Linear fc1{64 * 6 * 6, 600}, fc2{600, 120}, fc3{120, 10};
  nn::Dropout drop{0.25};
  FashionCNN() {
    register_modules(
        {{"layer1", layer1}, {"layer2", layer2}, {"fc1", fc1}, {"drop", drop}, {"fc2", fc2}, {"fc3", fc3}});
  }
  Tensor forward(Tensor x) override {
    x = layer2(layer1(x)).flatten(1);
    return fc3(fc2(drop(fc1(x))));
  }
};

struct AutoEncoder : nn::Module {
  nn::Sequential enc{nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 64), nn::ReLU(),
                     nn::Linear(64, 12),   nn::ReLU(), nn::Linear(12, 3)};
  nn::Sequential dec{nn::Linear(3, 12),   nn::ReLU(), nn::Linear(12, 64),   nn::ReLU(),
                     nn::Linear(64, 128), nn::ReLU(), nn::Linear(128, 784), nn::Sigmoid()};
  AutoEncoder() { register_modules({{"enc", enc}, {"dec", dec}}); }
  Tensor forward(Tensor x) override { return dec(enc(x)); }
};

struct GRUClassifier : nn::Module {
  nn::Embedding embed{46159, 128};
  nn::GRU gru{128, 256, {.batch_first = true}};
  nn::Linear out{256, 2};
  GRUClassifier() { register_modules({{"embed", embed}, {"gru", gru}, {"out", out}}); }
  Tensor forward(Tensor x) override {
    auto [h, h_n] = gru(embed(x));
    return out(h.select(1, -1));
  }
};

// One training step's worth of checks: output shape, a finite loss, a gradient for every parameter.
void check_trains(nn::Module& m, const Tensor& x, const Tensor& y, IntArrayRef out_shape, bool mse = false) {
  m.train();
  Tensor out = m(x);
  EXPECT_EQ(out.sizes().vec(), out_shape.vec());
  Tensor loss = mse ? F::mse_loss(out, y) : F::cross_entropy(out, y);
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  loss.backward();
  for (auto& [name, p] : m.named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name << " got no gradient";
    EXPECT_EQ(p.grad().sizes(), p.sizes()) << name;
    EXPECT_TRUE(std::isfinite(p.grad().abs().sum().item<double>())) << name;
  }
}

}  // namespace

TEST(Models, MLP) {
  MLP m;
  check_trains(m, randn({8, 1, 28, 28}), randint(0, 10, {8}), {8, 10});
  EXPECT_EQ(m.parameters().size(), 6u);
}

TEST(Models, FashionCNN) {
  FashionCNN m;
  check_trains(m, randn({4, 1, 28, 28}), randint(0, 10, {4}), {4, 10});
  int64_t n = 0;
  for (auto& p : m.parameters()) n += p.numel();
  EXPECT_EQ(n, 1475338);  // PyTorch: sum(p.numel() for p in FashionCNN().parameters())
}

TEST(Models, ResNet) {  // the CIFAR ResNet of the model zoo (BasicBlock, [2, 2, 2], 16/32/64 channels)
  auto m = training::build_model({.name = "resnet", .in_channels = 3, .height = 32, .width = 32});
  check_trains(*m, randn({2, 3, 32, 32}), randint(0, 10, {2}), {2, 10});
  int64_t n = 0;
  for (auto& p : m->parameters()) n += p.numel();
  EXPECT_EQ(n, 175258);  // sum(p.numel() for p in ResNet().parameters()) in torch_workloads.py
  EXPECT_EQ(m->state_dict()[6].first, "layer1.0.conv1.weight");  // after conv1 and bn1 (3 params, 3 buffers)
}

TEST(Models, AutoEncoder) {
  AutoEncoder m;
  Tensor x = rand({5, 784});
  check_trains(m, x, x, {5, 784}, /*mse=*/true);
}

TEST(Models, GRUClassifier) {
  GRUClassifier m;
  check_trains(m, randint(0, 46159, {2, 7}), randint(0, 2, {2}), {2, 2});
}

TEST(Modules, StateDictNamesMatchPyTorch) {
  FashionCNN m;
  std::vector<std::string> names;
  for (auto& [n, t] : m.state_dict()) names.push_back(n);
  // list(FashionCNN().state_dict().keys()) in PyTorch 1.13:
  std::vector<std::string> torch_names = {"layer1.0.weight",
                                          "layer1.0.bias",
                                          "layer1.1.weight",
                                          "layer1.1.bias",
                                          "layer1.1.running_mean",
                                          "layer1.1.running_var",
                                          "layer1.1.num_batches_tracked",
                                          "layer2.0.weight",
                                          "layer2.0.bias",
                                          "layer2.1.weight",
                                          "layer2.1.bias",
                                          "layer2.1.running_mean",
                                          "layer2.1.running_var",
                                          "layer2.1.num_batches_tracked",
                                          "fc1.weight",
                                          "fc1.bias",
                                          "fc2.weight",
                                          "fc2.bias",
                                          "fc3.weight",
                                          "fc3.bias"};
  EXPECT_EQ(names, torch_names);
  GRUClassifier g;
  std::vector<std::string> gnames;
  for (auto& [n, t] : g.state_dict()) gnames.push_back(n);
  EXPECT_EQ(gnames, (std::vector<std::string>{"embed.weight", "gru.weight_ih_l0", "gru.weight_hh_l0",
                                              "gru.bias_ih_l0", "gru.bias_hh_l0", "out.weight", "out.bias"}));
}

TEST(Modules, LoadStateDictRoundTripsAndListsAllProblems) {
  FashionCNN a, b;
  b.load_state_dict(a.state_dict());
  Tensor x = randn({2, 1, 28, 28});
  a.eval();
  b.eval();
  EXPECT_TRUE(equal(a(x), b(x)));
  auto sd = a.state_dict();
  sd.erase(sd.begin());                         // missing layer1.0.weight
  sd.emplace_back("extra.weight", zeros({1}));  // unexpected
  for (auto& [n, t] : sd)
    if (n == "fc3.bias") t = zeros({11});  // shape mismatch
  try {
    b.load_state_dict(sd);
    FAIL();
  } catch (const ValueError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Missing key(s) in state_dict: \"layer1.0.weight\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("Unexpected key(s) in state_dict: \"extra.weight\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("size mismatch for fc3.bias"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[11]"), std::string::npos) << msg;
  }
  // Non-strict: missing/unexpected keys are reported, not fatal (shape mismatches always are).
  for (auto& [n, t] : sd)
    if (n == "fc3.bias") t = zeros({10});
  auto r = b.load_state_dict(sd, /*strict=*/false);
  EXPECT_EQ(r.missing_keys, std::vector<std::string>{"layer1.0.weight"});
  EXPECT_EQ(r.unexpected_keys, std::vector<std::string>{"extra.weight"});
  EXPECT_TRUE(equal(b.fc3.bias, zeros({10})));
}

TEST(Modules, ForwardHooksCaptureEveryConvFeatureMap) {
  FashionCNN m;
  std::map<std::string, std::vector<int64_t>> maps;
  std::vector<nn::RemovableHandle> handles;
  for (auto& [name, mod] : m.named_modules())
    if (mod->name() == "Conv2d")
      handles.push_back(
          mod->register_forward_hook([&maps, name = name](nn::Module&, const Tensor&, const Tensor& out) {
            maps[name] = out.sizes().vec();
            return Tensor();
          }));
  m(randn({3, 1, 28, 28}));
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps["layer1.0"], (std::vector<int64_t>{3, 32, 28, 28}));
  EXPECT_EQ(maps["layer2.0"], (std::vector<int64_t>{3, 64, 12, 12}));
  for (auto& h : handles) h.remove();
  maps.clear();
  m(randn({1, 1, 28, 28}));
  EXPECT_TRUE(maps.empty());
}

TEST(Modules, PreHookReplacesInputAndBackwardHookSeesGradients) {
  nn::Linear lin(3, 2);
  lin.register_forward_pre_hook([](nn::Module&, const Tensor& x) { return x * 2; });
  Tensor x = ones({1, 3}, {.requires_grad = true});
  Tensor gi, go;
  lin.register_full_backward_hook([&](nn::Module&, const Tensor& grad_in, const Tensor& grad_out) {
    gi = grad_in;
    go = grad_out;
    return Tensor();
  });
  Tensor y = lin(x);
  EXPECT_TRUE(allclose(y, F::linear(x * 2, lin.weight, lin.bias)));
  y.sum().backward();
  ASSERT_TRUE(go.defined());
  EXPECT_EQ(go.sizes().vec(), (std::vector<int64_t>{1, 2}));
  ASSERT_TRUE(gi.defined());
  EXPECT_TRUE(allclose(gi, lin.weight.sum({0}, true)));
}

TEST(Modules, TrainEvalFreezeZeroGradAndDtype) {
  FashionCNN m;
  m.eval();
  for (auto* c : m.modules()) EXPECT_FALSE(c->is_training());
  Tensor x = randn({2, 1, 28, 28});
  EXPECT_TRUE(equal(m(x), m(x)));  // dropout off, running stats used
  m.train();
  m.fc1.requires_grad_(false);
  F::cross_entropy(m(x), tensor({1, 2})).backward();
  EXPECT_FALSE(m.fc1.weight.grad().defined());
  EXPECT_TRUE(m.fc2.weight.grad().defined());
  m.zero_grad();
  EXPECT_FALSE(m.fc2.weight.grad().defined());
  m.to(kFloat64);
  EXPECT_EQ(m.fc3.weight.dtype(), kFloat64);
  EXPECT_EQ(m.layer1[1].named_buffers()[0].second.dtype(), kFloat64);
  EXPECT_EQ(m.named_buffers().back().second.dtype(), kInt64);  // num_batches_tracked stays integral
  EXPECT_EQ(m(x.to(kFloat64)).dtype(), kFloat64);
}

TEST(Modules, PrintsLikePyTorch) {
  nn::Sequential s{nn::Conv2d(1, 32, 3, {.padding = 1}), nn::BatchNorm2d(32), nn::ReLU(), nn::MaxPool2d(2)};
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(),
            "Sequential(\n"
            "  (0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "  (1): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
            "  (2): ReLU()\n"
            "  (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
            ")");
}

TEST(Modules, MovingAModuleWithMemberChildrenRepointsThemAtTheMovedMembers) {
  auto p = std::make_unique<MLP>();
  p->eval();
  Tensor x = randn({2, 784});
  Tensor before = (*p)(x);
  MLP moved(std::move(*p));
  p.reset();  // the moved-from object is gone: nothing may point into it
  auto children = moved.named_children();
  ASSERT_EQ(children.size(), 4u);
  EXPECT_EQ(children[0].value(), &moved.fc1);
  EXPECT_EQ(children[3].value(), &moved.drop);
  EXPECT_EQ(moved.parameters().size(), 6u);
  EXPECT_TRUE(equal(moved(x), before));
}
