// engine.cpp — runs the backward graph. Iterative (no recursion, so 100,000-op chains are fine):
// count each node's incoming edges, then process ready nodes newest-first (by sequence number),
// summing gradients per output slot, freeing saved tensors as it goes unless retain_graph.
#include <queue>
#include <unordered_map>

#include "autograd/record.h"
#include "nabla/autograd/autograd.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::autograd {

namespace {

struct NodeState {
  TensorList buffer;  // summed incoming gradient per output slot
  int dependencies = 0;
};

struct ByNewest {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

void accumulate(TensorList& buffer, uint32_t slot, Tensor g) {
  if (buffer.size() <= slot) buffer.resize(slot + 1);
  if (!buffer[slot].defined())
    buffer[slot] = std::move(g);
  else
    buffer[slot] = buffer[slot] + g;
}

// Where a grad() call wants its answers: gradient arriving at (node, slot) is input #index.
struct Capture {
  Node* node;
  uint32_t slot;
  size_t index;
};

void run(const std::vector<Edge>& roots, TensorList root_grads, bool keep_graph, bool create_graph,
         const std::vector<Capture>* captures, TensorList* captured) {
  std::unordered_map<Node*, NodeState> state;
  // Discover the graph and count dependencies, iteratively.
  std::vector<Node*> stack;
  for (auto& r : roots)
    if (state.emplace(r.fn.get(), NodeState{}).second) stack.push_back(r.fn.get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (auto& e : n->next_edges) {
      if (!e.valid()) continue;
      auto [it, inserted] = state.emplace(e.fn.get(), NodeState{});
      it->second.dependencies++;
      if (inserted) stack.push_back(e.fn.get());
    }
  }
  std::priority_queue<Node*, std::vector<Node*>, ByNewest> ready;
  for (size_t i = 0; i < roots.size(); ++i)
    accumulate(state[roots[i].fn.get()].buffer, roots[i].input_nr, root_grads[i]);
  for (auto& r : roots) {
    auto& st = state[r.fn.get()];
    if (st.dependencies == 0) {
      st.dependencies = -1;
      ready.push(r.fn.get());
    }
  }
  set_grad_enabled(create_graph);
  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    auto& st = state[node];
    TensorList grads = std::move(st.buffer);
    grads.resize(std::max<size_t>(node->outputs.size(), grads.size()));
    for (auto& h : node->pre_hooks) {
      if (!grads[h.output_nr].defined()) continue;
      Tensor r = h.fn(grads[h.output_nr]);
      if (r.defined()) grads[h.output_nr] = r;
    }
    bool is_accumulator = dynamic_cast<AccumulateGrad*>(node) != nullptr;
    if (captures) {
      for (auto& c : *captures)
        if (c.node == node && grads.size() > c.slot && grads[c.slot].defined())
          (*captured)[c.index] = grads[c.slot];
      if (is_accumulator) continue;  // grad() never writes .grad
    }
    bool any = false;
    for (auto& g : grads) any |= g.defined();
    TensorList outs;
    if (any) {
      outs = node->apply(std::move(grads));
      if (!keep_graph) node->release_saved();
    }
    for (size_t i = 0; i < node->next_edges.size(); ++i) {
      const Edge& e = node->next_edges[i];
      if (!e.valid()) continue;
      auto& next = state[e.fn.get()];
      if (i < outs.size() && outs[i].defined()) {
        const auto& expect = e.fn->outputs[e.input_nr];
        NABLA_ASSERT(outs[i].sizes() == expect.sizes.ref(),
                     "{} produced gradient {} for input {} of shape {}", node->name(),
                     shape_str(outs[i].sizes()), i, shape_str(expect.sizes));
        // Like PyTorch, a gradient has its input's dtype (a float32 + float64 op gives a float32 grad).
        if (outs[i].dtype() != expect.dtype) outs[i] = to_dtype(outs[i], expect.dtype);
        accumulate(next.buffer, e.input_nr, std::move(outs[i]));
      }
      if (--next.dependencies == 0) ready.push(e.fn.get());
    }
  }
}

Edge root_edge(const Tensor& t, size_t i) {
  NABLA_CHECK(t.defined(), ValueError, "backward: element {} of tensors is undefined", i);
  Edge e = gradient_edge(t);
  NABLA_CHECK(e.valid(), AutogradError,
              "element {} of tensors does not require grad and does not have a grad_fn", i);
  return e;
}

TensorList root_gradients(const TensorList& tensors, const TensorList& grads) {
  TensorList out;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (i < grads.size() && grads[i].defined()) {
      NABLA_CHECK(grads[i].sizes() == tensors[i].sizes(), ShapeError,
                  "backward: gradient of shape {} does not match output of shape {}",
                  shape_str(grads[i].sizes()), shape_str(tensors[i].sizes()));
      out.push_back(grads[i]);
    } else {
      NABLA_CHECK(tensors[i].numel() == 1, AutogradError,
                  "grad can be implicitly created only for scalar outputs (got shape {})",
                  shape_str(tensors[i].sizes()));
      out.push_back(ones_like(tensors[i]));
    }
  }
  return out;
}

class GradModeRestore {
 public:
  GradModeRestore() : prev_(is_grad_enabled()) {}
  ~GradModeRestore() { set_grad_enabled(prev_); }

 private:
  bool prev_;
};

}  // namespace

void backward(const TensorList& tensors, const TensorList& grad_tensors, bool retain_graph,
              bool create_graph) {
  std::vector<Edge> roots;
  for (size_t i = 0; i < tensors.size(); ++i) roots.push_back(root_edge(tensors[i], i));
  TensorList grads = root_gradients(tensors, grad_tensors);
  GradModeRestore restore;
  run(roots, std::move(grads), retain_graph || create_graph, create_graph, nullptr, nullptr);
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  std::vector<Edge> roots;
  for (size_t i = 0; i < outputs.size(); ++i) roots.push_back(root_edge(outputs[i], i));
  std::vector<Capture> captures;
  for (size_t i = 0; i < inputs.size(); ++i) {
    NABLA_CHECK(
        inputs[i].requires_grad(), AutogradError,
        "grad: input {} does not require grad (One of the differentiated Tensors does not require grad)", i);
    Edge e = gradient_edge(inputs[i]);
    captures.push_back({e.fn.get(), e.input_nr, i});
  }
  TensorList captured(inputs.size());
  TensorList grads = root_gradients(outputs, grad_outputs);
  {
    GradModeRestore restore;
    run(roots, std::move(grads), retain_graph.value_or(create_graph), create_graph, &captures, &captured);
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    NABLA_CHECK(
        captured[i].defined() || allow_unused, AutogradError,
        "grad: input {} was not used in the graph (One of the differentiated Tensors appears to not have "
        "been used in the graph. Set allow_unused=true if this is the desired behavior.)",
        i);
  return captured;
}

}  // namespace nabla::autograd
