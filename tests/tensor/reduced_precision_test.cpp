// reduced_precision_test.cpp — float16 and bfloat16 against PyTorch (tests/golden/reduced.json, from
// gen_reduced_golden.py): conversion bits, type promotion, and one case of every op of the op table in
// each dtype, forward and gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include "golden/golden_cases.h"
#include "golden/golden_json.h"
#include "nabla/autograd/autograd.h"
#include "nabla/nabla.h"

namespace nabla {
namespace {

using golden::json;

const json& reduced() {
  static const json doc = golden_io::load_json("reduced.json");
  return doc;
}

uint16_t bits_of(const Tensor& t, int64_t i) {
  uint16_t b;
  std::memcpy(&b, static_cast<const char*>(t.data_ptr()) + 2 * i, 2);
  return b;
}

// ---- storage types ---------------------------------------------------------------------------------
TEST(ReducedPrecision, EveryBitPatternRoundTrips) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const auto h = Half::from_bits(static_cast<uint16_t>(b));
    const auto bf = BFloat16::from_bits(static_cast<uint16_t>(b));
    const float hf = h, bff = bf;
    if (std::isnan(hf)) {
      EXPECT_TRUE(std::isnan(static_cast<float>(Half(hf)))) << b;
    } else {
      ASSERT_EQ(Half(hf).bits, b) << "float16 bits " << b << " -> " << hf;
    }
    if (std::isnan(bff)) {
      EXPECT_TRUE(std::isnan(static_cast<float>(BFloat16(bff)))) << b;
    } else {
      ASSERT_EQ(BFloat16(bff).bits, b) << "bfloat16 bits " << b << " -> " << bff;
    }
  }
}

TEST(ReducedPrecision, ConversionRoundsLikePyTorch) {
  const json& c = reduced()["conversions"];
  const Tensor x = golden::tensor_from_json(
      {{"dtype", "float32"}, {"shape", {c["float32"].size()}}, {"data", c["float32"]}});
  for (const char* name : {"float16", "bfloat16"}) {
    const Tensor r = x.to(golden::dtype_from_name(name));
    ASSERT_EQ(r.dtype(), golden::dtype_from_name(name));
    for (int64_t i = 0; i < x.numel(); ++i) {
      const uint16_t want = c[name][i].get<uint16_t>();
      const uint16_t got = bits_of(r, i);
      const bool both_nan = (want & 0x7fff) > (name[0] == 'f' ? 0x7c00 : 0x7f80) &&
                            (got & 0x7fff) > (name[0] == 'f' ? 0x7c00 : 0x7f80);
      EXPECT_TRUE(got == want || both_nan)
          << name << " of " << x.at({i}).to_double() << ": bits " << got << ", PyTorch " << want;
    }
  }
}

TEST(ReducedPrecision, PromotionMatchesPyTorch) {
  for (const json& p : reduced()["promotion"]) {
    const DType a = golden::dtype_from_name(p["a"]);
    const Tensor ta = ones({2}, {.dtype = a});
    if (p.contains("b")) {
      const DType b = golden::dtype_from_name(p["b"]);
      EXPECT_EQ(dtype_name((ta + ones({2}, {.dtype = b})).dtype()), p["dim_dim"].get<std::string>())
          << p["a"] << " + " << p["b"];
      EXPECT_EQ(dtype_name((ta + ones({}, {.dtype = b})).dtype()), p["dim_zerodim"].get<std::string>())
          << p["a"] << " + 0-d " << p["b"];
    } else {
      EXPECT_EQ(dtype_name((ta + 2.5).dtype()), p["float_scalar"].get<std::string>()) << p["a"] << " + 2.5";
      EXPECT_EQ(dtype_name((ta + 2).dtype()), p["int_scalar"].get<std::string>()) << p["a"] << " + 2";
    }
  }
}

TEST(ReducedPrecision, PrintsLikePyTorch) {
  EXPECT_EQ(tensor({1.5, -2.25}, {.dtype = kFloat16}).str(),
            "tensor([ 1.5000, -2.2500], dtype=torch.float16)");
  EXPECT_EQ(tensor({1.0, 2.0}, {.dtype = kBFloat16}).str(), "tensor([1., 2.], dtype=torch.bfloat16)");
  EXPECT_FLOAT_EQ(tensor({0.1}, {.dtype = kFloat16}).item().to_double(), 0.0999755859375);
}

TEST(ReducedPrecision, SafetensorsKeepsTheBits) {
  const std::string path = ::testing::TempDir() + "/reduced.safetensors";
  const Tensor h = tensor({1.0, -0.1, 65504.0, 1e-7}, {.dtype = kFloat16});
  const Tensor b = tensor({3.0, -1e30, 1e-30}, {.dtype = kBFloat16});
  io::save_safetensors(path, {{"h", h}, {"b", b}});
  const io::SafetensorsFile f = io::load_safetensors(path);
  ASSERT_EQ(f.tensors.size(), 2u);
  for (const auto& [name, t] : f.tensors) {
    const Tensor& want = name == "h" ? h : b;
    ASSERT_EQ(t.dtype(), want.dtype()) << name;
    for (int64_t i = 0; i < want.numel(); ++i) EXPECT_EQ(bits_of(t, i), bits_of(want, i)) << name << i;
  }
}

