// meta.h — per-tensor autograd state, allocated only for tensors that take part in autograd.
#pragma once
#include <memory>
#include <vector>

#include "nabla/autograd/node.h"

namespace nabla::autograd {

// How a view was made; PyTorch refuses in-place ops under autograd on the last two (CreationMeta).
enum class ViewCreation : uint8_t { kDefault, kNoGradMode, kMultiOutput };

struct AutogradMeta {
  Tensor grad;                           // accumulated gradient of a leaf (or retained non-leaf)
  std::shared_ptr<Node> grad_fn;         // null for leaves
  std::weak_ptr<Node> grad_accumulator;  // leaves: the AccumulateGrad node, alive while a graph uses it
  uint32_t output_nr = 0;
  bool requires_grad = false;  // leaves only; non-leaves require grad through grad_fn
  bool retains_grad = false;
  std::shared_ptr<Tensor> retained_grad;  // shared with the retain_grad hook (see Tensor::retain_grad)
  struct Hook {
    int id;
    TensorHook fn;
  };
  std::vector<Hook> leaf_hooks;  // hooks of a leaf, run by AccumulateGrad
  struct PostAccumulateHook {
    int id;
    std::function<void(const Tensor&)> fn;
  };
  std::vector<PostAccumulateHook> post_accumulate_hooks;  // run by AccumulateGrad after it wrote .grad
  int next_hook_id = 0;
  // Views only (Note [Views and in-place ops], view_inplace.h): the root tensor whose storage the view
  // shares, and the storage version its grad_fn was made for.
  Tensor view_base;
  uint32_t view_version = 0;
  ViewCreation view_creation = ViewCreation::kDefault;
  uint32_t multi_output_nr = 0;           // kMultiOutput: which output of...
  const char* multi_output_fn = nullptr;  // ...which node name ("SplitBackward0")
};

// A leaf's node: adds the incoming gradient into tensor.grad.
struct AccumulateGrad final : Node {
  explicit AccumulateGrad(Tensor leaf) : variable(std::move(leaf)) {}
  TensorList apply(TensorList&& grads) override;
  std::string name() const override { return "AccumulateGrad"; }
  Tensor variable;
};

std::shared_ptr<Node> grad_accumulator(const Tensor& leaf);
// Edge a gradient for `t` flows along: its grad_fn, its accumulator, or none.
Edge gradient_edge(const Tensor& t);
// Runs the hooks registered on a tensor (leaf hooks or grad_fn pre-hooks) over its incoming gradient.
Tensor run_hooks(const std::vector<AutogradMeta::Hook>& hooks, Tensor grad);

}  // namespace nabla::autograd
