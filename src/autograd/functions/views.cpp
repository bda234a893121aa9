// views.cpp — view and shape ops (share storage with their input) and their derivatives.
#include <numeric>

#include "autograd/functions/common.h"
#include "autograd/view_inplace.h"

namespace nabla {

namespace {

// Every view op's result goes through here (Note [Views and in-place ops]).
Tensor as_view(const Tensor& in, Tensor out) {
  autograd::mark_view(in, out);
  return out;
}

}  // namespace

// Gradient of a view that picks part of x: zeros shaped like x with g written into the same view.
// The view function is applied again to gg for double backward.
Tensor scatter_into_view(OpId id, const Tensor& g, IntArrayRef sizes,
                         std::function<Tensor(const Tensor&)> view) {
  Tensor out = zeros(sizes, {.dtype = g.dtype()});
  {
    NoGradGuard ng;
    kernels::copy(view(out), g);
  }
  if (should_record({&g}))
    record(id, {g}, {out}, {},
           [view](const BackwardContext&, const TensorList& gg) -> TensorList { return {view(gg[0])}; });
  return out;
}

namespace {

Tensor record_reshape_like(OpId id, const Tensor& x, Tensor out) {
  if (should_record({&x}))
    record(id, {x}, {out}, {},
           [sizes = DimVec(x.sizes())](const BackwardContext&, const TensorList& g) -> TensorList {
             return {g[0].reshape(sizes)};
           });
  return out;
}

// Resolves a single -1 in `shape` against numel; errors like PyTorch.
std::vector<int64_t> infer_size(IntArrayRef shape, int64_t numel, const char* op) {
  std::vector<int64_t> out = shape.vec();
  int64_t infer = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      NABLA_CHECK(infer < 0, ValueError, "{}: only one dimension can be inferred (shape {})", op,
                  shape_str(shape));
      infer = static_cast<int64_t>(i);
    } else {
      NABLA_CHECK(out[i] >= 0, ValueError, "{}: invalid shape dimension {} in {}", op, out[i],
                  shape_str(shape));
    }
  }
  if (infer >= 0) out[infer] = 1;
  // Checked: a wrapped product could match numel (shape [2^62, 4, 0] on 0 elements).
  const int64_t known = checked_numel(out, op);
  if (infer >= 0) {
    NABLA_CHECK(known != 0 && numel % known == 0, ShapeError,
                "{}: shape '{}' is invalid for input of size {}", op, shape_str(shape), numel);
    out[infer] = numel / known;
  } else {
    NABLA_CHECK(known == numel, ShapeError, "{}: shape '{}' is invalid for input of size {}", op,
                shape_str(shape), numel);
  }
  return out;
}

// Strides for viewing (sizes, strides) as new_sizes without copying, if possible (PyTorch's computeStride).
std::optional<std::vector<int64_t>> view_strides(IntArrayRef sizes, IntArrayRef strides,
                                                 IntArrayRef new_sizes) {
  std::vector<int64_t> out(new_sizes.size());
  if (shape_numel(sizes) == 0 || sizes.empty()) return raw::contiguous_strides(new_sizes);  // 0-d: all 1s
  int64_t view_d = static_cast<int64_t>(new_sizes.size()) - 1;
  int64_t chunk_base_stride = strides.size() ? strides.back() : 1;
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    if (d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

}  // namespace

Tensor Tensor::view(IntArrayRef shape) const {
  check_defined("view", *this);
  auto sizes = infer_size(shape, numel(), "view");
  auto st = view_strides(this->sizes(), strides(), sizes);
  NABLA_CHECK(st.has_value(), ShapeError,
              "view: view size {} is not compatible with input tensor's size {} and stride {} (at least one "
              "dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
              shape_str(sizes), shape_str(this->sizes()), shape_str(strides()));
  return record_reshape_like(OpId::view, *this,
                             as_view(*this, raw::as_strided(*this, sizes, *st, storage_offset())));
}

Tensor Tensor::reshape(IntArrayRef shape) const {
  check_defined("reshape", *this);
  auto sizes = infer_size(shape, numel(), "reshape");
  if (auto st = view_strides(this->sizes(), strides(), sizes))
    return record_reshape_like(OpId::reshape, *this,
                               as_view(*this, raw::as_strided(*this, sizes, *st, storage_offset())));
  Tensor copy = raw::empty_like(*this);
  kernels::copy(copy, *this);
  return record_reshape_like(OpId::reshape, *this,
                             raw::as_strided(copy, sizes, raw::contiguous_strides(sizes), 0));
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  check_defined("flatten", *this);
  if (dim() == 0) return reshape({1});
  int64_t s = wrap_dim(start_dim, dim(), "flatten"), e = wrap_dim(end_dim, dim(), "flatten");
  NABLA_CHECK(s <= e, ValueError, "flatten: start_dim ({}) cannot come after end_dim ({})", s, e);
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < s; ++d) shape.push_back(size(d));
  int64_t m = 1;
  for (int64_t d = s; d <= e; ++d) m *= size(d);
  shape.push_back(m);
  for (int64_t d = e + 1; d < dim(); ++d) shape.push_back(size(d));
  return reshape(shape);
}

