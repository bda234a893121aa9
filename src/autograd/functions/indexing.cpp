// indexing.cpp — index_select, gather/scatter, masks, nonzero, one_hot and Tensor::index.
#include "autograd/functions/common.h"

namespace nabla {

namespace {

void check_index_tensor(const char* op, const Tensor& index) {
  NABLA_CHECK(index.dtype() == DType::Int64 || index.dtype() == DType::Int32, DTypeError,
              "{}: expected an int64 index tensor, got {}", op, dtype_name(index.dtype()));
}

// Validated contiguous int64 copy of `index`, every entry in [0, size). Negative indices do not
// wrap: PyTorch's index_select, gather, scatter and embedding raise for them (only advanced
// indexing, tensor_index.cpp, wraps).
Tensor checked_indices(const char* op, const Tensor& index, int64_t size) {
  check_index_tensor(op, index);
  Tensor idx = convert(index, DType::Int64);
  Tensor c = raw::empty_like(idx);
  kernels::copy(c, idx);
  int64_t* p = c.data_ptr<int64_t>();
  for (int64_t i = 0; i < c.numel(); ++i) {
    NABLA_CHECK(p[i] >= 0 && p[i] < size, IndexError,
                "{}: index {} is out of range [0, {}) for a dimension of size {}", op, p[i], size, size);
  }
  return c;
}

// out = zeros(sizes) with out.index_add_(dim, index, src); differentiable in src (its grad is index_select).
Tensor index_add_into_zeros(const Tensor& src, IntArrayRef sizes, int64_t dim, const Tensor& index) {
  Tensor out = zeros(sizes, {.dtype = src.dtype()});
  Tensor s = src.is_contiguous() ? src : src.contiguous();
  kernels::index_add(out, dim, index, s);
  if (should_record({&src}))
    record(OpId::index_select, {src}, {out}, {.extra = {index}},
           [dim](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             return {g[0].index_select(dim, ctx.extra(0))};
           });
  return out;
}

}  // namespace

Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  check_defined("index_select", *this, index);
  NABLA_CHECK(index.dim() <= 1, ShapeError, "index_select(): Index is supposed to be a vector, got shape {}",
              shape_str(index.sizes()));
  int64_t d = wrap_dim(dim, this->dim(), "index_select");
  Tensor idx = checked_indices("index_select", index, this->dim() ? size(d) : 1);
  std::vector<int64_t> shape = sizes().vec();
  if (this->dim()) shape[d] = idx.numel();
  Tensor out = raw::empty(shape, dtype());
  if (this->dim())
    kernels::index_select(out, *this, d, idx.reshape({-1}));
  else
    kernels::copy(out, *this);
  if (should_record({this}))
    record(OpId::index_select, {*this}, {out}, {.extra = {idx}},
           [d, sizes = DimVec(sizes())](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             return {index_add_into_zeros(g[0], sizes, d, ctx.extra(0).reshape({-1}))};
           });
  return out;
}

Tensor Tensor::gather(int64_t dim, const Tensor& index) const {
  check_defined("gather", *this, index);
  int64_t d = wrap_dim(dim, this->dim(), "gather");
  NABLA_CHECK(
      index.dim() == this->dim(), ShapeError,
      "gather: index tensor must have the same number of dimensions as input tensor (index {} vs input {})",
      shape_str(index.sizes()), shape_str(sizes()));
  for (int64_t k = 0; k < this->dim(); ++k)
    NABLA_CHECK(k == d || index.size(k) <= size(k), ShapeError,
                "gather: size of index {} does not fit input {} at dimension {}", shape_str(index.sizes()),
                shape_str(sizes()), k);
  Tensor idx = checked_indices("gather", index, this->dim() ? size(d) : 1);
  Tensor out = raw::empty(index.sizes(), dtype());
  kernels::gather(out, *this, d, idx);
  if (should_record({this}))
    record(OpId::gather, {*this}, {out}, {.extra = {idx}},
           [d, sizes = DimVec(sizes())](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             return {zeros(sizes.ref(), {.dtype = g[0].dtype()}).scatter_add(d, ctx.extra(0), g[0])};
           });
  return out;
}

