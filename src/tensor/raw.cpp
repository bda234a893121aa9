// raw.cpp — allocation and view construction without autograd.
#include "tensor/raw.h"

#include <algorithm>
#include <array>

#include "util/check.h"

namespace nabla::raw {

std::vector<int64_t> contiguous_strides(IntArrayRef sizes) {
  std::vector<int64_t> st(sizes.size());
  int64_t s = 1;
  for (int i = static_cast<int>(sizes.size()) - 1; i >= 0; --i) {
    st[i] = s;
    s *= std::max<int64_t>(sizes[i], 1);
  }
  return st;
}

Tensor empty(IntArrayRef sizes, DType dtype, Device device) {
  NABLA_CHECK(sizes.size() <= static_cast<size_t>(kMaxDims), ShapeError,
              "shape {} has {} dimensions; nabla supports at most {}", shape_str(sizes), sizes.size(),
              kMaxDims);
  const int64_t n = checked_numel(sizes, "empty");  // so the strides below cannot overflow either
  DimVec strides(static_cast<int>(sizes.size()));
  int64_t s = 1;
  for (int i = static_cast<int>(sizes.size()) - 1; i >= 0; --i) {
    strides[i] = s;
    s *= std::max<int64_t>(sizes[i], 1);
  }
  size_t bytes = 0;
  NABLA_CHECK(!__builtin_mul_overflow(static_cast<size_t>(n), dtype_size(dtype), &bytes), ValueError,
              "empty: storage size calculation overflowed with sizes={} ({} elements of {})",
              shape_str(sizes), n, dtype_name(dtype));
  Storage* st = Storage::allocate(bytes, device);
  return Tensor(new TensorImpl(st, dtype, sizes, strides, 0));
}

Tensor empty_like(const Tensor& t) { return empty(t.sizes(), t.dtype(), t.device()); }

namespace {
// NHWC strides of a 4-D shape, without a heap allocation: is_channels_last runs on every
// elementwise op of a channels-last tensor.
std::array<int64_t, 4> nhwc_strides(IntArrayRef sizes) {
  const int64_t C = std::max<int64_t>(sizes[1], 1), H = std::max<int64_t>(sizes[2], 1),
                W = std::max<int64_t>(sizes[3], 1);
  return {H * W * C, 1, W * C, C};
}
}  // namespace

std::vector<int64_t> channels_last_strides(IntArrayRef sizes) {
  NABLA_CHECK(sizes.size() == 4, ShapeError, "channels_last: expected a 4-D [N, C, H, W] shape, got {}",
              shape_str(sizes));
  const auto s = nhwc_strides(sizes);
  return {s.begin(), s.end()};
}

bool is_channels_last(const Tensor& t) {
  if (t.dim() != 4) return false;
  const auto want = nhwc_strides(t.sizes());
  for (int d = 0; d < 4; ++d)
    if (t.size(d) != 1 && t.stride(d) != want[d]) return false;
  return true;
}

bool is_strictly_channels_last(const Tensor& t) { return !t.is_contiguous() && is_channels_last(t); }

MemoryFormat memory_format_of(const Tensor& t) {
  return is_strictly_channels_last(t) ? MemoryFormat::ChannelsLast : MemoryFormat::Contiguous;
}

Tensor empty(IntArrayRef sizes, DType dtype, MemoryFormat format) {
  if (format != MemoryFormat::ChannelsLast) return empty(sizes, dtype);  // no copy of the handle (atomics)
  Tensor out = empty(sizes, dtype);
  return as_strided(out, sizes, channels_last_strides(sizes), 0);
}

Tensor empty_like_layout(const Tensor& like, DType dtype) {
  const TensorImpl& l = *like.impl();
  // The common case, copied rather than recomputed: like's shape is valid and its numel fits, so
  // only the byte count is new (a sixth of a one-element add went to re-deriving the geometry).
  if (l.has_default_strides())
    return Tensor(
        new TensorImpl(Storage::allocate(static_cast<size_t>(l.numel()) * dtype_size(dtype)), dtype, l));
  return empty(like.sizes(), dtype, memory_format_of(like));
}

Tensor as_strided(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  Storage* st = base.impl()->storage();
  st->retain();
  return Tensor(new TensorImpl(st, base.dtype(), sizes, strides, offset));
}

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  DimVec sizes(t.sizes()), strides(t.strides());
  int64_t offset = t.storage_offset() + index * t.stride(dim);
  sizes.erase(static_cast<int>(dim));
  strides.erase(static_cast<int>(dim));
  return as_strided(t, sizes, strides, offset);
}

Tensor expand(const Tensor& t, IntArrayRef sizes) {
  const int nd = static_cast<int>(sizes.size()), td = t.dim();
  NABLA_ASSERT(nd >= td, "expand to fewer dims");
  DimVec strides(nd);
  for (int i = 0; i < nd; ++i) {
    int j = i - (nd - td);
    if (j < 0)
      strides[i] = 0;
    else
      strides[i] = (t.size(j) == sizes[i]) ? t.stride(j) : 0;
  }
  return as_strided(t, sizes, strides, t.storage_offset());
}

}  // namespace nabla::raw
