// shape_ops.cpp — flip, roll, repeat, tril/triu, diag/diagonal, view_as, split_with_sizes and
// meshgrid. Most are compositions of differentiable view ops, so their derivatives (and double
// backward) follow; flip and diagonal record their own node.
#include <algorithm>
#include <cstdlib>

#include "autograd/functions/common.h"

namespace nabla {

namespace {
// Wrapped dims, each at most once (PyTorch's "dim appears multiple times" check).
std::vector<int64_t> distinct_dims(IntArrayRef dims, int64_t ndim, const char* op) {
  std::vector<int64_t> out;
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, ndim, op);
    NABLA_CHECK(std::find(out.begin(), out.end(), w) == out.end(), ValueError,
                "{}: dim {} appears multiple times in the list of dims {}", op, w, shape_str(dims));
    out.push_back(w);
  }
  return out;
}
}  // namespace

Tensor flip(const Tensor& x, IntArrayRef dims_in) {
  check_defined("flip", x);
  const auto dims = distinct_dims(dims_in, x.dim(), "flip");
  Tensor out;
  {
    NoGradGuard ng;
    out = x.clone();
    if (x.dim() > 0)
      for (int64_t d : dims) out = out.index_select(d, arange(x.size(d) - 1, -1, -1));
  }
  if (should_record({&x}))
    record(OpId::flip, {x}, {out}, {},
           [dims](const BackwardContext&, const TensorList& g) -> TensorList { return {flip(g[0], dims)}; });
  return out;
}

// Each shift is a cat of two narrows: differentiable as it stands.
Tensor roll(const Tensor& x, IntArrayRef shifts, IntArrayRef dims) {
  check_defined("roll", x);
  NABLA_CHECK(!shifts.empty(), ValueError, "roll: `shifts` required");
  if (dims.empty()) {
    NABLA_CHECK(shifts.size() == 1, ValueError, "roll: shifts and dimensions must align. shifts: {}, dims: 0",
                shifts.size());
    return roll(x.flatten(), shifts, {0}).view(x.sizes());
  }
  NABLA_CHECK(shifts.size() == dims.size(), ValueError,
              "roll: shifts and dimensions must align. shifts: {}, dims: {}", shifts.size(), dims.size());
  Tensor out = x;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], x.dim(), "roll");
    const int64_t n = x.dim() ? x.size(d) : 1;
    const int64_t s = n == 0 ? 0 : ((shifts[i] % n) + n) % n;
    if (s != 0) out = cat({out.narrow(d, n - s, s), out.narrow(d, 0, n - s)}, d);
  }
  return out.is_same(x) ? x.clone() : out;  // always a new tensor, as PyTorch
}

// Dim by dim: [.., s, ..] -> [.., 1, s, ..] -> expand [.., r, s, ..] -> [.., r * s, ..], so at most one
// extra dim is live (kMaxDims) and the gradient is expand's sum.
Tensor Tensor::repeat(IntArrayRef repeats) const {
  check_defined("repeat", *this);
  NABLA_CHECK(static_cast<int64_t>(repeats.size()) >= dim(), ShapeError,
              "repeat: number of dimensions of repeat dims ({}) can not be smaller than number of dimensions "
              "of tensor ({}, shape {})",
              repeats.size(), dim(), shape_str(sizes()));
  for (int64_t r : repeats)
    NABLA_CHECK(r >= 0, ValueError, "repeat: repeats must be non-negative, got {}", shape_str(repeats));
  std::vector<int64_t> shape(repeats.size() - static_cast<size_t>(dim()), 1);
  shape.insert(shape.end(), sizes().begin(), sizes().end());
  Tensor out = reshape(shape);
  for (size_t i = 0; i < repeats.size(); ++i) {
    if (repeats[i] == 1) continue;
    const auto d = static_cast<int64_t>(i);
    std::vector<int64_t> wide = out.sizes().vec();
    wide.insert(wide.begin() + d, repeats[i]);
    std::vector<int64_t> merged = out.sizes().vec();
    merged[i] *= repeats[i];
    out = out.unsqueeze(d).expand(wide).reshape(merged);
  }
  // PyTorch's repeat always copies; all-ones repeats (or a size-1 dim repeated) leave a view here.
  return out.impl()->storage() == impl()->storage() ? out.clone() : out;
}

namespace {
// where(mask, x, 0) with mask[i, j] = (j - i <= k) for tril, (j - i >= k) for triu.
Tensor triangle(const char* op, const Tensor& x, int64_t k, bool lower) {
  check_defined(op, x);
  NABLA_CHECK(x.dim() >= 2, ShapeError, "{}: input tensor must have at least 2 dimensions, got shape {}", op,
              shape_str(x.sizes()));
  NoGradGuard ng;
  Tensor rows = arange(x.size(-2)).unsqueeze(1), cols = arange(x.size(-1)).unsqueeze(0);
  return lower ? (cols - rows) <= k : (cols - rows) >= k;
}
}  // namespace

Tensor tril(const Tensor& x, int64_t diagonal) {
  Tensor mask = triangle("tril", x, diagonal, true);
  return where(mask, x, zeros({}, {.dtype = x.dtype()}));
}
Tensor triu(const Tensor& x, int64_t diagonal) {
  Tensor mask = triangle("triu", x, diagonal, false);
  return where(mask, x, zeros({}, {.dtype = x.dtype()}));
}

