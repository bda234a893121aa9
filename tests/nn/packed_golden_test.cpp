// packed_golden_test.cpp — torch.nn.utils.rnn and RNN/LSTM/GRU on packed batches against PyTorch
// (tests/golden/packed.json, written by tests/golden/gen_packed_golden.py). A recurrent case loads
// PyTorch's state_dict, packs the padded input, runs the layer, unpacks, and must give PyTorch's packed
// output, padded output, lengths, h_n (c_n) and the gradients of the input, h0 (c0) and every parameter.
// Tolerances as tests/nn/modules_golden_test.cpp (float32 on both sides: rtol 1e-4, atol 1e-5);
// integers (batch_sizes, indices, lengths) exactly. Each case prints its largest difference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "golden/golden_cases.h"
#include "golden/golden_json.h"
#include "nabla/nabla.h"

namespace nabla {
namespace {

using golden::json;
namespace rnn = nn::utils::rnn;

constexpr golden::Tolerance kTol{1e-4, 1e-5};

const json& all_cases() {
  static const json cases = golden_io::load_json("packed.json")["cases"];
  return cases;
}

std::vector<std::string> names_of(const std::string& kind_prefix, bool recurrent) {
  std::vector<std::string> out;
  for (const json& c : all_cases()) {
    const bool is_rnn = c.contains("state");
    if (is_rnn == recurrent && c["kind"].get<std::string>().rfind(kind_prefix, 0) == 0)
      out.push_back(c["name"].get<std::string>());
  }
  return out;
}

const json& case_named(const std::string& name) {
  for (const json& c : all_cases())
    if (c["name"] == name) return c;
  throw ValueError("no case " + name);
}

// Largest |got - want| seen in the case (reported, not asserted: compare() asserts).
struct Diff {
  double worst = 0;
  void expect(const Tensor& got, const json& want, const std::string& what) {
    if (want.is_null()) {
      EXPECT_FALSE(got.defined()) << what << ": PyTorch has none";
      return;
    }
    EXPECT_EQ(golden::compare(got, want, kTol), "") << what;
    if (!got.defined() || got.sizes().vec() != want["shape"].get<std::vector<int64_t>>()) return;
    const std::vector<double> g = got.to_vector();
    const bool f32 = want["dtype"] == "float32";  // the file's decimals are float32 values: round them back
    for (size_t k = 0; k < g.size(); ++k) {
      const double w = want["data"][k].get<double>();
      worst = std::max(worst, std::abs(g[k] - (f32 ? static_cast<double>(static_cast<float>(w)) : w)));
    }
  }
};

std::string case_label(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  std::replace_if(
      s.begin(), s.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
  return s;
}

// ---- recurrent layers on packed input ----
class PackedRnn : public ::testing::TestWithParam<std::string> {};

std::shared_ptr<nn::RNNBase> make_rnn(const json& c) {
  const json& o = c["options"];
  nn::RNNOptions r{
      .num_layers = o["num_layers"], .batch_first = o["batch_first"], .bidirectional = o["bidirectional"]};
  if (o.contains("nonlinearity")) r.nonlinearity = o["nonlinearity"];
  const int64_t I = o["input_size"], H = o["hidden_size"];
  const std::string kind = c["kind"];
  if (kind == "LSTM") return std::make_shared<nn::LSTM>(I, H, r);
  if (kind == "GRU") return std::make_shared<nn::GRU>(I, H, r);
  return std::make_shared<nn::RNN>(I, H, r);
}

TEST_P(PackedRnn, MatchesPyTorch) {
  const json& c = case_named(GetParam());
  auto m = make_rnn(c);
  nn::NamedTensors state;
  for (const json& kv : c["state"])
    state.emplace_back(kv[0].get<std::string>(), golden::tensor_from_json(kv[1]));
  m->load_state_dict(state);
  const bool bf = c["options"]["batch_first"], lstm = c["kind"] == "LSTM";
  Tensor x = golden::tensor_from_json(c["input"]).requires_grad_(true);
  Tensor h0 = golden::tensor_from_json(c["h0"]), c0 = golden::tensor_from_json(c["c0"]);
  if (h0.defined()) h0.requires_grad_(true);
  if (c0.defined()) c0.requires_grad_(true);
  const auto lengths = c["lengths"].get<std::vector<int64_t>>();
  rnn::PackedSequence packed = rnn::pack_padded_sequence(
      x, from_buffer(lengths.data(), {(int64_t)lengths.size()}, kInt64), bf, c["enforce_sorted"].get<bool>());
  rnn::PackedSequence out;
  Tensor h_n, c_n;
  if (lstm) {
    auto [o, hc] = (*static_cast<nn::LSTM*>(m.get()))(packed, h0, c0);
    out = o, h_n = std::get<0>(hc), c_n = std::get<1>(hc);
  } else if (c["kind"] == "GRU") {
    std::tie(out, h_n) = (*static_cast<nn::GRU*>(m.get()))(packed, h0);
  } else {
    std::tie(out, h_n) = (*static_cast<nn::RNN*>(m.get()))(packed, h0);
  }
  const std::optional<int64_t> total =
      c["total_length"].is_null() ? std::nullopt : std::optional<int64_t>(c["total_length"].get<int64_t>());
  auto [padded, out_lengths] = rnn::pad_packed_sequence(out, bf, c["padding_value"].get<double>(), total);
  Diff fwd, grad;
  fwd.expect(out.data(), c["packed_data"], "packed output data");
  fwd.expect(out.batch_sizes(), c["batch_sizes"], "batch_sizes");
  fwd.expect(out.sorted_indices(), c["sorted_indices"], "sorted_indices");
  fwd.expect(out.unsorted_indices(), c["unsorted_indices"], "unsorted_indices");
  fwd.expect(padded, c["padded"], "padded output");
  fwd.expect(out_lengths, c["out_lengths"], "lengths");
  fwd.expect(h_n, c["h_n"], "h_n");
  if (lstm) fwd.expect(c_n, c["c_n"], "c_n");

  const json& go = c["grad_outputs"];
  Tensor loss =
      (padded * golden::tensor_from_json(go[0])).sum() + (h_n * golden::tensor_from_json(go[1])).sum();
  if (lstm) loss = loss + (c_n * golden::tensor_from_json(go[2])).sum();
  loss.backward();
  grad.expect(x.grad(), c["grads"]["input"], "grad input");
  if (h0.defined()) grad.expect(h0.grad(), c["grads"]["h0"], "grad h0");
  if (c0.defined()) grad.expect(c0.grad(), c["grads"]["c0"], "grad c0");
  std::map<std::string, Tensor> params;
  for (const auto& [k, p] : m->named_parameters()) params[k] = p;
  ASSERT_EQ(params.size(), c["param_grads"].size());
  for (const json& kv : c["param_grads"])
    grad.expect(params.at(kv[0]).grad(), kv[1], "grad " + kv[0].get<std::string>());
  std::cout << GetParam() << ": max |diff| forward " << fwd.worst << ", gradients " << grad.worst << "\n";
}

INSTANTIATE_TEST_SUITE_P(Golden, PackedRnn, ::testing::ValuesIn(names_of("", true)), case_label);

// ---- the packing utilities ----
class PackedUtils : public ::testing::TestWithParam<std::string> {};

Tensor lengths_of(const json& c) {
  const auto v = c["lengths"].get<std::vector<int64_t>>();
  return from_buffer(v.data(), {static_cast<int64_t>(v.size())}, kInt64);
}

TEST_P(PackedUtils, MatchesPyTorch) {
  const json& c = case_named(GetParam());
  const std::string kind = c["kind"];
  Diff d;
  if (kind == "pack_padded_sequence") {
    Tensor x = golden::tensor_from_json(c["input"]).requires_grad_(true);
    rnn::PackedSequence p =
        rnn::pack_padded_sequence(x, lengths_of(c), c["batch_first"], c["enforce_sorted"]);
    d.expect(p.data(), c["data"], "data");
    d.expect(p.batch_sizes(), c["batch_sizes"], "batch_sizes");
    d.expect(p.sorted_indices(), c["sorted_indices"], "sorted_indices");
    d.expect(p.unsorted_indices(), c["unsorted_indices"], "unsorted_indices");
    (p.data() * golden::tensor_from_json(c["grad_output"])).sum().backward();
    d.expect(x.grad(), c["grad_input"], "grad input");
  } else if (kind == "pad_packed_sequence") {
    rnn::PackedSequence p0 = rnn::pack_padded_sequence(golden::tensor_from_json(c["input"]), lengths_of(c),
                                                       c["batch_first"], c["enforce_sorted"]);
    Tensor data = p0.data().detach().requires_grad_(true);
    rnn::PackedSequence p(data, p0.batch_sizes(), p0.sorted_indices(), p0.unsorted_indices());
    const std::optional<int64_t> total =
        c["total_length"].is_null() ? std::nullopt : std::optional<int64_t>(c["total_length"].get<int64_t>());
    auto [padded, lengths] = rnn::pad_packed_sequence(p, c["batch_first"], c["padding_value"], total);
    d.expect(padded, c["padded"], "padded");
    d.expect(lengths, c["out_lengths"], "lengths");
    (padded * golden::tensor_from_json(c["grad_output"])).sum().backward();
    d.expect(data.grad(), c["grad_data"], "grad data");
  } else if (kind == "pad_sequence") {
    TensorList xs;
    for (const json& j : c["inputs"]) xs.push_back(golden::tensor_from_json(j).requires_grad_(true));
    Tensor out = rnn::pad_sequence(xs, c["batch_first"], c["padding_value"]);
    d.expect(out, c["output"], "output");
    (out * golden::tensor_from_json(c["grad_output"])).sum().backward();
    for (size_t i = 0; i < xs.size(); ++i) d.expect(xs[i].grad(), c["grads"][i], "grad " + std::to_string(i));
  } else {
    TensorList xs;
    for (const json& j : c["inputs"]) xs.push_back(golden::tensor_from_json(j));
    rnn::PackedSequence p = rnn::pack_sequence(xs, c["enforce_sorted"]);
    d.expect(p.data(), c["data"], "data");
    d.expect(p.batch_sizes(), c["batch_sizes"], "batch_sizes");
    d.expect(p.sorted_indices(), c["sorted_indices"], "sorted_indices");
    d.expect(p.unsorted_indices(), c["unsorted_indices"], "unsorted_indices");
  }
  std::cout << GetParam() << ": max |diff| " << d.worst << "\n";
}

INSTANTIATE_TEST_SUITE_P(Golden, PackedUtils, ::testing::ValuesIn(names_of("", false)), case_label);

// The file covers what issue #22 asks: every kind, 1 and 2 layers, both directions, batch_first both
// ways, enforce_sorted both ways.
TEST(PackedGolden, CoversTheRequiredVariants) {
  std::set<std::string> seen;
  for (const json& c : all_cases()) {
    if (!c.contains("state")) {
      seen.insert(c["kind"].get<std::string>());
      continue;
    }
    const json& o = c["options"];
    seen.insert(c["kind"].get<std::string>());
    seen.insert("layers" + std::to_string(o["num_layers"].get<int>()));
    seen.insert(o["bidirectional"].get<bool>() ? "bidirectional" : "unidirectional");
    seen.insert(o["batch_first"].get<bool>() ? "batch_first" : "time_major");
    seen.insert(c["enforce_sorted"].get<bool>() ? "sorted" : "unsorted");
  }
  for (const char* k : {"RNN", "LSTM", "GRU", "layers1", "layers2", "bidirectional", "unidirectional",
                        "batch_first", "time_major", "sorted", "unsorted", "pack_padded_sequence",
                        "pad_packed_sequence", "pad_sequence", "pack_sequence"})
    EXPECT_TRUE(seen.count(k)) << "packed.json has no case for " << k;
}

}  // namespace
}  // namespace nabla
