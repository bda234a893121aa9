// nn_ops.cpp — prelu, pixel_shuffle and pixel_unshuffle (torch.prelu, torch.pixel_shuffle, ...):
// compositions of differentiable ops, so their derivatives (and double backward) come from those.
#include "autograd/functions/common.h"

namespace nabla {

Tensor prelu(const Tensor& x, const Tensor& weight) {
  check_defined("prelu", x, weight);
  NABLA_CHECK(is_floating(x.dtype()) && x.dtype() == weight.dtype(), DTypeError,
              "prelu: input ({}) and weight ({}) must have the same floating dtype", dtype_name(x.dtype()),
              dtype_name(weight.dtype()));
  NABLA_CHECK(weight.dim() <= 1, ShapeError, "prelu: expected weight to be a scalar or 1-D tensor, got {}",
              shape_str(weight.sizes()));
  Tensor w;
  if (weight.numel() == 1) {
    w = weight.reshape({});
  } else {
    // One slope per channel: dim 1 (a 1-D input has no channel dim, so only one slope fits it).
    const int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
    NABLA_CHECK(x.dim() > 0 && weight.numel() == channels, ShapeError,
                "prelu: weight {} has {} parameters but input {} has {} channels", shape_str(weight.sizes()),
                weight.numel(), shape_str(x.sizes()), channels);
    std::vector<int64_t> shape(x.dim(), 1);
    shape[1] = channels;
    w = weight.reshape(shape);
  }
  // As PyTorch's prelu kernel: x > 0 ? x : w * x (NaN takes the w * x branch, gradients included).
  // The slope multiplies only the non-positive part, so an x = inf elsewhere cannot put 0 * inf = NaN
  // into the weight's gradient.
  const Tensor pos = x > 0;
  return where(pos, x, w * where(pos, zeros_like(x), x));
}

namespace {
// Dims before the last three, and their product (all batch dims become one for the 6-d view).
std::pair<std::vector<int64_t>, int64_t> batch_dims(const Tensor& x) {
  std::vector<int64_t> lead(x.sizes().begin(), x.sizes().end() - 3);
  int64_t b = 1;
  for (int64_t s : lead) b *= s;
  return {lead, b};
}
void check_shuffle_input(const char* op, const Tensor& x, int64_t factor, const char* factor_name) {
  NABLA_CHECK(x.dim() >= 3, ShapeError, "{}: expected input with at least 3 dims [*, C, H, W], got {}", op,
              shape_str(x.sizes()));
  NABLA_CHECK(factor > 0, ValueError, "{}: {} must be positive, got {}", op, factor_name, factor);
}
}  // namespace

Tensor pixel_shuffle(const Tensor& x, int64_t r) {
  check_defined("pixel_shuffle", x);
  check_shuffle_input("pixel_shuffle", x, r, "upscale_factor");
  const int64_t C = x.size(-3), H = x.size(-2), W = x.size(-1);
  NABLA_CHECK(C % (r * r) == 0, ShapeError,
              "pixel_shuffle: channels ({}) of input {} must be divisible by upscale_factor^2 = {}", C,
              shape_str(x.sizes()), r * r);
  auto [lead, B] = batch_dims(x);
  std::vector<int64_t> out = lead;
  out.insert(out.end(), {C / (r * r), H * r, W * r});
  // [B, c, r, r, H, W] -> [B, c, H, r, W, r]
  return x.reshape({B, C / (r * r), r, r, H, W}).permute({0, 1, 4, 2, 5, 3}).reshape(out);
}

Tensor pixel_unshuffle(const Tensor& x, int64_t r) {
  check_defined("pixel_unshuffle", x);
  check_shuffle_input("pixel_unshuffle", x, r, "downscale_factor");
  const int64_t C = x.size(-3), H = x.size(-2), W = x.size(-1);
  NABLA_CHECK(H % r == 0 && W % r == 0, ShapeError,
              "pixel_unshuffle: height and width of input {} must be divisible by downscale_factor {}",
              shape_str(x.sizes()), r);
  auto [lead, B] = batch_dims(x);
  std::vector<int64_t> out = lead;
  out.insert(out.end(), {C * r * r, H / r, W / r});
  // [B, C, h, r, w, r] -> [B, C, r, r, h, w]
  return x.reshape({B, C, H / r, r, W / r, r}).permute({0, 1, 3, 5, 2, 4}).reshape(out);
}

}  // namespace nabla
