// tensor_index.cpp — x.index({...}) and x.index_put_({...}, v): Python-style indexing.
// Basic entries (ints, slices, None, Ellipsis) become views; tensor entries (int64 or bool) become
// an advanced index, built from permute + reshape + index_select so its derivative comes for free.
#include <algorithm>

#include "autograd/functions/inplace.h"

namespace nabla {

namespace {

int64_t dims_consumed(const TensorIndex& i) {
  switch (i.kind()) {
    case TensorIndex::Kind::Integer:
    case TensorIndex::Kind::Slice:
      return 1;
    case TensorIndex::Kind::Tensor:
      return i.tensor().dtype() == DType::Bool ? i.tensor().dim() : 1;
    default:
      return 0;
  }
}

// Undefined self, or an undefined tensor entry: a ValueError naming `op` (not a crash).
void check_defined_entries(const char* op, const Tensor& self, const std::vector<TensorIndex>& indices) {
  check_defined(op, self);
  for (size_t k = 0; k < indices.size(); ++k)
    if (indices[k].kind() == TensorIndex::Kind::Tensor && !indices[k].tensor().defined())
      throw_undefined_argument(op, k + 1);
}

Tensor advanced_index(const Tensor& r, std::vector<std::pair<int64_t, Tensor>> adv) {
  // Broadcast the index tensors together.
  std::vector<int64_t> bshape = adv[0].second.sizes().vec();
  for (auto& [d, t] : adv) {
    try {
      bshape = broadcast_shapes(bshape, t.sizes());
    } catch (const ShapeError&) {
      throw ShapeError(fmt::format(
          "index: shape mismatch: indexing tensors could not be broadcast together (got {} and {})",
          shape_str(bshape), shape_str(t.sizes())));
    }
  }
  std::vector<int64_t> dims, perm, rest;
  for (auto& [d, t] : adv) dims.push_back(d);
  bool adjacent = true;
  for (size_t i = 1; i < dims.size(); ++i) adjacent &= dims[i] == dims[i - 1] + 1;
  for (int64_t d : dims) perm.push_back(d);
  for (int64_t d = 0; d < r.dim(); ++d)
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) {
      perm.push_back(d);
      rest.push_back(r.size(d));
    }
  // Linear index into the flattened indexed dims.
  Tensor linear = zeros(bshape, {.dtype = kInt64});
  int64_t block = 1;
  for (int64_t k = static_cast<int64_t>(adv.size()) - 1; k >= 0; --k) {
    auto& [d, t] = adv[k];
    const int64_t size = r.size(d);
    NABLA_CHECK(t.dtype() == DType::Int64 || t.dtype() == DType::Int32, DTypeError,
                "index: tensors used as indices must be int64 or bool tensors, got {}",
                dtype_name(t.dtype()));
    Tensor ti = convert(t, DType::Int64);
    if (ti.numel()) {
      int64_t lo = min(ti).item<int64_t>(), hi = max(ti).item<int64_t>();
      NABLA_CHECK(lo >= -size && hi < size, IndexError,
                  "index {} is out of bounds for dimension {} with size {}", lo < -size ? lo : hi, d, size);
    }
    ti = where(ti < 0, ti + size, ti);
    linear = linear + ti * block;
    block *= size;
  }
  std::vector<int64_t> flat_shape = {block};
  flat_shape.insert(flat_shape.end(), rest.begin(), rest.end());
  Tensor flat = r.permute(perm).reshape(flat_shape);
  Tensor picked = flat.index_select(0, linear.reshape({-1}));
  std::vector<int64_t> out_shape = bshape;
  out_shape.insert(out_shape.end(), rest.begin(), rest.end());
  Tensor out = picked.reshape(out_shape);
  if (adjacent && dims[0] > 0) {  // PyTorch keeps adjacent advanced dims in place
    const int64_t nb = static_cast<int64_t>(bshape.size());
    std::vector<int64_t> p;
    for (int64_t i = 0; i < dims[0]; ++i) p.push_back(nb + i);
    for (int64_t i = 0; i < nb; ++i) p.push_back(i);
    for (int64_t i = nb + dims[0]; i < out.dim(); ++i) p.push_back(i);
    out = out.permute(p);
  }
  return out;
}

}  // namespace

Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return index(std::vector<TensorIndex>(indices));
}

Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  check_defined_entries("index", *this, indices);
  int64_t consumed = 0, ellipses = 0;
  for (auto& i : indices) {
    consumed += dims_consumed(i);
    ellipses += i.kind() == TensorIndex::Kind::Ellipsis;
  }
  NABLA_CHECK(ellipses <= 1, IndexError, "index: an index can only have a single ellipsis ('...')");
  NABLA_CHECK(consumed <= dim(), IndexError, "index: too many indices for tensor of dimension {} (shape {})",
              dim(), shape_str(sizes()));
  Tensor r = *this;
  int64_t d = 0;
  std::vector<std::pair<int64_t, Tensor>> adv;
  for (auto& i : indices) {
    switch (i.kind()) {
      case TensorIndex::Kind::Integer:
        r = r.select(d, i.integer());
        break;
      case TensorIndex::Kind::Slice:
        r = r.slice(d, i.slice().start, i.slice().stop, i.slice().step);
        ++d;
        break;
      case TensorIndex::Kind::None:
        r = r.unsqueeze(d);
        ++d;
        break;
      case TensorIndex::Kind::Ellipsis:
        d += dim() - consumed;
        break;
      case TensorIndex::Kind::Tensor: {
        const Tensor& t = i.tensor();
        if (t.dtype() == DType::Bool) {
          for (int64_t k = 0; k < t.dim(); ++k)
            NABLA_CHECK(t.size(k) == r.size(d + k), IndexError,
                        "index: the shape of the mask {} does not match the shape of the indexed tensor {} "
                        "at index {}",
                        shape_str(t.sizes()), shape_str(r.sizes()), d + k);
          Tensor nz = t.nonzero();
          if (t.dim() == 0) {  // x[True] adds a dim of size 1, x[False] of size 0
            r = r.unsqueeze(d);
            adv.push_back(
                {d, t.item<bool>() ? zeros({1}, {.dtype = kInt64}) : zeros({0}, {.dtype = kInt64})});
            ++d;
          }
          for (int64_t k = 0; k < t.dim(); ++k) adv.push_back({d + k, nz.select(1, k)});
          d += t.dim();
        } else {
          adv.push_back({d, t});
          ++d;
        }
        break;
      }
    }
  }
  return adv.empty() ? r : advanced_index(r, adv);
}

