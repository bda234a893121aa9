// reduce.cpp — reductions, softmax family, cumsum, sort/topk: forward and derivative side by side.
#include <algorithm>
#include <cmath>

#include "autograd/functions/common.h"

namespace nabla {

using kernels::Reduce;

namespace {

// Reduces x over `dims` (sorted, wrapped) into keepdim layout, then drops dims unless keepdim.
Tensor reduce_forward(Reduce op, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, DType dt) {
  Tensor xc = convert(x, dt);
  Tensor out = raw::empty(keepdim_shape(x.sizes(), dims), dt);
  kernels::reduce(op, out, xc);
  if (keepdim) return out;
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) shape.push_back(x.size(d));
  return raw::as_strided(out, shape, raw::contiguous_strides(shape), 0);
}

DType sum_dtype(const Tensor& x, std::optional<DType> dtype) {
  if (dtype) return *dtype;
  return is_floating(x.dtype()) ? x.dtype() : DType::Int64;  // integers and bools sum to int64
}

// Gradient of a reduction that spreads g evenly back over the reduced dims.
Tensor expand_back(const Tensor& g, const std::vector<int64_t>& dims, bool keepdim, IntArrayRef sizes) {
  Tensor r = keepdim ? g : unsqueeze_dims(g, dims, static_cast<int64_t>(sizes.size()));
  return r.expand(sizes);
}

}  // namespace

Tensor sum(const Tensor& x, IntArrayRef dims_in, bool keepdim, std::optional<DType> dtype) {
  check_defined("sum", x);
  auto dims = normalize_dims(dims_in, x.dim(), "sum");
  Tensor out = reduce_forward(Reduce::Sum, x, dims, keepdim, sum_dtype(x, dtype));
  if (should_record({&x}))
    record(OpId::sum, {x}, {out}, {},
           [dims, keepdim, sizes = DimVec(x.sizes()), dt = x.dtype()](const BackwardContext&,
                                                                      const TensorList& g) -> TensorList {
             return {to_dtype(expand_back(g[0], dims, keepdim, sizes), dt)};
           });
  return out;
}
Tensor sum(const Tensor& x, std::optional<DType> dtype) { return sum(x, IntArrayRef{}, false, dtype); }

Tensor mean(const Tensor& x, IntArrayRef dims_in, bool keepdim) {
  check_defined("mean", x);
  NABLA_CHECK(
      is_floating(x.dtype()), DTypeError,
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
      "Got: {}",
      dtype_name(x.dtype()));
  auto dims = normalize_dims(dims_in, x.dim(), "mean");
  int64_t count = 1;
  for (int64_t d : dims) count *= x.size(d);
  Tensor s = sum(x, dims, keepdim);
  return s / static_cast<double>(count);
}
Tensor mean(const Tensor& x) { return mean(x, IntArrayRef{}, false); }

namespace {
// PyTorch's prod_safe_zeros_backward: g times the product of the other elements of the lane, as the
// product of an exclusive cumprod from the left and one from the right (NaN and inf propagate as in
// PyTorch: 0 * inf is NaN there too).
Tensor prod_others(const Tensor& x, int64_t d) {
  const int64_t n = x.size(d);
  if (n == 0) return zeros_like(x);
  std::vector<int64_t> one_size = x.sizes().vec();
  one_size[d] = 1;
  Tensor one = ones(one_size, {.dtype = x.dtype()});
  Tensor left = cumprod(cat({one, x.narrow(d, 0, n - 1)}, d), d);
  Tensor right = flip(cumprod(cat({one, flip(x.narrow(d, 1, n - 1), {d})}, d), d), {d});
  return left * right;
}
}  // namespace