Tensor Tensor::unflatten(int64_t d, IntArrayRef sizes) const {
  check_defined("unflatten", *this);
  int64_t w = wrap_dim(d, dim(), "unflatten");
  auto inner = infer_size(sizes, size(w), "unflatten");
  std::vector<int64_t> shape;
  for (int64_t i = 0; i < dim(); ++i) {
    if (i == w)
      shape.insert(shape.end(), inner.begin(), inner.end());
    else
      shape.push_back(size(i));
  }
  return view(shape);
}

Tensor Tensor::permute(IntArrayRef dims) const {
  check_defined("permute", *this);
  NABLA_CHECK(static_cast<int64_t>(dims.size()) == dim(), ShapeError,
              "permute: number of dims in {} doesn't match the tensor's {} dims (shape {})", shape_str(dims),
              dim(), shape_str(sizes()));
  std::vector<int64_t> perm, sz, st;
  std::vector<bool> seen(dim(), false);
  for (auto d : dims) {
    int64_t w = wrap_dim(d, dim(), "permute");
    NABLA_CHECK(!seen[w], ValueError, "permute: repeated dim {} in {}", w, shape_str(dims));
    seen[w] = true;
    perm.push_back(w);
    sz.push_back(size(w));
    st.push_back(stride(w));
  }
  Tensor out = as_view(*this, raw::as_strided(*this, sz, st, storage_offset()));
  if (should_record({this}))
    record(OpId::permute, {*this}, {out}, {},
           [perm](const BackwardContext&, const TensorList& g) -> TensorList {
             std::vector<int64_t> inv(perm.size());
             for (size_t i = 0; i < perm.size(); ++i) inv[perm[i]] = static_cast<int64_t>(i);
             return {g[0].permute(inv)};
           });
  return out;
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  check_defined("transpose", *this);
  if (dim() == 0) return *this;
  int64_t a = wrap_dim(d0, dim(), "transpose"), b = wrap_dim(d1, dim(), "transpose");
  DimVec sz(sizes()), st(strides());
  std::swap(sz[a], sz[b]);
  std::swap(st[a], st[b]);
  Tensor out = as_view(*this, raw::as_strided(*this, sz, st, storage_offset()));
  if (should_record({this}))
    record(
        OpId::transpose, {*this}, {out}, {},
        [a, b](const BackwardContext&, const TensorList& g) -> TensorList { return {g[0].transpose(a, b)}; });
  return out;
}

Tensor Tensor::t() const {
  NABLA_CHECK(dim() <= 2, ShapeError, "t() expects a tensor with <= 2 dimensions, but self is {}D (shape {})",
              dim(), shape_str(sizes()));
  return dim() < 2 ? *this : transpose(0, 1);
}

