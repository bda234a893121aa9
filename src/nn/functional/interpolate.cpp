// interpolate.cpp — F.interpolate: PyTorch's argument rules (size or scale_factor, align_corners,
// recompute_scale_factor), then the kernels of ops/nn_kernels.h; "area" is adaptive average pooling.
// The backward is linear in the gradient, and its own backward is the forward again, so double
// backward works (the backward records itself under create_graph).
#include <cmath>

#include "autograd/functions/common.h"
#include "nabla/autograd/autograd.h"
#include "nabla/nn/functional.h"
#include "ops/nn_kernels.h"

namespace nabla::nn::functional {

namespace {

using kernels::InterpGeometry;
using kernels::InterpMode;

// Modes with a kernel, and the input rank each accepts (0: 3-D and 4-D).
struct ModeInfo {
  const char* name;
  InterpMode mode;
  int64_t rank;
};
constexpr ModeInfo kModes[] = {{"nearest", InterpMode::Nearest, 0},
                               {"nearest-exact", InterpMode::NearestExact, 0},
                               {"linear", InterpMode::Linear, 3},
                               {"bilinear", InterpMode::Linear, 4},
                               {"bicubic", InterpMode::Cubic, 4}};

// One value per spatial dim, from a list holding one value per dim or one for all.
template <typename T>
std::vector<T> per_dim(const std::vector<T>& v, int64_t dims, const Tensor& x, const char* what) {
  if (v.size() == 1) return std::vector<T>(dims, v[0]);
  NABLA_CHECK(static_cast<int64_t>(v.size()) == dims, ValueError,
              "interpolate: input {} has {} spatial dims but {} has {} values", shape_str(x.sizes()), dims,
              what, v.size());
  return v;
}

Tensor interpolate_kernel(const Tensor& x, const std::vector<int64_t>& out_size, const InterpGeometry& g);

// gx from gy; recorded under create_graph, with the forward as its derivative (the map is linear).
Tensor interpolate_grad(const Tensor& gy, IntArrayRef x_sizes, const InterpGeometry& g) {
  auto run = [&](autograd::AutogradContext*) {
    Tensor gx = raw::empty(x_sizes, gy.dtype());
    kernels::interpolate_backward(gx, gy, g);
    return TensorList{gx};
  };
  if (!is_grad_enabled()) return run(nullptr)[0];
  std::vector<int64_t> out(gy.sizes().end() - g.spatial, gy.sizes().end());
  return autograd::detail::apply_custom("InterpolateBackward", {gy}, run,
                                        [g, out](autograd::AutogradContext*, TensorList gg) {
                                          return TensorList{interpolate_kernel(gg[0], out, g)};
                                        })[0];
}

Tensor interpolate_kernel(const Tensor& x, const std::vector<int64_t>& out_size, const InterpGeometry& g) {
  std::vector<int64_t> shape = {x.size(0), x.size(1)};
  shape.insert(shape.end(), out_size.begin(), out_size.end());
  Tensor y = raw::empty(shape, x.dtype());
  kernels::interpolate_forward(y, x, g);
  if (should_record({&x}))
    record(OpId::interpolate, {x}, {y}, {},
           [g, sizes = x.sizes().vec()](const BackwardContext&, const TensorList& gr) -> TensorList {
             return {interpolate_grad(gr[0], sizes, g)};
           });
  return y;
}

// "area": adaptive average pooling to the output size (3-D input: one row of height 1).
Tensor area(const Tensor& x, const std::vector<int64_t>& out) {
  if (x.dim() == 3) return adaptive_avg_pool2d(x.unsqueeze(2), {1, out[0]}).squeeze(2);
  return adaptive_avg_pool2d(x, {out[0], out[1]});
}

}  // namespace

Tensor interpolate(const Tensor& x, const InterpolateOptions& o) {
  check_defined("interpolate", x);
  if (is_reduced_floating(x.dtype())) return interpolate(float32_if_reduced(x), o).to(x.dtype());
  NABLA_CHECK(x.dim() == 3 || x.dim() == 4, NotImplementedError,
              "interpolate: supports 3-D [N, C, W] and 4-D [N, C, H, W] input, got {}", shape_str(x.sizes()));
  NABLA_CHECK(is_floating(x.dtype()), DTypeError, "interpolate: expected a floating input, got {}",
              dtype_name(x.dtype()));
  const int64_t dims = x.dim() - 2;
  NABLA_CHECK(!(o.size.empty() && o.scale_factor.empty()), ValueError,
              "interpolate: either size or scale_factor should be defined");
  NABLA_CHECK(o.size.empty() || o.scale_factor.empty(), ValueError,
              "interpolate: only one of size or scale_factor should be defined");
  NABLA_CHECK(!(o.recompute_scale_factor.value_or(false) && !o.size.empty()), ValueError,
              "interpolate: recompute_scale_factor is not meaningful with an explicit size");
  const bool is_area = o.mode == "area";
  const ModeInfo* mode = nullptr;
  for (const ModeInfo& m : kModes)
    if (o.mode == m.name) mode = &m;
  NABLA_CHECK(mode || is_area, ValueError,
              "interpolate: unknown mode '{}' (nearest, nearest-exact, linear, bilinear, bicubic, area)",
              o.mode);
  NABLA_CHECK(!mode || mode->rank == 0 || mode->rank == x.dim(), NotImplementedError,
              "interpolate: mode '{}' needs {}-D input, got {}", o.mode, mode ? mode->rank : 0,
              shape_str(x.sizes()));
  const bool linear = mode && (mode->mode == InterpMode::Linear || mode->mode == InterpMode::Cubic);
  NABLA_CHECK(
      linear || !o.align_corners, ValueError,
      "interpolate: align_corners can only be set with the modes linear | bilinear | bicubic, got '{}'",
      o.mode);

  InterpGeometry g;
  g.spatial = static_cast<int>(dims);
  g.align_corners = o.align_corners.value_or(false);
  std::vector<int64_t> out;
  if (!o.size.empty()) {
    out = per_dim(o.size, dims, x, "size");
  } else {
    const std::vector<double> scales = per_dim(o.scale_factor, dims, x, "scale_factor");
    // PyTorch passes the scale factors on unless they are recomputed (area always recomputes).
    const bool keep = !o.recompute_scale_factor.value_or(false) && !is_area;
    for (int64_t i = 0; i < dims; ++i) {
      NABLA_CHECK(scales[i] > 0 && std::isfinite(scales[i]), ValueError,
                  "interpolate: scale_factor must be positive and finite, got {}", scales[i]);
      out.push_back(static_cast<int64_t>(std::floor(static_cast<double>(x.size(2 + i)) * scales[i])));
      if (keep) g.scales[i] = scales[i];
    }
  }
  for (int64_t i = 0; i < dims; ++i)
    NABLA_CHECK(
        out[i] > 0 && x.size(2 + i) > 0, ShapeError,
        "interpolate: input and output sizes should be greater than 0, got input {} and output size {}",
        shape_str(x.sizes()), shape_str(out));
  if (is_area) return area(x, out);
  g.mode = mode->mode;
  return interpolate_kernel(x, out, g);
}

}  // namespace nabla::nn::functional
