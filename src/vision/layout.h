// layout.h — the memory format the vision models run in.
#pragma once
#include "nabla/tensor/tensor.h"

namespace nabla::vision::models::detail {

// Note [Channels-last activations]
// oneDNN's convolutions, batch norm and pooling run on NHWC without a reorder between layers, and
// elementwise ops keep the layout, so the models convert their input once (and the stem's output:
// a 3-channel convolution may come back NCHW) and stay channels-last to the pooling before the
// classifier. The results are the same as NCHW's; the layout is invisible to the caller (flatten
// copies into the logical order).
inline Tensor channels_last(const Tensor& x) {
  return x.dim() == 4 ? x.contiguous(MemoryFormat::ChannelsLast) : x;
}

}  // namespace nabla::vision::models::detail
