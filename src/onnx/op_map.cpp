// op_map.cpp — elementwise ops seen outside mapped modules (Note [Tracing a forward]), and the dispatch
// to the shape ops (op_map_shape.cpp) and nn ops (op_map_nn.cpp).
#include <fmt/format.h>

#include <cmath>

#include "nabla/ops/ops.h"
#include "onnx/op_util.h"
#include "util/check.h"

namespace nabla::onnx::detail {

namespace {

// The value of input `i` of a binary op in the result's dtype: a constant is converted when written,
// a traced value gets a Cast node (ONNX's arithmetic wants one type).
std::string operand(Tracer& t, const Tensor& x, DType dtype, std::string_view op) {
  if (x.dtype() == dtype) return t.value(x, op);
  if (t.is_constant(x)) {
    Untraced u;
    return t.value(x.to(dtype), op);
  }
  return t.graph().op("Cast", {t.value(x, op)}, {attr_i("to", onnx_dtype(dtype))});
}

void binary(Tracer& t, std::string_view op_type, const TensorList& in, const Tensor& y, std::string_view op) {
  std::string a = operand(t, in[0], y.dtype(), op), b = operand(t, in[1], y.dtype(), op);
  t.bind(y, t.graph().op(op_type, {a, b}), broadcast_batch_dim(t, {in[0], in[1]}, y.dim()));
}

// add/sub record no alpha: check the output is a + b (a - b) before writing it so.
void add_sub(Tracer& t, OpId op, const TensorList& in, const Tensor& y) {
  const bool add = op == OpId::add;
  bool plain;
  {
    Untraced u;
    plain = same_values(add ? in[0] + in[1] : in[0] - in[1], y);
  }
  NABLA_CHECK(plain, NotImplementedError,
              "export_model: {} with alpha != 1 has no ONNX mapping (write a {} b * alpha)",
              add ? "add" : "sub", add ? "+" : "-");
  binary(t, add ? "Add" : "Sub", in, y, add ? "add" : "sub");
}

// The first of `candidates` for which `recompute` gives the traced output.
template <typename T, typename F>
std::optional<T> first_matching(const std::vector<T>& candidates, const Tensor& y, F&& recompute) {
  Untraced u;
  for (const T& c : candidates)
    if (same_values(recompute(c), y)) return c;
  return std::nullopt;
}

// Activations whose parameter is not recorded: recover it and check by recomputing.
void activation_op(Tracer& t, OpId op, const Tensor& x, const Tensor& y) {
  const std::string_view name = op_info(op).name;
  std::optional<double> a;
  std::string kind(name);
  if (op == OpId::softmax || op == OpId::log_softmax) {
    std::vector<double> dims;
    for (int64_t d = 0; d < x.dim(); ++d) dims.push_back(static_cast<double>(d));
    a = first_matching(dims, y, [&](double d) {
      return op == OpId::softmax ? softmax(x, static_cast<int64_t>(d))
                                 : log_softmax(x, static_cast<int64_t>(d));
    });
  } else if (op == OpId::leaky_relu) {
    Tensor neg;
    {
      Untraced u;
      Tensor mask = x < 0.0;
      neg = mask.any().item<bool>() ? (y.masked_select(mask) / x.masked_select(mask)).mean() : Tensor();
    }
    std::vector<double> slopes = {0.01};
    if (neg.defined()) slopes.insert(slopes.begin(), neg.item<double>());
    a = first_matching(slopes, y, [&](double s) { return leaky_relu(x, s); });
  } else if (op == OpId::gelu) {
    std::optional<std::string> mode =
        first_matching<std::string>({"none", "tanh"}, y, [&](const std::string& m) { return gelu(x, m); });
    if (mode && *mode == "tanh") kind = "gelu_tanh";
    a = mode ? std::optional<double>(0) : std::nullopt;
  } else if (op == OpId::softplus) {
    a = first_matching<double>({1.0}, y, [&](double b) { return softplus(x, b); });
  } else if (op == OpId::celu) {
    a = first_matching<double>({1.0}, y, [&](double c) { return celu(x, c); });
  } else {
    a = 0;  // no parameter
  }
  NABLA_CHECK(a.has_value(), NotImplementedError,
              "export_model: the parameter of {} (shape {}) could not be recovered from the trace; call it "
              "through its module (nn::Softmax(dim), nn::LeakyReLU(slope), nn::GELU(approximate), ...)",
              name, shape_str(x.sizes()));
  auto out = emit_activation(t.graph(), kind, t.value(x, name), y.dtype(), *a, 0);
  NABLA_ASSERT(out.has_value(), "onnx export: activation {} not handled", kind);
  t.bind(y, *out, t.batch_dim(x));
}

// pow(x, scalar): the exponent from an element, checked on all.
void pow_scalar(Tracer& t, const Tensor& x, const Tensor& y) {
  std::vector<double> candidates = {2, 3, 0.5, -1, -0.5, 1};
  {
    Untraced u;
    Tensor ok = logical_and(logical_and(x > 0.0, x != 1.0), y > 0.0);
    if (ok.any().item<bool>())
      candidates.insert(candidates.begin(),
                        (log(y.masked_select(ok)) / log(x.masked_select(ok))).mean().item<double>());
  }
  auto e = first_matching(candidates, y, [&](double p) { return pow(x, p); });
  NABLA_CHECK(e.has_value(), NotImplementedError,
              "export_model: the exponent of pow(x, scalar) could not be recovered");
  std::string c = scalar_constant(t.graph(), *e, y.dtype());
  t.bind(y, t.graph().op("Pow", {t.value(x, "pow"), c}), t.batch_dim(x));
}

}  // namespace

void map_op(Tracer& t, OpId op, const TensorList& in, const TensorList& out) {
  static const std::pair<OpId, std::string_view> kUnary[] = {
      {OpId::neg, "Neg"},          {OpId::exp, "Exp"},         {OpId::log, "Log"},   {OpId::sqrt, "Sqrt"},
      {OpId::abs, "Abs"},          {OpId::sign, "Sign"},       {OpId::sin, "Sin"},   {OpId::cos, "Cos"},
      {OpId::tanh, "Tanh"},        {OpId::sigmoid, "Sigmoid"}, {OpId::relu, "Relu"}, {OpId::floor, "Floor"},
      {OpId::ceil, "Ceil"},        {OpId::round, "Round"},     {OpId::erf, "Erf"},   {OpId::selu, "Selu"},
      {OpId::softsign, "Softsign"}};
  for (auto [id, type] : kUnary)
    if (op == id) return emit_unary(t, type, in[0], out[0], {}, op_info(op).name);
  static const std::pair<OpId, std::string_view> kBinary[] = {{OpId::mul, "Mul"},
                                                              {OpId::div, "Div"},
                                                              {OpId::pow, "Pow"},
                                                              {OpId::maximum, "Max"},
                                                              {OpId::minimum, "Min"}};
  for (auto [id, type] : kBinary)
    if (op == id) return binary(t, type, in, out[0], op_info(op).name);
  Graph& g = t.graph();
  switch (op) {
    case OpId::add:
    case OpId::sub:
      return add_sub(t, op, in, out[0]);
    case OpId::pow_scalar:
      return pow_scalar(t, in[0], out[0]);
    case OpId::rsqrt:
      return t.bind(out[0], g.op("Reciprocal", {g.op("Sqrt", {t.value(in[0], "rsqrt")})}),
                    t.batch_dim(in[0]));
    case OpId::log1p:
      return t.bind(
          out[0], g.op("Log", {g.op("Add", {t.value(in[0], "log1p"), scalar_constant(g, 1, in[0].dtype())})}),
          t.batch_dim(in[0]));
    case OpId::expm1:
      return t.bind(
          out[0], g.op("Sub", {g.op("Exp", {t.value(in[0], "expm1")}), scalar_constant(g, 1, in[0].dtype())}),
          t.batch_dim(in[0]));
    case OpId::softmax:
    case OpId::log_softmax:
    case OpId::leaky_relu:
    case OpId::gelu:
    case OpId::softplus:
    case OpId::celu:
    case OpId::mish:
    case OpId::hardswish:
    case OpId::hardsigmoid:
    case OpId::logsigmoid:
      return activation_op(t, op, in[0], out[0]);
    case OpId::to_dtype:
      if (in[0].dtype() == out[0].dtype()) return t.alias(out[0], in[0], "to");
      return emit_unary(t, "Cast", in[0], out[0], {attr_i("to", onnx_dtype(out[0].dtype()))}, "to");
    case OpId::clone:
    case OpId::contiguous:
      return t.alias(out[0], in[0], op_info(op).name);  // layouts do not exist in ONNX
    default:
      return map_shape_op(t, op, in, out);
  }
}

}  // namespace nabla::onnx::detail
