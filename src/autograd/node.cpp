// node.cpp — node lifetime, leaf accumulation, saved variables and recording (Note [Recording an op]).
#include <atomic>
#include <utility>

#include "autograd/observer.h"
#include "autograd/record.h"
#include "autograd/view_inplace.h"
#include "nabla/ops/ops.h"
#include "tensor/raw.h"
#include "util/check.h"

namespace nabla::autograd {

namespace {
std::atomic<uint64_t> g_sequence{0};
// Iterative destruction: a chain of 100,000 nodes must not recurse 100,000 deep.
thread_local std::vector<std::shared_ptr<Node>> t_pending_delete;
thread_local bool t_draining = false;
thread_local OpObserver* t_observer = nullptr;  // Note [Observing ops], observer.h
}  // namespace

Node::Node() : sequence_nr_(g_sequence.fetch_add(1, std::memory_order_relaxed)) {}

Node::~Node() {
  auto& edges = next_edges;
  for (auto& e : edges)
    if (e.fn && e.fn.use_count() == 1) t_pending_delete.push_back(std::move(e.fn));
  edges.clear();
  if (t_draining) return;
  t_draining = true;
  while (!t_pending_delete.empty()) {
    auto n = std::move(t_pending_delete.back());
    t_pending_delete.pop_back();
    n.reset();
  }
  t_draining = false;
}

// ---- leaves ----
std::shared_ptr<Node> grad_accumulator(const Tensor& leaf) {
  auto& meta = leaf.impl()->ensure_autograd_meta();
  if (auto acc = meta.grad_accumulator.lock()) return acc;
  auto acc = std::make_shared<AccumulateGrad>(leaf);
  acc->outputs.push_back({DimVec(leaf.sizes()), leaf.dtype()});
  meta.grad_accumulator = acc;
  return acc;
}

Edge gradient_edge(const Tensor& t) {
  auto* meta = fresh_meta(t);
  if (meta && meta->grad_fn) return {meta->grad_fn, meta->output_nr};
  if (meta && meta->requires_grad) return {grad_accumulator(t), 0};
  return {};
}

Tensor run_hooks(const std::vector<AutogradMeta::Hook>& hooks, Tensor grad) {
  for (auto& h : hooks) {
    Tensor r = h.fn(grad);
    if (r.defined()) grad = r;
  }
  return grad;
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  auto& meta = variable.impl()->ensure_autograd_meta();
  Tensor g = run_hooks(meta.leaf_hooks, std::move(grads[0]));
  if (!g.defined()) return {};
  NABLA_CHECK(g.sizes() == variable.sizes(), ShapeError,
              "backward: gradient of shape {} does not match its leaf tensor of shape {}",
              shape_str(g.sizes()), shape_str(variable.sizes()));
  if (!meta.grad.defined()) {
    // Steal the buffer when nobody else holds it; otherwise copy so leaves never share a .grad.
    const bool dense = g.is_contiguous() || raw::is_strictly_channels_last(g);
    meta.grad = (!is_grad_enabled() && g.impl()->use_count() == 1 && dense) ? g.detach()
                : is_grad_enabled()                                         ? g
                                                                            : g.detach().clone();
  } else if (is_grad_enabled()) {
    meta.grad = meta.grad + g;  // create_graph: keep the accumulation differentiable
  } else {
    NoGradGuard no_grad;
    meta.grad.add_(g);
  }
  // By index: a hook may register or remove hooks (the vector may reallocate).
  for (size_t i = 0; i < meta.post_accumulate_hooks.size(); ++i) {
    auto fn = meta.post_accumulate_hooks[i].fn;
    fn(variable);
  }
  return {};
}

// ---- saved variables ----
SavedVariable::SavedVariable(const Tensor& t, bool is_output) : is_output_(is_output) {
  if (!t.defined()) return;
  version_ = t.version();
  auto* meta = fresh_meta(t);
  const bool non_leaf = meta && meta->grad_fn;
  requires_grad_ = t.requires_grad();
  // A constant view is kept as a plain alias too: its view_base could lead back to this node.
  const bool constant_view = meta && meta->view_base.defined() && !requires_grad_;
  if (is_output || non_leaf || constant_view) {
    // Keep only the data (an alias), not the grad_fn: no cycle for outputs, and no recursion
    // through long chains when the graph is destroyed. unpack() re-attaches the history.
    data_ = raw::as_strided(t, t.sizes(), t.strides(), t.storage_offset());
    output_nr_ = meta ? meta->output_nr : 0;
    if (!is_output && non_leaf) weak_grad_fn_ = meta->grad_fn;
  } else {
    data_ = t;  // a leaf or a constant: keeping it alive is cheap and keeps accumulation working
  }
}

Tensor SavedVariable::unpack(const std::shared_ptr<Node>& owner) const {
  NABLA_CHECK(!was_freed_, AutogradError,
              "Trying to backward through the graph a second time (or directly access saved tensors after "
              "they have already been freed). Saved intermediate values of the graph are freed when you call "
              ".backward() or autograd.grad(). Specify retain_graph=true if you need to backward through the "
              "graph a second time.");
  if (!data_.defined()) return data_;
  NABLA_CHECK(data_.version() == version_, AutogradError,
              "one of the variables needed for gradient computation has been modified by an inplace "
              "operation: [{}] is at version {}; expected version {} instead",
              data_.toString(), data_.version(), version_);
  if (!requires_grad_ || !is_grad_enabled()) return data_;
  std::shared_ptr<Node> fn = is_output_ ? owner : weak_grad_fn_.lock();
  if (!fn) return data_;  // a leaf: data_ is the leaf itself
  Tensor alias = raw::as_strided(data_, data_.sizes(), data_.strides(), data_.storage_offset());
  auto& m = alias.impl()->ensure_autograd_meta();
  m.grad_fn = std::move(fn);
  m.output_nr = output_nr_;
  return alias;
}

// ---- op nodes ----

std::string OpNode::name() const {
  std::string_view n = op_info(op_).name;
  std::string out;
  bool upper = true;
  for (char c : n) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out + "Backward0";
}

void OpNode::release_saved() {
  for (auto& s : saved) s.reset();
  released_ = true;
}

// ---- backward context: saved tensors by role ----

const Tensor& BackwardContext::input(int i) const {
  if (!inputs_.has(i)) not_saved("input", i);
  return saved_[inputs_.rank(i)];
}
const Tensor& BackwardContext::output(int i) const {
  if (!outputs_.has(i)) not_saved("output", i);
  return saved_[inputs_.count() + outputs_.rank(i)];
}
const Tensor& BackwardContext::extra(int i) const {
  const size_t at = static_cast<size_t>(inputs_.count() + outputs_.count() + i);
  if (i < 0 || at >= saved_.size()) not_saved("extra tensor", i);
  return saved_[at];
}
void BackwardContext::not_saved(const char* kind, int i) const {
  // An internal error (NABLA_ASSERT's kind): the op's backward and forward disagree.
  throw Error(
      fmt::format("nabla internal error: {}: backward reads {} {}, which its forward did not save "
                  "(see Note [Recording an op])",
                  op_info(op_).name, kind, i));
}

TensorList OpNode::apply(TensorList&& grads) {
  auto self = shared_from_this();
  TensorList unpacked;
  unpacked.reserve(saved.size());
  for (auto& s : saved) unpacked.push_back(s.unpack(self));
  const BackwardContext ctx(op_, saved_inputs_, saved_outputs_, std::move(unpacked), needs_grad);
  for (size_t i = 0; i < grads.size(); ++i)
    if (!grads[i].defined()) grads[i] = zeros(outputs[i].sizes, {.dtype = outputs[i].dtype});
  TensorList result = fn_(ctx, grads);
  NABLA_ASSERT(result.size() == next_edges.size(), "{} returned {} gradients for {} inputs", name(),
               result.size(), next_edges.size());
  return result;
}

// ---- recording ----

OpObserver* set_op_observer(OpObserver* observer) { return std::exchange(t_observer, observer); }
OpObserver* op_observer() { return t_observer; }

bool needs_grad(const TensorList& inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

// An observed thread records every op (Note [Observing ops]); record() then decides about the node.
bool should_record(std::initializer_list<const Tensor*> inputs) {
  if (NABLA_UNLIKELY(t_observer != nullptr)) return true;
  if (!is_grad_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}
bool should_record(const TensorList& inputs) { return t_observer != nullptr || needs_grad(inputs); }

void record(OpId op, const TensorList& inputs, const TensorList& outputs, const Save& save,
            BackwardFn backward) {
  if (NABLA_UNLIKELY(t_observer != nullptr)) {
    t_observer->on_op(op, inputs, outputs);
    if (!needs_grad(inputs)) return;  // recorded only for the observer
  }
  NABLA_ASSERT(save.inputs.bits() >> std::min<size_t>(inputs.size(), 31) == 0 &&
                   save.outputs.bits() >> std::min<size_t>(outputs.size(), 31) == 0,
               "{}: Save names a position past the op's {} inputs / {} outputs", op_info(op).name,
               inputs.size(), outputs.size());
  auto node = std::make_shared<OpNode>(op, std::move(backward), save.inputs, save.outputs);
  node->next_edges.reserve(inputs.size());
  for (const Tensor& t : inputs) {
    Edge e = (t.defined() && t.requires_grad()) ? gradient_edge(t) : Edge{};
    node->needs_grad.push_back(e.valid());
    node->next_edges.push_back(std::move(e));
  }
  node->saved.reserve(save.inputs.count() + save.outputs.count() + save.extra.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    if (save.inputs.has(static_cast<int>(i))) node->saved.emplace_back(inputs[i], false);
  for (size_t i = 0; i < outputs.size(); ++i) {
    auto& m = outputs[i].impl()->ensure_autograd_meta();
    m.grad_fn = node;
    m.output_nr = static_cast<uint32_t>(i);
    // An output sharing an input's storage is a view of it (Note [Views and in-place ops]); view
    // ops mark their results themselves, this catches any other op that returns an alias.
    for (const Tensor& in : inputs)
      if (!m.view_base.defined() && in.defined() && !in.is_same(outputs[i]) &&
          in.impl()->storage() == outputs[i].impl()->storage())
        mark_view(in, outputs[i]);
    node->outputs.push_back({DimVec(outputs[i].sizes()), outputs[i].dtype()});
  }
  for (size_t i = 0; i < outputs.size(); ++i)
    if (save.outputs.has(static_cast<int>(i))) node->saved.emplace_back(outputs[i], true);
  for (const Tensor& t : save.extra) node->saved.emplace_back(t, false);
}

Tensor sum_to(const Tensor& grad, IntArrayRef shape) {
  if (grad.sizes() == shape) return grad;
  const int lead = grad.dim() - static_cast<int>(shape.size());
  std::vector<int64_t> dims;
  for (int i = 0; i < grad.dim(); ++i) {
    int j = i - lead;
    if (j < 0 || (shape[j] == 1 && grad.size(i) != 1)) dims.push_back(i);
  }
  Tensor r = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return r.reshape(shape);
}

}  // namespace nabla::autograd
