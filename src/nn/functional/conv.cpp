// conv.cpp — conv1d/conv2d/conv_transpose2d: shape checks, the kernels of ops/nn_kernels.h, and
// derivatives. These have no double backward (a clear error says so under create_graph).
#include "autograd/functions/common.h"
#include "nabla/nn/functional.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {

namespace {

using kernels::ConvGeometry;

void no_double_backward(const char* op) {
  NABLA_CHECK(!is_grad_enabled(), NotImplementedError,
              "{}: double backward (create_graph=true) is not implemented for this op", op);
}

int64_t conv_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

void check_conv_inputs(const char* op, const Tensor& x, const Tensor& w, const Tensor& b,
                       int64_t in_channels_per_group, int64_t groups) {
  NABLA_CHECK(x.dim() == 4, ShapeError, "{}: expected 4-D input [N, C, H, W] (or 3-D for conv1d), got {}", op,
              shape_str(x.sizes()));
  NABLA_CHECK(w.dim() == 4, ShapeError, "{}: expected 4-D weight, got {}", op, shape_str(w.sizes()));
  NABLA_CHECK(x.dtype() == w.dtype() && is_floating(x.dtype()), DTypeError,
              "{}: input ({}) and weight ({}) must have the same floating dtype", op, dtype_name(x.dtype()),
              dtype_name(w.dtype()));
  NABLA_CHECK(groups > 0 && x.size(1) == in_channels_per_group * groups, ShapeError,
              "{}: expected input {} to have {} channels, but got {} channels instead (weight {}, groups {})",
              op, shape_str(x.sizes()), in_channels_per_group * groups, x.size(1), shape_str(w.sizes()),
              groups);
  // Checked here so the error names the op (the kernel's data_ptr check said only "expected float64").
  NABLA_CHECK(!b.defined() || b.dtype() == x.dtype(), DTypeError,
              "{}: bias ({}) must have the input's dtype ({})", op, dtype_name(b.dtype()),
              dtype_name(x.dtype()));
}

Tensor conv2d_impl(const Tensor& x_in, const Tensor& w_in, const Tensor& b, ConvGeometry g, const char* op,
                   OpId id) {
  check_conv_inputs(op, x_in, w_in, b, w_in.size(1), g.groups);
  NABLA_CHECK(w_in.size(0) % g.groups == 0, ShapeError,
              "{}: out_channels ({}) must be divisible by groups ({})", op, w_in.size(0), g.groups);
  NABLA_CHECK(!b.defined() || (b.dim() == 1 && b.size(0) == w_in.size(0)), ShapeError,
              "{}: bias of shape {} does not match {} output channels", op,
              b.defined() ? shape_str(b.sizes()) : "", w_in.size(0));
  // The kernels say which layout they read x in (and write y in): channels-last stays so where they can.
  const MemoryFormat format = kernels::conv2d_input_format(x_in);
  Tensor x = x_in.contiguous(format), w = w_in.contiguous();
  std::vector<int64_t> shape = {x.size(0), w.size(0), 0, 0};
  for (int i = 0; i < 2; ++i) {
    shape[2 + i] = conv_out(x.size(2 + i), w.size(2 + i), g.stride[i], g.padding[i], g.dilation[i]);
    NABLA_CHECK(
        shape[2 + i] > 0, ShapeError,
        "{}: calculated output size is too small for input {} with kernel {} (padding {}, dilation {})", op,
        shape_str(x.sizes()), shape_str(w.sizes()), g.padding[i], g.dilation[i]);
  }
  Tensor y = raw::empty(shape, x.dtype(), format);
  kernels::conv2d_forward(y, x, w, b.defined() ? b.contiguous() : Tensor(), g);
  if (should_record({&x_in, &w_in, &b}))
    record(id, {x_in, w_in, b}, {y}, {.extra = {x, w}},
           [g, op](const BackwardContext& ctx, const TensorList& gr) -> TensorList {
             no_double_backward(op);
             const Tensor &x = ctx.extra(0), &w = ctx.extra(1);  // as the kernel read them
             Tensor gy = gr[0].contiguous(raw::memory_format_of(x));
             Tensor gx = ctx.needs_grad[0] ? raw::empty_like_layout(x, x.dtype()) : Tensor();
             Tensor gw = ctx.needs_grad[1] || ctx.needs_grad[2] ? raw::empty_like(w) : Tensor();
             Tensor gb = ctx.needs_grad[2] ? raw::empty({w.size(0)}, w.dtype()) : Tensor();
             kernels::conv2d_backward(gx, gw, gb, gy, x, w, g);
             return {gx, ctx.needs_grad[1] ? gw : Tensor(), gb};
           });
  return y;
}

// `extra_right` receives the one-element asymmetric part of padding='same' with an even total.
ConvGeometry geometry(const ConvOptions& o, const Tensor& w, const char* op,
                      std::array<int64_t, 2>* extra_right = nullptr) {
  ConvGeometry g;
  for (int i = 0; i < 2; ++i) {
    NABLA_CHECK(o.stride[i] > 0 && o.dilation[i] > 0 && o.padding[i] >= 0, ValueError,
                "{}: stride and dilation must be positive and padding non-negative", op);
    g.stride[i] = o.stride[i];
    g.dilation[i] = o.dilation[i];
    g.padding[i] = o.padding[i];
  }
  g.groups = o.groups;
  if (o.padding_same) {
    for (int i = 0; i < 2; ++i) {
      NABLA_CHECK(o.stride[i] == 1, ValueError,
                  "{}: padding='same' is not supported for strided convolutions", op);
      const int64_t total = o.dilation[i] * (w.size(2 + i) - 1);
      g.padding[i] = total / 2;  // PyTorch puts the odd element on the right
      if (extra_right) (*extra_right)[i] = total % 2;
    }
  }
  return g;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvOptions& o) {
  check_defined("conv2d", x, w);
  if (is_reduced_floating(x.dtype()) && x.dtype() == w.dtype())  // Note [float16 and bfloat16]
    return conv2d(float32_if_reduced(x), float32_if_reduced(w), float32_if_reduced(b), o).to(x.dtype());
  std::array<int64_t, 2> extra = {0, 0};
  ConvGeometry g = geometry(o, w, "conv2d", &extra);
  Tensor xin = extra[0] || extra[1] ? pad(x, {0, extra[1], 0, extra[0]}) : x;
  return conv2d_impl(xin, w, b, g, "conv2d", OpId::conv2d);
}

Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvOptions& o) {
  check_defined("conv1d", x, w);
  NABLA_CHECK(x.dim() == 3 && w.dim() == 3, ShapeError,
              "conv1d: expected 3-D input [N, C, L] and weight [O, C/g, K], got {} and {}",
              shape_str(x.sizes()), shape_str(w.sizes()));
  if (is_reduced_floating(x.dtype()) && x.dtype() == w.dtype())
    return conv1d(float32_if_reduced(x), float32_if_reduced(w), float32_if_reduced(b), o).to(x.dtype());
  ConvOptions o2 = o;
  o2.stride = {1, o.stride[1]};
  o2.padding = {0, o.padding[1]};
  o2.dilation = {1, o.dilation[1]};
  Tensor w4 = w.unsqueeze(2);
  std::array<int64_t, 2> extra = {0, 0};
  ConvGeometry g = geometry(o2, w4, "conv1d", &extra);
  Tensor xin = extra[1] ? pad(x, {0, extra[1]}) : x;
  return conv2d_impl(xin.unsqueeze(2), w4, b, g, "conv1d", OpId::conv1d).squeeze(2);
}

