// torch/nn/ops.h — the ATen-level nn functions LibTorch has in namespace torch (torch::conv2d,
// torch::max_pool2d, torch::nll_loss, ...), with ATen's signatures: list arguments take one int for
// all dims (torch::max_pool2d(x, 2)) or a braced list, optional tensors take {} or an undefined
// tensor, and losses take the reduction as at::Reduction::{None, Mean, Sum}.
// Names nabla's op table already puts in torch (relu, softmax, one_hot, ...) are not redeclared.
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
  NF::Pair pair(const char* op, const char* arg) const {
    check(v_.size() == 1 || v_.size() == 2, op, arg, 2);
    return v_.size() == 1 ? NF::Pair{v_[0], v_[0]} : NF::Pair{v_[0], v_[1]};
  }
  // The value for a 1-d op, in nabla's 1-d Pair convention ({height 1 value, length value}).
  NF::Pair pair1(const char* op, const char* arg, int64_t first) const {
    check(v_.size() == 1, op, arg, 1);
    return {first, v_[0]};
  }

 private:
  void check(bool ok, const char* op, const char* arg, int d) const {
    if (!ok)
      throw nabla::ValueError(std::string(op) + ": " + arg + " must have 1 or " + std::to_string(d) +
                              " elements, got " + std::to_string(v_.size()));
  }
  std::vector<int64_t> v_;
};

inline Tensor opt(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }
inline std::string reduction_name(int64_t r) {
  if (r == at::Reduction::None) return "none";
  if (r == at::Reduction::Sum) return "sum";
  if (r != at::Reduction::Mean) throw nabla::ValueError("invalid reduction " + std::to_string(r));
  return "mean";
}
inline NF::PoolOptions pool2d(const char* op, const IntArgs& kernel, const IntArgs& stride,
                              const IntArgs& padding, bool ceil_mode) {
  NF::PoolOptions p;
  p.kernel_size = kernel.pair(op, "kernel_size");
  p.stride = stride.empty() ? p.kernel_size : stride.pair(op, "stride");  // empty: the kernel size
  p.padding = padding.pair(op, "padding");
  p.ceil_mode = ceil_mode;
  return p;
}
inline NF::PoolOptions pool1d(const char* op, const IntArgs& kernel, const IntArgs& stride,
                              const IntArgs& padding, bool ceil_mode) {
  NF::PoolOptions p;
  p.kernel_size = kernel.pair1(op, "kernel_size", 1);
  p.stride = stride.empty() ? p.kernel_size : stride.pair1(op, "stride", 1);
  p.padding = padding.pair1(op, "padding", 0);
  p.ceil_mode = ceil_mode;
  return p;
}
// padding="same" / "valid" (only string-like arguments, so a literal 0 still means IntArgs(0)).
template <typename S>
concept PaddingString = std::is_convertible_v<const S&, std::string_view> && !std::is_arithmetic_v<S>;
inline bool padding_same(std::string_view p) {
  if (p != "same" && p != "valid")
    throw nabla::ValueError("conv: padding must be \"valid\" or \"same\", got \"" + std::string(p) + "\"");
  return p == "same";
}

}  // namespace nn_ops_detail