Tensor Tensor::squeeze() const {
  check_defined("squeeze", *this);
  std::vector<int64_t> shape;
  for (auto s : sizes())
    if (s != 1) shape.push_back(s);
  DimVec st;
  for (int d = 0; d < dim(); ++d)
    if (size(d) != 1) st.push_back(stride(d));
  return record_reshape_like(OpId::squeeze, *this,
                             as_view(*this, raw::as_strided(*this, shape, st, storage_offset())));
}

Tensor Tensor::squeeze(int64_t d) const {
  check_defined("squeeze", *this);
  int64_t w = wrap_dim(d, dim(), "squeeze");
  if (dim() == 0 || size(w) != 1)
    return record_reshape_like(OpId::squeeze, *this,
                               as_view(*this, raw::as_strided(*this, sizes(), strides(), storage_offset())));
  DimVec sz(sizes()), st(strides());
  sz.erase(static_cast<int>(w));
  st.erase(static_cast<int>(w));
  return record_reshape_like(OpId::squeeze, *this,
                             as_view(*this, raw::as_strided(*this, sz, st, storage_offset())));
}

Tensor Tensor::unsqueeze(int64_t d) const {
  check_defined("unsqueeze", *this);
  int64_t w = wrap_dim(d, dim() + 1, "unsqueeze");
  DimVec sz(sizes()), st(strides());
  int64_t new_stride = w < dim() ? size(w) * stride(w) : 1;
  sz.insert(static_cast<int>(w), 1);
  st.insert(static_cast<int>(w), new_stride);
  return record_reshape_like(OpId::unsqueeze, *this,
                             as_view(*this, raw::as_strided(*this, sz, st, storage_offset())));
}

Tensor Tensor::expand(IntArrayRef sizes_in) const {
  check_defined("expand", *this);
  NABLA_CHECK(
      static_cast<int64_t>(sizes_in.size()) >= dim(), ShapeError,
      "expand: the number of sizes provided ({}) must be greater or equal to the number of dimensions in the "
      "tensor ({})",
      sizes_in.size(), dim());
  std::vector<int64_t> target = sizes_in.vec();
  const int64_t lead = static_cast<int64_t>(target.size()) - dim();
  for (int64_t i = 0; i < static_cast<int64_t>(target.size()); ++i) {
    int64_t j = i - lead;
    if (target[i] == -1) {
      NABLA_CHECK(j >= 0, ShapeError, "expand: -1 is not allowed in a leading, non-existing dimension ({})",
                  shape_str(sizes_in));
      target[i] = size(j);
    }
    if (j >= 0)
      NABLA_CHECK(
          size(j) == target[i] || size(j) == 1, ShapeError,
          "expand: the expanded size of the tensor ({}) must match the existing size ({}) at non-singleton "
          "dimension {}.  Target sizes: {}.  Tensor sizes: {}",
          target[i], size(j), i, shape_str(sizes_in), shape_str(sizes()));
  }
  checked_numel(target, "expand");
  if (target == sizes().vec()) return *this;
  Tensor out = as_view(*this, raw::expand(*this, target));
  if (should_record({this}))
    record(OpId::expand, {*this}, {out}, {},
           [sizes = DimVec(sizes())](const BackwardContext&, const TensorList& g) -> TensorList {
             return {sum_to(g[0], sizes)};
           });
  return out;
}
Tensor Tensor::expand_as(const Tensor& other) const { return expand(other.sizes()); }