// PyTorch's gradient: g * prod / x when the tensor (not the lane) holds no zero; otherwise g times the
// product of the others for every lane; over all elements with two or more zeros, 0. These differ at
// NaN and inf (prod / x is inf / inf = NaN), so the branch is PyTorch's.
Tensor prod(const Tensor& x, int64_t dim, bool keepdim) {
  check_defined("prod", x);
  int64_t d = wrap_dim(dim, x.dim(), "prod");
  std::vector<int64_t> dims = x.dim() ? std::vector<int64_t>{d} : std::vector<int64_t>{};
  Tensor out = reduce_forward(Reduce::Prod, x, dims, keepdim, sum_dtype(x, std::nullopt));
  if (should_record({&x}))
    record(OpId::prod, {x}, {out}, {.inputs = {0}, .outputs = {0}},
           [dims, keepdim](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor& x = ctx.input(0);
             if (dims.empty()) return {g[0]};
             const int64_t d = dims[0];
             Tensor gk = keepdim ? g[0] : g[0].unsqueeze(d);
             if (!any(x == 0.0).item<bool>()) {
               Tensor y = keepdim ? ctx.output(0) : ctx.output(0).unsqueeze(d);
               return {gk * (y / x)};
             }
             return {gk * prod_others(x, d)};
           });
  return out;
}
Tensor prod(const Tensor& x) {
  check_defined("prod", x);
  Tensor flat = x.reshape({-1});
  Tensor out;
  {
    NoGradGuard ng;
    out = prod(flat, 0, false);
  }
  if (should_record({&x}))
    record(OpId::prod, {x}, {out}, {.inputs = {0}, .outputs = {0}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor& x = ctx.input(0);
             if (x.dim() == 0) return {g[0]};
             const int64_t zeros_n = sum(x == 0.0).item<int64_t>();
             if (zeros_n == 0) return {g[0] * (ctx.output(0) / x)};
             if (zeros_n > 1 && !is_grad_enabled()) return {zeros_like(x)};
             return {g[0] * prod_others(x.reshape({-1}), 0).reshape(x.sizes())};
           });
  return out;
}

namespace {
// max()/min() over everything: the gradient is shared evenly among tied maxima (PyTorch's rule).
Tensor extreme_all(const Tensor& x, bool is_max) {
  check_defined(is_max ? "max" : "min", x);
  const char* name = is_max ? "max" : "min";
  NABLA_CHECK(
      x.numel() > 0, ValueError,
      "{}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim "
      "with the 'dim' argument.",
      name);
  Tensor out = reduce_forward(is_max ? Reduce::Max : Reduce::Min, x, normalize_dims({}, x.dim(), name), false,
                              x.dtype());
  if (should_record({&x}))
    record(is_max ? OpId::max : OpId::min, {x}, {out}, {.inputs = {0}, .outputs = {0}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor &x = ctx.input(0), &y = ctx.output(0);
             // A NaN result came from the NaNs (PyTorch's mask), not from x == y, which is never true.
             Tensor mask = convert(logical_or(x == y, logical_and(x != x, y != y)), g[0].dtype());
             return {mask * (g[0] / sum(mask))};
           });
  return out;
}
}  // namespace

std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim);
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim);

namespace {
std::tuple<Tensor, Tensor> extreme_dim(const Tensor& x, int64_t dim, bool keepdim, bool is_max) {
  check_defined(is_max ? "max" : "min", x);
  const char* name = is_max ? "max" : "min";
  int64_t d = wrap_dim(dim, x.dim(), name);
  NABLA_CHECK(x.dim() == 0 || x.size(d) > 0, IndexError,
              "{}(): Expected reduction dim {} to have non-zero size.", name, d);
  std::vector<int64_t> ks = x.dim() ? keepdim_shape(x.sizes(), {d}) : std::vector<int64_t>{};
  Tensor values = raw::empty(ks, x.dtype()), indices = raw::empty(ks, DType::Int64);
  kernels::arg_reduce(is_max, values, indices, x, x.dim() ? d : 0);
  if (!keepdim && x.dim()) {
    values = values.squeeze(d);
    indices = indices.squeeze(d);
  }
  if (should_record({&x}))
    record(is_max ? OpId::max : OpId::min, {x}, {values}, {.extra = {indices}},
           [d, keepdim, sizes = DimVec(x.sizes())](const BackwardContext& ctx,
                                                   const TensorList& g) -> TensorList {
             if (sizes.size() == 0) return {g[0]};
             Tensor idx = keepdim ? ctx.extra(0) : ctx.extra(0).unsqueeze(d);
             Tensor gk = keepdim ? g[0] : g[0].unsqueeze(d);
             return {zeros(sizes.ref(), {.dtype = g[0].dtype()}).scatter(d, idx, gk)};
           });
  return {values, indices};
}
}  // namespace

