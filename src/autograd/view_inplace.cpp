// view_inplace.cpp — view tracking, CopySlices and regenerated view grad_fns
// (Note [Views and in-place ops] in view_inplace.h).
#include "autograd/view_inplace.h"

#include "autograd/record.h"
#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "ops/kernels.h"
#include "tensor/raw.h"
#include "util/check.h"

namespace nabla::autograd {

namespace {

// Where a view sits in its base. The base is re-laid out from offset 0 of a scratch buffer, so the
// view's offset is relative to the base's.
struct ViewGeometry {
  DimVec base_sizes, base_strides;
  DimVec sizes, strides;
  int64_t offset = 0;
};
using Geometry = std::shared_ptr<const ViewGeometry>;

Geometry geometry_of(const Tensor& base, const Tensor& view) {
  auto g = std::make_shared<ViewGeometry>();
  g->base_sizes = DimVec(base.sizes());
  g->base_strides = DimVec(base.strides());
  g->sizes = DimVec(view.sizes());
  g->strides = DimVec(view.strides());
  g->offset = view.storage_offset() - base.storage_offset();
  return g;
}

// A backward node whose function is a lambda over the incoming gradient (no saved tensors).
struct FnNode final : Node {
  using Fn = std::function<TensorList(const Tensor& grad, const std::vector<bool>& needs)>;
  FnNode(const char* name, Fn fn) : name_(name), fn_(std::move(fn)) {}
  TensorList apply(TensorList&& grads) override {
    if (!grads[0].defined()) grads[0] = zeros(outputs[0].sizes.ref(), {outputs[0].dtype});
    std::vector<bool> needs;
    for (const Edge& e : next_edges) needs.push_back(e.valid());
    return fn_(grads[0], needs);
  }
  std::string name() const override { return name_; }

