// What a PyTorch user expects of modules (issue 19): replacing a submodule, moving modules that hold
// member layers, holders, multi-input forward through AnyModule, hooks that return nothing,
// LibTorch-style named_parameters(), and a warning for a member that was never registered.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include "expect_error.h"

using namespace nabla;
using nabla::testing::expect_error;

namespace {

struct BasicBlock : nn::Module {
  nn::Linear fc1{4, 4}, fc2{4, 4};
  BasicBlock() { register_modules({{"fc1", fc1}, {"fc2", fc2}}); }
  Tensor forward(Tensor x) override { return x + fc2(fc1(x).relu()); }
};

struct Classifier : nn::Module {
  nn::Linear body{8, 16}, fc{16, 10};
  Classifier() { register_modules({{"body", body}, {"fc", fc}}); }
  Tensor forward(Tensor x) override { return fc(body(x).relu()); }
};

struct TwoInputsImpl : nn::Module {
  TwoInputsImpl() { scale = register_parameter("scale", full({1}, 2.0)); }
  std::tuple<Tensor, Tensor> forward(Tensor a, Tensor b) { return {a * scale, a + b}; }
  Tensor scale;
};
NABLA_MODULE(TwoInputs);

struct ForgetfulImpl : nn::Module {
  nn::Linear used{2, 2}, forgotten{2, 2};
  ForgetfulImpl() { register_module("used", used); }
  Tensor forward(Tensor x) override { return used(x); }
};
NABLA_MODULE(Forgetful);

std::vector<std::string> keys(const nn::NamedTensors& d) { return d.keys(); }

}  // namespace

TEST(ModuleErgonomics, AssigningAMemberReplacesTheSubmoduleLikePyTorch) {
  Classifier model;
  model.fc = nn::Linear(16, 2);  // transfer learning: a new head
  auto params = model.named_parameters();
  EXPECT_EQ(params["fc.weight"].sizes(), IntArrayRef({2, 16}));
  EXPECT_EQ(model(randn({3, 8})).sizes(), IntArrayRef({3, 2}));
  EXPECT_EQ(model.fc.out_features, 2);
}

TEST(ModuleErgonomics, ModulesWithMemberLayersMoveIntoContainers) {
  nn::Sequential seq;
  seq.push_back(BasicBlock());
  seq.push_back(BasicBlock());
  EXPECT_EQ(keys(seq.named_parameters()).size(), 8u);
  EXPECT_TRUE(seq.named_parameters().contains("1.fc2.bias"));
  auto& block = dynamic_cast<BasicBlock&>(seq[0]);
  // The registered children are the moved block's own members, not the temporaries'.
  EXPECT_EQ(block.named_children()[0].value(), &block.fc1);
  Tensor x = randn({2, 4});
  Tensor expected = x + block.fc2.forward(block.fc1.forward(x).relu());
  EXPECT_TRUE(allclose(block(x), expected));

  std::vector<BasicBlock> blocks;
  blocks.emplace_back();
  blocks.emplace_back();  // reallocation moves the first block
  EXPECT_EQ(blocks[0].named_children()[1].value(), &blocks[0].fc2);
}

TEST(ModuleErgonomics, RegisteringANonMemberByReferenceIsAnError) {
  nn::Linear before(2, 2);  // a neighbour on the stack, constructed before the module
  nn::Module m;
  expect_error<ValueError>([&] { m.register_module("x", before); }, {"register_module('x'", "shared_ptr"});
  auto on_heap = std::make_shared<nn::Linear>(2, 2);
  expect_error<ValueError>([&] { m.register_module("y", *on_heap); }, "register_module('y'");
  EXPECT_TRUE(m.named_children().empty());
}

TEST(ModuleErgonomics, ReplaceModuleSwapsAChildAndRejectsUnknownNames) {
  nn::Module root;
  root.register_module("head", std::make_shared<nn::Linear>(4, 3));
  auto replacement = root.replace_module("head", std::make_shared<nn::Linear>(4, 5));
  EXPECT_EQ(root.named_parameters()["head.weight"].size(0), 5);
  EXPECT_EQ(root.named_children()[0].value(), replacement.get());
  expect_error<ValueError>([&] { root.replace_module("tail", std::make_shared<nn::Linear>(1, 1)); },
                           "'tail'");
  expect_error<ValueError>([&] { root.register_module("head", std::make_shared<nn::Linear>(1, 1)); },
                           "already registered");
}

TEST(ModuleErgonomics, HoldersShareTheirModuleAndCallThroughHooks) {
  nn::ModuleHolder<nn::Linear> a(3, 2);
  auto b = a;  // shares
  EXPECT_EQ(a.get(), b.get());
  int calls = 0;
  a->register_forward_hook([&](nn::Module&, const Tensor&, const Tensor& out) {  // returns nothing
    ++calls;
    EXPECT_EQ(out.size(1), 2);
  });
  b(randn({1, 3}));
  EXPECT_EQ(calls, 1);
  nn::ModuleHolder<nn::Linear> empty(nullptr);
  EXPECT_TRUE(empty.is_empty());
  expect_error<ValueError>([&] { empty->weight.numel(); }, "empty");

  nn::Module root;
  auto registered = root.register_module("lin", a);
  EXPECT_EQ(registered.get(), a.get());
  EXPECT_EQ(root.named_parameters()["lin.weight"].data_ptr(), a->weight.data_ptr());
}