// ---- convolution: input [N, C, (H,) W], weight [O, C/groups, (KH,) KW] ----
inline Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
                     nn_ops_detail::IntArgs stride = 1, nn_ops_detail::IntArgs padding = 0,
                     nn_ops_detail::IntArgs dilation = 1, int64_t groups = 1) {
  nabla::nn::functional::ConvOptions o{stride.pair("conv2d", "stride"), padding.pair("conv2d", "padding"),
                                       dilation.pair("conv2d", "dilation"), groups};
  return nabla::nn::functional::conv2d(input, weight, nn_ops_detail::opt(bias), o);
}
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
inline Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {},
                     nn_ops_detail::IntArgs stride = 1, nn_ops_detail::IntArgs padding = 0,
                     nn_ops_detail::IntArgs dilation = 1, int64_t groups = 1) {
  nabla::nn::functional::ConvOptions o{stride.pair1("conv1d", "stride", 1),
                                       padding.pair1("conv1d", "padding", 0),
                                       dilation.pair1("conv1d", "dilation", 1), groups};
  return nabla::nn::functional::conv1d(input, weight, nn_ops_detail::opt(bias), o);
}
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
inline Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                               const std::optional<Tensor>& bias = {}, nn_ops_detail::IntArgs stride = 1,
                               nn_ops_detail::IntArgs padding = 0, nn_ops_detail::IntArgs output_padding = 0,
                               int64_t groups = 1, nn_ops_detail::IntArgs dilation = 1) {
  const char* op = "conv_transpose2d";
  nabla::nn::functional::ConvTransposeOptions o{stride.pair(op, "stride"), padding.pair(op, "padding"),
                                                output_padding.pair(op, "output_padding"),
                                                dilation.pair(op, "dilation"), groups};
  return nabla::nn::functional::conv_transpose2d(input, weight, nn_ops_detail::opt(bias), o);
}
inline Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                               const std::optional<Tensor>& bias = {}, nn_ops_detail::IntArgs stride = 1,
                               nn_ops_detail::IntArgs padding = 0, nn_ops_detail::IntArgs output_padding = 0,
                               int64_t groups = 1, nn_ops_detail::IntArgs dilation = 1) {
  const char* op = "conv_transpose1d";
  nabla::nn::functional::ConvTransposeOptions o{
      stride.pair1(op, "stride", 1), padding.pair1(op, "padding", 0),
      output_padding.pair1(op, "output_padding", 0), dilation.pair1(op, "dilation", 1), groups};
  return nabla::nn::functional::conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2),
                                                 nn_ops_detail::opt(bias), o)
      .squeeze(-2);
}

// ---- pooling: an empty stride means the kernel size ----
inline Tensor max_pool2d(const Tensor& self, nn_ops_detail::IntArgs kernel_size,
                         nn_ops_detail::IntArgs stride = {}, nn_ops_detail::IntArgs padding = 0,
                         nn_ops_detail::IntArgs dilation = 1, bool ceil_mode = false) {
  auto p = nn_ops_detail::pool2d("max_pool2d", kernel_size, stride, padding, ceil_mode);
  p.dilation = dilation.pair("max_pool2d", "dilation");
  return nabla::nn::functional::max_pool2d(self, p);
}
inline std::tuple<Tensor, Tensor> max_pool2d_with_indices(
    const Tensor& self, nn_ops_detail::IntArgs kernel_size, nn_ops_detail::IntArgs stride = {},
    nn_ops_detail::IntArgs padding = 0, nn_ops_detail::IntArgs dilation = 1, bool ceil_mode = false) {
  auto p = nn_ops_detail::pool2d("max_pool2d_with_indices", kernel_size, stride, padding, ceil_mode);
  p.dilation = dilation.pair("max_pool2d_with_indices", "dilation");
  auto [out, idx] = nabla::nn::functional::max_pool2d_with_indices(self, p);
  return {out, idx};
}
inline Tensor max_pool1d(const Tensor& self, nn_ops_detail::IntArgs kernel_size,
                         nn_ops_detail::IntArgs stride = {}, nn_ops_detail::IntArgs padding = 0,
                         nn_ops_detail::IntArgs dilation = 1, bool ceil_mode = false) {
  auto p = nn_ops_detail::pool1d("max_pool1d", kernel_size, stride, padding, ceil_mode);
  p.dilation = dilation.pair1("max_pool1d", "dilation", 1);
  return nabla::nn::functional::max_pool2d(self.unsqueeze(-2), p).squeeze(-2);
}
inline Tensor avg_pool2d(const Tensor& self, nn_ops_detail::IntArgs kernel_size,
                         nn_ops_detail::IntArgs stride = {}, nn_ops_detail::IntArgs padding = 0,
                         bool ceil_mode = false, bool count_include_pad = true,
                         std::optional<int64_t> divisor_override = std::nullopt) {
  auto p = nn_ops_detail::pool2d("avg_pool2d", kernel_size, stride, padding, ceil_mode);
  p.count_include_pad = count_include_pad;
  p.divisor_override = divisor_override;
  return nabla::nn::functional::avg_pool2d(self, p);
}
inline Tensor avg_pool1d(const Tensor& self, nn_ops_detail::IntArgs kernel_size,
                         nn_ops_detail::IntArgs stride = {}, nn_ops_detail::IntArgs padding = 0,
                         bool ceil_mode = false, bool count_include_pad = true) {
  auto p = nn_ops_detail::pool1d("avg_pool1d", kernel_size, stride, padding, ceil_mode);
  p.count_include_pad = count_include_pad;
  return nabla::nn::functional::avg_pool2d(self.unsqueeze(-2), p).squeeze(-2);
}
inline Tensor adaptive_avg_pool2d(const Tensor& self, nn_ops_detail::IntArgs output_size) {
  return nabla::nn::functional::adaptive_avg_pool2d(self,
                                                    output_size.pair("adaptive_avg_pool2d", "output_size"));
}
inline Tensor adaptive_avg_pool1d(const Tensor& self, nn_ops_detail::IntArgs output_size) {
  return nabla::nn::functional::adaptive_avg_pool2d(
             self.unsqueeze(-2), output_size.pair1("adaptive_avg_pool1d", "output_size", 1))
      .squeeze(-2);
}

