// op_util.cpp — pieces several mappings write: reshapes that keep the batch symbolic, pooling to a size,
// resizing, and the activations' ONNX forms (decomposed where opset 13 has no node).
#include "onnx/op_util.h"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::onnx::detail {

bool same_values(const Tensor& candidate, const Tensor& out) {
  if (!candidate.defined() || candidate.sizes() != out.sizes()) return false;
  return allclose(candidate.to(out.dtype()), out, 1e-5, 1e-6, /*equal_nan=*/true);
}

void emit_unary(Tracer& t, std::string_view op_type, const Tensor& x, const Tensor& y,
                std::vector<Attr> attrs, std::string_view op, std::string_view hint) {
  std::string name = t.graph().op(op_type, {t.value(x, op)}, std::move(attrs), hint);
  t.bind(y, name, t.batch_dim(x));
}

namespace {
int64_t prod(IntArrayRef s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= s[i];
  return p;
}
// Where the batch dim `bd` of shape xs lands in ys: the dim j after the same static prefix whose size
// is the batch's (the batch kept), a multiple of it (merged with dims after it) or a divisor (split).
int64_t reshaped_batch_dim(IntArrayRef xs, IntArrayRef ys, int64_t bd) {
  const int64_t before = prod(xs, 0, bd), b = xs[bd];
  for (int pass = 0; pass < 3; ++pass)
    for (size_t j = 0; j < ys.size(); ++j) {
      if (prod(ys, 0, j) != before || ys[j] == 0) continue;
      if ((pass == 0 && ys[j] == b) || (pass == 1 && ys[j] % b == 0) || (pass == 2 && b % ys[j] == 0))
        return static_cast<int64_t>(j);
    }
  return -1;
}
}  // namespace

void emit_reshape(Tracer& t, const Tensor& x, const Tensor& y, std::string_view op, std::string_view hint) {
  const std::string in = t.value(x, op);
  const IntArrayRef xs = x.sizes(), ys = y.sizes();
  const int64_t bd = t.batch_dim(x);
  std::vector<int64_t> shape = ys.vec();
  int64_t out_bd = -1;
  if (bd >= 0) {
    out_bd = reshaped_batch_dim(xs, ys, bd);
    NABLA_CHECK(out_bd >= 0 || !t.dynamic(), NotImplementedError,
                "export_model: {} of {} to {} mixes the batch dim (dim {}) with others; export with "
                "dynamic_batch = false",
                op, shape_str(xs), shape_str(ys), bd);
    if (t.dynamic()) shape[out_bd] = -1;
  }
  Graph& g = t.graph();
  std::string name;
  if (bd == 0 && out_bd == 0 && ys.size() == 2 && xs.size() > 2 && ys[0] == xs[0])
    name = g.op("Flatten", {in}, {attr_i("axis", 1)}, hint);  // the common [N, ...] -> [N, M]
  else
    name = g.op("Reshape", {in, g.constant_ints(shape, "shape")}, {}, hint);
  t.bind(y, name, out_bd);
}

void emit_adaptive_avg_pool(Tracer& t, const Tensor& x, const Tensor& y, std::string_view op,
                            std::string_view hint) {
  NABLA_CHECK(x.dim() == 4, NotImplementedError,
              "export_model: {}: only 4-D inputs [N, C, H, W] export, got {}", op, shape_str(x.sizes()));
  const int64_t H = x.size(2), W = x.size(3), h = y.size(2), w = y.size(3);
  if (H == h && W == w) return t.alias(y, x, op);
  if (h == 1 && w == 1) return emit_unary(t, "GlobalAveragePool", x, y, {}, op, hint);
  if (h % H == 0 && w % W == 0) {  // each output cell averages one input cell: nearest upsampling
    Graph& g = t.graph();
    const std::vector<float> s = {1.f, 1.f, static_cast<float>(h / H), static_cast<float>(w / W)};
    std::string name =
        g.op("Resize", {t.value(x, op), "", g.constant_floats(s, "scales")},
             {attr_s("mode", "nearest"), attr_s("coordinate_transformation_mode", "asymmetric"),
              attr_s("nearest_mode", "floor")},
             hint);
    return t.bind(y, name, t.batch_dim(x));
  }
  NABLA_CHECK(H % h == 0 && W % w == 0, NotImplementedError,
              "export_model: {} from {}x{} to {}x{} has no ONNX mapping: ONNX pooling windows are all one "
              "size, so one size must be a multiple of the other",
              op, H, W, h, w);
  emit_unary(t, "AveragePool", x, y,
             {attr_ints("kernel_shape", {H / h, W / w}), attr_ints("strides", {H / h, W / w})}, op, hint);
}

