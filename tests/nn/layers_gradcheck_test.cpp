// layers_gradcheck_test.cpp — float64 finite-difference gradcheck of every nn layer and loss (central
// differences, eps 1e-6, atol 1e-5, rtol 1e-3: nabla::gradcheck's defaults), on the cases of
// tests/golden/modules.json: the module is converted with to(float64) and loaded with the case's state;
// we differentiate the inputs PyTorch differentiated (x, h0, c0, loss targets) and every parameter that
// requires grad. The parameters are passed to gradcheck as inputs: it perturbs their storage in place, and
// the module reads the same storage.
// Dropout (and RNN dropout between layers) also runs in training mode with a fixed mask: the default
// generator is reseeded before every evaluation, so each call draws the same mask.
#include <gtest/gtest.h>

#include <set>

#include "nabla/autograd/autograd.h"
#include "nn/module_cases.h"

namespace nabla {
namespace {

using modcases::json;

// Cases with something to differentiate: an input or parameter PyTorch had a gradient for, or a dropout
// mask case (gradchecked in training mode on a small input of its own).
// Cases marked "gradcheck": false have a conventional gradient (Embedding's padding row) and are skipped.
bool has_gradcheck(const json& c) {
  if (modcases::is_mask_case(c)) return true;
  if (!c.value("gradcheck", true)) return false;
  for (const json& g : c["grads"])
    if (!g.is_null()) return true;
  for (const json& kv : c["param_grads"])
    if (!kv[1].is_null()) return true;
  return false;
}

// Runs on a random module-less input for the dropout mask cases (their golden input is large).
TensorList inputs_for(const json& c) {
  if (!modcases::is_mask_case(c)) return modcases::inputs_of(c, kFloat64);
  std::vector<int64_t> shape = c["input_shape"].get<std::vector<int64_t>>();
  for (int64_t& s : shape) s = std::min<int64_t>(s, 4);
  RandomGenerator gen(5);
  return {randn(shape, {.dtype = kFloat64}, &gen).requires_grad_(true)};
}

// gradcheck of `b` on `in` and the module's parameters. fixed_seed: reseed before each call (dropout).
void run_gradcheck(modcases::Built& b, const TensorList& in, bool fixed_seed) {
  TensorList all = in;
  const size_t n_in = in.size();
  for (const Tensor& p : b.module->parameters())
    if (p.requires_grad()) all.push_back(p);
  // One concatenated output: gradcheck's finite differences then evaluate the module once per perturbation.
  auto fn = [&b, n_in, fixed_seed](const TensorList& xs) {
    if (fixed_seed) manual_seed(1234);
    TensorList flat;
    for (const Tensor& o : b.forward(TensorList(xs.begin(), xs.begin() + static_cast<int64_t>(n_in))))
      if (o.is_floating_point()) flat.push_back(o.reshape({-1}));
    return TensorList{cat(flat, 0)};
  };
  // Not a vacuous check: the output is float64 and every differentiated tensor reaches it (a module reading
  // a stale copy of its parameters would give zero numerical and zero analytical gradients).
  TensorList diff;
  for (const Tensor& t : all)
    if (t.defined() && t.requires_grad()) diff.push_back(t);
  const Tensor out = fn(all)[0];
  ASSERT_EQ(out.dtype(), kFloat64);
  const TensorList g = autograd::grad({out}, diff, {ones_like(out)}, false, false, /*allow_unused=*/true);
  for (size_t k = 0; k < g.size(); ++k)
    EXPECT_TRUE(g[k].defined()) << "differentiated tensor " << k << " is unused";
  EXPECT_TRUE(gradcheck(fn, all));
}

bool has_dropout(const json& c) {
  const std::string k = c["kind"].get<std::string>();
  return k == "Dropout" || k == "Dropout2d" || c["options"].value("dropout", 0.0) > 0;
}

std::vector<std::string> case_names() {
  std::vector<std::string> out;
  for (const json& c : modcases::all_cases())
    if (has_gradcheck(c)) out.push_back(c["name"].get<std::string>());
  return out;
}

class LayerGradcheck : public ::testing::TestWithParam<std::string> {};

TEST_P(LayerGradcheck, Float64) {
  const json& c = modcases::case_named(GetParam());
  modcases::Built b = modcases::build(c, kFloat64);
  TensorList in = inputs_for(c);
  if (!modcases::is_mask_case(c)) {
    SCOPED_TRACE("mode " + c["mode"].get<std::string>());
    run_gradcheck(b, in, false);
  }
  if (has_dropout(c)) {
    SCOPED_TRACE("training mode, fixed dropout mask");
    b.module->train();
    run_gradcheck(b, in, true);
  }
}

INSTANTIATE_TEST_SUITE_P(Modules, LayerGradcheck, ::testing::ValuesIn(case_names()), modcases::test_name);

TEST(LayerGradcheckCoverage, EveryKindIsGradchecked) {
  std::set<std::string> checked;
  for (const std::string& name : case_names())
    checked.insert(modcases::case_named(name)["kind"].get<std::string>());
  for (const std::string& k : modcases::kRequiredKinds)
    EXPECT_TRUE(checked.count(k)) << k << " has no gradcheck";
  // The recurrent layers must be checked with 2 layers, both directions and an initial state.
  for (const char* k : {"RNN", "LSTM", "GRU"}) {
    bool full = false;
    for (const std::string& name : case_names()) {
      const json& c = modcases::case_named(name);
      const json& o = c["options"];
      if (c["kind"] == k && o.value("num_layers", 1) == 2 && o.value("bidirectional", false) &&
          !c["grads"][1].is_null())
        full = true;
    }
    EXPECT_TRUE(full) << k << ": no gradcheck with 2 layers, bidirectional and a differentiated h0";
  }
}

}  // namespace
}  // namespace nabla
