// What the exporter refuses (an op without a mapping is an error naming it), what it recovers from the
// trace alone (functional ops' attributes), and what it leaves as it was (module modes, the file).
#include <filesystem>
#include <fstream>

#include "expect_error.h"
#include "onnx_test_util.h"

using namespace nabla;
using namespace nabla::onnx_test;
using nabla::testing::expect_error;

namespace {

// A module whose forward is a lambda.
struct Fn : nn::Module {
  std::function<Tensor(Tensor)> f;
  explicit Fn(std::function<Tensor(Tensor)> f) : f(std::move(f)) {}
  Tensor forward(Tensor x) override { return f(x); }
  std::string name() const override { return "Fn"; }
};

::onnx::ModelProto export_fn(std::function<Tensor(Tensor)> f, const Tensor& x) {
  Fn m(std::move(f));
  return export_parsed(m, x);
}

struct Double : autograd::Function<Double> {
  static Tensor forward(autograd::AutogradContext*, const Tensor& x) { return x * 2.0; }
  static TensorList backward(autograd::AutogradContext*, TensorList g) { return {g[0] * 2.0}; }
};

}  // namespace

TEST(OnnxExportErrors, UnmappedOpIsNamed) {
  expect_error<NotImplementedError>(
      [] {
        export_fn([](Tensor x) { return cumsum(x, 1); }, randn({2, 3}));
      },
      {"op 'cumsum'", "no ONNX mapping", "Fn"});
}

TEST(OnnxExportErrors, FunctionalConvolutionIsRefused) {
  Tensor w = randn({4, 3, 3, 3});
  expect_error<NotImplementedError>(
      [&] {
        export_fn([&](Tensor x) { return nn::functional::conv2d(x, w); }, randn({2, 3, 8, 8}));
      },
      {"conv2d called as a function", "nn::Conv2d"});
}

TEST(OnnxExportErrors, CustomFunctionIsNamed) {
  expect_error<NotImplementedError>(
      [] {
        export_fn([](Tensor x) { return Double::apply(x); }, randn({2, 3}));
      },
      {"custom autograd Function", "Double"});
}

TEST(OnnxExportErrors, InPlaceWriteIsRefused) {
  expect_error<NotImplementedError>(
      [] {
        export_fn(
            [](Tensor x) {
              Tensor y = x.relu();
              y.add_(1.0);
              return y * 2.0;
            },
            randn({2, 3}));
      },
      {"modified in place", "x = x + y"});
}

TEST(OnnxExportErrors, UnseenBatchDependentValueIsRefused) {
  // The comparison is not an op the observer sees: its result would become a constant.
  expect_error<NotImplementedError>(
      [] {
        export_fn([](Tensor x) { return x * (x > 0.0).to(kFloat32); }, randn({2, 3}));
      },
      {"not computed by an op the export can see", "[2, 3]"});
}

TEST(OnnxExportErrors, AddWithAlphaIsRefused) {
  expect_error<NotImplementedError>(
      [] {
        export_fn([](Tensor x) { return add(x, x.relu(), 2); }, randn({2, 3}));
      },
      "alpha != 1");
}

TEST(OnnxExportErrors, BadOptions) {
  nn::Linear fc(3, 2);
  expect_error<ValueError>(
      [&] {
        export_parsed(fc, randn({2, 3}), {.opset_version = 12});
      },
      {"opset_version 12", "13", "17"});
  expect_error<ValueError>(
      [&] {
        export_parsed(fc, randn({2, 3}), {.input_names = {"a", "b"}});
      },
      {"input_names", "2 names for 1 input"});
  expect_error<ValueError>(
      [&] {
        nabla::onnx::export_model(fc, {randn({2, 3}), randn({2, 3})}, "/tmp/x.onnx");
      },
      {"one example input", "got 2"});
  expect_error<ValueError>([&] { nabla::onnx::export_model(fc, {Tensor()}, "/tmp/x.onnx"); }, "undefined");
}

