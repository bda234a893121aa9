// optim_dispatch.cpp — routes the fused optimizer kernels (ops/optim_kernels.h) to the backend of
// the parameter's device, after checking the operands agree. A CUDA backend adds a case here.
#include <initializer_list>

#include "ops/cpu/cpu_kernels.h"
#include "ops/device_check.h"
#include "ops/optim_kernels.h"
#include "ops/reduced_staging.h"
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
  ReducedStaging s;  // float16/bfloat16 parameters and state update in float32, rounded once
  cpu::sgd_step(s.out(param), s.in(grad), s.out(momentum_buf), args);
  s.finish();
}

void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
               const Tensor& max_exp_avg_sq, const AdamArgs& args) {
  NABLA_ASSERT(exp_avg.defined() && exp_avg_sq.defined() && (!args.amsgrad || max_exp_avg_sq.defined()),
               "Adam: missing state");
  check_operands("Adam", param, {&grad, &exp_avg, &exp_avg_sq, &max_exp_avg_sq});
  ReducedStaging s;
  cpu::adam_step(s.out(param), s.in(grad), s.out(exp_avg), s.out(exp_avg_sq), s.out(max_exp_avg_sq), args);
  s.finish();
}

void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& grad_avg,
                  const Tensor& momentum_buf, const RmspropArgs& args) {
  NABLA_ASSERT(square_avg.defined() && (!args.centered || grad_avg.defined()) &&
                   (args.momentum <= 0 || momentum_buf.defined()),
               "RMSprop: missing state");
  check_operands("RMSprop", param, {&grad, &square_avg, &grad_avg, &momentum_buf});
  ReducedStaging s;
  cpu::rmsprop_step(s.out(param), s.in(grad), s.out(square_avg), s.out(grad_avg), s.out(momentum_buf), args);
  s.finish();
}

void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& state_sum, const AdagradArgs& args) {
  NABLA_ASSERT(state_sum.defined(), "Adagrad: missing state");
  check_operands("Adagrad", param, {&grad, &state_sum});
  ReducedStaging s;
  cpu::adagrad_step(s.out(param), s.in(grad), s.out(state_sum), args);
  s.finish();
}

double vector_norm(const Tensor& x, double p) {
  check_operands("vector_norm", x, {});
  ReducedStaging s;
  return cpu::vector_norm(s.in(x), p);
}

void scale_(const Tensor& x, double factor) {
  check_operands("scale_", x, {});
  ReducedStaging s;
  cpu::scale_(s.out(x), factor);
  s.finish();
}

}  // namespace kernels
}  // namespace nabla