void emit_resize(Tracer& t, const Tensor& x, const Tensor& y, const std::string& mode, bool align_corners,
                 std::vector<double> scales, std::string_view hint) {
  if (mode == "area") return emit_adaptive_avg_pool(t, x, y, "interpolate (area)", hint);
  const int64_t spatial = x.dim() - 2;
  std::vector<float> s = {1.f, 1.f};
  for (int64_t i = 0; i < spatial; ++i) {
    // PyTorch computes coordinates with the given scale factor (unless recomputed): keep it.
    const double v = static_cast<size_t>(i) < scales.size()
                         ? scales[i]
                         : static_cast<double>(y.size(2 + i)) / static_cast<double>(x.size(2 + i));
    s.push_back(static_cast<float>(v));
  }
  std::vector<Attr> attrs;
  if (mode == "nearest") {
    attrs = {attr_s("mode", "nearest"), attr_s("coordinate_transformation_mode", "asymmetric"),
             attr_s("nearest_mode", "floor")};
  } else if (mode == "nearest-exact") {
    attrs = {attr_s("mode", "nearest"), attr_s("coordinate_transformation_mode", "half_pixel"),
             attr_s("nearest_mode", "round_prefer_ceil")};
  } else {
    NABLA_CHECK(mode == "linear" || mode == "bilinear" || mode == "bicubic", NotImplementedError,
                "export_model: interpolate mode '{}' has no ONNX mapping", mode);
    attrs = {
        attr_s("mode", mode == "bicubic" ? "cubic" : "linear"),
        attr_s("coordinate_transformation_mode", align_corners ? "align_corners" : "pytorch_half_pixel")};
    if (mode == "bicubic") attrs.push_back(attr_f("cubic_coeff_a", -0.75));
  }
  Graph& g = t.graph();
  std::string name =
      g.op("Resize", {t.value(x, "interpolate"), "", g.constant_floats(s, "scales")}, std::move(attrs), hint);
  t.bind(y, name, t.batch_dim(x));
}

std::string scalar_constant(Graph& g, double v, DType dtype, std::string_view hint) {
  return g.constant(scalar_tensor(v, {.dtype = dtype}), hint);
}

std::optional<std::string> emit_activation(Graph& g, std::string_view kind, const std::string& x, DType dtype,
                                           double a, double b, std::string_view hint) {
  auto c = [&](double v) { return scalar_constant(g, v, dtype); };
  auto op = [&](std::string_view type, std::vector<std::string> in, std::vector<Attr> attrs = {}) {
    return g.op(type, std::move(in), std::move(attrs));
  };
  auto last = [&](std::string_view type, std::vector<std::string> in, std::vector<Attr> attrs = {}) {
    return g.op(type, std::move(in), std::move(attrs), hint);
  };
  static const std::pair<std::string_view, std::string_view> kPlain[] = {
      {"relu", "Relu"}, {"sigmoid", "Sigmoid"}, {"tanh", "Tanh"}, {"softsign", "Softsign"}, {"selu", "Selu"}};
  for (auto [k, type] : kPlain)
    if (kind == k) return last(type, {x});
  if (kind == "leaky_relu") return last("LeakyRelu", {x}, {attr_f("alpha", a)});
  if (kind == "elu") return last("Elu", {x}, {attr_f("alpha", a)});
  if (kind == "celu") return last("Celu", {x}, {attr_f("alpha", a)});
  if (kind == "softmax") return last("Softmax", {x}, {attr_i("axis", static_cast<int64_t>(a))});
  if (kind == "log_softmax") return last("LogSoftmax", {x}, {attr_i("axis", static_cast<int64_t>(a))});
  if (kind == "hardtanh") return last("Clip", {x, c(a), c(b)});
  if (kind == "hardsigmoid") return last("HardSigmoid", {x}, {attr_f("alpha", 1.0 / 6), attr_f("beta", 0.5)});
  if (kind == "hardswish")
    return last("Mul", {x, op("HardSigmoid", {x}, {attr_f("alpha", 1.0 / 6), attr_f("beta", 0.5)})});
  if (kind == "silu") return last("Mul", {x, op("Sigmoid", {x})});
  if (kind == "mish") return last("Mul", {x, op("Tanh", {op("Softplus", {x})})});
  if (kind == "logsigmoid") return last("Neg", {op("Softplus", {op("Neg", {x})})});
  if (kind == "softplus") {  // softplus(beta x) / beta; ONNX's has no threshold (above it both are x)
    if (a == 1) return last("Softplus", {x});
    return last("Div", {op("Softplus", {op("Mul", {x, c(a)})}), c(a)});
  }
  if (kind == "gelu") {  // x/2 (1 + erf(x / sqrt 2)): opset 13 has no Gelu node
    std::string e = op("Erf", {op("Div", {x, c(std::numbers::sqrt2)})});
    return last("Mul", {op("Mul", {x, c(0.5)}), op("Add", {e, c(1)})});
  }
  if (kind == "gelu_tanh") {  // x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    std::string cube = op("Mul", {op("Mul", {x, x}), x});
    std::string inner =
        op("Mul", {op("Add", {x, op("Mul", {cube, c(0.044715)})}), c(std::sqrt(2 / std::numbers::pi))});
    return last("Mul", {op("Mul", {x, c(0.5)}), op("Add", {op("Tanh", {inner}), c(1)})});
  }
  return std::nullopt;
}

int64_t broadcast_batch_dim(const Tracer& t, const TensorList& inputs, int64_t out_rank) {
  for (const Tensor& in : inputs) {
    if (!in.defined()) continue;
    const int64_t bd = t.batch_dim(in);
    if (bd >= 0) return bd + (out_rank - in.dim());
  }
  return -1;
}

}  // namespace nabla::onnx::detail
