// Undefined (default-constructed) tensors: every op of the op table, the TensorList ops and the
// Tensor methods users reach for raise nabla::ValueError naming the op — never a segfault.
// One test per op (a crash would take down the whole process), driven by the op table.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include "expect_error.h"
#include "support/op_registry.h"

using namespace nabla;
using nabla::testing::expect_error;

namespace {

// Arguments every op accepts, so the failure is the undefined input and not a missing argument.
OpArgs generic_args() {
  OpArgs a;
  a.values = {{"dim", int64_t{0}},
              {"dims", std::vector<int64_t>{0}},
              {"shape", std::vector<int64_t>{-1}},
              {"sizes", std::vector<int64_t>{-1}},
              {"dim0", int64_t{0}},
              {"dim1", int64_t{0}},
              {"start", int64_t{0}},
              {"length", int64_t{1}},
              {"index", int64_t{0}},
              {"split_size", int64_t{1}},
              {"chunks", int64_t{1}},
              {"value", 0.0},
              {"indices", std::string("t1")},
              {"exponent", 2.0},
              {"dtype", std::string("float64")},
              {"k", int64_t{1}},
              {"kernel_size", int64_t{1}},
              {"normalized_shape", std::vector<int64_t>{3}},
              {"num_groups", int64_t{1}},
              {"output_size", int64_t{1}},
              {"num_classes", int64_t{3}},
              {"shifts", std::vector<int64_t>{1}},
              {"repeats", std::vector<int64_t>{1}},
              {"split_sizes", std::vector<int64_t>{1}},
              {"size", std::vector<int64_t>{1}},
              {"fill_value", 0.0},
              {"weight", 0.5},
              {"equation", std::string("ij")},
              {"upscale_factor", int64_t{1}},
              {"downscale_factor", int64_t{1}}};
  return a;
}

std::vector<OpId> ops_with_tensor_inputs() {
  std::vector<OpId> ids;
  for (int k = 0; k < kNumOps; ++k)
    if (kOpInfo[k].arity != 0) ids.push_back(static_cast<OpId>(k));
  return ids;
}

std::string op_param_name(const ::testing::TestParamInfo<OpId>& info) {
  return std::string(kOpInfo[static_cast<int>(info.param)].name);
}

class UndefinedInputs : public ::testing::TestWithParam<OpId> {};

// All tensor inputs undefined: a ValueError whose message names the op.
TEST_P(UndefinedInputs, AllUndefinedRaisesValueErrorNamingTheOp) {
  const OpInfo& info = kOpInfo[static_cast<int>(GetParam())];
  const TensorList inputs(info.arity < 0 ? 2 : info.arity);
  // The user calls pow and lerp: their Scalar overloads have rows of their own.
  const std::string name = info.name == "pow_scalar"    ? "pow"
                           : info.name == "lerp_scalar" ? "lerp"
                                                        : std::string(info.name);
  expect_error<ValueError>([&] { op_invoker(GetParam())(inputs, generic_args()); }, {name, "undefined"});
}

// One input undefined at a time, the others defined: the op may succeed (an optional input such as
// a bias) or raise a nabla::Error, but must not crash.
TEST_P(UndefinedInputs, OneUndefinedInputNeverCrashes) {
  const OpInfo& info = kOpInfo[static_cast<int>(GetParam())];
  const int n = info.arity < 0 ? 2 : info.arity;
  for (int k = 0; k < n; ++k) {
    TensorList inputs;
    for (int i = 0; i < n; ++i) inputs.push_back(i == k ? Tensor() : ones({2, 3}, {.dtype = kFloat64}));
    try {
      op_invoker(GetParam())(inputs, generic_args());
    } catch (const Error&) {
    }
  }
}

INSTANTIATE_TEST_SUITE_P(OpTable, UndefinedInputs, ::testing::ValuesIn(ops_with_tensor_inputs()),
                         op_param_name);

TEST(UndefinedLists, CatAndStackNameTheOpAndPosition) {
  Tensor x = ones({2});
  expect_error<ValueError>([&] { cat({x, Tensor()}, 0); }, {"cat", "undefined", "1"});
  expect_error<ValueError>([&] { cat({Tensor(), x}, 0); }, {"cat", "undefined", "0"});
  expect_error<ValueError>([&] { stack({x, Tensor()}, 0); }, {"stack", "undefined", "1"});
}

TEST(UndefinedMethods, CommonTensorMethodsRaise) {
  Tensor u;
  expect_error<ValueError>([&] { (void)u.sizes(); }, {"sizes", "undefined"});
  expect_error<ValueError>([&] { (void)u.dim(); }, {"dim", "undefined"});
  expect_error<ValueError>([&] { (void)u.numel(); }, {"numel", "undefined"});
  expect_error<ValueError>([&] { (void)u.dtype(); }, {"dtype", "undefined"});
  expect_error<ValueError>([&] { (void)u.item(); }, {"item", "undefined"});
  expect_error<ValueError>([&] { (void)u.to(kFloat64); }, {"to", "undefined"});
  expect_error<ValueError>([&] { (void)u.contiguous(); }, {"contiguous", "undefined"});
  expect_error<ValueError>([&] { (void)u.clone(); }, {"clone", "undefined"});
  expect_error<ValueError>([&] { u.backward(); }, {"backward", "undefined"});
  expect_error<ValueError>([&] { (void)u.sum(); }, {"sum", "undefined"});
  expect_error<ValueError>([&] { (void)(u + ones({1})); }, {"add", "undefined"});
}

TEST(UndefinedModules, LoadStateDictNamesTheKey) {
  nn::Linear lin(2, 3);
  expect_error<ValueError>(
      [&] {
        lin.load_state_dict({{"weight", Tensor()}, {"bias", zeros({3})}});
      },
      {"load_state_dict", "weight", "undefined"});
}

}  // namespace
