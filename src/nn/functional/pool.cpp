// pool.cpp — max and average pooling on the kernels of ops/nn_kernels.h (which pick the backend and
// the layout, Note [Pooling keeps channels-last] in ops/nn_dispatch.cpp). Average pooling cases
// without a kernel (float64: gradcheck, double backward) are a composite (a depthwise convolution
// with a constant kernel, so padding and count_include_pad come out right); adaptive average pooling
// is composed from them.
#include "autograd/functions/common.h"
#include "nabla/autograd/autograd.h"
#include "nabla/nn/functional.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {

namespace {

int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  int64_t num = in + 2 * p - d * (k - 1) - 1;
  if (num < 0) return 0;  // the window is larger than the padded input
  int64_t out = (ceil_mode ? (num + s - 1) / s : num / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;  // the last window must start inside the input
  return out;
}

kernels::PoolGeometry pool_geometry(const Tensor& x, const PoolOptions& o, const char* op) {
  NABLA_CHECK(x.dim() == 4 || x.dim() == 3, ShapeError, "{}: expected 3-D or 4-D input, got {}", op,
              shape_str(x.sizes()));
  kernels::PoolGeometry g;
  Pair stride = o.stride.value_or(o.kernel_size);
  for (int i = 0; i < 2; ++i) {
    NABLA_CHECK(o.kernel_size[i] > 0 && stride[i] > 0, ValueError,
                "{}: kernel_size and stride must be positive", op);
    NABLA_CHECK(o.dilation[i] > 0, ValueError, "{}: dilation must be positive, got {}", op, o.dilation[i]);
    NABLA_CHECK(o.padding[i] <= o.kernel_size[i] / 2, ValueError,
                "{}: pad should be at most half of effective kernel size, but got pad={}, kernel_size={}", op,
                o.padding[i], o.kernel_size[i]);
    g.kernel[i] = o.kernel_size[i];
    g.stride[i] = stride[i];
    g.padding[i] = o.padding[i];
    g.dilation[i] = o.dilation[i];
  }
  return g;
}

// Output height/width of a pooling (ceil_mode as PyTorch: the last window starts inside the input).
std::vector<int64_t> pooled_shape(const Tensor& x, const kernels::PoolGeometry& g, bool ceil_mode,
                                  const char* op) {
  std::vector<int64_t> shape = {x.size(0), x.size(1), 0, 0};
  for (int i = 0; i < 2; ++i) {
    shape[2 + i] = pool_out(x.size(2 + i), g.kernel[i], g.stride[i], g.padding[i], g.dilation[i], ceil_mode);
    NABLA_CHECK(shape[2 + i] > 0, ShapeError, "{}: output size is too small for input {}", op,
                shape_str(x.sizes()));
  }
  return shape;
}

// The gradient of max pooling as a differentiable scatter of gy to the argmax positions (double backward).
Tensor max_pool2d_scatter(const Tensor& gy, const Tensor& idx, IntArrayRef sizes) {
  return zeros({sizes[0], sizes[1], sizes[2] * sizes[3]}, {.dtype = gy.dtype()})
      .scatter_add(2, idx.flatten(2), gy.flatten(2))
      .view(sizes);
}

std::tuple<Tensor, Tensor> max_pool2d_impl(const Tensor& x_in, const PoolOptions& o, bool want_indices) {
  check_defined("max_pool2d", x_in);
  if (is_reduced_floating(x_in.dtype())) {  // Note [float16 and bfloat16]
    auto [y, i] = max_pool2d_impl(float32_if_reduced(x_in), o, want_indices);
    return {y.to(x_in.dtype()), i};
  }
  if (x_in.dim() == 3) {
    auto [y, i] = max_pool2d_impl(x_in.unsqueeze(0), o, want_indices);
    return {y.squeeze(0), i.defined() ? i.squeeze(0) : i};
  }
  auto g = pool_geometry(x_in, o, "max_pool2d");
  NABLA_CHECK(is_floating(x_in.dtype()), DTypeError, "max_pool2d: expected a floating input, got {}",
              dtype_name(x_in.dtype()));
  const std::vector<int64_t> shape = pooled_shape(x_in, g, o.ceil_mode, "max_pool2d");
  kernels::MaxPoolResult r = kernels::max_pool2d_forward(x_in, shape, g, want_indices);
  if (should_record({&x_in}))
    record(OpId::max_pool2d, {x_in}, {r.y}, {.extra = {r.saved.state}},
           [info = r.saved.info](const BackwardContext& ctx, const TensorList& gr) -> TensorList {
             const kernels::MaxPoolSaved saved{ctx.extra(0), info};
             if (is_grad_enabled())  // create_graph: a differentiable scatter to the argmax positions
               return {max_pool2d_scatter(gr[0], kernels::max_pool2d_indices(saved, gr[0].sizes()),
                                          info.x_sizes)};
             return {kernels::max_pool2d_backward(gr[0], saved)};
           });
  return {r.y, r.indices};
}

// The input gradient of the kernel's average pooling. Under create_graph it is recorded too: the
// pooling is linear, so the backward of its backward is the pooling itself.
Tensor avg_pool2d_kernel_backward(const Tensor& gy, const kernels::AvgPoolSaved& saved,
                                  const PoolOptions& o) {
  auto run = [&](autograd::AutogradContext*) { return TensorList{kernels::avg_pool2d_backward(gy, saved)}; };
  if (!is_grad_enabled()) return run(nullptr)[0];
  return autograd::detail::apply_custom(
      "AvgPool2DBackward", {gy}, run,
      [o](autograd::AutogradContext*, TensorList gg) { return TensorList{avg_pool2d(gg[0], o)}; })[0];
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const PoolOptions& o) {
  return max_pool2d_impl(x, o, true);
}

Tensor max_pool2d(const Tensor& x, const PoolOptions& o) { return std::get<0>(max_pool2d_impl(x, o, false)); }

Tensor avg_pool2d(const Tensor& x_in, const PoolOptions& o) {
  check_defined("avg_pool2d", x_in);
  if (x_in.dim() == 3) return avg_pool2d(x_in.unsqueeze(0), o).squeeze(0);
  auto g = pool_geometry(x_in, o, "avg_pool2d");
  NABLA_CHECK(is_floating(x_in.dtype()), DTypeError, "avg_pool2d: expected a floating input, got {}",
              dtype_name(x_in.dtype()));
  g.dilation[0] = g.dilation[1] = 1;  // average pooling has none
  const int64_t C = x_in.size(1);
  const std::vector<int64_t> out = pooled_shape(x_in, g, o.ceil_mode, "avg_pool2d");
  NABLA_CHECK(!o.divisor_override || *o.divisor_override != 0, ValueError,
              "avg_pool2d: divisor_override must not be zero");
  // The kernels divide by the window's size; a divisor_override takes the composite below.
  kernels::AvgPoolResult r;
  if (!o.divisor_override) r = kernels::avg_pool2d_forward(x_in, out, g, o.count_include_pad);
  if (r.y.defined()) {
    if (should_record({&x_in}))
      record(OpId::avg_pool2d, {x_in}, {r.y}, {},
             [saved = r.saved, o](const BackwardContext&, const TensorList& gr) -> TensorList {
               return {avg_pool2d_kernel_backward(gr[0], saved, o)};
             });
    return r.y;
  }
  // extra: how far the last (ceil_mode) window hangs past the padded input.
  std::vector<int64_t> extra(2);
  for (int i = 0; i < 2; ++i)
    extra[i] = std::max<int64_t>(
        0, (out[2 + i] - 1) * g.stride[i] + g.kernel[i] - (x_in.size(2 + i) + 2 * g.padding[i]));
  const int64_t ph = g.padding[0], pw = g.padding[1];
  // Non-overlapping windows without padding: a reshape and a mean.
  if (!o.ceil_mode && ph == 0 && pw == 0 && g.stride[0] == g.kernel[0] && g.stride[1] == g.kernel[1] &&
      x_in.size(2) % g.kernel[0] == 0 && x_in.size(3) % g.kernel[1] == 0) {
    Tensor windows = x_in.reshape(
        {x_in.size(0), C, x_in.size(2) / g.kernel[0], g.kernel[0], x_in.size(3) / g.kernel[1], g.kernel[1]});
    if (o.divisor_override) return windows.sum({3, 5}) / static_cast<double>(*o.divisor_override);
    return windows.mean({3, 5});
  }
  // General case: explicit zero padding (including the ceil_mode overhang), window sums by a depthwise
  // convolution with a ones kernel, divided by PyTorch's divisor: the window clipped to the padded
  // input (count_include_pad) or to the input itself.
  Tensor xp = pad(x_in, {pw, pw + extra[1], ph, ph + extra[0]});
  ConvOptions co;
  co.stride = {g.stride[0], g.stride[1]};
  co.groups = C;
  Tensor sums = conv2d(xp, ones({C, 1, g.kernel[0], g.kernel[1]}, {.dtype = x_in.dtype()}), {}, co);
  if (o.divisor_override) return sums / static_cast<double>(*o.divisor_override);
  Tensor region =
      o.count_include_pad
          ? ones({1, 1, x_in.size(2) + 2 * ph, x_in.size(3) + 2 * pw}, {.dtype = x_in.dtype()})
          : pad(ones({1, 1, x_in.size(2), x_in.size(3)}, {.dtype = x_in.dtype()}), {pw, pw, ph, ph});
  co.groups = 1;
  Tensor counts = conv2d(pad(region, {0, extra[1], 0, extra[0]}),
                         ones({1, 1, g.kernel[0], g.kernel[1]}, {.dtype = x_in.dtype()}), {}, co);
  return sums / counts;
}

Tensor adaptive_avg_pool2d(const Tensor& x, Pair out) {
  check_defined("adaptive_avg_pool2d", x);
  NABLA_CHECK(x.dim() == 3 || x.dim() == 4, ShapeError,
              "adaptive_avg_pool2d: expected 3-D or 4-D input, got {}", shape_str(x.sizes()));
  const int64_t H = x.size(-2), W = x.size(-1);
  NABLA_CHECK(out[0] > 0 && out[1] > 0, ValueError, "adaptive_avg_pool2d: output size must be positive");
  if (H % out[0] == 0 && W % out[1] == 0) {
    PoolOptions o;
    o.kernel_size = {H / out[0], W / out[1]};
    return avg_pool2d(x, o);
  }
  // General case: each output cell averages rows [floor(i*H/oh), ceil((i+1)*H/oh)) (PyTorch's rule).
  TensorList rows;
  for (int64_t i = 0; i < out[0]; ++i) {
    int64_t h0 = i * H / out[0], h1 = ((i + 1) * H + out[0] - 1) / out[0];
    TensorList cols;
    for (int64_t j = 0; j < out[1]; ++j) {
      int64_t w0 = j * W / out[1], w1 = ((j + 1) * W + out[1] - 1) / out[1];
      cols.push_back(x.narrow(-2, h0, h1 - h0).narrow(-1, w0, w1 - w0).mean({-2, -1}));
    }
    rows.push_back(stack(cols, -1));
  }
  return stack(rows, -2);
}

}  // namespace nabla::nn::functional
