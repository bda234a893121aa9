// clip_grad.h — gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_ 1.13).
#pragma once
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::optim {

// Scales the gradients of `parameters` in place so that their total norm (the p-norm of all gradients
// viewed as one vector; norm_type may be infinity) is at most max_norm: g *= min(1, max_norm /
// (total + 1e-6)). Returns the total norm before clipping (0 when no parameter has a gradient).
// With error_if_nonfinite a NaN or infinite total norm is a ValueError and nothing is changed.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

// Clamps every gradient element into [-clip_value, clip_value], in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
void clip_grad_value_(const Tensor& parameter, double clip_value);

}  // namespace nabla::optim