// A view: dims other than dim1/dim2 in order, then the diagonal (stride s1 + s2).
Tensor diagonal(const Tensor& x, int64_t offset, int64_t dim1, int64_t dim2) {
  check_defined("diagonal", x);
  NABLA_CHECK(x.dim() >= 2, ShapeError,
              "diagonal: expected a tensor with at least 2 dimensions, got shape {}", shape_str(x.sizes()));
  const int64_t d1 = wrap_dim(dim1, x.dim(), "diagonal"), d2 = wrap_dim(dim2, x.dim(), "diagonal");
  NABLA_CHECK(d1 != d2, ValueError, "diagonal: dimensions cannot be identical {}, {}", dim1, dim2);
  const int64_t len = std::max<int64_t>(
      offset >= 0 ? std::min(x.size(d1), x.size(d2) - offset) : std::min(x.size(d1) + offset, x.size(d2)), 0);
  int64_t start = x.storage_offset();
  if (len > 0) start += offset >= 0 ? offset * x.stride(d2) : -offset * x.stride(d1);
  DimVec sz, st;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != d1 && d != d2) {
      sz.push_back(x.size(d));
      st.push_back(x.stride(d));
    }
  sz.push_back(len);
  st.push_back(x.stride(d1) + x.stride(d2));
  Tensor out = raw::as_strided(x, sz, st, start);
  if (should_record({&x}))
    record(OpId::diagonal, {x}, {out}, {},
           [offset, d1, d2, sizes = DimVec(x.sizes())](const BackwardContext&,
                                                       const TensorList& g) -> TensorList {
             return {scatter_into_view(OpId::diag, g[0], sizes,
                                       [=](const Tensor& t) { return t.diagonal(offset, d1, d2); })};
           });
  return out;
}

// 2-D: a copy of the k-th diagonal. 1-D: a square matrix with x on its k-th diagonal, whose gradient
// is the diagonal of g (scatter_into_view records exactly that).
Tensor diag(const Tensor& x, int64_t k) {
  check_defined("diag", x);
  NABLA_CHECK(x.dim() == 1 || x.dim() == 2, ShapeError,
              "diag(): Supports 1D or 2D tensors. Got {}D (shape {})", x.dim(), shape_str(x.sizes()));
  if (x.dim() == 2) return diagonal(x, k, 0, 1).clone();
  const int64_t n = x.size(0) + std::abs(k);
  return scatter_into_view(OpId::diag, x, {n, n}, [k](const Tensor& t) { return t.diagonal(k, 0, 1); });
}

Tensor Tensor::view_as(const Tensor& other) const {
  check_defined("view_as", *this, other);
  return view(other.sizes());
}

TensorList Tensor::split_with_sizes(IntArrayRef split_sizes, int64_t dim) const {
  check_defined("split_with_sizes", *this);
  NABLA_CHECK(this->dim() > 0, ShapeError, "split_with_sizes: expected a tensor with at least 1 dimension");
  const int64_t w = wrap_dim(dim, this->dim(), "split_with_sizes");
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    NABLA_CHECK(s >= 0, ValueError,
                "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes={}",
                shape_str(split_sizes));
    total += s;
  }
  NABLA_CHECK(
      total == size(w), ValueError,
      "split_with_sizes expects split_sizes to sum exactly to {} (input tensor's size at dimension {}), "
      "but got split_sizes={}",
      size(w), w, shape_str(split_sizes));
  TensorList out;
  int64_t start = 0;
  for (int64_t s : split_sizes) {
    out.push_back(narrow(w, start, s));
    start += s;
  }
  return out;
}
TensorList Tensor::split(IntArrayRef split_sizes, int64_t dim) const {
  return split_with_sizes(split_sizes, dim);
}
TensorList split(const Tensor& x, int64_t split_size, int64_t dim) {
  check_defined("split", x);
  return x.split(split_size, dim);
}
TensorList split(const Tensor& x, IntArrayRef split_sizes, int64_t dim) {
  check_defined("split", x);
  return x.split_with_sizes(split_sizes, dim);
}
TensorList split_with_sizes(const Tensor& x, IntArrayRef split_sizes, int64_t dim) {
  check_defined("split_with_sizes", x);
  return x.split_with_sizes(split_sizes, dim);
}

// Output i is input i viewed along output dim p(i) and expanded: p is the identity for "ij"; "xy" swaps
// the first two (Cartesian indexing).
TensorList meshgrid(const TensorList& tensors, const std::string& indexing) {
  check_defined_list("meshgrid", tensors);
  NABLA_CHECK(!tensors.empty(), ValueError, "meshgrid: expects a non-empty TensorList");
  NABLA_CHECK(indexing == "ij" || indexing == "xy", ValueError,
              "meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {}", indexing);
  const size_t n = tensors.size();
  std::vector<int64_t> shape(n);
  for (size_t i = 0; i < n; ++i) {
    const Tensor& t = tensors[i];
    NABLA_CHECK(
        t.dim() <= 1, ShapeError,
        "meshgrid: Expected 0D or 1D tensor in the tensor list but got a tensor of shape {} at position {}",
        shape_str(t.sizes()), i);
    NABLA_CHECK(
        t.dtype() == tensors[0].dtype(), DTypeError,
        "meshgrid: expects all tensors to have the same dtype, got {} at position 0 and {} at position {}",
        dtype_name(tensors[0].dtype()), dtype_name(t.dtype()), i);
  }
  auto position = [&](size_t i) { return indexing == "xy" && n >= 2 && i < 2 ? 1 - i : i; };
  for (size_t i = 0; i < n; ++i) shape[position(i)] = tensors[i].numel();
  TensorList out;
  for (size_t i = 0; i < n; ++i) {
    std::vector<int64_t> view_shape(n, 1);
    view_shape[position(i)] = -1;
    out.push_back(tensors[i].reshape(view_shape).expand(shape));
  }
  return out;
}

}  // namespace nabla
