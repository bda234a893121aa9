// optim_kernels.h — fused, backend-neutral optimizer update kernels (nabla/optim calls these).
// Each call updates one parameter in a single pass over memory: param, grad and every state tensor
// are read once and written (param, state) once. The arithmetic mirrors torch.optim 1.13's
// single-tensor code op by op (same association, hyper-parameters cast to the tensor dtype the way
// PyTorch casts Python scalars), so float64 trajectories agree with PyTorch to rounding.
//
// Preconditions (checked): every tensor has param's shape and dtype (float32 or float64), is
// contiguous and lives on param's device. Optional state is an undefined Tensor when unused.
// Kernels write in place and do not bump version counters (the optimizer does).
#pragma once
#include <cstdint>

#include "nabla/tensor/tensor.h"

namespace nabla::kernels {

struct SgdArgs {
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, maximize = false;
  bool first_step = false;  // momentum_buf is new: it becomes d_p (PyTorch clones the first d_p)
};
// param [N], grad [N], momentum_buf [N] (undefined when momentum == 0)
void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buf, const SgdArgs& args);

struct AdamArgs {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  double step = 1;  // the step count after this step's increment (PyTorch's step_t.item())
  bool amsgrad = false, maximize = false;
  bool decoupled_weight_decay = false;  // AdamW: param *= 1 - lr * weight_decay before the update
};
// param, grad, exp_avg, exp_avg_sq [N]; max_exp_avg_sq [N] (undefined unless amsgrad)
void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const Tensor& max_exp_avg_sq, const AdamArgs& args);

struct RmspropArgs {
  double lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0;
  bool centered = false, maximize = false;
};
// param, grad, square_avg [N]; grad_avg [N] (undefined unless centered);
// momentum_buf [N] (undefined unless momentum > 0)
void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& momentum_buf, const RmspropArgs& args);

struct AdagradArgs {
  double clr = 1e-2;  // the decayed learning rate lr / (1 + (step - 1) * lr_decay)
  double eps = 1e-10, weight_decay = 0;
  bool maximize = false;
};
// param, grad, state_sum [N]
void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& state_sum, const AdagradArgs& args);

// ---- gradient clipping ----
// The p-norm of x (float32/float64, contiguous), accumulated in double over fixed blocks, so the
// result does not depend on the thread count. p = inf: max |x|; -inf: min |x|; 0: number of
// non-zeros; otherwise (sum |x|^p)^(1/p). An empty x has norm 0 (inf for p = -inf).
double vector_norm(const Tensor& x, double p);
// x *= factor in place (factor cast to x's dtype first, like a Python scalar). x: contiguous.
void scale_(const Tensor& x, double factor);

}  // namespace nabla::kernels
