// norm_kernels.h — batch normalisation kernels. x is [N, C, ...]; mean/var/weight/bias are [C];
// weight and bias may be undefined (affine=False). Not every case has a kernel (today: float32 with
// at most 5 dims): then the entry points return undefined results and the caller composes batch
// norm from differentiable ops. Which kernel runs (oneDNN or nabla's loops) is decided in
// ops/nn_dispatch.cpp.
#pragma once
#include "nabla/tensor/tensor.h"

namespace nabla::kernels {

struct BatchNormArgs {
  Tensor weight, bias;               // may be undefined
  Tensor running_mean, running_var;  // only their dtypes matter here (the caller updates them)
  double eps = 1e-5;
  bool relu = false;  // relu(batch_norm(x)) in the same passes; no kernel unless nabla's loops take x
};

// What the training backward reads: x as the kernel read it (a layout of its choosing, with x's
// autograd history), the batch's mean and biased variance [C], and the affine parameters as read.
struct BatchNormSaved {
  Tensor x, mean, var, weight, bias;
  bool relu = false;  // the output went through relu: the backward masks gy (recomputing y from x)
};
struct BatchNormResult {
  Tensor y;  // undefined: no kernel for this case
  BatchNormSaved saved;
};
// Normalises with the batch's statistics.
BatchNormResult batch_norm_training_forward(const Tensor& x, const BatchNormArgs& a);
// Normalises with the running statistics (eval mode); undefined when no kernel takes the case.
Tensor batch_norm_inference_forward(const Tensor& x, const BatchNormArgs& a);

struct BatchNormGrads {
  Tensor gx, gw, gb;  // gx always; gw, gb only when wanted
};
struct BatchNormWanted {
  bool weight{}, bias{};  // default initializers: {.weight = w} may omit the other
};
BatchNormGrads batch_norm_backward(const Tensor& gy, const BatchNormSaved& s, double eps,
                                   BatchNormWanted want);

}  // namespace nabla::kernels
