// golden_test.cpp — every op of the op table against PyTorch: forward values (dtype, shape, values) and
// input gradients, from tests/golden/ops.json (regenerate with tests/golden/gen_golden.py).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "golden/golden_cases.h"
#include "golden/golden_tolerance.h"
#include "nabla/autograd/autograd.h"
#include "nabla/ops/ops.h"
#include "support/op_registry.h"

namespace nabla {
namespace {

using golden::grad_tolerance_for;
using golden::json;
using golden::tolerance_for;

// Ops whose inputs broadcast elementwise against each other: each needs a broadcasting case.
const std::set<std::string> kBroadcastingOps = {
    "add",         "sub",        "mul",         "div",  "pow",         "minimum", "maximum",
    "where",       "eq",         "ne",          "lt",   "le",          "gt",      "ge",
    "logical_and", "logical_or", "logical_xor", "lerp", "lerp_scalar", "addcmul", "addcdiv"};

std::vector<std::string> all_op_names() {
  std::vector<std::string> names;
  for (const OpInfo& info : kOpInfo) names.emplace_back(info.name);
  return names;
}

std::string case_name(const json& c) { return c["name"].get<std::string>() + " " + golden::layouts_str(c); }

// ---- (a) coverage: every op has golden cases ----------------------------------------------------
TEST(GoldenCoverage, EveryOpHasCases) {
  std::vector<std::string> no_forward, no_grad, no_noncontig, no_bcast;
  for (const OpInfo& info : kOpInfo) {
    const std::string name(info.name);
    auto cases = golden::cases_of(name);
    if (cases.empty()) no_forward.push_back(name);
    if (info.differentiable &&
        std::none_of(cases.begin(), cases.end(), [](const json* c) { return golden::has_grads(*c); }))
      no_grad.push_back(name);
    auto noncontig = [](const json* c) {
      for (const json& in : (*c)["inputs"])
        if (!in.is_null() && in.value("layout", "contiguous") != "contiguous") return true;
      return false;
    };
    if (info.differentiable && info.arity != 0 && std::none_of(cases.begin(), cases.end(), noncontig))
      no_noncontig.push_back(name);
    auto broadcasts = [](const json* c) {
      const json& ins = (*c)["inputs"];
      for (const json& in : ins)
        if (!in.is_null() && !ins[0].is_null() && in["shape"] != ins[0]["shape"]) return true;
      return false;
    };
    if (kBroadcastingOps.count(name) && std::none_of(cases.begin(), cases.end(), broadcasts))
      no_bcast.push_back(name);
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  EXPECT_TRUE(no_forward.empty()) << "ops without a golden forward case: " << join(no_forward);
  EXPECT_TRUE(no_grad.empty()) << "differentiable ops without a golden gradient case: " << join(no_grad);
  EXPECT_TRUE(no_noncontig.empty()) << "differentiable ops without a non-contiguous input case: "
                                    << join(no_noncontig);
  EXPECT_TRUE(no_bcast.empty()) << "elementwise binary ops without a broadcasting case: " << join(no_bcast);
}

TEST(GoldenCoverage, EveryCaseNamesAKnownOp) {
  for (const json& c : golden::all_cases()) {
    const std::string op = c["op"].get<std::string>();
    EXPECT_NO_THROW(op_from_name(op))
        << "golden case " << c["name"] << " names op '" << op << "' not in the op table";
  }
  for (const std::string& op : kBroadcastingOps) EXPECT_NO_THROW(op_from_name(op)) << op;
}

// The inputs the tests build really have the layout the file asks for.
TEST(GoldenCoverage, LayoutsAreHonoured) {
  for (const json& c : golden::all_cases()) {
    TensorList in = golden::inputs_of(c);
    for (size_t k = 0; k < in.size(); ++k) {
      if (!in[k].defined()) continue;
      const bool contiguous = c["inputs"][k].value("layout", "contiguous") == "contiguous";
      EXPECT_EQ(in[k].is_contiguous(), contiguous) << case_name(c) << " input " << k;
    }
  }
}

// ---- (b) forward values --------------------------------------------------------------------------
class GoldenOp : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenOp, Forward) {
  const std::string op = GetParam();
  for (const json* cp : golden::cases_of(op)) {
    const json& c = *cp;
    SCOPED_TRACE(case_name(c));
    TensorList out;
    try {
      out = golden::invoke(c, golden::inputs_of(c));
    } catch (const std::exception& e) {
      ADD_FAILURE() << case_name(c) << ": threw " << e.what();
      continue;
    }
    const json& want = c["outputs"];
    if (out.size() != want.size()) {
      ADD_FAILURE() << case_name(c) << ": " << out.size() << " outputs, expected " << want.size();
      continue;
    }
    for (size_t k = 0; k < out.size(); ++k) {
      const std::string diff = golden::compare(out[k], want[k], tolerance_for(c));
      EXPECT_TRUE(diff.empty()) << case_name(c) << " output " << k << ": " << diff;
    }
  }
}

// ---- (c) gradients -------------------------------------------------------------------------------
TEST_P(GoldenOp, Backward) {
  const std::string op = GetParam();
  int run = 0;
  for (const json* cp : golden::cases_of(op)) {
    const json& c = *cp;
    if (!golden::has_grads(c)) continue;
    SCOPED_TRACE(case_name(c));
    ++run;
    TensorList in = golden::inputs_of(c);
    golden::require_grads(c, in);
    TensorList outs, gos;
    try {
      TensorList out = golden::invoke(c, in);
      const json& g = c["grad_outputs"];
      ASSERT_EQ(out.size(), g.size()) << case_name(c);
      for (size_t k = 0; k < out.size(); ++k) {
        if (g[k].is_null()) continue;
        if (!out[k].requires_grad()) {
          ADD_FAILURE() << case_name(c) << ": output " << k << " does not require grad";
          continue;
        }
        outs.push_back(out[k]);
        gos.push_back(golden::tensor_from_json(g[k]));
      }
      autograd::backward(outs, gos);
    } catch (const std::exception& e) {
      ADD_FAILURE() << case_name(c) << ": threw " << e.what();
      continue;
    }
    const json& want = c["grads"];
    for (size_t k = 0; k < in.size(); ++k) {
      if (want[k].is_null()) continue;  // PyTorch did not differentiate this input
      const Tensor& grad = in[k].grad();
      const std::string diff = golden::compare(grad, want[k], grad_tolerance_for(c));
      EXPECT_TRUE(diff.empty()) << case_name(c) << " grad of input " << k << ": " << diff;
    }
  }
  if (op_info(op_from_name(op)).differentiable) {
    EXPECT_GT(run, 0) << op << ": no golden gradient case";
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, GoldenOp, ::testing::ValuesIn(all_op_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// ---- the registry itself -------------------------------------------------------------------------
TEST(OpRegistry, NamesRoundTrip) {
  for (int k = 0; k < kNumOps; ++k) {
    const OpId id = static_cast<OpId>(k);
    EXPECT_EQ(op_from_name(std::string(op_info(id).name)), id);
    EXPECT_NE(op_invoker(id), nullptr);
  }
  EXPECT_THROW(op_from_name("no_such_op"), ValueError);
}

TEST(OpRegistry, ChecksArityAndArguments) {
  Tensor x = ones({2, 3});
  EXPECT_THROW(op_invoker(OpId::add)({x}, {}), ValueError);
  EXPECT_THROW(op_invoker(OpId::softmax)({x}, {}), ValueError);  // missing "dim"
  OpArgs bad;
  bad.values["dim"] = std::string("one");
  EXPECT_THROW(op_invoker(OpId::softmax)({x}, bad), ValueError);
  OpArgs idx;
  idx.values["indices"] = std::string("t5");
  EXPECT_THROW(op_invoker(OpId::index)({x}, idx), ValueError);
}

TEST(OpRegistry, OpArgsAccessors) {
  OpArgs a;
  a.values["i"] = int64_t{3};
  a.values["d"] = 2.5;
  a.values["b"] = true;
  a.values["s"] = std::string("tanh");
  a.values["v"] = std::vector<int64_t>{1, 2};
  EXPECT_EQ(a.i("i", 0), 3);
  EXPECT_EQ(a.i("missing", 7), 7);
  EXPECT_DOUBLE_EQ(a.d("d", 0), 2.5);
  EXPECT_DOUBLE_EQ(a.d("i", 0), 3.0);  // an int is accepted as a double
  EXPECT_TRUE(a.b("b", false));
  EXPECT_EQ(a.s("s", ""), "tanh");
  EXPECT_EQ(a.ints("v", {}), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(a.ints("i", {}), (std::vector<int64_t>{3}));  // a single int is a one-element list
  EXPECT_THROW(a.i("d", 0), ValueError);
  EXPECT_THROW(a.b("i", false), ValueError);
}

}  // namespace
}  // namespace nabla