std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim(x, dim, keepdim, true);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim(x, dim, keepdim, false);
}
Tensor max(const Tensor& x) { return extreme_all(x, true); }
Tensor min(const Tensor& x) { return extreme_all(x, false); }

namespace {
// amax/amin: the gradient is shared evenly among the elements equal to the result (PyTorch's
// scale_grad_by_count; a NaN result matches nothing, so its lane's gradient is NaN, as in PyTorch).
Tensor amax_amin(OpId id, const Tensor& x, IntArrayRef dim, bool keepdim) {
  const char* name = op_info(id).name.data();
  check_defined(name, x);
  const auto dims = normalize_dims(dim, x.dim(), name);
  for (int64_t d : dims)
    NABLA_CHECK(x.dim() == 0 || x.size(d) > 0, IndexError,
                "{}(): Expected reduction dim {} to have non-zero size (input shape {})", name, d,
                shape_str(x.sizes()));
  NABLA_CHECK(x.numel() > 0 || !dims.empty(), IndexError,
              "{}(): Expected reduction dim to be specified for input.numel() == 0", name);
  Tensor out = reduce_forward(id == OpId::amax ? Reduce::Max : Reduce::Min, x, dims, keepdim, x.dtype());
  if (should_record({&x}))
    record(id, {x}, {out}, {.inputs = {0}, .outputs = {0}},
           [dims, keepdim](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor& x = ctx.input(0);
             Tensor y = keepdim ? ctx.output(0) : unsqueeze_dims(ctx.output(0), dims, x.dim());
             Tensor gk = keepdim ? g[0] : unsqueeze_dims(g[0], dims, x.dim());
             Tensor mask = convert(x == y, gk.dtype());
             return {mask * (gk / sum(mask, dims, true))};
           });
  return out;
}
}  // namespace

Tensor amax(const Tensor& x, IntArrayRef dim, bool keepdim) { return amax_amin(OpId::amax, x, dim, keepdim); }
Tensor amin(const Tensor& x, IntArrayRef dim, bool keepdim) { return amax_amin(OpId::amin, x, dim, keepdim); }

Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  check_defined("argmax", x);
  NoGradGuard ng;
  if (!dim)
    return std::get<1>(extreme_dim(x.reshape({-1}), 0, false, true))
        .reshape(keepdim ? std::vector<int64_t>(x.dim(), 1) : std::vector<int64_t>{});
  return std::get<1>(extreme_dim(x, *dim, keepdim, true));
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  check_defined("argmin", x);
  NoGradGuard ng;
  if (!dim)
    return std::get<1>(extreme_dim(x.reshape({-1}), 0, false, false))
        .reshape(keepdim ? std::vector<int64_t>(x.dim(), 1) : std::vector<int64_t>{});
  return std::get<1>(extreme_dim(x, *dim, keepdim, false));
}

