// record.h — how op definitions attach their backward to the graph.
//
// Note [Recording an op]
// An op computes its outputs with grad mode off (kernels know nothing of autograd), then, if any
// input requires grad, calls record(): the node gets one edge per input, the saved tensors
// (checked against their version at unpack time) and a backward function. The backward function
// is written with ordinary differentiable nabla ops, so running it with grad mode on (create_graph)
// records a graph of its own: that is double backward, for free. Backward functions never capture
// Tensors in their closure — only through `saved` — so that release_saved() really frees them.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/meta.h"
#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/op_table.h"

namespace nabla::autograd {

// A tensor saved for backward, with the version it had when saved.
class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  // Throws AutogradError if freed or modified in place since it was saved.
  Tensor unpack(const std::shared_ptr<Node>& owner) const;
  void reset() { data_ = Tensor(); was_freed_ = true; }
  bool defined() const { return data_.defined() || was_freed_; }

 private:
  Tensor data_;                 // outputs are stored detached (no cycle through grad_fn)
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool requires_grad_ = false;
  bool was_freed_ = false;
  std::weak_ptr<Node> weak_grad_fn_;  // non-leaf inputs: their history, re-attached on unpack
};

struct BackwardContext {
  TensorList saved;             // unpacked saved tensors, in the order given to record()
  std::vector<bool> needs_grad; // per input: does anyone want this gradient?
};
using BackwardFn = std::function<TensorList(const BackwardContext& ctx, const TensorList& grads)>;

class OpNode final : public Node {
 public:
  OpNode(OpId op, BackwardFn fn) : op_(op), fn_(std::move(fn)) {}
  TensorList apply(TensorList&& grads) override;
  std::string name() const override;
  void release_saved() override;
  std::vector<SavedVariable> saved;
  std::vector<bool> needs_grad;

 private:
  OpId op_;
  BackwardFn fn_;
  bool released_ = false;
};

// True when grad mode is on and any of `inputs` requires grad.
bool should_record(std::initializer_list<const Tensor*> inputs);
bool should_record(const TensorList& inputs);

// Attaches a backward node to `outputs`. `saved_outputs` are indices into outputs to save (they are
// saved after the inputs in `saved_inputs`, so ctx.saved = saved_inputs..., outputs[i]...).
void record(OpId op, const TensorList& inputs, const TensorList& outputs, const TensorList& saved_inputs,
            BackwardFn backward, std::initializer_list<int> saved_outputs = {});

// Reduces a broadcast gradient back to `shape` (sums over the broadcast dims).
Tensor sum_to(const Tensor& grad, IntArrayRef shape);

}  // namespace nabla::autograd
