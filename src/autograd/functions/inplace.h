// inplace.h — how in-place ops (add_, copy_, index_put_, ...) write into a tensor under autograd.
#pragma once
#include "autograd/functions/common.h"
#include "autograd/view_inplace.h"

namespace nabla {

// Marks a write into self's storage (saved tensors and views check it); not in inference mode.
inline void bump(const Tensor& self) {
  if (!is_inference_mode_enabled()) self.impl()->storage()->bump_version();
}

// Note [In-place ops and autograd]
// An in-place op computes its out-of-place result r and writes it into self. Without autograd, r is
// computed from self directly. With autograd, r is computed from self.clone() (so the saved tensors
// of r's node are not the storage we are about to overwrite), and self takes over r's history
// (grad_fn, output_nr) — or, when self is a view, its base does through CopySlices (Note [Views and
// in-place ops], autograd/view_inplace.h). PyTorch's refusals apply: a leaf that requires grad, a
// view of one, a view made in no-grad mode, an output of split/chunk/unbind.
template <typename F>
Tensor& inplace(const char* op, Tensor& self, std::initializer_list<const Tensor*> others, F&& compute) {
  bool tracked = is_grad_enabled() && self.requires_grad();
  for (const Tensor* o : others) tracked |= o && is_grad_enabled() && o->requires_grad();
  if (tracked) autograd::check_inplace_autograd(op, self);
  Tensor r = compute(tracked ? self.clone() : self);
  check_inplace(op, self, r.sizes(), r.dtype());
  {
    NoGradGuard ng;
    kernels::copy(self, r);
  }
  bump(self);
  if (tracked) autograd::rebase_history(self, r);
  return self;
}

// self.copy_(src) reported as `op` (index_put_ with basic indices copies into a view).
Tensor& copy_into(const char* op, Tensor& self, const Tensor& src);

}  // namespace nabla
