// gradcheck_test.cpp — float64 finite-difference gradcheck of every differentiable op of the op table,
// on the inputs of its golden cases (tests/golden/ops.json): broadcasting, mixed-dtype and
// non-contiguous inputs included (floating inputs become float64, keeping their layout). Double backward
// (gradgradcheck) for the rows whose `dbl` column is true (Note [Op table rows]).
#include <gtest/gtest.h>

#include <string>

#include "golden/golden_cases.h"
#include "nabla/autograd/autograd.h"
#include "nabla/ops/ops.h"
#include "support/op_registry.h"

namespace nabla {
namespace {

using golden::json;

// The rows whose `dbl` column is true (include/nabla/ops/op_table.h) also get gradgradcheck.
std::vector<std::string> double_backward_op_names() {
  std::vector<std::string> names;
  for (const OpInfo& info : kOpInfo)
    if (info.double_backward) names.emplace_back(info.name);
  return names;
}

std::vector<std::string> differentiable_op_names() {
  std::vector<std::string> names;
  for (const OpInfo& info : kOpInfo)
    if (info.differentiable) names.emplace_back(info.name);
  return names;
}

std::string case_name(const json& c) { return c["name"].get<std::string>() + " " + golden::layouts_str(c); }

enum class Check { Grad, GradGrad };

// Runs gradcheck or gradgradcheck on every golden gradient case of `op`; returns how many ran. Skipped:
// cases marked "gradcheck": false (inputs at kinks/ties where PyTorch's gradient is a convention), and
// cases whose floating outputs are not float64 once the inputs are (to_dtype float32, ...): a float32
// output cannot resolve a 1e-6 finite difference.
int sweep(const std::string& op, Check check) {
  int run = 0;
  for (const json* cp : golden::cases_of(op)) {
    const json& c = *cp;
    if (!golden::has_grads(c) || !c.value("gradcheck", true)) continue;
    TensorList in;
    try {
      in = golden::inputs_of(c, DType::Float64);
      golden::require_grads(c, in);
      bool all_f64 = true;
      for (const Tensor& o : golden::invoke(c, in))
        if (o.is_floating_point() && o.dtype() != DType::Float64) all_f64 = false;
      if (!all_f64) continue;
    } catch (const std::exception& e) {
      ADD_FAILURE() << case_name(c) << ": forward threw " << e.what();
      ++run;
      continue;
    }
    ++run;
    auto fn = [&c](const TensorList& xs) { return golden::invoke(c, xs); };
    try {
      const bool ok = check == Check::Grad ? gradcheck(fn, in) : gradgradcheck(fn, in);
      EXPECT_TRUE(ok) << case_name(c);
    } catch (const std::exception& e) {
      ADD_FAILURE() << case_name(c) << ": " << e.what();
    }
  }
  return run;
}

class GradcheckOp : public ::testing::TestWithParam<std::string> {};

TEST_P(GradcheckOp, Gradcheck) {
  EXPECT_GT(sweep(GetParam(), Check::Grad), 0) << GetParam() << ": no gradcheck case ran";
}

INSTANTIATE_TEST_SUITE_P(Ops, GradcheckOp, ::testing::ValuesIn(differentiable_op_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

class GradgradcheckOp : public ::testing::TestWithParam<std::string> {};

TEST_P(GradgradcheckOp, Gradgradcheck) {
  EXPECT_GT(sweep(GetParam(), Check::GradGrad), 0) << GetParam() << ": no gradgradcheck case ran";
}

INSTANTIATE_TEST_SUITE_P(Ops, GradgradcheckOp, ::testing::ValuesIn(double_backward_op_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// Every differentiable op of the table has a case the sweep can run (op_table.h static_asserts that
// only differentiable rows claim double backward).
TEST(GradcheckCoverage, EveryDifferentiableOpHasACase) {
  std::string missing;
  for (const OpInfo& info : kOpInfo) {
    if (!info.differentiable) continue;
    bool any = false;
    for (const json* c : golden::cases_of(info.name)) any = any || golden::has_grads(*c);
    if (!any) missing += std::string(missing.empty() ? "" : ", ") + std::string(info.name);
  }
  EXPECT_TRUE(missing.empty()) << "differentiable ops without a gradcheck case: " << missing;
}

}  // namespace
}  // namespace nabla
