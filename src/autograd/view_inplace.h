// view_inplace.h — views under autograd, and in-place ops on them (PyTorch's CopySlices).
//
// Note [Views and in-place ops]
// Every view op (view, slice, select, transpose, ...) of a floating tensor notes in the view's
// AutogradMeta its root base (the first non-view tensor up the chain) and the storage version its
// grad_fn belongs to. An in-place op on a view that autograd tracks computes its out-of-place result
// r from the view's old values, writes r into the view, and then rewrites the *base's* history: the
// base's grad_fn becomes CopySlices(old base, r), whose backward sends the incoming gradient with the
// view's region zeroed to the old base, and the region itself to r. The view, and every other view of
// that base, see through the bumped storage version that their grad_fn is stale and rebuild it when
// next asked, as AsStridedBackward0 of the base (fresh_meta). This is PyTorch's rebase_history and
// VariableHooks::grad_fn, with its refusals: a view of a leaf that requires grad, a view made in
// no-grad mode, and the outputs of split/chunk/unbind may not be modified in place under autograd.
#pragma once
#include "autograd/meta.h"

namespace nabla::autograd {

// Records that `view` (sharing in's storage) is a view of in's root base. Every view op calls it.
void mark_view(const Tensor& in, const Tensor& view);
// Marks the outputs of a multi-output view op (split, chunk, unbind): no in-place under autograd.
void mark_multi_output_views(const TensorList& views, const char* node_name);

void refresh_view(const Tensor& t, AutogradMeta& m);
// t's autograd metadata (null if none), with a view's stale grad_fn rebuilt first.
inline AutogradMeta* fresh_meta(const Tensor& t) {
  AutogradMeta* m = t.impl()->autograd_meta();
  if (m && m->view_base.defined() && m->view_version != t.version()) refresh_view(t, *m);
  return m;
}

// PyTorch's check_inplace, for an in-place op on `self` that autograd tracks: AutogradError for a
// leaf that requires grad, a view of one, and views that refuse in-place (see the Note).
void check_inplace_autograd(const char* op, const Tensor& self);
// After self was overwritten with the values of the out-of-place result r: self, or for a view its
// base through CopySlices, takes over r's history.
void rebase_history(const Tensor& self, const Tensor& r);

}  // namespace nabla::autograd
