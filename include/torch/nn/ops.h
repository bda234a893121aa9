// torch/nn/ops.h — the ATen-level nn functions LibTorch has in namespace torch (torch::conv2d,
// torch::max_pool2d, torch::nll_loss, ...), with ATen's signatures: list arguments take one int for
// all dims (torch::max_pool2d(x, 2)) or a braced list, optional tensors take {} or an undefined
// tensor, and losses take the reduction as at::Reduction::{None, Mean, Sum}.
// Names nabla's op table already puts in torch (relu, softmax, one_hot, ...) are not redeclared.
// The bodies are in src/torch/nn_ops.cpp (compiled once, not in every program).
#pragma once
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "torch/enum.h"
#include "torch/nn/functional.h"
#include "torch/types.h"

namespace torch {
namespace nn_ops_detail {

namespace NF = nabla::nn::functional;

// ATen's IntArrayRef argument: one int (it stands for every dim), a braced list, a vector or an
// IntArrayRef. Owns its values, so a single int needs no storage elsewhere.
class IntArgs {
 public:
  IntArgs() = default;
  IntArgs(int64_t v) : v_{v} {}                              // NOLINT
  IntArgs(std::initializer_list<int64_t> l) : v_(l) {}       // NOLINT
  IntArgs(const std::vector<int64_t>& v) : v_(v) {}          // NOLINT
  IntArgs(nabla::IntArrayRef r) : v_(r.begin(), r.end()) {}  // NOLINT
  template <size_t D>
  IntArgs(const ExpandingArray<D>& a) : v_(a.vec()) {}  // NOLINT
  bool empty() const { return v_.empty(); }
  const std::vector<int64_t>& vec() const { return v_; }
  // The value for a 2-d op: {a} means {a, a}.
  NF::Pair pair(const char* op, const char* arg) const;
  // The value for a 1-d op, in nabla's 1-d Pair convention ({height 1 value, length value}).
  NF::Pair pair1(const char* op, const char* arg, int64_t first) const;

 private:
  void check(bool ok, const char* op, const char* arg, int d) const;
  std::vector<int64_t> v_;
};

Tensor opt(const std::optional<Tensor>& t);
std::string reduction_name(int64_t r);
NF::PoolOptions pool2d(const char* op, const IntArgs& kernel, const IntArgs& stride, const IntArgs& padding,
                       bool ceil_mode);
NF::PoolOptions pool1d(const char* op, const IntArgs& kernel, const IntArgs& stride, const IntArgs& padding,
                       bool ceil_mode);
// padding="same" / "valid" (only string-like arguments, so a literal 0 still means IntArgs(0)).
template <typename S>
concept PaddingString = std::is_convertible_v<const S&, std::string_view> && !std::is_arithmetic_v<S>;
bool padding_same(std::string_view p);

}  // namespace nn_ops_detail

// ---- convolution: input [N, C, (H,) W], weight [O, C/groups, (KH,) KW] ----
Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
              nn_ops_detail::IntArgs stride = 1, nn_ops_detail::IntArgs padding = 0,
              nn_ops_detail::IntArgs dilation = 1, int64_t groups = 1);
template <nn_ops_detail::PaddingString S>
Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              nn_ops_detail::IntArgs stride, const S& padding, nn_ops_detail::IntArgs dilation = 1,
              int64_t groups = 1) {
  nabla::nn::functional::ConvOptions o{stride.pair("conv2d", "stride"),
                                       {0, 0},
                                       dilation.pair("conv2d", "dilation"),
                                       groups,
                                       nn_ops_detail::padding_same(padding)};
  return nabla::nn::functional::conv2d(input, weight, nn_ops_detail::opt(bias), o);
}
Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
              nn_ops_detail::IntArgs stride = 1, nn_ops_detail::IntArgs padding = 0,
              nn_ops_detail::IntArgs dilation = 1, int64_t groups = 1);
template <nn_ops_detail::PaddingString S>
Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              nn_ops_detail::IntArgs stride, const S& padding, nn_ops_detail::IntArgs dilation = 1,
              int64_t groups = 1) {
  nabla::nn::functional::ConvOptions o{stride.pair1("conv1d", "stride", 1),
                                       {0, 0},
                                       dilation.pair1("conv1d", "dilation", 1),
                                       groups,
                                       nn_ops_detail::padding_same(padding)};
  return nabla::nn::functional::conv1d(input, weight, nn_ops_detail::opt(bias), o);
}
// weight [C_in, C_out/groups, KH, KW]; note ATen's order: output_padding, groups, then dilation.
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
                        nn_ops_detail::IntArgs stride = 1, nn_ops_detail::IntArgs padding = 0,
                        nn_ops_detail::IntArgs output_padding = 0, int64_t groups = 1,
                        nn_ops_detail::IntArgs dilation = 1);
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
                        nn_ops_detail::IntArgs stride = 1, nn_ops_detail::IntArgs padding = 0,
                        nn_ops_detail::IntArgs output_padding = 0, int64_t groups = 1,
                        nn_ops_detail::IntArgs dilation = 1);