namespace {
struct VarPlan {
  std::vector<int64_t> dims;
  double denom;  // n - correction, at least 0
};

VarPlan var_plan(const Tensor& x, const std::optional<std::vector<int64_t>>& dims_in, int64_t correction,
                 const char* name) {
  check_defined(name, x);
  NABLA_CHECK(is_floating(x.dtype()), DTypeError, "{}: expected a floating-point input, got {}", name,
              dtype_name(x.dtype()));
  auto dims = normalize_dims(dims_in ? IntArrayRef(*dims_in) : IntArrayRef{}, x.dim(), name);
  int64_t n = 1;
  for (int64_t d : dims) n *= x.size(d);
  return {dims, static_cast<double>(std::max<int64_t>(n - correction, 0))};
}

// float32 (and float16/bfloat16) statistics accumulate in float64, as PyTorch's CPU kernels do: squares of
// |x| > 1.8e19 would overflow float32, and the rounding of the centered sum stays PyTorch's. Returns the
// variance in float64 for a float32 x (std takes its root before rounding to float32).
Tensor var_value(const Tensor& x, const VarPlan& p, bool keepdim) {
  NoGradGuard ng;
  Tensor xd = x.dtype() == DType::Float32 || is_reduced_floating(x.dtype()) ? convert(x, DType::Float64) : x;
  Tensor c = xd - mean(xd, p.dims, true);
  // Corrected two-pass: a constant float64 lane whose mean rounded (3 x 0.667 / 3) is exactly 0, as
  // PyTorch's Welford gives (std's gradient there is then 0, not g / (2 * 1e-17) * 1e-16).
  c = c - mean(c, p.dims, true);
  return sum(c * c, p.dims, keepdim) / p.denom;
}

// PyTorch's var_backward, 2 (x - mean) / (n - correction) * grad, written out: differentiating the
// composite also sums (x - mean) through mean(), 0 in exact arithmetic but NaN when x holds an inf.
Tensor var_backward(const Tensor& x, const Tensor& g, const VarPlan& p, bool keepdim) {
  Tensor gk = keepdim ? g : unsqueeze_dims(g, p.dims, x.dim());
  return gk * (x - mean(x, p.dims, true)) * (2.0 / p.denom);
}
}  // namespace

Tensor var(const Tensor& x, std::optional<std::vector<int64_t>> dims_in, int64_t correction, bool keepdim) {
  const VarPlan p = var_plan(x, dims_in, correction, "var");
  Tensor out = convert(var_value(x, p, keepdim), x.dtype());
  if (should_record({&x}))
    record(OpId::var, {x}, {out}, {.inputs = {0}},
           [p, keepdim](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             return {var_backward(ctx.input(0), g[0], p, keepdim)};
           });
  return out;
}

Tensor std(const Tensor& x, std::optional<std::vector<int64_t>> dims_in, int64_t correction, bool keepdim) {
  const VarPlan p = var_plan(x, dims_in, correction, "std");
  Tensor out;
  {
    NoGradGuard ng;
    out = convert(sqrt(var_value(x, p, keepdim)), x.dtype());
  }
  if (should_record({&x}))
    record(OpId::std, {x}, {out}, {.inputs = {0}, .outputs = {0}},
           [p, keepdim](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             // PyTorch's std_backward: grad / (2 std), 0 where std is 0 (a constant lane), not NaN.
             const Tensor& o = ctx.output(0);
             Tensor zero = o == 0.0;
             Tensor gv = where(zero, zeros_like(o), g[0] / (2.0 * where(zero, ones_like(o), o)));
             return {var_backward(ctx.input(0), gv, p, keepdim)};
           });
  return out;
}

// Note [var and std overloads] (ops.h): unbiased is correction 1, biased correction 0.
Tensor var(const Tensor& x, bool unbiased) { return var(x, std::nullopt, int64_t{unbiased}); }
Tensor std(const Tensor& x, bool unbiased) { return std(x, std::nullopt, int64_t{unbiased}); }