namespace {
Tensor scatter_impl(OpId id, const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                    bool accumulate) {
  check_defined(op_info(id).name.data(), self, index, src);
  const char* name = op_info(id).name.data();
  int64_t d = wrap_dim(dim, self.dim(), name);
  NABLA_CHECK(index.dim() == self.dim() && src.dim() == self.dim(), ShapeError,
              "{}: index {} and src {} must have the same number of dimensions as self {}", name,
              shape_str(index.sizes()), shape_str(src.sizes()), shape_str(self.sizes()));
  for (int64_t k = 0; k < self.dim(); ++k)
    NABLA_CHECK(index.size(k) <= src.size(k) && (k == d || index.size(k) <= self.size(k)), ShapeError,
                "{}: index {} does not fit self {} / src {} at dimension {}", name, shape_str(index.sizes()),
                shape_str(self.sizes()), shape_str(src.sizes()), k);
  Tensor idx = checked_indices(name, index, self.dim() ? self.size(d) : 1);
  Tensor out = self.detach().clone();
  kernels::scatter(out, d, idx, convert(src, self.dtype()), accumulate);
  if (should_record({&self, &src}))
    record(id, {self, src}, {out}, {.extra = {idx}},
           [d, accumulate, src_sizes = DimVec(src.sizes())](const BackwardContext& ctx,
                                                            const TensorList& g) -> TensorList {
             const Tensor& idx = ctx.extra(0);
             Tensor gs;
             if (ctx.needs_grad[1]) {
               gs = g[0].gather(d, idx);
               if (gs.sizes() != src_sizes.ref()) {
                 // src larger than index: only the indexed part received gradient.
                 Tensor full = zeros(src_sizes.ref(), {.dtype = g[0].dtype()});
                 Tensor v = full;
                 for (int64_t k = 0; k < idx.dim(); ++k) v = v.narrow(k, 0, idx.size(k));
                 NoGradGuard ng;
                 kernels::copy(v, gs);
                 gs = full;
               }
             }
             Tensor gself =
                 ctx.needs_grad[0] ? (accumulate ? g[0] : g[0].scatter(d, idx, zeros_like(g[0]))) : Tensor();
             return {gself, gs};
           });
  return out;
}
}  // namespace

Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Tensor& src) const {
  return scatter_impl(OpId::scatter, *this, dim, index, src, false);
}
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return scatter_impl(OpId::scatter_add, *this, dim, index, src, true);
}

Tensor Tensor::masked_fill(const Tensor& mask, Scalar value) const {
  check_defined("masked_fill", *this, mask);
  NABLA_CHECK(mask.dtype() == DType::Bool, DTypeError, "masked_fill: expected a bool mask, got {}",
              dtype_name(mask.dtype()));
  auto shape = broadcast_shapes(sizes(), mask.sizes());
  NABLA_CHECK(shape == sizes().vec(), ShapeError,
              "masked_fill: mask of shape {} does not broadcast to self's shape {}", shape_str(mask.sizes()),
              shape_str(sizes()));
  Tensor out = raw::empty_like(*this);
  kernels::where(out, raw::expand(mask, shape), raw::expand(convert(wrap_scalar(value), dtype()), shape),
                 *this);
  if (should_record({this}))
    record(OpId::masked_fill, {*this, mask}, {out}, {.inputs = {1}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             return {g[0].masked_fill(ctx.input(1), 0), Tensor()};
           });
  return out;
}

Tensor Tensor::masked_select(const Tensor& mask) const {
  check_defined("masked_select", *this, mask);
  NABLA_CHECK(mask.dtype() == DType::Bool, DTypeError, "masked_select: expected a bool mask, got {}",
              dtype_name(mask.dtype()));
  std::vector<int64_t> shape;
  try {
    shape = broadcast_shapes(sizes(), mask.sizes());
  } catch (const ShapeError&) {
    throw ShapeError(fmt::format("masked_select: shapes {} and {} are not broadcastable", shape_str(sizes()),
                                 shape_str(mask.sizes())));
  }
  Tensor m = raw::expand(mask, shape), x = raw::expand(*this, shape);
  Tensor out = raw::empty({kernels::count_nonzero(m)}, dtype());
  kernels::masked_select(out, x, m);
  if (should_record({this}))
    record(OpId::masked_select, {*this, mask}, {out}, {.inputs = {1}},
           [shape, sizes = DimVec(sizes())](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             Tensor full = zeros(shape, {.dtype = g[0].dtype()});
             kernels::masked_scatter(full, raw::expand(ctx.input(1), shape), g[0].contiguous());
             return {sum_to(full, sizes), Tensor()};
           });
  return out;
}