// ---- pooling: an empty stride means the kernel size ----
Tensor max_pool2d(const Tensor& self, nn_ops_detail::IntArgs kernel_size, nn_ops_detail::IntArgs stride = {},
                  nn_ops_detail::IntArgs padding = 0, nn_ops_detail::IntArgs dilation = 1,
                  bool ceil_mode = false);
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& self, nn_ops_detail::IntArgs kernel_size,
                                                   nn_ops_detail::IntArgs stride = {},
                                                   nn_ops_detail::IntArgs padding = 0,
                                                   nn_ops_detail::IntArgs dilation = 1,
                                                   bool ceil_mode = false);
Tensor max_pool1d(const Tensor& self, nn_ops_detail::IntArgs kernel_size, nn_ops_detail::IntArgs stride = {},
                  nn_ops_detail::IntArgs padding = 0, nn_ops_detail::IntArgs dilation = 1,
                  bool ceil_mode = false);
Tensor avg_pool2d(const Tensor& self, nn_ops_detail::IntArgs kernel_size, nn_ops_detail::IntArgs stride = {},
                  nn_ops_detail::IntArgs padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
Tensor avg_pool1d(const Tensor& self, nn_ops_detail::IntArgs kernel_size, nn_ops_detail::IntArgs stride = {},
                  nn_ops_detail::IntArgs padding = 0, bool ceil_mode = false, bool count_include_pad = true);
Tensor adaptive_avg_pool2d(const Tensor& self, nn_ops_detail::IntArgs output_size);
Tensor adaptive_avg_pool1d(const Tensor& self, nn_ops_detail::IntArgs output_size);

// ---- dropout: `train` is required, as in ATen ----
Tensor dropout(const Tensor& input, double p, bool train);
Tensor& dropout_(Tensor& self, double p, bool train);
// Zeroes whole channels (dims 2... share one draw).
Tensor feature_dropout(const Tensor& input, double p, bool train);

// ---- normalization ----
// In training mode the running stats (if given) are updated in place; cudnn_enabled is ignored.
Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
                  const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var,
                  bool training, double momentum, double eps, bool /*cudnn_enabled*/);
Tensor layer_norm(const Tensor& input, nn_ops_detail::IntArgs normalized_shape,
                  const std::optional<Tensor>& weight = {}, const std::optional<Tensor>& bias = {},
                  double eps = 1e-05, bool /*cudnn_enable*/ = true);
Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight = {},
                  const std::optional<Tensor>& bias = {}, double eps = 1e-05, bool /*cudnn_enabled*/ = true);

// ---- linear and embedding ----
Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {});
// ATen's argument order: the weight first. A negative padding_idx means none (ATen's convention; the
// functional form maps negative indices before calling this). scale_grad_by_freq and sparse: see
// F::embedding.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1,
                 bool scale_grad_by_freq = false, bool sparse = false);

// ---- activations the op table does not already put in torch ----
// scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))
Tensor elu(const Tensor& self, const Scalar& alpha = 1, const Scalar& scale = 1,
           const Scalar& input_scale = 1);
Tensor silu(const Tensor& self);
Tensor relu6(const Tensor& self);
Tensor threshold(const Tensor& self, const Scalar& threshold, const Scalar& value);
// ATen's dtype forms (the two-argument forms come from the op table).
Tensor softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype);
Tensor log_softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype);

// ---- padding ----
Tensor constant_pad_nd(const Tensor& self, nn_ops_detail::IntArgs pad, const Scalar& value = 0);
// mode: "constant", "reflect", "replicate" or "circular"; value only with "constant".
Tensor pad(const Tensor& self, nn_ops_detail::IntArgs pad, std::string_view mode = "constant",
           std::optional<double> value = std::nullopt);

// ---- losses: reduction is at::Reduction::None, Mean or Sum ----
Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction = at::Reduction::Mean);
Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction = at::Reduction::Mean);
Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, int64_t reduction = at::Reduction::Mean,
                      double beta = 1.0);
Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction = at::Reduction::Mean,
                  double delta = 1.0);
Tensor binary_cross_entropy(const Tensor& self, const Tensor& target,
                            const std::optional<Tensor>& weight = {},
                            int64_t reduction = at::Reduction::Mean);
Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                        const std::optional<Tensor>& weight = {},
                                        const std::optional<Tensor>& pos_weight = {},
                                        int64_t reduction = at::Reduction::Mean);
Tensor nll_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                int64_t reduction = at::Reduction::Mean, int64_t ignore_index = -100);
// The N-d and 2-d spellings ATen also exports: nabla's nll_loss takes [N, C, d1, ...] itself.
Tensor nll_loss_nd(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                   int64_t reduction = at::Reduction::Mean, int64_t ignore_index = -100);
Tensor nll_loss2d(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                  int64_t reduction = at::Reduction::Mean, int64_t ignore_index = -100);
Tensor cross_entropy_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                          int64_t reduction = at::Reduction::Mean, int64_t ignore_index = -100,
                          double label_smoothing = 0.0);
Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction = at::Reduction::Mean,
              bool log_target = false);

}  // namespace torch
