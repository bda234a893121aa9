// modules_golden_test.cpp — every nn layer and loss against torch.nn (tests/golden/modules.json, written by
// tests/golden/gen_modules_golden.py): PyTorch's state_dict is loaded into the nabla module (the key sets
// must be equal, as strict loading requires), which must give the same outputs, gradients of the inputs and
// of every parameter (backward of sum(outputs[k] * grad_outputs[k])), and the same buffers afterwards
// (BatchNorm's running statistics).
//
// Tolerances (float32 on both sides): |got - want| <= atol + rtol * |want| with rtol 1e-4, atol 1e-5 for
// outputs, gradients and buffers, as for the accumulating ops in tests/ops/golden_test.cpp. Values are O(1)
// and each is a sum of at most a few hundred float32 products (3-step recurrences over 2 layers, convolution
// windows, batch statistics), so another summation order moves them by ~1e-7..1e-6 (the worst seen: 1.4e-6,
// a LayerNorm gradient), about 10x inside the tolerance. Integers (MaxPool2d indices,
// num_batches_tracked) must match exactly.
// Dropout in training mode draws masks from nabla's generator (not PyTorch's), so those cases check
// the structure instead: each output is 0 or x/(1-p), the gradient is the mask/(1-p), whole channels are
// dropped together (Dropout2d), and the drop frequency and mask independence are plausible for p.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "nn/module_cases.h"

namespace nabla {
namespace {

using modcases::json;

constexpr golden::Tolerance kTol{1e-4, 1e-5};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::vector<std::string> case_names() {
  std::vector<std::string> out;
  for (const json& c : modcases::all_cases()) out.push_back(c["name"].get<std::string>());
  return out;
}

// Compares a list of named tensors (parameter grads or buffers) with PyTorch's, name by name.
void expect_named(const nn::NamedTensors& got, const json& want, const char* what,
                  const std::function<Tensor(const Tensor&)>& get) {
  std::map<std::string, Tensor> by_name(got.begin(), got.end());
  EXPECT_EQ(got.size(), want.size()) << what << ": nabla and PyTorch list different names";
  for (const json& kv : want) {
    const std::string name = kv[0].get<std::string>();
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      ADD_FAILURE() << what << " " << name << ": missing in nabla";
      continue;
    }
    const Tensor t = get(it->second);
    if (kv[1].is_null()) {
      EXPECT_FALSE(t.defined()) << what << " " << name << ": PyTorch has none, nabla has one";
      continue;
    }
    const std::string diff = golden::compare(t, kv[1], kTol);
    EXPECT_EQ(diff, "") << what << " " << name;
  }
}

// ---- Dropout in training mode: structure, not values ----
void check_dropout_mask(const json& c) {
  const double p = c["options"]["p"].get<double>();
  const auto shape = c["input_shape"].get<std::vector<int64_t>>();
  modcases::Built b = modcases::build(c, kFloat32);
  manual_seed(2024);  // the masks come from the default generator: the same draws whatever ran before
  Tensor x = (rand(shape) + 0.5).requires_grad_(true);  // nonzero, so y/x recovers the mask
  Tensor y = b.forward({x})[0];
  y.backward(ones_like(y));
  ASSERT_TRUE(x.grad().defined());
  const std::vector<double> xs = x.to_vector(), ys = y.to_vector(), gs = x.grad().to_vector();
  const double scale = 1.0 / (1.0 - p);
  // PyTorch's dropout2d draws one value per (dim 0, dim 1) entry (feature_dropout: a 3-D input is (N, C, L)).
  const bool feature = c["kind"] == "Dropout2d";
  const size_t unit = feature ? static_cast<size_t>(x.numel() / (shape[0] * shape[1])) : 1;
  std::vector<bool> kept(xs.size() / unit);
  for (size_t k = 0; k < xs.size(); ++k) {
    const bool keep = ys[k] != 0;
    if (keep) {
      ASSERT_NEAR(ys[k], xs[k] * scale, 1e-6 * std::abs(ys[k])) << "element " << k;
    }
    ASSERT_EQ(gs[k], keep ? static_cast<float>(scale) : 0.0) << "grad of element " << k;
    if (k % unit == 0) kept[k / unit] = keep;
    ASSERT_EQ(keep, kept[k / unit]) << "element " << k << ": a dropped channel must be dropped whole";
  }
  // Drop frequency within 5 standard deviations of p; neighbouring units agree as often as independent draws.
  const double n = static_cast<double>(kept.size());
  double dropped = 0, agree = 0;
  for (size_t u = 0; u < kept.size(); ++u) {
    dropped += !kept[u];
    if (u > 0) agree += kept[u] == kept[u - 1];
  }
  const double want_agree = p * p + (1 - p) * (1 - p);
  EXPECT_NEAR(dropped / n, p, 5 * std::sqrt(p * (1 - p) / n)) << "drop fraction over " << n << " units";
  EXPECT_NEAR(agree / (n - 1), want_agree, 5 * std::sqrt(want_agree * (1 - want_agree) / (n - 1)))
      << "neighbouring units agree too often: masks are not drawn independently per unit";
}

class ModuleGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ModuleGolden, MatchesPyTorch) {
  const json& c = modcases::case_named(GetParam());
  if (modcases::is_mask_case(c)) return check_dropout_mask(c);
  nn::LoadResult names;
  modcases::Built b = modcases::build(c, kFloat32, &names);
  // What load_state_dict(strict=true) would refuse: the dotted names must be exactly PyTorch's.
  EXPECT_TRUE(names.missing_keys.empty())
      << "state_dict keys nabla has but PyTorch does not: " << join(names.missing_keys);
  EXPECT_TRUE(names.unexpected_keys.empty())
      << "PyTorch state_dict keys nabla does not have: " << join(names.unexpected_keys);
  TensorList in = modcases::inputs_of(c, kFloat32);
  TensorList outs = b.forward(in);
  const json& want = c["outputs"];
  ASSERT_EQ(outs.size(), want.size()) << "number of outputs";
  for (size_t k = 0; k < outs.size(); ++k)
    EXPECT_EQ(golden::compare(outs[k], want[k], kTol), "") << "output " << k;