// Fills self's positions where mask is true with source's first elements, in order. Gradients:
// self gets g where the mask is false; source's first count elements get g where it is true.
Tensor masked_scatter(const Tensor& self, const Tensor& mask, const Tensor& source) {
  check_defined("masked_scatter", self, mask, source);
  NABLA_CHECK(mask.dtype() == DType::Bool, DTypeError, "masked_scatter: expected a bool mask, got {}",
              dtype_name(mask.dtype()));
  NABLA_CHECK(source.dtype() == self.dtype(), DTypeError,
              "masked_scatter: expected self and source to have same dtypes but got {} and {}",
              dtype_name(self.dtype()), dtype_name(source.dtype()));
  std::vector<int64_t> shape;
  try {
    shape = broadcast_shapes(self.sizes(), mask.sizes());
  } catch (const ShapeError&) {
    throw ShapeError(
        fmt::format("masked_scatter: mask of shape {} is not broadcastable with self of shape {}",
                    shape_str(mask.sizes()), shape_str(self.sizes())));
  }
  Tensor m = raw::expand(mask, shape);
  const int64_t count = kernels::count_nonzero(m);
  NABLA_CHECK(
      source.numel() >= count, ShapeError,
      "masked_scatter: expected source to have at least {} elements (the mask's true count), but source "
      "of shape {} has {}",
      count, shape_str(source.sizes()), source.numel());
  Tensor out = raw::empty(shape, self.dtype());
  kernels::copy(out, raw::expand(self, shape));
  kernels::masked_scatter(out, m, source.contiguous());
  if (should_record({&self, &source}))
    record(OpId::masked_scatter, {self, mask, source}, {out}, {.inputs = {1}},
           [count, self_sizes = DimVec(self.sizes()), src_sizes = DimVec(source.sizes())](
               const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor& mask = ctx.input(1);
             Tensor gself = ctx.needs_grad[0] ? sum_to(g[0].masked_fill(mask, 0), self_sizes) : Tensor();
             Tensor gsrc;
             if (ctx.needs_grad[2]) {
               gsrc = g[0].masked_select(mask);
               const int64_t rest = shape_numel(src_sizes) - count;
               if (rest > 0) gsrc = cat({gsrc, zeros({rest}, {.dtype = g[0].dtype()})});
               gsrc = gsrc.view(src_sizes);
             }
             return {gself, Tensor(), gsrc};
           });
  return out;
}

Tensor Tensor::nonzero() const {
  check_defined("nonzero", *this);
  Tensor out = raw::empty({kernels::count_nonzero(*this), dim()}, DType::Int64);
  kernels::nonzero(out, *this);
  return out;
}

Tensor one_hot(const Tensor& indices, int64_t num_classes) {
  check_defined("one_hot", indices);
  NABLA_CHECK(indices.dtype() == DType::Int64, DTypeError,
              "one_hot is only applicable to index tensor (int64), got {}", dtype_name(indices.dtype()));
  if (num_classes < 0) {
    NABLA_CHECK(indices.numel() > 0, ValueError,
                "one_hot: can not infer total number of classes from empty tensor.");
    num_classes = max(indices).item<int64_t>() + 1;
  }
  Tensor idx = checked_indices("one_hot", indices, num_classes);
  std::vector<int64_t> shape = indices.sizes().vec();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, {.dtype = kInt64});
  kernels::scatter(out, indices.dim(), idx.unsqueeze(-1), ones(idx.unsqueeze(-1).sizes(), {.dtype = kInt64}),
                   false);
  return out;
}

}  // namespace nabla
