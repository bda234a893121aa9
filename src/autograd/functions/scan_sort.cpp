// scan_sort.cpp — cumprod, argsort, unique, bucketize and searchsorted: forward and derivative
// side by side (only cumprod is differentiable).
#include "autograd/functions/common.h"

namespace nabla {

namespace {
// Note [cumprod's derivative]
// d y_j / d x_i = prod_{m <= j, m != i} x_m for j >= i. Without zeros that is y_j / x_i, so the
// gradient is a reverse cumulative sum of g * y divided by x (PyTorch's fast path). With zeros, let k
// be a lane's first zero: before k the same formula holds (x_i != 0) over the terms j < k; at k the
// gradient is prod_{m < k} x_m * sum_{k <= j < k2} g_j prod_{k < m <= j} x_m (k2 the second zero);
// after k every product holds x_k, so it is 0. Terms past a zero are dropped, not multiplied by 0
// (PyTorch's masks: a NaN or inf there does not reach the gradient).
// Written with differentiable ops (double backward is exact away from zeros only: dbl is off).
Tensor cumprod_backward(const Tensor& x, const Tensor& y, const Tensor& g, int64_t d) {
  if (x.numel() <= 1 || x.size(d) == 1) return g;  // PyTorch's shortcut (g / x * y was -inf / -inf)
  auto reverse_cumsum = [d](const Tensor& t) { return flip(cumsum(flip(t, {d}), d), {d}); };
  Tensor is_zero = x == 0.0;
  Tensor zeros_so_far = cumsum(is_zero, d);  // int64
  Tensor before = zeros_so_far == 0, first = logical_and(is_zero, zeros_so_far == 1);
  Tensor one = ones({}, {.dtype = x.dtype()}), zero = zeros({}, {.dtype = g.dtype()});
  // PyTorch's masked form: before the first zero, reversed_cumsum(g y) / x over those terms only (the
  // NaN and inf of y after a zero drop out); at the first zero, the product before it times
  // sum_{k in [z1, z2)} g_k prod_{z1 < j <= k} x_j.
  Tensor g_before = reverse_cumsum(where(before, g * y, zero)) / where(before, x, one);
  Tensor second = zeros_so_far == 1;
  Tensor between = logical_and(second, logical_not(first));
  Tensor s = sum(cumprod(where(between, x, one), d) * where(second, g, zero), {d}, true);
  const int64_t n = x.size(d);
  Tensor prefix = cat({ones_like(y.narrow(d, 0, 1)), y.narrow(d, 0, n - 1)}, d);  // prod of x before k
  Tensor g_first = s * prefix;
  return where(before, g_before, where(first, g_first, zero));
}
}  // namespace

Tensor cumprod(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  check_defined("cumprod", x);
  const int64_t d = wrap_dim(dim, x.dim(), "cumprod");
  if (dtype && *dtype != x.dtype()) return cumprod(to_dtype(x, *dtype), dim);  // to_dtype records its grad
  const DType dt = is_floating(x.dtype()) ? x.dtype() : DType::Int64;          // integers and bools -> int64
  Tensor out = raw::empty(x.sizes(), dt);
  kernels::cumprod(out, convert(x, dt), x.dim() ? d : 0);
  if (should_record({&x}))
    record(OpId::cumprod, {x}, {out}, {.inputs = {0}, .outputs = {0}},
           [d](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             return {cumprod_backward(ctx.input(0), ctx.output(0), g[0], d)};
           });
  return out;
}

// The sort kernel is stable, so `stable` only documents the caller's need (PyTorch may reorder ties
// without it).
Tensor argsort(const Tensor& x, int64_t dim, bool descending, bool stable) {
  check_defined("argsort", x);
  (void)stable;
  NoGradGuard ng;
  return std::get<1>(sort(x, dim, descending));
}

// Sort, mark where a new value starts, and number the groups: values, inverse and counts follow
// with masked_select, scatter and scatter_add. Always sorted (PyTorch's unsorted order is
// unspecified). NaNs never compare equal, so each is its own value.
std::tuple<Tensor, Tensor, Tensor> unique(const Tensor& x, bool sorted, bool return_inverse,
                                          bool return_counts) {
  check_defined("unique", x);
  (void)sorted;
  NoGradGuard ng;
  const Tensor flat = x.reshape({-1});
  const int64_t n = flat.numel();
  auto [v, order] = sort(flat, 0, false);
  Tensor starts = n == 0 ? zeros({0}, {.dtype = kBool})
                         : cat({ones({1}, {.dtype = kBool}), v.narrow(0, 1, n - 1) != v.narrow(0, 0, n - 1)});
  Tensor values = v.masked_select(starts), inverse, counts;
  Tensor group = cumsum(starts, 0) - 1;  // group number of each sorted element
  if (return_inverse) inverse = zeros({n}, {.dtype = kInt64}).scatter(0, order, group).view(x.sizes());
  if (return_counts)
    counts = zeros({values.numel()}, {.dtype = kInt64}).scatter_add(0, group, ones({n}, {.dtype = kInt64}));
  return {values, inverse, counts};
}
std::tuple<Tensor, Tensor, Tensor> Tensor::unique(bool sorted, bool return_inverse,
                                                  bool return_counts) const {
  return nabla::unique(*this, sorted, return_inverse, return_counts);
}

namespace {
// Indices into sorted rows (PyTorch's searchsorted); `boundaries` 1-D or with input's leading dims.
Tensor search(const char* op, const Tensor& boundaries, const Tensor& input, bool out_int32, bool right) {
  NABLA_CHECK(boundaries.dim() > 0, ShapeError,
              "{}: boundaries tensor should have positive dimension, but got 0 dimension", op);
  bool rows_match = boundaries.dim() == 1;
  if (!rows_match && boundaries.dim() == input.dim()) {
    rows_match = true;
    for (int64_t d = 0; d + 1 < input.dim(); ++d) rows_match &= boundaries.size(d) == input.size(d);
  }
  NABLA_CHECK(
      rows_match, ShapeError,
      "{}: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and "
      "input value tensor must match, but we got boundaries tensor {} and input value tensor {}",
      op, shape_str(boundaries.sizes()), shape_str(input.sizes()));
  // Bool values are searched in the promoted dtype (PyTorch too); only an all-bool search is refused.
  const DType dt = promote_types(boundaries.dtype(), input.dtype());
  NABLA_CHECK(dt != DType::Bool, DTypeError, "{}: not implemented for bool tensors (boundaries {}, input {})",
              op, dtype_name(boundaries.dtype()), dtype_name(input.dtype()));
  Tensor out = raw::empty(input.sizes(), out_int32 ? DType::Int32 : DType::Int64);
  kernels::searchsorted(out, convert(boundaries, dt).contiguous(), convert(input, dt).contiguous(), right);
  return out;
}
}  // namespace

Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& input, bool out_int32, bool right,
                    std::optional<std::string> side) {
  check_defined("searchsorted", sorted_sequence, input);
  if (side) {
    NABLA_CHECK(*side == "left" || *side == "right", ValueError,
                "searchsorted: side can only be 'left' or 'right' but got {}", *side);
    NABLA_CHECK(
        !(right && *side == "left"), ValueError,
        "searchsorted: side and right can't be set to opposites, got side of left while right was True");
    right = *side == "right";
  }
  NoGradGuard ng;
  return search("searchsorted", sorted_sequence, input, out_int32, right);
}

Tensor bucketize(const Tensor& input, const Tensor& boundaries, bool out_int32, bool right) {
  check_defined("bucketize", input, boundaries);
  NABLA_CHECK(boundaries.dim() == 1, ShapeError,
              "bucketize: boundaries tensor must be 1 dimension, but got shape {}",
              shape_str(boundaries.sizes()));
  NoGradGuard ng;
  return search("bucketize", boundaries, input, out_int32, right);
}

}  // namespace nabla
