// batch_norm_loops.h — training-mode batch norm on float32 data of 3 or more dims, channels-last
// ([N, H, W] rows of C contiguous channels) or contiguous ([N, C] planes of H*W), split across threads
// by blocks of rows or by samples.
//
// Note [Batch norm off oneDNN's barriers]
// oneDNN's batch norm synchronises its threads with spinning barriers: with one core busy elsewhere,
// 2 threads ran ResNet 2x slower than 1 (256 against 490 samples/s), so it ran on one thread, and
// batch norm was a quarter of a ResNet step (on NCHW, oneDNN's ncsp_bnorm, 40% of a FashionCNN
// step). These loops are two passes each way (per-channel sums, then the elementwise output) on
// parallel_for, which under passive waiting blocks instead of spinning. The sums are taken per block
// and added in block order, so the result is the same for any number of threads.
#pragma once
#include "nabla/tensor/tensor.h"

namespace nabla::cpu {

// True for what these loops take: x float32 with 3+ dims, contiguous or (4-D) strictly channels-last.
// (2-D [N, C] stays on oneDNN.)
bool batch_norm_loops_applies(const Tensor& x);
// Same contract as dnnl_backend::batch_norm_forward (training) / batch_norm_backward; y, gy
// and gx share x's layout.
void batch_norm_loops_forward(const Tensor& y, const Tensor& mean, const Tensor& var, const Tensor& x,
                              const Tensor& weight, const Tensor& bias, double eps);
void batch_norm_loops_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy,
                               const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& weight,
                               double eps);

}  // namespace nabla::cpu
