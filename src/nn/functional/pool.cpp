// pool.cpp — max pooling (kernel with indices), average pooling (a depthwise convolution with a
// constant kernel, so padding and count_include_pad come out right) and adaptive average pooling.
#include "autograd/functions/common.h"
#include "nabla/nn/functional.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {

namespace {

int64_t pool_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil_mode) {
  int64_t num = in + 2 * p - d * (k - 1) - 1;
  int64_t out = (ceil_mode ? (num + s - 1) / s : num / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;  // the last window must start inside the input
  return out;
}

kernels::PoolGeometry pool_geometry(const Tensor& x, const PoolOptions& o, const char* op) {
  NABLA_CHECK(x.dim() == 4 || x.dim() == 3, ShapeError, "{}: expected 3-D or 4-D input, got {}", op, shape_str(x.sizes()));
  kernels::PoolGeometry g;
  Pair stride = o.stride.value_or(o.kernel_size);
  for (int i = 0; i < 2; ++i) {
    NABLA_CHECK(o.kernel_size[i] > 0 && stride[i] > 0, ValueError, "{}: kernel_size and stride must be positive", op);
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

}  // namespace

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x_in, const PoolOptions& o) {
  if (x_in.dim() == 3) {
    auto [y, i] = max_pool2d_with_indices(x_in.unsqueeze(0), o);
    return {y.squeeze(0), i.squeeze(0)};
  }
  auto g = pool_geometry(x_in, o, "max_pool2d");
  NABLA_CHECK(is_floating(x_in.dtype()), DTypeError, "max_pool2d: expected a floating input, got {}", dtype_name(x_in.dtype()));
  Tensor x = x_in.contiguous();
  std::vector<int64_t> shape = {x.size(0), x.size(1), 0, 0};
  for (int i = 0; i < 2; ++i) {
    shape[2 + i] = pool_out(x.size(2 + i), g.kernel[i], g.stride[i], g.padding[i], g.dilation[i], o.ceil_mode);
    NABLA_CHECK(shape[2 + i] > 0, ShapeError, "max_pool2d: output size is too small for input {}", shape_str(x.sizes()));
  }
  Tensor y = raw::empty(shape, x.dtype()), idx = raw::empty(shape, DType::Int64);
  kernels::max_pool2d_forward(y, idx, x, g);
  if (should_record({&x_in}))
    record(OpId::max_pool2d, {x_in}, {y}, {idx}, [sizes = DimVec(x.sizes())](const BackwardContext& ctx, const TensorList& gr) -> TensorList {
      const Tensor& idx = ctx.saved[0];
      if (is_grad_enabled()) {  // double backward: express as a differentiable scatter
        Tensor gy = gr[0].flatten(2);
        return {zeros({sizes[0], sizes[1], sizes[2] * sizes[3]}, gy.dtype()).scatter_add(2, idx.flatten(2), gy).view(sizes)};
      }
      Tensor gx = raw::empty(sizes, gr[0].dtype());
      kernels::max_pool2d_backward(gx, gr[0].contiguous(), idx);
      return {gx};
    });
  return {y, idx};
}

Tensor max_pool2d(const Tensor& x, const PoolOptions& o) { return max_pool2d_with_indices(x, o).first; }

Tensor avg_pool2d(const Tensor& x_in, const PoolOptions& o) {
  if (x_in.dim() == 3) return avg_pool2d(x_in.unsqueeze(0), o).squeeze(0);
  auto g = pool_geometry(x_in, o, "avg_pool2d");
  const int64_t C = x_in.size(1);
  // Non-overlapping windows without padding: a reshape and a mean (the common case: ResNet's pool).
  if (!o.ceil_mode && g.padding[0] == 0 && g.padding[1] == 0 && g.stride[0] == g.kernel[0] && g.stride[1] == g.kernel[1] &&
      x_in.size(2) % g.kernel[0] == 0 && x_in.size(3) % g.kernel[1] == 0) {
    return x_in.reshape({x_in.size(0), C, x_in.size(2) / g.kernel[0], g.kernel[0], x_in.size(3) / g.kernel[1], g.kernel[1]})
        .mean({3, 5});
  }
  // General case: explicit zero padding (including the ceil_mode overhang), window sums by a depthwise
  // convolution with a ones kernel, divided by PyTorch's divisor: the window clipped to the padded
  // input (count_include_pad) or to the input itself.
  std::vector<int64_t> out(2), extra(2);
  for (int i = 0; i < 2; ++i) {
    const int64_t in = x_in.size(2 + i);
    out[i] = pool_out(in, g.kernel[i], g.stride[i], g.padding[i], 1, o.ceil_mode);
    NABLA_CHECK(out[i] > 0, ShapeError, "avg_pool2d: output size is too small for input {}", shape_str(x_in.sizes()));
    extra[i] = std::max<int64_t>(0, (out[i] - 1) * g.stride[i] + g.kernel[i] - (in + 2 * g.padding[i]));
  }
  const int64_t ph = g.padding[0], pw = g.padding[1];
  Tensor xp = pad(x_in, {pw, pw + extra[1], ph, ph + extra[0]});
  ConvOptions co;
  co.stride = {g.stride[0], g.stride[1]};
  co.groups = C;
  Tensor sums = conv2d(xp, ones({C, 1, g.kernel[0], g.kernel[1]}, x_in.dtype()), {}, co);
  Tensor region = o.count_include_pad ? ones({1, 1, x_in.size(2) + 2 * ph, x_in.size(3) + 2 * pw}, x_in.dtype())
                                      : pad(ones({1, 1, x_in.size(2), x_in.size(3)}, x_in.dtype()), {pw, pw, ph, ph});
  co.groups = 1;
  Tensor counts = conv2d(pad(region, {0, extra[1], 0, extra[0]}), ones({1, 1, g.kernel[0], g.kernel[1]}, x_in.dtype()), {}, co);
  return sums / counts;
}

Tensor adaptive_avg_pool2d(const Tensor& x, Pair out) {
  NABLA_CHECK(x.dim() == 3 || x.dim() == 4, ShapeError, "adaptive_avg_pool2d: expected 3-D or 4-D input, got {}",
              shape_str(x.sizes()));
  const int64_t H = x.size(-2), W = x.size(-1);
  NABLA_CHECK(out[0] > 0 && out[1] > 0, ValueError, "adaptive_avg_pool2d: output size must be positive");
  if (out[0] == 1 && out[1] == 1) return x.mean({-2, -1}, true);
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