Tensor Tensor::slice(int64_t d, Slice::Bound start, Slice::Bound end, int64_t step) const {
  check_defined("slice", *this);
  NABLA_CHECK(dim() > 0, IndexError, "slice: cannot slice a 0-d tensor");
  int64_t w = wrap_dim(d, dim(), "slice");
  NABLA_CHECK(step > 0, ValueError, "slice: step must be greater than zero (got {})", step);
  const int64_t n = size(w);
  auto clampi = [n](int64_t v) {
    if (v < 0) v += n;
    return std::clamp<int64_t>(v, 0, n);
  };
  int64_t s = start.set ? clampi(start.value) : 0, e = end.set ? clampi(end.value) : n;
  int64_t len = e > s ? (e - s + step - 1) / step : 0;
  DimVec sz(sizes()), st(strides());
  sz[static_cast<int>(w)] = len;
  st[static_cast<int>(w)] = stride(w) * step;
  Tensor out = as_view(*this, raw::as_strided(*this, sz, st, storage_offset() + s * stride(w)));
  if (should_record({this}))
    record(
        OpId::slice, {*this}, {out}, {},
        [w, s, e, step, sizes = DimVec(sizes())](const BackwardContext&, const TensorList& g) -> TensorList {
          return {scatter_into_view(OpId::slice, g[0], sizes,
                                    [=](const Tensor& t) { return t.slice(w, s, e, step); })};
        });
  return out;
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  check_defined("narrow", *this);
  int64_t w = wrap_dim(d, dim(), "narrow");
  int64_t s = start < 0 ? start + size(w) : start;
  NABLA_CHECK(s >= 0 && length >= 0 && s + length <= size(w), IndexError,
              "narrow: start ({}) + length ({}) exceeds dimension size ({}) of shape {}", start, length,
              size(w), shape_str(sizes()));
  return slice(w, s, s + length, 1);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  check_defined("select", *this);
  NABLA_CHECK(dim() > 0, IndexError, "select() cannot be applied to a 0-dim tensor.");
  int64_t w = wrap_dim(d, dim(), "select");
  const int64_t n = size(w);
  NABLA_CHECK(index >= -n && index < n, IndexError,
              "select(): index {} out of range for tensor of size {} at dimension {}", index,
              shape_str(sizes()), w);
  int64_t i = index < 0 ? index + n : index;
  Tensor out = as_view(*this, raw::select(*this, w, i));
  if (should_record({this}))
    record(OpId::select, {*this}, {out}, {},
           [w, i, sizes = DimVec(sizes())](const BackwardContext&, const TensorList& g) -> TensorList {
             return {scatter_into_view(OpId::select, g[0], sizes,
                                       [=](const Tensor& t) { return t.select(w, i); })};
           });
  return out;
}

TensorList Tensor::split(int64_t split_size, int64_t d) const {
  check_defined("split", *this);
  int64_t w = wrap_dim(d, dim(), "split");
  NABLA_CHECK(split_size > 0 || (split_size == 0 && size(w) == 0), ValueError,
              "split: split_size must be positive, got {}", split_size);
  TensorList out;
  for (int64_t s = 0; s < size(w) || (s == 0 && size(w) == 0 && out.empty());
       s += std::max<int64_t>(split_size, 1)) {
    out.push_back(narrow(w, s, std::min(split_size, size(w) - s)));
    if (size(w) == 0) break;
  }
  autograd::mark_multi_output_views(out, "SplitBackward0");
  return out;
}

TensorList Tensor::chunk(int64_t chunks, int64_t d) const {
  check_defined("chunk", *this);
  NABLA_CHECK(chunks > 0, ValueError, "chunk: chunks must be greater than 0, got {}", chunks);
  int64_t w = wrap_dim(d, dim(), "chunk");
  return split(std::max<int64_t>((size(w) + chunks - 1) / chunks, size(w) == 0 ? 0 : 1), w);
}

TensorList Tensor::unbind(int64_t d) const {
  check_defined("unbind", *this);
  int64_t w = wrap_dim(d, dim(), "unbind");
  TensorList out;
  for (int64_t i = 0; i < size(w); ++i) out.push_back(select(w, i));
  autograd::mark_multi_output_views(out, "UnbindBackward0");
  return out;
}

Tensor Tensor::clone() const {
  check_defined("clone", *this);
  Tensor out = raw::empty_like_layout(*this, dtype());  // PyTorch: clone preserves the memory format
  kernels::copy(out, *this);
  if (should_record({this}))
    record(OpId::clone, {*this}, {out}, {},
           [](const BackwardContext&, const TensorList& g) -> TensorList { return {g[0]}; });
  return out;
}