Tensor norm(const Tensor& x, double p, std::optional<std::vector<int64_t>> dims_in, bool keepdim) {
  check_defined("norm", x);
  NABLA_CHECK(is_floating(x.dtype()), DTypeError, "norm: expected a floating-point input, got {}",
              dtype_name(x.dtype()));
  auto dims = normalize_dims(dims_in ? IntArrayRef(*dims_in) : IntArrayRef{}, x.dim(), "norm");
  Tensor a = abs(x);
  if (std::isinf(p)) {
    Tensor m = a;
    for (auto it = dims.rbegin(); it != dims.rend(); ++it)
      m = std::get<0>(p > 0 ? max(m, *it, true) : min(m, *it, true));
    if (!keepdim)
      for (auto it = dims.rbegin(); it != dims.rend(); ++it) m = m.squeeze(*it);
    return m;
  }
  if (p == 0) return sum(convert(x != 0, x.dtype()), dims, keepdim);
  if (p == 1) return sum(a, dims, keepdim);
  Tensor out;
  {
    NoGradGuard ng;
    out = p == 2 ? sqrt(sum(x * x, dims, keepdim)) : pow(sum(pow(a, p), dims, keepdim), 1.0 / p);
  }
  if (should_record({&x}))
    record(OpId::norm, {x}, {out}, {.inputs = {0}, .outputs = {0}},
           [p, dims, keepdim](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             // PyTorch's norm_backward, branch by branch: x |x|^(p-2) / ||x||^(p-1) with the scale 0 where
             // the norm is 0; below p = 2 as sgn(x) |x|^(p-1) (0 at x = 0 for 1 < p < 2, where
             // |x|^(p-2) was inf and x times it NaN), and below p = 1 without the mask.
             const Tensor& x = ctx.input(0);
             Tensor o = keepdim ? ctx.output(0) : unsqueeze_dims(ctx.output(0), dims, x.dim());
             Tensor gk = keepdim ? g[0] : unsqueeze_dims(g[0], dims, x.dim());
             Tensor zero = o == 0.0;
             if (p == 2) return {gk * where(zero, zeros_like(x), x / o)};
             if (p < 1) {
               Tensor scaled = sign(x) * where(x == 0.0, zeros_like(x), pow(abs(x), p - 1));
               return {scaled * gk * pow(o, 1 - p)};
             }
             Tensor scaled = p < 2 ? sign(x) * pow(abs(x), p - 1) : x * pow(abs(x), p - 2);
             return {scaled * where(zero, zeros_like(o), gk / pow(o, p - 1))};
           });
  return out;
}

Tensor logsumexp(const Tensor& x, IntArrayRef dims_in, bool keepdim) {
  check_defined("logsumexp", x);
  auto dims = normalize_dims(dims_in, x.dim(), "logsumexp");
  Tensor xf = convert(x, floating_of(x.dtype()));
  Tensor out;
  const bool empty_lanes =
      x.dim() > 0 && std::any_of(dims.begin(), dims.end(), [&](int64_t d) { return x.size(d) == 0; });
  if (empty_lanes) {  // log(0) = -inf, PyTorch's (max() over the empty dims would refuse)
    out = full(keepdim_shape(x.sizes(), dims), -INFINITY, {.dtype = xf.dtype()});
  } else if (dims.size() == 1 && x.dim() > 0) {
    out = raw::empty(keepdim_shape(x.sizes(), dims), xf.dtype());
    kernels::logsumexp(out, xf, dims[0]);
  } else {  // several dims: max-shifted composite, computed without graph
    NoGradGuard ng;
    Tensor m = xf;
    for (auto d : dims) m = std::get<0>(max(m, d, true));
    Tensor mfin = where(m.abs() == INFINITY, zeros_like(m), m);
    out = log(sum(exp(xf - mfin), dims, true)) + mfin;
  }
  if (!keepdim)
    for (auto it = dims.rbegin(); it != dims.rend(); ++it) out = raw::select(out, *it, 0);
  if (should_record({&x}))
    record(OpId::logsumexp, {x}, {out}, {.inputs = {0}, .outputs = {0}},
           [dims, keepdim](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor& x = ctx.input(0);
             Tensor o = keepdim ? ctx.output(0) : unsqueeze_dims(ctx.output(0), dims, x.dim());
             Tensor gk = keepdim ? g[0] : unsqueeze_dims(g[0], dims, x.dim());
             return {gk * exp(x - o)};
           });
  return out;
}

