// rnn_map.cpp — nn::GRU, nn::LSTM and nn::RNN as ONNX GRU/LSTM/RNN nodes, one per layer.
//
// ONNX orders the gates differently (GRU z, r, h against PyTorch's r, z, n; LSTM i, o, f, c against
// i, f, g, o) and stacks the directions, so the weights are written converted, as initializers named
// "<module>.onnx_W_l<k>", "<module>.onnx_R_l<k>", "<module>.onnx_B_l<k>" (from weight_ih_l<k>,
// weight_hh_l<k>, and bias_ih_l<k> followed by bias_hh_l<k>; the _reverse ones as direction 1).
// PyTorch's GRU is ONNX's with linear_before_reset = 1. ONNX's recurrent nodes are sequence-first:
// batch_first inputs and outputs are transposed around them.
#include <fmt/format.h>

#include "nabla/nn/rnn.h"
#include "nabla/ops/ops.h"
#include "onnx/op_util.h"
#include "util/check.h"

namespace nabla::onnx::detail {

namespace {

struct Kind {
  const char* op_type;
  std::vector<int64_t> gate_order;  // ONNX gate i is PyTorch's gate gate_order[i]
};

Kind kind_of(const nn::Module& m) {
  if (typeid(m) == typeid(nn::GRU)) return {"GRU", {1, 0, 2}};
  if (typeid(m) == typeid(nn::LSTM)) return {"LSTM", {0, 3, 1, 2}};
  return {"RNN", {0}};
}

Tensor reorder(const Tensor& w, const std::vector<int64_t>& order) {
  TensorList parts = w.chunk(static_cast<int64_t>(order.size()), 0);
  TensorList sorted;
  for (int64_t g : order) sorted.push_back(parts[g]);
  return cat(sorted, 0);
}

// W [D, G*H, I], R [D, G*H, H] and B [D, 2*G*H] (undefined without bias) of layer l.
TensorList layer_weights(nn::RNNBase& m, const Kind& k, int64_t l) {
  auto params = m.named_parameters(false);
  TensorList W, R, B;
  const int64_t dirs = m.options.bidirectional ? 2 : 1;
  Untraced u;
  for (int64_t d = 0; d < dirs; ++d) {
    const std::string sfx = fmt::format("_l{}{}", l, d ? "_reverse" : "");
    W.push_back(reorder(params["weight_ih" + sfx], k.gate_order));
    R.push_back(reorder(params["weight_hh" + sfx], k.gate_order));
    if (m.options.bias)
      B.push_back(cat(
          {reorder(params["bias_ih" + sfx], k.gate_order), reorder(params["bias_hh" + sfx], k.gate_order)},
          0));
  }
  return {stack(W, 0), stack(R, 0), m.options.bias ? stack(B, 0) : Tensor()};
}

// Rows [l*D, (l+1)*D) of an initial state [L*D, N, H] (empty when the call gave none).
std::string initial_state(Tracer& t, const Tensor& h0, int64_t l, int64_t dirs, std::string_view op) {
  if (!h0.defined()) return "";
  Graph& g = t.graph();
  return g.op("Slice", {t.value(h0, op), g.constant_ints({l * dirs}, "starts"),
                        g.constant_ints({(l + 1) * dirs}, "ends"), g.constant_ints({0}, "axes")});
}

std::vector<Attr> node_attrs(const nn::RNNBase& m, const Kind& k) {
  const int64_t dirs = m.options.bidirectional ? 2 : 1;
  std::vector<Attr> attrs = {attr_i("hidden_size", m.hidden_size),
                             attr_s("direction", dirs == 2 ? "bidirectional" : "forward")};
  if (std::string_view(k.op_type) == "GRU") attrs.push_back(attr_i("linear_before_reset", 1));
  if (std::string_view(k.op_type) == "RNN" && m.options.nonlinearity == "relu")
    attrs.push_back(attr_strings("activations", {"Relu"}));  // ONNX's default is Tanh
  return attrs;
}

}  // namespace

void map_recurrent(Tracer& t, nn::Module& mod, const TensorList& inputs, const TensorList& outputs) {
  auto& m = static_cast<nn::RNNBase&>(mod);
  const Kind k = kind_of(m);
  const bool lstm = std::string_view(k.op_type) == "LSTM";
  const std::string p = t.prefix(m), op = m.name();
  const int64_t dirs = m.options.bidirectional ? 2 : 1, H = m.hidden_size;
  NABLA_CHECK(inputs[0].dim() == 3, NotImplementedError,
              "export_model: {} on unbatched (2-D) input has no mapping", op);
  NABLA_CHECK(std::string_view(k.op_type) != "RNN" || !m.options.bidirectional, NotImplementedError,
              "export_model: a bidirectional nn::RNN has no mapping here (GRU and LSTM have)");
  Graph& g = t.graph();
  const Tensor& x = inputs[0];
  const Tensor h0 = inputs.size() > 1 ? inputs[1] : Tensor(), c0 = inputs.size() > 2 ? inputs[2] : Tensor();
  std::string seq = t.value(x, op);
  if (m.options.batch_first) seq = g.op("Transpose", {seq}, {attr_ints("perm", {1, 0, 2})});
  std::vector<std::string> h_n, c_n;
  for (int64_t l = 0; l < m.options.num_layers; ++l) {
    TensorList w = layer_weights(m, k, l);
    const std::string tag = fmt::format("{}.onnx_{{}}_l{}", p, l);
    std::vector<std::string> in = {
        seq,
        g.initializer(fmt::format(fmt::runtime(tag), "W"), w[0]),
        g.initializer(fmt::format(fmt::runtime(tag), "R"), w[1]),
        w[2].defined() ? g.initializer(fmt::format(fmt::runtime(tag), "B"), w[2]) : "",
        "",
        initial_state(t, h0, l, dirs, op)};
    if (lstm) in.push_back(initial_state(t, c0, l, dirs, op));
    while (!in.empty() && in.back().empty()) in.pop_back();  // trailing optional inputs left out
    std::vector<std::string> outs = {g.fresh(fmt::format("{}.l{}.Y", p, l)),
                                     g.fresh(fmt::format("{}.l{}.Y_h", p, l))};
    if (lstm) outs.push_back(g.fresh(fmt::format("{}.l{}.Y_c", p, l)));
    g.node(k.op_type, in, outs, node_attrs(m, k));
    h_n.push_back(outs[1]);
    if (lstm) c_n.push_back(outs[2]);
    // Y [T, D, N, H] -> [T, N, D*H], the next layer's input (0 copies T and N, so the batch stays free).
    std::string y = dirs == 1 ? outs[0] : g.op("Transpose", {outs[0]}, {attr_ints("perm", {0, 2, 1, 3})});
    seq = g.op("Reshape", {y, g.constant_ints({0, dirs == 1 ? -1 : 0, dirs * H}, "shape")});
  }
  if (m.options.batch_first) seq = g.op("Transpose", {seq}, {attr_ints("perm", {1, 0, 2})});
  t.bind(outputs[0], g.op("Identity", {seq}, {}, p), m.options.batch_first ? 0 : 1);
  auto states = [&](const std::vector<std::string>& parts, const char* what) {
    return g.op(parts.size() == 1 ? "Identity" : "Concat", parts,
                parts.size() == 1 ? std::vector<Attr>{} : std::vector<Attr>{attr_i("axis", 0)}, p + what);
  };
  t.bind(outputs[1], states(h_n, ".h_n"), 1);
  if (lstm) t.bind(outputs[2], states(c_n, ".c_n"), 1);
}

}  // namespace nabla::onnx::detail