 private:
  const char* name_;
  Fn fn_;
};

std::shared_ptr<FnNode> make_node(const char* name, const TensorList& inputs, const Tensor& out,
                                  FnNode::Fn fn) {
  auto node = std::make_shared<FnNode>(name, std::move(fn));
  for (const Tensor& t : inputs) node->next_edges.push_back(t.requires_grad() ? gradient_edge(t) : Edge{});
  node->outputs.push_back({DimVec(out.sizes()), out.dtype()});
  return node;
}
void set_history(const Tensor& t, std::shared_ptr<Node> node) {
  auto& m = t.impl()->ensure_autograd_meta();
  m.grad_fn = std::move(node);
  m.output_nr = 0;
}

// A copy of t (base-shaped) in the base's layout, and the view's region of such a copy.
Tensor base_layout_copy(const Tensor& t, const ViewGeometry& geo) {
  int64_t extent = 1;
  for (int d = 0; d < static_cast<int>(geo.base_sizes.size()); ++d) {
    if (geo.base_sizes[d] == 0) extent = 0;
    if (extent) extent += (geo.base_sizes[d] - 1) * geo.base_strides[d];
  }
  Tensor b = raw::as_strided(raw::empty({extent}, t.dtype()), geo.base_sizes, geo.base_strides, 0);
  kernels::copy(b, t);
  return b;
}
Tensor region(const Tensor& b, const ViewGeometry& geo) {
  return raw::as_strided(b, geo.sizes, geo.strides, geo.offset);
}

Tensor take_region(const Tensor& g, const Geometry& geo);
Tensor put_region(const Tensor& g, const Geometry& geo);

// base with the view's region replaced by src. Its derivative is CopySlices's.
Tensor replace_region(const Tensor& base, const Tensor& src, const Geometry& geo);
TensorList copy_slices_backward(const Tensor& g, const std::vector<bool>& needs, const Geometry& geo) {
  return {needs[0] ? replace_region(g, zeros(geo->sizes.ref(), {.dtype = g.dtype()}), geo) : Tensor(),
          needs[1] ? take_region(g, geo) : Tensor()};
}

Tensor replace_region(const Tensor& base, const Tensor& src, const Geometry& geo) {
  Tensor out;
  {
    NoGradGuard ng;
    out = base_layout_copy(base, *geo);
    kernels::copy(region(out, *geo), src);
  }
  if (should_record({&base, &src}))
    set_history(out, make_node("CopySlices", {base, src}, out, [geo](const Tensor& g, const auto& needs) {
                  return copy_slices_backward(g, needs, geo);
                }));
  return out;
}

// The view's elements of a base-shaped g (as_strided).
Tensor take_region(const Tensor& g, const Geometry& geo) {
  Tensor out;
  {
    NoGradGuard ng;
    out = raw::empty(geo->sizes, g.dtype());
    kernels::copy(out, region(base_layout_copy(g, *geo), *geo));
  }
  if (should_record({&g}))
    set_history(out, make_node("AsStridedBackward0", {g}, out, [geo](const Tensor& gg, const auto&) {
                  return TensorList{put_region(gg, geo)};
                }));
  return out;
}

// Zeros shaped like the base with the view-shaped g added into the view's region (as_strided's
// derivative). Elements of an expanded view share one location: their gradients are summed first.
Tensor put_region(const Tensor& g, const Geometry& geo) {
  Tensor out;
  {
    NoGradGuard ng;
    ViewGeometry one = *geo;
    std::vector<int64_t> shared;
    for (int d = 0; d < static_cast<int>(one.sizes.size()); ++d)
      if (one.strides[d] == 0 && one.sizes[d] > 1) {
        shared.push_back(d);
        one.sizes[d] = 1;
      }
    out = base_layout_copy(zeros(geo->base_sizes.ref(), {.dtype = g.dtype()}), one);
    kernels::copy(region(out, one), shared.empty() ? g : sum(g, shared, /*keepdim=*/true));
  }
  if (should_record({&g}))
    set_history(out, make_node("AsStridedScatterBackward0", {g}, out, [geo](const Tensor& gg, const auto&) {
                  return TensorList{take_region(gg, geo)};
                }));
  return out;
}

std::string view_refusal(const AutogradMeta& m, bool indirect) {
  const char* what = indirect ? "its base or another view of its base has been" : "is being";
  if (m.view_creation == ViewCreation::kMultiOutput)
    return fmt::format(
        "Output {} of {} is a view and {} modified inplace. This view is the output of a function that "
        "returns multiple views. Such functions do not allow the output views to be modified inplace. You "
        "should replace the inplace operation by an out-of-place one.",
        m.multi_output_nr, m.multi_output_fn, what);
  return fmt::format(
      "A view was created in no_grad mode and {} modified inplace with grad mode enabled. Given that this "
      "use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the "
      "view and the inplace either both inside the no_grad block (if you don't want the inplace to be "
      "tracked) or both outside (if you want the inplace to be tracked).",
      what);
}

}  // namespace

void mark_view(const Tensor& in, const Tensor& view) {
  // Like PyTorch, only differentiable dtypes, and nothing in inference mode.
  if (is_inference_mode_enabled() || !is_floating(in.dtype())) return;
  const AutogradMeta* im = in.impl()->autograd_meta();
  const bool chained = im && im->view_base.defined();
  auto& m = view.impl()->ensure_autograd_meta();
  m.view_base = chained ? im->view_base : in;
  m.view_version = view.version();
  m.view_creation = is_grad_enabled() ? ViewCreation::kDefault : ViewCreation::kNoGradMode;
  if (chained && m.view_creation == ViewCreation::kDefault) {  // a view of a refusing view refuses too
    m.view_creation = im->view_creation;
    m.multi_output_nr = im->multi_output_nr;
    m.multi_output_fn = im->multi_output_fn;
  }
}

void mark_multi_output_views(const TensorList& views, const char* node_name) {
  for (size_t i = 0; i < views.size(); ++i) {
    AutogradMeta* m = views[i].impl()->autograd_meta();
    if (!m || !m->view_base.defined() || m->view_creation != ViewCreation::kDefault) continue;
    m->view_creation = ViewCreation::kMultiOutput;
    m->multi_output_nr = static_cast<uint32_t>(i);
    m->multi_output_fn = node_name;
  }
}

void refresh_view(const Tensor& t, AutogradMeta& m) {
  if (!m.grad_fn && !m.view_base.requires_grad()) return;  // nothing to differentiate through
  NABLA_CHECK(m.view_creation == ViewCreation::kDefault, AutogradError, "{}", view_refusal(m, true));
  const Tensor& base = m.view_base;
  auto geo = geometry_of(base, t);
  m.grad_fn = make_node("AsStridedBackward0", {base}, t,
                        [geo](const Tensor& g, const auto&) { return TensorList{put_region(g, geo)}; });
  m.output_nr = 0;
  m.view_version = t.version();
}

void check_inplace_autograd(const char* op, const Tensor& self) {
  const AutogradMeta* m = self.impl()->autograd_meta();
  if (m && m->view_base.defined()) {
    NABLA_CHECK(m->view_creation == ViewCreation::kDefault, AutogradError, "{}: {}", op,
                view_refusal(*m, false));
    NABLA_CHECK(!(self.requires_grad() && m->view_base.is_leaf()), AutogradError,
                "{}: a view of a leaf Variable that requires grad is being used in an in-place operation.",
                op);
  }
  NABLA_CHECK(!(self.requires_grad() && self.is_leaf()), AutogradError,
              "{}: a leaf Variable that requires grad is being used in an in-place operation.", op);
  for (int d = 0; d < self.dim(); ++d)
    NABLA_CHECK(
        self.stride(d) != 0 || self.size(d) <= 1, ValueError,
        "{}: unsupported operation: more than one element of the written-to tensor refers to a single "
        "memory location. Please clone() the tensor before performing the operation.",
        op);
}

void rebase_history(const Tensor& self, const Tensor& r) {
  AutogradMeta& m = self.impl()->ensure_autograd_meta();
  if (!m.view_base.defined()) {
    m.grad_fn = r.grad_fn();
    m.output_nr = r.output_nr();
    return;
  }
  // The base now holds r in the view's region; the view's own grad_fn is rebuilt from the base's
  // when next asked (its version is stale after the write).
  const Tensor& base = m.view_base;
  auto geo = geometry_of(base, self);
  set_history(base, make_node("CopySlices", {base, r}, base, [geo](const Tensor& g, const auto& needs) {
                return copy_slices_backward(g, needs, geo);
              }));
}

}  // namespace nabla::autograd
