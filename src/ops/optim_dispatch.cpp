// optim_dispatch.cpp — routes the fused optimizer kernels (ops/optim_kernels.h) to the backend of
// the parameter's device, after checking the operands agree. A CUDA backend adds a case here.
#include <initializer_list>

#include "ops/cpu/cpu_kernels.h"
#include "ops/device_check.h"
#include "ops/optim_kernels.h"
#include "util/check.h"

namespace nabla {
namespace kernels {

namespace {
// Every defined operand must match param (shape, dtype, device) and be contiguous — optimizers
// guarantee it, so a failure is a nabla bug — and param's device needs a compiled-in backend.
void check_operands(const char* op, const Tensor& param, std::initializer_list<const Tensor*> others) {
  NABLA_ASSERT(param.defined() && param.is_contiguous(), "{}: parameter must be a defined contiguous tensor",
               op);
  for (const Tensor* t : others) {
    if (!t->defined()) continue;
    NABLA_ASSERT(t->sizes() == param.sizes() && t->dtype() == param.dtype() && t->is_contiguous() &&
                     t->device() == param.device(),
                 "{}: operand {} does not match parameter {}", op, t->toString(), param.toString());
  }
  check_device(op, param);
}
}  // namespace

void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buf, const SgdArgs& args) {
  NABLA_ASSERT(args.momentum == 0 || momentum_buf.defined(), "SGD: momentum needs a buffer");
  check_operands("SGD", param, {&grad, &momentum_buf});
  cpu::sgd_step(param, grad, momentum_buf, args);
}

void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const Tensor& max_exp_avg_sq, const AdamArgs& args) {
  NABLA_ASSERT(exp_avg.defined() && exp_avg_sq.defined() && (!args.amsgrad || max_exp_avg_sq.defined()),
               "Adam: missing state");
  check_operands("Adam", param, {&grad, &exp_avg, &exp_avg_sq, &max_exp_avg_sq});
  cpu::adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, args);
}

void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& momentum_buf, const RmspropArgs& args) {
  NABLA_ASSERT(square_avg.defined() && (!args.centered || grad_avg.defined()) &&
                   (args.momentum <= 0 || momentum_buf.defined()),
               "RMSprop: missing state");
  check_operands("RMSprop", param, {&grad, &square_avg, &grad_avg, &momentum_buf});
  cpu::rmsprop_step(param, grad, square_avg, grad_avg, momentum_buf, args);
}

void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& state_sum, const AdagradArgs& args) {
  NABLA_ASSERT(state_sum.defined(), "Adagrad: missing state");
  check_operands("Adagrad", param, {&grad, &state_sum});
  cpu::adagrad_step(param, grad, state_sum, args);
}

double vector_norm(const Tensor& x, double p) {
  check_operands("vector_norm", x, {});
  return cpu::vector_norm(x, p);
}

void scale_(const Tensor& x, double factor) {
  check_operands("scale_", x, {});
  cpu::scale_(x, factor);
}

}  // namespace kernels
}  // namespace nabla