TEST(ModuleErgonomics, MultiInputForwardThroughAnyModuleAndHolders) {
  TwoInputs m;
  auto [scaled, sum] = m(ones({2}), full({2}, 3.0));
  EXPECT_TRUE(equal(scaled, full({2}, 2.0)));
  EXPECT_TRUE(equal(sum, full({2}, 4.0)));

  nn::AnyModule any(m);
  auto out = any.forward<std::tuple<Tensor, Tensor>>(ones({2}), ones({2}));
  EXPECT_TRUE(equal(std::get<1>(out), full({2}, 2.0)));
  expect_error<ValueError>([&] { any.forward<std::tuple<Tensor, Tensor>>(ones({2})); },
                           {"TwoInputs::forward", "2 argument(s), got 1"});
  expect_error<ValueError>([&] { any.forward<Tensor>(ones({2}), ones({2})); }, "AnyValue holds");
  EXPECT_NE(any.try_get<TwoInputs>(), nullptr);
}

TEST(ModuleErgonomics, AnyModuleOfAOneTensorModuleRunsItsHooks) {
  auto lin = std::make_shared<nn::Linear>(2, 2);
  int pre = 0;
  lin->register_forward_pre_hook([&](nn::Module&, const Tensor&) { ++pre; });
  nn::AnyModule any(lin);
  any.forward(randn({1, 2}));
  EXPECT_EQ(pre, 1);
}

TEST(ModuleErgonomics, NameIsTheClassNameWithoutImpl) {
  TwoInputs m;
  EXPECT_EQ(m->name(), "TwoInputs");
  BasicBlock b;
  EXPECT_EQ(b.name(), "BasicBlock");
  EXPECT_NE(b.repr().find("(fc1): Linear(in_features=4"), std::string::npos) << b.repr();
}

TEST(ModuleErgonomics, AMemberHoldingParametersThatWasNeverRegisteredIsReported) {
  ::testing::internal::CaptureStderr();
  Forgetful f;
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("Forgetful has a member Linear"), std::string::npos) << err;
  EXPECT_NE(err.find("never registered"), std::string::npos) << err;
  EXPECT_EQ(f->parameters().size(), 2u);  // the forgotten layer's are indeed missing

  ::testing::internal::CaptureStderr();
  nn::ModuleHolder<BasicBlock> fine;
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(ModuleErgonomics, NamedParametersHaveLibTorchKeyValueAccess) {
  BasicBlock b;
  auto params = b.named_parameters();
  EXPECT_EQ(params[0].key(), "fc1.weight");
  EXPECT_EQ(params[0].value().sizes(), IntArrayRef({4, 4}));
  EXPECT_TRUE(params.contains("fc2.bias"));
  EXPECT_EQ(params.find("nope"), nullptr);
  EXPECT_THROW(params["nope"], std::out_of_range);
  EXPECT_EQ(params.values().size(), 4u);
  for (auto& [name, t] : params) EXPECT_TRUE(t.requires_grad()) << name;  // still pairs
}

TEST(ModuleErgonomics, IValueReadsBackSavedData) {
  autograd::AutogradContext ctx;
  ctx.saved_data["c"] = 2.5;
  ctx.saved_data["n"] = int64_t{7};
  ctx.saved_data["s"] = "text";
  EXPECT_EQ(ctx.saved_data["c"].toDouble(), 2.5);
  EXPECT_EQ(ctx.saved_data["n"].toInt(), 7);
  EXPECT_EQ(ctx.saved_data["n"].toDouble(), 7.0);
  EXPECT_EQ(ctx.saved_data["s"].toStringRef(), "text");
  expect_error<ValueError>([&] { ctx.saved_data["s"].toTensor(); }, "IValue holds");
}

TEST(ModuleErgonomics, OneIntegerIsAShapeOrADimAsInLibTorch) {
  EXPECT_EQ(zeros(5).sizes(), IntArrayRef({5}));
  Tensor x = ones({2, 3});
  EXPECT_TRUE(equal(x.sum(0), full({3}, 2.0)));
}

TEST(ModuleErgonomics, HooksSeeEveryTensorOfAMultiInputForward) {
  TwoInputs m;
  std::vector<size_t> seen;
  m->register_forward_pre_hook([&](nn::Module&, const TensorList& inputs) { seen.push_back(inputs.size()); });
  m->register_forward_hook([&](nn::Module& mod, const TensorList& inputs, const TensorList& outputs) {
    EXPECT_EQ(mod.name(), "TwoInputs");
    seen.push_back(inputs.size() * 10 + outputs.size());
  });
  m(ones({2}), ones({2}));  // through the holder
  nn::AnyModule any(m);
  any.forward<std::tuple<Tensor, Tensor>>(ones({2}), ones({2}));  // through AnyModule
  EXPECT_EQ(seen, (std::vector<size_t>{2, 22, 2, 22}));
  m->forward(ones({2}), ones({2}));  // calling forward itself skips hooks, as in PyTorch
  EXPECT_EQ(seen.size(), 4u);

  nn::Linear lin(2, 3);  // a one-Tensor module runs them too
  lin.register_forward_hook([&](nn::Module&, const TensorList& in, const TensorList& out) {
    EXPECT_EQ(in.size(), 1u);
    EXPECT_EQ(out[0].size(1), 3);
    seen.push_back(7);
  });
  lin(ones({1, 2}));
  EXPECT_EQ(seen.back(), 7u);
}

TEST(ModuleErgonomics, AnErrorInAMultiInputForwardNamesTheModule) {
  TwoInputs m;
  try {
    m(ones({2}), ones({3}));
    ADD_FAILURE() << "expected a shape error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("TwoInputs"), std::string::npos) << e.what();
  }
}