Tensor softmax(const Tensor& x, int64_t dim) {
  check_defined("softmax", x);
  int64_t d = wrap_dim(dim, x.dim(), "softmax");
  Tensor xf = convert(x, floating_of(x.dtype()));
  Tensor out = raw::empty(x.sizes(), xf.dtype());
  kernels::softmax(out, xf, x.dim() ? d : 0, false);
  if (should_record({&x}))
    record(OpId::softmax, {x}, {out}, {.outputs = {0}},
           [d](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor& y = ctx.output(0);
             Tensor gy = g[0] * y;
             return {gy - y * sum(gy, {d}, true)};
           });
  return out;
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  check_defined("log_softmax", x);
  int64_t d = wrap_dim(dim, x.dim(), "log_softmax");
  Tensor xf = convert(x, floating_of(x.dtype()));
  Tensor out = raw::empty(x.sizes(), xf.dtype());
  kernels::softmax(out, xf, x.dim() ? d : 0, true);
  if (should_record({&x}))
    record(OpId::log_softmax, {x}, {out}, {.outputs = {0}},
           [d](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor& y = ctx.output(0);
             return {g[0] - exp(y) * sum(g[0], {d}, true)};
           });
  return out;
}

Tensor cumsum(const Tensor& x, int64_t dim) {
  check_defined("cumsum", x);
  int64_t d = wrap_dim(dim, x.dim(), "cumsum");
  DType dt = sum_dtype(x, std::nullopt);
  Tensor xc = convert(x, dt);
  Tensor out = raw::empty(x.sizes(), dt);
  kernels::cumsum(out, xc, x.dim() ? d : 0);
  if (should_record({&x}))
    record(OpId::cumsum, {x}, {out}, {}, [d](const BackwardContext&, const TensorList& g) -> TensorList {
      if (g[0].dim() == 0) return {g[0]};
      // Reverse cumulative sum: total - cumsum + g.
      return {sum(g[0], {d}, true) - cumsum(g[0], d) + g[0]};
    });
  return out;
}

namespace {
// PyTorch keeps uint8 for a uint8 input (a legacy of uint8 masks); every other dtype gives bool.
Tensor logical_reduce(Reduce r, const Tensor& x, IntArrayRef dims, bool keepdim, const char* name) {
  check_defined(name, x);
  Tensor out =
      reduce_forward(r, convert(x, DType::Bool), normalize_dims(dims, x.dim(), name), keepdim, DType::Bool);
  return x.dtype() == DType::UInt8 ? convert(out, DType::UInt8) : out;
}
}  // namespace

Tensor all(const Tensor& x) { return logical_reduce(Reduce::All, x, {}, false, "all"); }
Tensor any(const Tensor& x) { return logical_reduce(Reduce::Any, x, {}, false, "any"); }
Tensor all(const Tensor& x, int64_t dim, bool keepdim) {
  return logical_reduce(Reduce::All, x, {dim}, keepdim, "all");
}
Tensor any(const Tensor& x, int64_t dim, bool keepdim) {
  return logical_reduce(Reduce::Any, x, {dim}, keepdim, "any");
}

namespace {
std::tuple<Tensor, Tensor> sort_impl(OpId id, const Tensor& x, int64_t dim, bool descending, int64_t k) {
  check_defined(op_info(id).name.data(), x);
  int64_t d = wrap_dim(dim, x.dim(), op_info(id).name.data());
  std::vector<int64_t> shape = x.sizes().vec();
  if (x.dim()) shape[d] = k;
  Tensor values = raw::empty(shape, x.dtype()), indices = raw::empty(shape, DType::Int64);
  kernels::sort(values, indices, x, x.dim() ? d : 0, descending, k);
  if (should_record({&x}))
    record(id, {x}, {values}, {.extra = {indices}},
           [d, sizes = DimVec(x.sizes())](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             if (sizes.size() == 0) return {g[0]};
             return {zeros(sizes.ref(), {.dtype = g[0].dtype()}).scatter(d, ctx.extra(0), g[0])};
           });
  return {values, indices};
}
}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  check_defined("sort", x);
  int64_t n = x.dim() ? x.size(wrap_dim(dim, x.dim(), "sort")) : 1;
  return sort_impl(OpId::sort, x, dim, descending, n);
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool) {
  check_defined("topk", x);
  int64_t n = x.dim() ? x.size(wrap_dim(dim, x.dim(), "topk")) : 1;
  NABLA_CHECK(k >= 0 && k <= n, IndexError, "topk: k ({}) is out of range for dimension of size {}", k, n);
  return sort_impl(OpId::topk, x, dim, largest, k);
}

}  // namespace nabla