  // Backward of sum(out * grad_out) over the outputs PyTorch could differentiate.
  TensorList diff_outs, grad_outs;
  for (size_t k = 0; k < outs.size(); ++k) {
    const json& go = c["grad_outputs"][k];
    if (outs[k].is_floating_point()) {
      EXPECT_EQ(outs[k].requires_grad(), !go.is_null())
          << "output " << k << " requires_grad differs from PyTorch";
    }
    if (go.is_null() || !outs[k].requires_grad()) continue;
    diff_outs.push_back(outs[k]);
    grad_outs.push_back(golden::tensor_from_json(go));
  }
  if (!diff_outs.empty()) autograd::backward(diff_outs, grad_outs);
  for (size_t k = 0; k < in.size(); ++k) {
    const json& g = c["grads"][k];
    if (g.is_null()) continue;
    EXPECT_EQ(golden::compare(in[k].grad(), g, kTol), "") << "grad of input " << k;
  }
  expect_named(b.module->named_parameters(), c["param_grads"], "grad of parameter",
               [](const Tensor& p) { return p.grad(); });
  expect_named(b.module->named_buffers(), c["buffers_after"], "buffer after forward",
               [](const Tensor& t) { return t; });
}

INSTANTIATE_TEST_SUITE_P(Modules, ModuleGolden, ::testing::ValuesIn(case_names()), modcases::test_name);

// Every required layer/loss has a case, and every case's kind has a factory (a kind the factory does not
// know would otherwise fail only at run time, hidden among the parameterized cases).
TEST(ModuleGoldenCoverage, EveryKindHasACaseAndAFactory) {
  std::set<std::string> kinds;
  for (const json& c : modcases::all_cases()) kinds.insert(c["kind"].get<std::string>());
  for (const std::string& k : modcases::kRequiredKinds) {
    EXPECT_TRUE(kinds.count(k)) << k << " has no case in modules.json";
    EXPECT_TRUE(modcases::known_kind(k)) << k << " has no factory";
  }
  for (const std::string& k : kinds)
    EXPECT_TRUE(modcases::known_kind(k)) << "modules.json kind " << k << " has no factory";
}

}  // namespace
}  // namespace nabla
