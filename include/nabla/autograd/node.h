// node.h — a node of the backward graph (what Tensor::grad_fn() returns).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/tensor/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla::autograd {

struct Node;
// Where the gradient of one input goes: output slot `input_nr` of node `fn` (null: not needed).
struct Edge {
  std::shared_ptr<Node> fn;
  uint32_t input_nr = 0;
  bool valid() const { return fn != nullptr; }
};

using TensorHook = std::function<Tensor(const Tensor&)>;

struct Node : std::enable_shared_from_this<Node> {
  Node();
  virtual ~Node();  // destroys long chains iteratively (no deep recursion)
  // Gradients w.r.t. this node's outputs in, gradients w.r.t. its inputs out (one per next edge).
  virtual TensorList apply(TensorList&& grad_outputs) = 0;
  virtual std::string name() const = 0;
  // Frees saved tensors once backward has used them (unless retain_graph).
  virtual void release_saved() {}

  const std::vector<Edge>& next_functions() const { return next_edges; }
  uint64_t sequence_nr() const { return sequence_nr_; }

  std::vector<Edge> next_edges;
  // Tensor hooks of non-leaf outputs: (output_nr, id, hook), run on the incoming gradient.
  struct PreHook {
    uint32_t output_nr;
    int id;
    TensorHook fn;
  };
  std::vector<PreHook> pre_hooks;
  // Shape/dtype of each output, to make an undefined incoming gradient into zeros.
  struct OutputMeta {
    DimVec sizes;
    DType dtype;
  };
  std::vector<OutputMeta> outputs;

 private:
  uint64_t sequence_nr_;
};

}  // namespace nabla::autograd
