// batch_norm_loops.h — batch norm on float32 data of 3 or more dims (training, and eval: the same
// passes), channels-last ([N, H, W] rows of C contiguous channels) or contiguous ([N, C] planes of
// H*W), split across threads by blocks of rows or by samples.
//
// Note [Batch norm off oneDNN's barriers]
// oneDNN's batch norm synchronises its threads with spinning barriers: with one core busy elsewhere,
// 2 threads ran ResNet 2x slower than 1 (256 against 490 samples/s), so it ran on one thread, and
// batch norm was a quarter of a ResNet step (on NCHW, oneDNN's ncsp_bnorm, 40% of a FashionCNN
// step). These loops are two passes each way (per-channel sums, then the elementwise output) on
// parallel_for, which under passive waiting blocks instead of spinning. The sums are taken per block
// and added in block order, so the result is the same for any number of threads.
//
// Note [Batch norm and ReLU in one pass]
// In a ResNet or a conv-BN-ReLU stack, batch norm's output goes only to a ReLU. Run apart, the ReLU
// reads and writes the whole activation forward, and its backward reads the gradient and the output
// and writes a masked gradient that batch norm's backward then reads twice: five activation-sized
// passes, all bound by memory bandwidth. Fused (F::batch_norm_relu), the forward writes relu(y)
// directly and the backward applies the mask as it reads gy, recomputing y from x with the same
// float expression as the forward (normalized(), one ChannelAffine), so the mask is the forward's
// sign bit for bit and nothing extra is saved. Values and gradients equal the unfused ops' exactly
// (a test compares them bit for bit).
#pragma once
#include "nabla/tensor/tensor.h"

namespace nabla::cpu {

// True for what these loops take: x float32 with 3+ dims, contiguous or (4-D) strictly channels-last.
// (2-D [N, C] stays on oneDNN.)
bool batch_norm_loops_applies(const Tensor& x);
// Same contract as dnnl_backend::batch_norm_forward (training) / batch_norm_backward; y, gy
// and gx share x's layout. With relu, the forward writes relu(y) and the backward takes the gradient
// of relu(y) (Note [Batch norm and ReLU in one pass]).
void batch_norm_loops_forward(const Tensor& y, const Tensor& mean, const Tensor& var, const Tensor& x,
                              const Tensor& weight, const Tensor& bias, double eps, bool relu);
void batch_norm_loops_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy,
                               const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& weight,
                               const Tensor& bias, double eps, bool relu);
// Eval mode: y = (x - running_mean) / sqrt(running_var + eps) * weight + bias, through relu if asked.
void batch_norm_loops_inference(const Tensor& y, const Tensor& x, const Tensor& running_mean,
                                const Tensor& running_var, const Tensor& weight, const Tensor& bias,
                                double eps, bool relu);

}  // namespace nabla::cpu
