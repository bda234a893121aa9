// op_util.h — helpers shared by the op and module mappings (op_map*.cpp, module_map.cpp, rnn_map.cpp).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/autograd/grad_mode.h"
#include "onnx/tracer.h"

namespace nabla::onnx::detail {

// Runs `f` with no observer and no autograd: recomputing a candidate attribute must not be traced.
class Untraced {
 public:
  Untraced() : previous_(autograd::set_op_observer(nullptr)) {}
  ~Untraced() { autograd::set_op_observer(previous_); }
  Untraced(const Untraced&) = delete;
  Untraced& operator=(const Untraced&) = delete;

 private:
  autograd::OpObserver* previous_;
  NoGradGuard no_grad_;
};
// Does `candidate` (recomputed by nabla with an inferred attribute) equal the traced output?
bool same_values(const Tensor& candidate, const Tensor& out);

// y = op_type(x) with attrs; y keeps x's batch dim.
void emit_unary(Tracer& t, std::string_view op_type, const Tensor& x, const Tensor& y,
                std::vector<Attr> attrs, std::string_view op, std::string_view hint = {});
// y = x reshaped to y's shape, the batch dim kept symbolic (Reshape, or Flatten for [N, ...] -> [N, M]).
void emit_reshape(Tracer& t, const Tensor& x, const Tensor& y, std::string_view op,
                  std::string_view hint = {});
// Global/AveragePool for adaptive average pooling to y's size (NotImplementedError unless the sizes
// divide).
void emit_adaptive_avg_pool(Tracer& t, const Tensor& x, const Tensor& y, std::string_view op,
                            std::string_view hint = {});
// Resize of x [N, C, (H,) W] to y's size: PyTorch's interpolate `mode` (nearest, nearest-exact, linear,
// bilinear, bicubic) and align_corners; `scales` per spatial dim (empty: out / in).
void emit_resize(Tracer& t, const Tensor& x, const Tensor& y, const std::string& mode, bool align_corners,
                 std::vector<double> scales, std::string_view hint = {});

// BatchNormalization on the running statistics (eval mode); an undefined weight or bias is 1 or 0.
// `prefix` names the initializers of tensors that are not parameters.
void emit_batch_norm(Tracer& t, const Tensor& x, const Tensor& y, const Tensor& mean, const Tensor& var,
                     const Tensor& weight, const Tensor& bias, double eps, const std::string& prefix);

// Activations shared by modules and functions. `x` is a value name of dtype `dtype`; returns y's name.
// kind: relu sigmoid tanh softsign selu leaky_relu(a = slope) elu(a = alpha) celu(a = alpha)
// softplus(a = beta) gelu gelu_tanh silu hardsigmoid hardswish mish logsigmoid hardtanh(a = min, b = max)
// softmax(a = axis) log_softmax(a = axis). nullopt for any other kind.
std::optional<std::string> emit_activation(Graph& g, std::string_view kind, const std::string& x, DType dtype,
                                           double a = 0, double b = 0, std::string_view hint = {});
// A scalar constant of `dtype` (0-d), for the decompositions.
std::string scalar_constant(Graph& g, double v, DType dtype, std::string_view hint = "c");

// The batch dim of a result of rank `out_rank` from inputs broadcast together (-1 when none has one).
int64_t broadcast_batch_dim(const Tracer& t, const TensorList& inputs, int64_t out_rank);

}  // namespace nabla::onnx::detail