TEST(OnnxExportOps, AttributesRecoveredFromTheTrace) {
  auto m = export_fn(
      [](Tensor x) {
        Tensor t = x.transpose(1, 2);                                       // [N, 4, 3]
        Tensor s = t.select(2, 1).narrow(1, 1, 2);                          // [N, 2]
        return softmax(leaky_relu(t, 0.2), 1).sum({1}) + s.sum({1}, true);  // [N, 3] + [N, 1]
      },
      randn({2, 3, 4}));
  EXPECT_EQ(ints(first_of(m, "Transpose"), "perm"), (std::vector<int64_t>{0, 2, 1}));
  EXPECT_EQ(int_attr(first_of(m, "Gather"), "axis"), 2);
  const auto& slice = first_of(m, "Slice");
  EXPECT_EQ(initializer_ints(m, slice.input(1)), (std::vector<int64_t>{1}));                  // starts
  EXPECT_EQ(initializer_ints(m, slice.input(2)), (std::vector<int64_t>{3}));                  // ends
  EXPECT_EQ(initializer_ints(m, slice.input(3)), (std::vector<int64_t>{1}));                  // axes
  EXPECT_EQ(initializer_ints(m, first_of(m, "Gather").input(1)), (std::vector<int64_t>{1}));  // the index
  EXPECT_NEAR(attr(first_of(m, "LeakyRelu"), "alpha")->f(), 0.2, 1e-6);
  EXPECT_EQ(int_attr(first_of(m, "Softmax"), "axis"), 1);
  EXPECT_EQ(count(m, "ReduceSum"), 2);
  EXPECT_EQ(dims(m.graph().output(0)), (std::vector<std::string>{"batch", "3"}));
}

TEST(OnnxExportOps, ReshapesKeepTheBatchSymbolic) {
  auto m = export_fn(
      [](Tensor x) {
        return x.reshape({x.size(0) * 3, 4}).relu().view({-1, 3, 4});
      },
      randn({2, 3, 4}));
  ASSERT_EQ(count(m, "Reshape"), 2);
  for (const auto& n : m.graph().node())
    if (n.op_type() == "Reshape") {
      const auto* shape = initializer(m, n.input(1));
      ASSERT_NE(shape, nullptr);
      int64_t first;
      std::memcpy(&first, shape->raw_data().data(), sizeof first);
      EXPECT_EQ(first, -1) << "the batch dim is computed, not baked in";
    }
  EXPECT_EQ(dims(m.graph().output(0)), (std::vector<std::string>{"batch", "3", "4"}));
}

TEST(OnnxExportModes, ModulesGetTheirModesBack) {
  nn::Sequential seq{nn::Linear(3, 4), nn::Dropout(0.5), nn::BatchNorm1d(4)};
  seq.train();
  auto children = seq.named_modules();
  children["2"]->eval();  // a frozen batch norm stays in eval
  export_parsed(seq, randn({2, 3}));
  EXPECT_TRUE(seq.is_training());
  EXPECT_TRUE(children["1"]->is_training());
  EXPECT_FALSE(children["2"]->is_training());
}

TEST(OnnxExportFile, WrittenAtomically) {
  const auto dir = std::filesystem::temp_directory_path() / "nabla_onnx_file_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "fc.onnx").string();
  nn::Linear fc(3, 2);
  nabla::onnx::export_model(fc, {randn({2, 3})}, path);
  nabla::onnx::export_model(fc, {randn({2, 3})}, path);  // replaces it
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(op_types(parse(bytes)), (std::vector<std::string>{"Gemm"}));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1)
      << "no temporary file left beside it";
  expect_error<IOError>(
      [&] {
        nabla::onnx::export_model(fc, {randn({2, 3})}, (dir / "missing" / "x.onnx").string());
      },
      "missing");
  std::filesystem::remove_all(dir);
}
