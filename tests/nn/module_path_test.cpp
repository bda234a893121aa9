// Errors raised inside a module's forward name the module path, like a traceback (issue #18 item 9):
// "layer2.0.conv1 (Conv2d): <message>", and keep their type.
#include <gtest/gtest.h>

#include "nabla/nabla.h"

using namespace nabla;

namespace {
struct Block : nn::Module {
  nn::Conv2d conv1{4, 4, 3, {.padding = 1}};
  nn::ReLU relu;
  Block() { register_modules({{"conv1", conv1}, {"relu", relu}}); }
  Tensor forward(Tensor x) override { return relu(conv1(x)); }
  std::string name() const override { return "Block"; }
};

struct Net : nn::Module {
  nn::Sequential layer1{nn::Conv2d(1, 4, 3, {.padding = 1}), nn::ReLU()};
  nn::Sequential layer2;
  nn::Linear fc{4 * 6 * 6, 3};
  nn::CrossEntropyLoss loss;
  Net() {
    layer2.push_back(std::make_shared<Block>());
    register_modules({{"layer1", layer1}, {"layer2", layer2}, {"fc", fc}, {"loss", loss}});
  }
  Tensor forward(Tensor x) override { return fc(layer2(layer1(x)).flatten(1)); }
  std::string name() const override { return "Net"; }
};

template <typename E>
std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("wrong type: ") + e.what();
  }
  return "did not throw";
}
}  // namespace

TEST(ModulePath, AnErrorNamesThePathAndKeepsItsType) {
  Net net;
  const std::string direct = message_of<ShapeError>([&] { net.layer1[0](randn({2, 3, 6, 6})); });
  const std::string msg = message_of<ShapeError>([&] { net(randn({2, 3, 6, 6})); });
  EXPECT_EQ(msg.rfind("layer1.0 (Conv2d): ", 0), 0u) << msg;
  // The original message follows unchanged (the direct call names only the layer).
  EXPECT_NE(msg.find(direct.substr(direct.find(": ") + 2)), std::string::npos) << msg << "\n" << direct;
}

TEST(ModulePath, NestedModulesGiveTheFullDottedPath) {
  Net net;
  net.layer1[0].register_forward_hook([](nn::Module&, const Tensor&, const Tensor& out) {
    return out.narrow(1, 0, 3);  // 3 channels reach layer2.0.conv1, which wants 4
  });
  const std::string msg = message_of<ShapeError>([&] { net(randn({2, 1, 6, 6})); });
  EXPECT_EQ(msg.rfind("layer2.0.conv1 (Conv2d): ", 0), 0u) << msg;
}

TEST(ModulePath, TheOutermostModuleAloneIsNamedByItsType) {
  nn::Linear fc(4, 2);
  const std::string msg = message_of<ShapeError>([&] { fc(randn({3, 5})); });
  EXPECT_EQ(msg.rfind("Linear: ", 0), 0u) << msg;
}

TEST(ModulePath, LossesAndHooksAreTracedToo) {
  Net net;
  const std::string loss = message_of<IndexError>([&] { net.loss(randn({2, 3}), tensor({0, 7})); });
  EXPECT_EQ(loss.rfind("CrossEntropyLoss: ", 0), 0u) << loss;
  net.fc.register_forward_pre_hook(
      [](nn::Module&, const Tensor&) -> Tensor { throw ValueError("hook says no"); });
  const std::string hook = message_of<ValueError>([&] { net(randn({2, 1, 6, 6})); });
  EXPECT_EQ(hook, "fc (Linear): hook says no");
}

TEST(ModulePath, AnErrorCaughtInsideAForwardLeavesNoTrace) {
  struct Tolerant : nn::Module {
    nn::Linear fc{4, 2};
    Tolerant() { register_modules({{"fc", fc}}); }
    Tensor forward(Tensor x) override {
      try {
        fc(randn({1, 9}));  // fails and is handled here
      } catch (const ShapeError&) {
      }
      return fc(x);
    }
  };
  Tolerant t;
  EXPECT_EQ(t(randn({1, 4})).sizes().vec(), (std::vector<int64_t>{1, 2}));
  const std::string msg = message_of<ShapeError>([&] { t(randn({1, 3})); });
  EXPECT_EQ(msg.rfind("fc (Linear): ", 0), 0u) << msg;
  EXPECT_EQ(msg.find("fc (Linear): fc"), std::string::npos) << msg;  // prefixed once
  // A later, unrelated failure gets its own path.
  nn::Linear other(2, 2);
  const std::string again = message_of<ShapeError>([&] { other(randn({1, 3})); });
  EXPECT_EQ(again.rfind("Linear: ", 0), 0u) << again;
}