// ---- dropout: `train` is required, as in ATen ----
inline Tensor dropout(const Tensor& input, double p, bool train) {
  return nabla::nn::functional::dropout(input, p, train);
}
inline Tensor& dropout_(Tensor& self, double p, bool train) {
  return self.copy_(nabla::nn::functional::dropout(self, p, train));
}
// Zeroes whole channels (dims 2... share one draw).
inline Tensor feature_dropout(const Tensor& input, double p, bool train) {
  return nabla::nn::functional::dropout2d(input, p, train);
}

// ---- normalization ----
// In training mode the running stats (if given) are updated in place; cudnn_enabled is ignored.
inline Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& weight,
                         const std::optional<Tensor>& bias, const std::optional<Tensor>& running_mean,
                         const std::optional<Tensor>& running_var, bool training, double momentum, double eps,
                         bool /*cudnn_enabled*/) {
  using nn_ops_detail::opt;
  return nabla::nn::functional::batch_norm(input, opt(running_mean), opt(running_var), opt(weight), opt(bias),
                                           training, momentum, eps);
}
inline Tensor layer_norm(const Tensor& input, nn_ops_detail::IntArgs normalized_shape,
                         const std::optional<Tensor>& weight = {}, const std::optional<Tensor>& bias = {},
                         double eps = 1e-05, bool /*cudnn_enable*/ = true) {
  return nabla::nn::functional::layer_norm(input, normalized_shape.vec(), nn_ops_detail::opt(weight),
                                           nn_ops_detail::opt(bias), eps);
}
inline Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight = {},
                         const std::optional<Tensor>& bias = {}, double eps = 1e-05,
                         bool /*cudnn_enabled*/ = true) {
  return nabla::nn::functional::group_norm(input, num_groups, nn_ops_detail::opt(weight),
                                           nn_ops_detail::opt(bias), eps);
}

// ---- linear and embedding ----
inline Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = {}) {
  return nabla::nn::functional::linear(input, weight, nn_ops_detail::opt(bias));
}
// ATen's argument order: the weight first. A negative padding_idx means none (ATen's convention; the
// functional form maps negative indices before calling this). scale_grad_by_freq and sparse: see
// F::embedding.
inline Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1,
                        bool scale_grad_by_freq = false, bool sparse = false) {
  return nn::functional::embedding(
      indices, weight,
      nn::functional::EmbeddingFuncOptions()
          .padding_idx(padding_idx < 0 ? std::nullopt : std::optional<int64_t>(padding_idx))
          .scale_grad_by_freq(scale_grad_by_freq)
          .sparse(sparse));
}

// ---- activations the op table does not already put in torch ----
// scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))
inline Tensor elu(const Tensor& self, const Scalar& alpha = 1, const Scalar& scale = 1,
                  const Scalar& input_scale = 1) {
  const double a = alpha.to_double(), s = scale.to_double(), is = input_scale.to_double();
  if (s == 1 && is == 1) return nabla::nn::functional::elu(self, a);
  return nabla::where(self > 0, self * s, nabla::expm1(self * is) * (a * s));
}
inline Tensor silu(const Tensor& self) { return nabla::nn::functional::silu(self); }
inline Tensor relu6(const Tensor& self) { return nabla::nn::functional::relu6(self); }
inline Tensor threshold(const Tensor& self, const Scalar& threshold, const Scalar& value) {
  return nn::functional::threshold(
      self, nn::functional::ThresholdFuncOptions(threshold.to_double(), value.to_double()));
}
// ATen's dtype forms (the two-argument forms come from the op table).
inline Tensor softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  return nabla::softmax(dtype ? self.to(*dtype) : self, dim);
}
inline Tensor log_softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  return nabla::log_softmax(dtype ? self.to(*dtype) : self, dim);
}