Tensor Tensor::contiguous() const {
  check_defined("contiguous", *this);
  if (is_contiguous()) return *this;
  Tensor out = raw::empty_like(*this);
  kernels::copy(out, *this);
  if (should_record({this}))
    record(OpId::contiguous, {*this}, {out}, {},
           [](const BackwardContext&, const TensorList& g) -> TensorList { return {g[0]}; });
  return out;
}

bool Tensor::is_contiguous(MemoryFormat format) const {
  return format == MemoryFormat::Contiguous ? is_contiguous() : raw::is_channels_last(*this);
}

Tensor Tensor::contiguous(MemoryFormat format) const {
  check_defined("contiguous", *this);
  if (format == MemoryFormat::Contiguous) return contiguous();
  NABLA_CHECK(dim() == 4, ShapeError, "contiguous(ChannelsLast): expected a 4-D [N, C, H, W] tensor, got {}",
              shape_str(sizes()));
  if (is_contiguous(format)) return *this;
  Tensor out = raw::empty(sizes(), dtype(), format);
  kernels::copy(out, *this);
  if (should_record({this}))
    record(OpId::contiguous, {*this}, {out}, {},
           [](const BackwardContext&, const TensorList& g) -> TensorList { return {g[0]}; });
  return out;
}

Tensor cat(const TensorList& tensors, int64_t dim) {
  check_defined_list("cat", tensors);
  NABLA_CHECK(!tensors.empty(), ValueError, "cat: expected a non-empty list of Tensors");
  const Tensor& ref = tensors[0];
  NABLA_CHECK(ref.dim() > 0, ShapeError,
              "cat: zero-dimensional tensor (at position 0) cannot be concatenated");
  int64_t d = wrap_dim(dim, ref.dim(), "cat");
  DType dt = ref.dtype();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    NABLA_CHECK(t.dim() == ref.dim(), ShapeError,
                "cat: tensors must have same number of dimensions: got {} and {} (tensor {} has shape {})",
                ref.dim(), t.dim(), i, shape_str(t.sizes()));
    for (int64_t k = 0; k < ref.dim(); ++k)
      NABLA_CHECK(k == d || t.size(k) == ref.size(k), ShapeError,
                  "cat: sizes of tensors must match except in dimension {}. Expected size {} but got size {} "
                  "for tensor "
                  "number {} in the list (shapes {} and {})",
                  d, ref.size(k), t.size(k), i, shape_str(ref.sizes()), shape_str(t.sizes()));
    if (i) dt = promote_types(dt, t.dtype());
    total += t.size(d);
  }
  std::vector<int64_t> shape = ref.sizes().vec();
  shape[d] = total;
  Tensor out = raw::empty(shape, dt);
  std::vector<int64_t> lengths;
  int64_t off = 0;
  for (const Tensor& t : tensors) {
    DimVec sz(out.sizes());
    sz[static_cast<int>(d)] = t.size(d);
    kernels::copy(raw::as_strided(out, sz, out.strides(), off * out.stride(d)), t);
    off += t.size(d);
    lengths.push_back(t.size(d));
  }
  if (should_record(tensors))
    record(OpId::cat, tensors, {out}, {},
           [d, lengths](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             TensorList grads;
             int64_t o = 0;
             for (size_t i = 0; i < lengths.size(); ++i) {
               grads.push_back(ctx.needs_grad[i] ? g[0].narrow(d, o, lengths[i]) : Tensor());
               o += lengths[i];
             }
             return grads;
           });
  return out;
}

Tensor stack(const TensorList& tensors, int64_t dim) {
  check_defined_list("stack", tensors);
  NABLA_CHECK(!tensors.empty(), ValueError, "stack: expected a non-empty list of Tensors");
  int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  TensorList parts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    NABLA_CHECK(tensors[i].sizes() == tensors[0].sizes(), ShapeError,
                "stack: expects each tensor to be equal size, but got {} at entry 0 and {} at entry {}",
                shape_str(tensors[0].sizes()), shape_str(tensors[i].sizes()), i);
    parts.push_back(tensors[i].unsqueeze(d));
  }
  return cat(parts, d);
}

}  // namespace nabla