// ---- every op, in both dtypes ------------------------------------------------------------------------
// One rounding of a float32 result is within one ulp, and so are nabla's forward results (the norms
// compute their statistics in float32 like PyTorch's kernels; elementwise composites such as prelu's
// weight gradient round intermediates, as PyTorch's composites do). Tolerance: 2 ulps forward, 4 for
// gradients. float16 has 11 significant bits (ulp 2^-10 at 1), bfloat16 8 (2^-7).
double ulp_of(const json& c) {
  for (const char* key : {"inputs", "outputs"})
    for (const json& t : c[key])
      if (!t.is_null() && t["dtype"] == "bfloat16") return 0x1p-7;
  return 0x1p-10;
}
golden::Tolerance tolerance(const json& c, int ulps) { return {ulps * ulp_of(c), ulps * ulp_of(c)}; }

std::string case_name(const json& c) { return c["name"].get<std::string>() + " " + golden::layouts_str(c); }

TEST(ReducedPrecision, EveryOpHasCasesInBothDTypes) {
  std::set<std::string> covered;
  for (const json& c : reduced()["cases"]) covered.insert(c["op"].get<std::string>());
  // The ops whose inputs are never floating are covered by their creation cases (arange, linspace,
  // eye) or cannot take a reduced input at all (one_hot reads integers).
  std::vector<std::string> missing;
  for (const OpInfo& info : kOpInfo)
    if (!covered.count(std::string(info.name)) && info.name != "one_hot") missing.emplace_back(info.name);
  EXPECT_TRUE(missing.empty()) << "ops without a float16/bfloat16 case: "
                               << ::testing::PrintToString(missing);
}

TEST(ReducedPrecision, ForwardAndGradientsMatchPyTorch) {
  int cases = 0, grads = 0;
  for (const json& c : reduced()["cases"]) {
    SCOPED_TRACE(case_name(c));
    ++cases;
    TensorList in = golden::inputs_of(c);
    if (golden::has_grads(c)) golden::require_grads(c, in);
    TensorList out;
    try {
      out = golden::invoke(c, in);
    } catch (const std::exception& e) {
      ADD_FAILURE() << case_name(c) << ": threw " << e.what();
      continue;
    }
    const json& want = c["outputs"];
    ASSERT_EQ(out.size(), want.size()) << case_name(c);
    for (size_t k = 0; k < out.size(); ++k) {
      const std::string diff = golden::compare(out[k], want[k], tolerance(c, 2));
      EXPECT_TRUE(diff.empty()) << case_name(c) << " output " << k << ": " << diff;
    }
    if (!golden::has_grads(c)) continue;
    TensorList outs, gos;
    for (size_t k = 0; k < out.size(); ++k) {
      if (c["grad_outputs"][k].is_null()) continue;
      outs.push_back(out[k]);
      gos.push_back(golden::tensor_from_json(c["grad_outputs"][k]));
    }
    try {
      autograd::backward(outs, gos);
    } catch (const std::exception& e) {
      ADD_FAILURE() << case_name(c) << ": backward threw " << e.what();
      continue;
    }
    for (size_t k = 0; k < in.size(); ++k) {
      if (c["grads"][k].is_null()) continue;
      ++grads;
      const std::string diff = golden::compare(in[k].grad(), c["grads"][k], tolerance(c, 4));
      EXPECT_TRUE(diff.empty()) << case_name(c) << " grad of input " << k << ": " << diff;
      if (in[k].grad().defined()) {
        EXPECT_EQ(in[k].grad().dtype(), in[k].dtype()) << case_name(c);
      }
    }
  }
  EXPECT_GT(cases, 300);
  EXPECT_GT(grads, 150);
}

// ---- the layers and a training step ----------------------------------------------------------------
TEST(ReducedPrecision, ModuleToHalfTrainsAStep) {
  for (DType dt : {kFloat16, kBFloat16}) {
    manual_seed(0);
    nn::Sequential net{nn::Conv2d(1, 4, 3), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                       nn::Linear(4 * 3 * 3, 3)};
    net.to(dt);
    optim::SGD opt(net.parameters(), optim::SGDConfig{.lr = 0.1, .momentum = 0.9});
    Tensor x = randn({8, 1, 8, 8}).to(dt), y = randint(0, 3, {8});
    double first = 0, last = 0;
    for (int step = 0; step < 20; ++step) {
      opt.zero_grad();
      Tensor loss = nn::functional::cross_entropy(net(x), y);
      ASSERT_EQ(loss.dtype(), dt);
      loss.backward();
      for (const Tensor& p : net.parameters()) ASSERT_EQ(p.grad().dtype(), dt);
      opt.step();
      (step == 0 ? first : last) = loss.item().to_double();
    }
    EXPECT_LT(last, first) << dtype_name(dt) << ": loss did not fall";
  }
}

}  // namespace
}  // namespace nabla
