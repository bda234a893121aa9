// norm_kernels.h — batch normalisation kernels (float32, oneDNN). x is [N, C, ...], contiguous or
// channels-last, and gy/gx/y share its layout;
// mean/var/weight/bias are [C]; weight and bias may be undefined (affine=False).
#pragma once
#include "nabla/tensor/tensor.h"

namespace nabla::kernels {

// Normalises with the batch's statistics and writes them: mean and biased variance.
void batch_norm_forward_training(const Tensor& y, const Tensor& mean, const Tensor& var, const Tensor& x,
                                 const Tensor& weight, const Tensor& bias, double eps);
// Normalises with given statistics (eval mode).
void batch_norm_forward_inference(const Tensor& y, const Tensor& x, const Tensor& mean, const Tensor& var,
                                  const Tensor& weight, const Tensor& bias, double eps);
// Gradients of the training-mode forward; gw/gb are written when defined.
void batch_norm_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                         const Tensor& mean, const Tensor& var, const Tensor& weight, const Tensor& bias, double eps);

}  // namespace nabla::kernels