namespace {
// value converted to dtype and broadcast to the indexing result's shape, or PyTorch's ShapeError.
Tensor value_for(const Tensor& value, DType dtype, IntArrayRef shape) {
  try {
    return to_dtype(value, dtype).expand(shape);
  } catch (const ShapeError&) {
    throw ShapeError(
        fmt::format("index_put_: shape mismatch: value tensor of shape {} cannot be broadcast to indexing "
                    "result of shape {}",
                    shape_str(value.sizes()), shape_str(shape)));
  }
}
bool has_tensor_entry(const std::vector<TensorIndex>& indices) {
  for (auto& i : indices)
    if (i.kind() == TensorIndex::Kind::Tensor) return true;
  return false;
}
}  // namespace

Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& value) {
  check_defined_entries("index_put_", *this, indices);
  check_defined("index_put_", value);
  if (is_grad_enabled() && (requires_grad() || value.requires_grad())) {
    if (!has_tensor_entry(indices)) {
      // Like PyTorch's set_item: basic indices give a view, and copying into it goes through CopySlices.
      Tensor dst = index(indices);
      copy_into("index_put_", dst, value_for(value, dtype(), dst.sizes()));
      return *this;
    }
    // Advanced indices: the out-of-place result scatters value into self's elements (numbered in
    // row-major order, indexed the same way), so its derivative is scatter's.
    Tensor at = arange(numel(), {.dtype = kInt64}).reshape(sizes()).index(indices);
    Tensor v = value_for(value, dtype(), at.sizes());
    return inplace("index_put_", *this, {&value}, [&](const Tensor& self) {
      return self.reshape({-1}).scatter(0, at.reshape({-1}), v.reshape({-1})).reshape(sizes());
    });
  }
  // Storage offset of every element of self, indexed the same way, says where each value goes.
  Tensor pos = full(sizes(), storage_offset(), {.dtype = kInt64});
  for (int64_t d = 0; d < dim(); ++d) {
    std::vector<int64_t> shape(dim(), 1);
    shape[d] = size(d);
    pos = pos + arange(size(d)).reshape(shape) * stride(d);
  }
  Tensor where_to = pos.index(indices).contiguous();
  Tensor v = value_for(value, dtype(), where_to.sizes()).contiguous();
  const int64_t extent = static_cast<int64_t>(impl()->storage()->nbytes() / dtype_size(dtype()));
  Tensor flat = raw::as_strided(*this, {extent}, {1}, 0);
  kernels::scatter(flat, 0, where_to.reshape({-1}), v.reshape({-1}), false);
  bump(*this);
  return *this;
}

Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, Scalar value) {
  return index_put_(indices, wrap_scalar(value));
}

}  // namespace nabla
