// op_map_nn.cpp — products and the nn ops seen outside mapped modules (functional calls in a forward).
// Pooling, batch norm and interpolate record no geometry: the candidates the shapes allow are checked by
// recomputing; convolutions leave too many, so they export only as modules.
#include <fmt/format.h>

#include "nabla/nn/functional.h"
#include "onnx/op_util.h"
#include "util/check.h"

namespace nabla::onnx::detail {

namespace F = nabla::nn::functional;

namespace {

void addmm_op(Tracer& t, const TensorList& in, const Tensor& y) {
  bool plain;
  {
    Untraced u;
    plain = same_values(addmm(in[0], in[1], in[2]), y);
  }
  NABLA_CHECK(plain, NotImplementedError, "export_model: addmm with beta or alpha != 1 has no ONNX mapping");
  std::string name =
      t.graph().op("Gemm", {t.value(in[1], "addmm"), t.value(in[2], "addmm"), t.value(in[0], "addmm")});
  t.bind(y, name, t.batch_dim(in[1]) == 0 ? 0 : -1);
}

// Pooling called as a function: non-overlapping windows (kernel = stride = in / out) is what
// adaptive_avg_pool2d and pool(x, k) give; checked by recomputing.
void pool_op(Tracer& t, OpId op, const Tensor& x, const Tensor& y) {
  const bool max = op == OpId::max_pool2d;
  const std::string_view name = op_info(op).name;
  bool ok = x.dim() == 4 && y.dim() == 4 && x.size(2) % y.size(2) == 0 && x.size(3) % y.size(3) == 0;
  const int64_t kh = ok ? x.size(2) / y.size(2) : 0, kw = ok ? x.size(3) / y.size(3) : 0;
  if (ok) {
    Untraced u;
    F::PoolOptions o;
    o.kernel_size = {kh, kw};
    ok = same_values(max ? F::max_pool2d(x, o) : F::avg_pool2d(x, o), y);
  }
  NABLA_CHECK(ok, NotImplementedError,
              "export_model: {} called as a function records no window geometry, and {} -> {} is not "
              "non-overlapping windows; call it through nn::{}",
              name, shape_str(x.sizes()), shape_str(y.sizes()), max ? "MaxPool2d" : "AvgPool2d");
  if (!max) return emit_adaptive_avg_pool(t, x, y, name);
  if (y.size(2) == 1 && y.size(3) == 1) return emit_unary(t, "GlobalMaxPool", x, y, {}, name);
  emit_unary(t, "MaxPool", x, y, {attr_ints("kernel_shape", {kh, kw}), attr_ints("strides", {kh, kw})}, name);
}

void batch_norm_op(Tracer& t, const TensorList& in, const Tensor& y) {
  // inputs: x, running_mean, running_var, weight, bias
  std::optional<double> eps;
  if (in[1].defined() && in[2].defined()) {
    Untraced u;
    for (double e : {1e-5, 1e-3, 1e-4})
      if (same_values(F::batch_norm(in[0], in[1], in[2], in[3], in[4], false, 0.1, e), y)) {
        eps = e;
        break;
      }
  }
  NABLA_CHECK(
      eps.has_value(), NotImplementedError,
      "export_model: batch_norm called as a function exports only in eval mode with running statistics "
      "and eps 1e-5, 1e-4 or 1e-3; call it through nn::BatchNorm1d/2d");
  emit_batch_norm(t, in[0], y, in[1], in[2], in[3], in[4], *eps, "batch_norm");
}

void interpolate_op(Tracer& t, const Tensor& x, const Tensor& y) {
  struct Mode {
    std::string mode;
    bool align;
  };
  const std::vector<Mode> modes = {{"nearest", false}, {"bilinear", false},     {"bilinear", true},
                                   {"linear", false},  {"linear", true},        {"bicubic", false},
                                   {"bicubic", true},  {"nearest-exact", false}};
  std::optional<Mode> found;
  {
    Untraced u;
    std::vector<int64_t> size(y.sizes().begin() + 2, y.sizes().end());
    for (const Mode& m : modes) {
      F::InterpolateOptions o{.size = size, .mode = m.mode};
      if (m.mode != "nearest" && m.mode != "nearest-exact") o.align_corners = m.align;
      Tensor r;
      try {
        r = F::interpolate(x, o);
      } catch (const Error&) {
        continue;  // a mode for another rank
      }
      if (same_values(r, y)) {
        found = m;
        break;
      }
    }
  }
  NABLA_CHECK(found.has_value(), NotImplementedError,
              "export_model: the mode of interpolate ({} -> {}) could not be recovered; use nn::Upsample",
              shape_str(x.sizes()), shape_str(y.sizes()));
  emit_resize(t, x, y, found->mode, found->align, {});
}

}  // namespace

void emit_batch_norm(Tracer& t, const Tensor& x, const Tensor& y, const Tensor& mean, const Tensor& var,
                     const Tensor& weight, const Tensor& bias, double eps, const std::string& prefix) {
  Graph& g = t.graph();
  const int64_t C = mean.size(0);
  auto filled = [&](const Tensor& p, double v, const char* what) {
    return p.defined() ? t.param(p, prefix + what)
                       : g.constant(full({C}, v, {.dtype = x.dtype()}), prefix + what);
  };
  std::string name =
      g.op("BatchNormalization",
           {t.value(x, "batch_norm"), filled(weight, 1, ".onnx_scale"), filled(bias, 0, ".onnx_bias"),
            t.param(mean, prefix + ".running_mean"), t.param(var, prefix + ".running_var")},
           {attr_f("epsilon", eps)}, prefix);
  t.bind(y, name, t.batch_dim(x));
}

void map_nn_op(Tracer& t, OpId op, const TensorList& in, const TensorList& out) {
  const std::string_view name = op_info(op).name;
  Graph& g = t.graph();
  switch (op) {
    case OpId::mm:
    case OpId::bmm:
    case OpId::matmul:
      return t.bind(out[0], g.op("MatMul", {t.value(in[0], name), t.value(in[1], name)}),
                    broadcast_batch_dim(t, {in[0], in[1]}, out[0].dim()));
    case OpId::addmm:
      return addmm_op(t, in, out[0]);
    case OpId::max_pool2d:
    case OpId::avg_pool2d:
      return pool_op(t, op, in[0], out[0]);
    case OpId::batch_norm:
      return batch_norm_op(t, in, out[0]);
    case OpId::interpolate:
      return interpolate_op(t, in[0], out[0]);
    case OpId::pixel_shuffle:
      return emit_unary(t, "DepthToSpace", in[0], out[0],
                        {attr_i("blocksize", out[0].size(-1) / in[0].size(-1)), attr_s("mode", "CRD")}, name);
    case OpId::conv1d:
    case OpId::conv2d:
    case OpId::conv_transpose2d:
    case OpId::layer_norm:
    case OpId::group_norm:
    case OpId::prelu:
      unmapped(fmt::format("{} called as a function (it records no geometry or parameters)", name),
               "call it through its module (nn::Conv2d, nn::LayerNorm, ...)");
    case OpId::index_select:
    case OpId::embedding:
      unmapped(fmt::format("{} called as a function (its indices are not recorded)", name),
               "call embeddings through nn::Embedding");
    case OpId::dropout:
      unmapped("dropout in training mode");
    default:
      unmapped(fmt::format("op '{}'", name));
  }
}

}  // namespace nabla::onnx::detail
