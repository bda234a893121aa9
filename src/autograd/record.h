// record.h — how op definitions attach their backward to the graph.
//
// Note [Recording an op]
// An op computes its outputs with grad mode off (kernels know nothing of autograd), then, if any
// input requires grad, calls record(): the node gets one edge per input, the saved tensors
// (checked against their version at unpack time) and a backward function. The backward function
// is written with ordinary differentiable nabla ops, so running it with grad mode on (create_graph)
// records a graph of its own: that is double backward, for free. Backward functions never capture
// Tensors in their closure — only through what `Save` names — so that release_saved() really frees
// them.
//
// Saved tensors are addressed by their role, never by the order they were saved in:
//   record(OpId::mul, {a, b}, {out}, {.inputs = {0, 1}}, backward)   -> ctx.input(0), ctx.input(1)
//   record(OpId::exp, {x}, {out}, {.outputs = {0}}, backward)        -> ctx.output(0)
//   record(OpId::sort, {x}, {values}, {.extra = {indices}}, backward) -> ctx.extra(0)
// `inputs`/`outputs` are positions in the op's inputs/outputs; `extra` holds tensors that are
// neither (indices, statistics, a kernel's saved state, a staged copy of an input). Reading a
// tensor that was not saved is a nabla bug: an internal assertion names the op and the slot.
#pragma once
#include <bit>
#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
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
  void reset() {
    data_ = Tensor();
    was_freed_ = true;
  }
  bool defined() const { return data_.defined() || was_freed_; }

 private:
  Tensor data_;  // outputs are stored detached (no cycle through grad_fn)
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool requires_grad_ = false;
  bool was_freed_ = false;
  std::weak_ptr<Node> weak_grad_fn_;  // non-leaf inputs: their history, re-attached on unpack
};

// A set of input or output positions (at most 32), written as a braced list: {0, 2}.
class Slots {
 public:
  constexpr Slots() = default;
  constexpr Slots(std::initializer_list<int> positions) {  // NOLINT: {0, 1} reads as a set
    for (int i : positions) {
      if (i < 0 || i >= 32) throw std::logic_error("nabla internal error: Slots position out of range");
      bits_ |= 1u << i;
    }
  }
  constexpr bool has(int i) const { return i >= 0 && i < 32 && ((bits_ >> i) & 1u); }
  constexpr int count() const { return std::popcount(bits_); }
  // How many positions below i are in the set: where slot i sits among the saved tensors.
  constexpr int rank(int i) const { return std::popcount(bits_ & ((1u << i) - 1u)); }
  constexpr uint32_t bits() const { return bits_; }

 private:
  uint32_t bits_ = 0;
};

// What an op keeps for its backward (see Note [Recording an op]).
struct Save {
  // Default member initializers: a designated initializer may then name only what it saves.
  Slots inputs{};      // positions in record()'s inputs
  Slots outputs{};     // positions in record()'s outputs
  TensorList extra{};  // tensors that are neither: ctx.extra(i) is extra[i]
};

class BackwardContext {
 public:
  BackwardContext(OpId op, Slots inputs, Slots outputs, TensorList saved, std::vector<bool> needs_grad)
      : needs_grad(std::move(needs_grad)),
        op_(op),
        inputs_(inputs),
        outputs_(outputs),
        saved_(std::move(saved)) {}
  const Tensor& input(int i) const;   // the op's input i, as saved
  const Tensor& output(int i) const;  // the op's output i, as saved
  const Tensor& extra(int i) const;   // Save::extra[i]
  std::vector<bool> needs_grad;       // per input: does anyone want this gradient?

 private:
  [[noreturn]] void not_saved(const char* kind, int i) const;
  OpId op_;
  Slots inputs_, outputs_;
  TensorList saved_;  // unpacked: saved inputs, saved outputs, extra (each in position order)
};
using BackwardFn = std::function<TensorList(const BackwardContext& ctx, const TensorList& grads)>;

class OpNode final : public Node {
 public:
  OpNode(OpId op, BackwardFn fn, Slots saved_inputs, Slots saved_outputs)
      : op_(op), fn_(std::move(fn)), saved_inputs_(saved_inputs), saved_outputs_(saved_outputs) {}
  TensorList apply(TensorList&& grads) override;
  std::string name() const override;
  void release_saved() override;
  std::vector<SavedVariable> saved;  // saved inputs, saved outputs, extra (see BackwardContext)
  std::vector<bool> needs_grad;

 private:
  OpId op_;
  BackwardFn fn_;
  Slots saved_inputs_, saved_outputs_;
  bool released_ = false;
};

// True when grad mode is on and any of `inputs` requires grad.
bool should_record(std::initializer_list<const Tensor*> inputs);
bool should_record(const TensorList& inputs);

// Attaches a backward node to `outputs`, keeping what `save` names for the backward.
void record(OpId op, const TensorList& inputs, const TensorList& outputs, const Save& save,
            BackwardFn backward);

// Reduces a broadcast gradient back to `shape` (sums over the broadcast dims).
Tensor sum_to(const Tensor& grad, IntArrayRef shape);

}  // namespace nabla::autograd
