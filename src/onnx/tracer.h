// tracer.h — turns one forward run into ONNX nodes (Note [Tracing a forward]).
//
// Note [Tracing a forward]
// Two sources, one graph:
//  - Module calls. Every module of the tree gets all-tensor forward hooks. A call of a module with an
//    ONNX mapping (module_map.cpp: Conv2d, Linear, BatchNorm, pooling, activations, GRU/LSTM, ...) is
//    written from the module's options and parameters; the ops it runs inside are not looked at.
//  - Op calls outside such modules (the glue of a forward: `+`, relu, flatten, cat, select, ...), seen
//    through the op observer (Note [Observing ops], src/autograd/observer.h) and mapped by OpId
//    (op_map*.cpp). Their attributes come from shapes and view geometry; where those leave a choice
//    (softmax's dim, leaky_relu's slope), the candidate is recomputed and compared with the output.
// Values are tracked by TensorImpl: a tensor the trace produced, an example input, a parameter or
// buffer (an initializer under its state_dict name), or else a constant baked into the graph. A
// constant that carries the batch dim, or a traced value written in place since, is refused: the op
// that made it was not seen, so the graph would be wrong.
#pragma once
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "autograd/observer.h"
#include "nabla/nn/module.h"
#include "nabla/onnx/onnx.h"
#include "onnx/graph.h"

namespace nabla::onnx::detail {

class Tracer final : public autograd::OpObserver {
 public:
  Tracer(Graph& graph, nn::Module& root, const ExportOptions& options);
  ~Tracer() override;  // removes the hooks and the observer

  // Declares an example input as the graph input `name`.
  void add_input(const Tensor& t, const std::string& name);
  // Runs `forward` with the observer and hooks installed.
  TensorList run(const std::function<TensorList(const TensorList&)>& forward, const TensorList& inputs);

  // ---- for the mappings ----
  // The value name of `t`, an input of `op` (named in errors): a traced value, a graph input, an
  // initializer (parameter/buffer) or a new constant.
  std::string value(const Tensor& t, std::string_view op);
  // The traced value's batch dim (-1: none, or a constant).
  int64_t batch_dim(const Tensor& t) const;
  // Neither traced, nor a graph input, nor a parameter: value() would write it as a constant.
  bool is_constant(const Tensor& t) const;
  // `t` is now the value `name`, its batch dim `batch_dim`.
  void bind(const Tensor& t, const std::string& name, int64_t batch_dim);
  // `out` is the value of `in` (identity ops: dropout in eval, contiguous, clone).
  void alias(const Tensor& out, const Tensor& in, std::string_view op);
  // The initializer for a module's parameter or buffer, under its state_dict name (`what` when it is
  // not in the state_dict); `as` is written instead of t when given (the same values, reshaped).
  std::string param(const Tensor& t, std::string_view what, const Tensor& as = {});
  // The state_dict prefix of a module ("layer1.0.conv1"), for naming derived initializers.
  std::string prefix(const nn::Module& m) const;
  bool dynamic() const { return options_.dynamic_batch; }
  Graph& graph() { return graph_; }

  // ---- OpObserver ----
  void on_op(OpId op, const TensorList& inputs, const TensorList& outputs) override;
  void on_custom(const std::string& name, const TensorList& inputs, const TensorList& outputs) override;

 private:
  struct Value {
    std::string name;
    Tensor keep;  // holds the TensorImpl so its address is not reused during the trace
    uint32_t version;
    int64_t batch_dim;
    bool constant = false;
  };
  void pre_hook(nn::Module& m, const TensorList& inputs);
  void post_hook(nn::Module& m, const TensorList& inputs, const TensorList& outputs);
  const Value* find(const Tensor& t, std::string_view op) const;

  Graph& graph_;
  nn::Module& root_;
  ExportOptions options_;
  int64_t batch_size_ = -1;  // the example's batch size (constants carrying it are refused)
  std::unordered_map<const TensorImpl*, Value> values_;
  std::unordered_map<const TensorImpl*, std::string> params_;        // state_dict tensors
  std::unordered_map<const nn::Module*, std::string> module_names_;  // named_modules() paths
  std::vector<nn::RemovableHandle> hooks_;
  std::vector<const nn::Module*> mapped_stack_;  // mapped module calls in progress (inner ops ignored)
  autograd::OpObserver* previous_ = nullptr;
  bool installed_ = false;
};

// Module mappings (module_map.cpp, rnn_map.cpp): is `m` written as a whole, and writing one call.
bool is_mapped_module(const nn::Module& m);
void map_module(Tracer& t, nn::Module& m, const TensorList& inputs, const TensorList& outputs);
void map_recurrent(Tracer& t, nn::Module& m, const TensorList& inputs, const TensorList& outputs);
// Op mappings (op_map*.cpp): NotImplementedError naming the op when it has none.
void map_op(Tracer& t, OpId op, const TensorList& inputs, const TensorList& outputs);
void map_shape_op(Tracer& t, OpId op, const TensorList& inputs, const TensorList& outputs);
void map_nn_op(Tracer& t, OpId op, const TensorList& inputs, const TensorList& outputs);
[[noreturn]] void unmapped(std::string_view what, std::string_view hint = {});

}  // namespace nabla::onnx::detail
