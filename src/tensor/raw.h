// raw.h — tensor-layer helpers with no autograd: allocation and views used by kernels and op
// definitions alike. (Public view ops that record graphs live in src/autograd/functions/views.cpp.)
#pragma once
#include "nabla/tensor/tensor.h"

namespace nabla::raw {

Tensor empty(IntArrayRef sizes, DType dtype, Device device = kCPU);
Tensor empty_like(const Tensor& t);  // contiguous, same shape and dtype
Tensor as_strided(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset);
Tensor select(const Tensor& t, int64_t dim, int64_t index);  // dim/index already valid
Tensor expand(const Tensor& t, IntArrayRef sizes);           // broadcast view (rank may grow)
std::vector<int64_t> contiguous_strides(IntArrayRef sizes);
// NHWC order for a 4-D [N, C, H, W] shape (PyTorch's channels_last).
std::vector<int64_t> channels_last_strides(IntArrayRef sizes);
// t is 4-D with NHWC strides (size-1 dims aside; so also true of a plain tensor with C == 1).
bool is_channels_last(const Tensor& t);
// t is channels-last and not also plain contiguous (e.g. C == 1 or H == W == 1).
bool is_strictly_channels_last(const Tensor& t);
// ChannelsLast when t is strictly channels-last, else Contiguous: the layout its results keep.
MemoryFormat memory_format_of(const Tensor& t);
// Uninitialised tensor of `sizes` laid out in `format`.
Tensor empty(IntArrayRef sizes, DType dtype, MemoryFormat format);
// A result for an elementwise op on `like` (same shape): channels-last when `like` is, else contiguous
// — like PyTorch, elementwise ops keep the memory format of their input.
Tensor empty_like_layout(const Tensor& like, DType dtype);

}  // namespace nabla::raw
