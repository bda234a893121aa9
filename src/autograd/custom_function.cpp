// custom_function.cpp — user-defined forward/backward (nabla::autograd::Function).
#include "autograd/observer.h"
#include "autograd/record.h"
#include "nabla/autograd/autograd.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::autograd {

namespace {
struct CustomNode final : Node {
  std::string fn_name;
  std::shared_ptr<AutogradContext> ctx;
  detail::CustomBackward backward;
  std::vector<SavedVariable> saved;
  bool released = false;
  TensorList apply(TensorList&& grads) override {
    NABLA_CHECK(!released, AutogradError,
                "{}: Trying to backward through the graph a second time; specify retain_graph=true", name());
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = zeros(outputs[i].sizes.ref(), {.dtype = outputs[i].dtype});
    TensorList r = backward(ctx.get(), std::move(grads));
    NABLA_CHECK(r.size() == next_edges.size(), AutogradError,
                "{}: backward returned {} gradients but forward had {} tensor inputs", name(), r.size(),
                next_edges.size());
    return r;
  }
  std::string name() const override { return fn_name + "Backward"; }
  void release_saved() override {
    for (auto& s : saved) s.reset();
    released = true;
  }
};
}  // namespace

void AutogradContext::save_for_backward(const TensorList& tensors) { to_save_ = tensors; }
TensorList AutogradContext::get_saved_variables() const { return unpack_ ? unpack_() : to_save_; }

namespace detail {
TensorList apply_custom(const std::string& name, const TensorList& inputs,
                        const std::function<TensorList(AutogradContext*)>& forward, CustomBackward backward) {
  auto ctx = std::make_shared<AutogradContext>();
  TensorList outs;
  {
    NoGradGuard ng;
    outs = forward(ctx.get());
  }
  if (OpObserver* observer = op_observer()) observer->on_custom(name, inputs, outs);  // Note [Observing ops]
  if (!needs_grad(inputs)) return outs;
  auto node = std::make_shared<CustomNode>();
  node->fn_name = name;
  node->ctx = ctx;
  node->backward = std::move(backward);
  for (const Tensor& t : inputs) node->next_edges.push_back(t.requires_grad() ? gradient_edge(t) : Edge{});
  for (size_t i = 0; i < outs.size(); ++i) {
    // An output that is an input returned as is becomes a new alias, so the input keeps its history.
    for (const Tensor& in : inputs)
      if (outs[i].is_same(in)) outs[i] = in.detach();
    auto& m = outs[i].impl()->ensure_autograd_meta();
    m.grad_fn = node;
    m.output_nr = static_cast<uint32_t>(i);
    node->outputs.push_back({DimVec(outs[i].sizes()), outs[i].dtype()});
  }
  for (const Tensor& t : ctx->to_save_) {
    bool is_output = false;
    for (const Tensor& o : outs) is_output |= o.is_same(t);
    node->saved.emplace_back(t, is_output);
  }
  ctx->to_save_.clear();
  std::weak_ptr<CustomNode> weak = node;
  ctx->unpack_ = [weak]() {
    TensorList r;
    auto n = weak.lock();
    NABLA_CHECK(n != nullptr, AutogradError, "get_saved_variables: the graph has been freed");
    for (auto& s : n->saved) r.push_back(s.unpack(n));
    return r;
  };
  return outs;
}
}  // namespace detail

}  // namespace nabla::autograd