// ---- padding ----
inline Tensor constant_pad_nd(const Tensor& self, nn_ops_detail::IntArgs pad, const Scalar& value = 0) {
  return nabla::nn::functional::pad(self, pad.vec(), value.to_double());
}
// mode: "constant", "reflect", "replicate" or "circular"; value only with "constant".
inline Tensor pad(const Tensor& self, nn_ops_detail::IntArgs pad, std::string_view mode = "constant",
                  std::optional<double> value = std::nullopt) {
  if (mode == "constant") return nabla::nn::functional::pad(self, pad.vec(), value.value_or(0));
  if (value)
    throw nabla::ValueError("pad: padding mode \"" + std::string(mode) + "\" doesn't take in value argument");
  if (mode != "reflect" && mode != "replicate" && mode != "circular")
    throw nabla::ValueError("pad: unknown padding mode \"" + std::string(mode) + "\"");
  return nn::functional::impl::pad_by_index(self, pad.vec(), std::string(mode));
}

// ---- losses: reduction is at::Reduction::None, Mean or Sum ----
inline Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction = at::Reduction::Mean) {
  return nabla::nn::functional::mse_loss(self, target, nn_ops_detail::reduction_name(reduction));
}
inline Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction = at::Reduction::Mean) {
  return nabla::nn::functional::l1_loss(self, target, nn_ops_detail::reduction_name(reduction));
}
inline Tensor smooth_l1_loss(const Tensor& self, const Tensor& target,
                             int64_t reduction = at::Reduction::Mean, double beta = 1.0) {
  return nabla::nn::functional::smooth_l1_loss(self, target, nn_ops_detail::reduction_name(reduction), beta);
}
inline Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction = at::Reduction::Mean,
                         double delta = 1.0) {
  return nabla::nn::functional::huber_loss(self, target, nn_ops_detail::reduction_name(reduction), delta);
}
inline Tensor binary_cross_entropy(const Tensor& self, const Tensor& target,
                                   const std::optional<Tensor>& weight = {},
                                   int64_t reduction = at::Reduction::Mean) {
  return nabla::nn::functional::binary_cross_entropy(self, target, nn_ops_detail::opt(weight),
                                                     nn_ops_detail::reduction_name(reduction));
}
inline Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                               const std::optional<Tensor>& weight = {},
                                               const std::optional<Tensor>& pos_weight = {},
                                               int64_t reduction = at::Reduction::Mean) {
  return nabla::nn::functional::binary_cross_entropy_with_logits(self, target, nn_ops_detail::opt(weight),
                                                                 nn_ops_detail::opt(pos_weight),
                                                                 nn_ops_detail::reduction_name(reduction));
}
inline Tensor nll_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                       int64_t reduction = at::Reduction::Mean, int64_t ignore_index = -100) {
  return nabla::nn::functional::nll_loss(self, target, nn_ops_detail::opt(weight),
                                         nn_ops_detail::reduction_name(reduction), ignore_index);
}
// The N-d and 2-d spellings ATen also exports: nabla's nll_loss takes [N, C, d1, ...] itself.
inline Tensor nll_loss_nd(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                          int64_t reduction = at::Reduction::Mean, int64_t ignore_index = -100) {
  return nll_loss(self, target, weight, reduction, ignore_index);
}
inline Tensor nll_loss2d(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight = {},
                         int64_t reduction = at::Reduction::Mean, int64_t ignore_index = -100) {
  return nll_loss(self, target, weight, reduction, ignore_index);
}
inline Tensor cross_entropy_loss(const Tensor& self, const Tensor& target,
                                 const std::optional<Tensor>& weight = {},
                                 int64_t reduction = at::Reduction::Mean, int64_t ignore_index = -100,
                                 double label_smoothing = 0.0) {
  return nabla::nn::functional::cross_entropy(self, target, nn_ops_detail::opt(weight),
                                              nn_ops_detail::reduction_name(reduction), ignore_index,
                                              label_smoothing);
}
inline Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction = at::Reduction::Mean,
                     bool log_target = false) {
  return nabla::nn::functional::kl_div(self, target, nn_ops_detail::reduction_name(reduction), log_target);
}

}  // namespace torch