Tensor conv_transpose2d(const Tensor& x_in, const Tensor& w_in, const Tensor& b,
                        const ConvTransposeOptions& o) {
  check_defined("conv_transpose2d", x_in, w_in);
  if (is_reduced_floating(x_in.dtype()) && x_in.dtype() == w_in.dtype())
    return conv_transpose2d(float32_if_reduced(x_in), float32_if_reduced(w_in), float32_if_reduced(b), o)
        .to(x_in.dtype());
  const char* op = "conv_transpose2d";
  check_conv_inputs(op, x_in, w_in, b, w_in.size(0) / std::max<int64_t>(o.groups, 1), o.groups);
  ConvGeometry g;
  g.groups = o.groups;
  std::vector<int64_t> shape = {x_in.size(0), w_in.size(1) * o.groups, 0, 0};
  for (int i = 0; i < 2; ++i) {
    g.stride[i] = o.stride[i];
    g.padding[i] = o.padding[i];
    g.dilation[i] = o.dilation[i];
    NABLA_CHECK(o.output_padding[i] < std::max(o.stride[i], o.dilation[i]), ValueError,
                "{}: output padding must be smaller than either stride or dilation, got output_padding {}",
                op, o.output_padding[i]);
    shape[2 + i] = (x_in.size(2 + i) - 1) * o.stride[i] - 2 * o.padding[i] +
                   o.dilation[i] * (w_in.size(2 + i) - 1) + o.output_padding[i] + 1;
    NABLA_CHECK(shape[2 + i] > 0, ShapeError, "{}: output size would be non-positive for input {}", op,
                shape_str(x_in.sizes()));
  }
  Tensor x = x_in.contiguous(), w = w_in.contiguous();
  // A transposed convolution is the data-gradient of the convolution that maps y back to x.
  Tensor y = raw::empty(shape, x.dtype());
  kernels::conv2d_backward_data(y, x, w, g);
  if (b.defined()) {
    NoGradGuard ng;
    y.add_(b.reshape({1, -1, 1, 1}));
  }
  if (should_record({&x_in, &w_in, &b}))
    record(OpId::conv_transpose2d, {x_in, w_in, b}, {y}, {.extra = {x, w}},
           [g](const BackwardContext& ctx, const TensorList& gr) -> TensorList {
             no_double_backward("conv_transpose2d");
             const Tensor &x = ctx.extra(0), &w = ctx.extra(1);  // as the kernel read them
             Tensor gy = gr[0].contiguous(), gx, gw;
             if (ctx.needs_grad[0]) {
               gx = raw::empty_like(x);
               kernels::conv2d_forward(gx, gy, w, Tensor(), g);
             }
             if (ctx.needs_grad[1]) {
               gw = raw::empty_like(w);
               kernels::conv2d_backward_weight(gw, Tensor(), x, gy, g);
             }
             return {gx, gw, ctx.needs_grad[2] ? gy.sum({0, 2, 3}) : Tensor()};
           });
  return y;
}

}  // namespace nabla::nn::functional
