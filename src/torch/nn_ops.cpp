// nn_ops.cpp — the bodies of torch/nn/ops.h's ATen-level nn functions (torch::conv2d, torch::max_pool2d,
// torch::nll_loss, ...), compiled once here rather than in every program (docs/libtorch.md, "Compile time").
#include <string>

#include "torch/nn/ops.h"

namespace torch::nn_ops_detail {

NF::Pair IntArgs::pair(const char* op, const char* arg) const {
  check(v_.size() == 1 || v_.size() == 2, op, arg, 2);
  return v_.size() == 1 ? NF::Pair{v_[0], v_[0]} : NF::Pair{v_[0], v_[1]};
}
NF::Pair IntArgs::pair1(const char* op, const char* arg, int64_t first) const {
  check(v_.size() == 1, op, arg, 1);
  return {first, v_[0]};
}
void IntArgs::check(bool ok, const char* op, const char* arg, int d) const {
  if (!ok)
    throw nabla::ValueError(std::string(op) + ": " + arg + " must have 1 or " + std::to_string(d) +
                            " elements, got " + std::to_string(v_.size()));
}

Tensor opt(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

std::string reduction_name(int64_t r) {
  if (r == at::Reduction::None) return "none";
  if (r == at::Reduction::Sum) return "sum";
  if (r != at::Reduction::Mean) throw nabla::ValueError("invalid reduction " + std::to_string(r));
  return "mean";
}

NF::PoolOptions pool2d(const char* op, const IntArgs& kernel, const IntArgs& stride, const IntArgs& padding,
                       bool ceil_mode) {
  NF::PoolOptions p;
  p.kernel_size = kernel.pair(op, "kernel_size");
  p.stride = stride.empty() ? p.kernel_size : stride.pair(op, "stride");  // empty: the kernel size
  p.padding = padding.pair(op, "padding");
  p.ceil_mode = ceil_mode;
  return p;
}

NF::PoolOptions pool1d(const char* op, const IntArgs& kernel, const IntArgs& stride, const IntArgs& padding,
                       bool ceil_mode) {
  NF::PoolOptions p;
  p.kernel_size = kernel.pair1(op, "kernel_size", 1);
  p.stride = stride.empty() ? p.kernel_size : stride.pair1(op, "stride", 1);
  p.padding = padding.pair1(op, "padding", 0);
  p.ceil_mode = ceil_mode;
  return p;
}

bool padding_same(std::string_view p) {
  if (p != "same" && p != "valid")
    throw nabla::ValueError("conv: padding must be \"valid\" or \"same\", got \"" + std::string(p) + "\"");
  return p == "same";
}

}  // namespace torch::nn_ops_detail

namespace torch {

Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              nn_ops_detail::IntArgs stride, nn_ops_detail::IntArgs padding, nn_ops_detail::IntArgs dilation,
              int64_t groups) {
  nabla::nn::functional::ConvOptions o{stride.pair("conv2d", "stride"), padding.pair("conv2d", "padding"),
                                       dilation.pair("conv2d", "dilation"), groups};
  return nabla::nn::functional::conv2d(input, weight, nn_ops_detail::opt(bias), o);
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              nn_ops_detail::IntArgs stride, nn_ops_detail::IntArgs padding, nn_ops_detail::IntArgs dilation,
              int64_t groups) {
  nabla::nn::functional::ConvOptions o{stride.pair1("conv1d", "stride", 1),
                                       padding.pair1("conv1d", "padding", 0),
                                       dilation.pair1("conv1d", "dilation", 1), groups};
  return nabla::nn::functional::conv1d(input, weight, nn_ops_detail::opt(bias), o);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        nn_ops_detail::IntArgs stride, nn_ops_detail::IntArgs padding,
                        nn_ops_detail::IntArgs output_padding, int64_t groups,
                        nn_ops_detail::IntArgs dilation) {
  const char* op = "conv_transpose2d";
  nabla::nn::functional::ConvTransposeOptions o{stride.pair(op, "stride"), padding.pair(op, "padding"),
                                                output_padding.pair(op, "output_padding"),
                                                dilation.pair(op, "dilation"), groups};
  return nabla::nn::functional::conv_transpose2d(input, weight, nn_ops_detail::opt(bias), o);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        nn_ops_detail::IntArgs stride, nn_ops_detail::IntArgs padding,
                        nn_ops_detail::IntArgs output_padding, int64_t groups,
                        nn_ops_detail::IntArgs dilation) {
  const char* op = "conv_transpose1d";
  nabla::nn::functional::ConvTransposeOptions o{
      stride.pair1(op, "stride", 1), padding.pair1(op, "padding", 0),
      output_padding.pair1(op, "output_padding", 0), dilation.pair1(op, "dilation", 1), groups};
  return nabla::nn::functional::conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2),
                                                 nn_ops_detail::opt(bias), o)
      .squeeze(-2);
}

Tensor max_pool2d(const Tensor& self, nn_ops_detail::IntArgs kernel_size, nn_ops_detail::IntArgs stride,
                  nn_ops_detail::IntArgs padding, nn_ops_detail::IntArgs dilation, bool ceil_mode) {
  auto p = nn_ops_detail::pool2d("max_pool2d", kernel_size, stride, padding, ceil_mode);
  p.dilation = dilation.pair("max_pool2d", "dilation");
  return nabla::nn::functional::max_pool2d(self, p);
}

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& self, nn_ops_detail::IntArgs kernel_size,
                                                   nn_ops_detail::IntArgs stride,
                                                   nn_ops_detail::IntArgs padding,
                                                   nn_ops_detail::IntArgs dilation, bool ceil_mode) {
  auto p = nn_ops_detail::pool2d("max_pool2d_with_indices", kernel_size, stride, padding, ceil_mode);
  p.dilation = dilation.pair("max_pool2d_with_indices", "dilation");
  auto [out, idx] = nabla::nn::functional::max_pool2d_with_indices(self, p);
  return {out, idx};
}

Tensor max_pool1d(const Tensor& self, nn_ops_detail::IntArgs kernel_size, nn_ops_detail::IntArgs stride,
                  nn_ops_detail::IntArgs padding, nn_ops_detail::IntArgs dilation, bool ceil_mode) {
  auto p = nn_ops_detail::pool1d("max_pool1d", kernel_size, stride, padding, ceil_mode);
  p.dilation = dilation.pair1("max_pool1d", "dilation", 1);
  return nabla::nn::functional::max_pool2d(self.unsqueeze(-2), p).squeeze(-2);
}

Tensor avg_pool2d(const Tensor& self, nn_ops_detail::IntArgs kernel_size, nn_ops_detail::IntArgs stride,
                  nn_ops_detail::IntArgs padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  auto p = nn_ops_detail::pool2d("avg_pool2d", kernel_size, stride, padding, ceil_mode);
  p.count_include_pad = count_include_pad;
  p.divisor_override = divisor_override;
  return nabla::nn::functional::avg_pool2d(self, p);
}

Tensor avg_pool1d(const Tensor& self, nn_ops_detail::IntArgs kernel_size, nn_ops_detail::IntArgs stride,
                  nn_ops_detail::IntArgs padding, bool ceil_mode, bool count_include_pad) {
  auto p = nn_ops_detail::pool1d("avg_pool1d", kernel_size, stride, padding, ceil_mode);
  p.count_include_pad = count_include_pad;
  return nabla::nn::functional::avg_pool2d(self.unsqueeze(-2), p).squeeze(-2);
}

Tensor adaptive_avg_pool2d(const Tensor& self, nn_ops_detail::IntArgs output_size) {
  return nabla::nn::functional::adaptive_avg_pool2d(self,
                                                    output_size.pair("adaptive_avg_pool2d", "output_size"));
}

Tensor adaptive_avg_pool1d(const Tensor& self, nn_ops_detail::IntArgs output_size) {
  return nabla::nn::functional::adaptive_avg_pool2d(
             self.unsqueeze(-2), output_size.pair1("adaptive_avg_pool1d", "output_size", 1))
      .squeeze(-2);
}

Tensor dropout(const Tensor& input, double p, bool train) {
  return nabla::nn::functional::dropout(input, p, train);
}

Tensor& dropout_(Tensor& self, double p, bool train) {
  return self.copy_(nabla::nn::functional::dropout(self, p, train));
}

Tensor feature_dropout(const Tensor& input, double p, bool train) {
  return nabla::nn::functional::dropout2d(input, p, train);
}

Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
                  const std::optional<Tensor>& running_mean, const std::optional<Tensor>& running_var,
                  bool training, double momentum, double eps, bool /*cudnn_enabled*/) {
  using nn_ops_detail::opt;
  return nabla::nn::functional::batch_norm(input, opt(running_mean), opt(running_var), opt(weight), opt(bias),
                                           training, momentum, eps);
}

Tensor layer_norm(const Tensor& input, nn_ops_detail::IntArgs normalized_shape,
                  const std::optional<Tensor>& weight, const std::optional<Tensor>& bias, double eps,
                  bool /*cudnn_enable*/) {
  return nabla::nn::functional::layer_norm(input, normalized_shape.vec(), nn_ops_detail::opt(weight),
                                           nn_ops_detail::opt(bias), eps);
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, double eps, bool /*cudnn_enabled*/) {
  return nabla::nn::functional::group_norm(input, num_groups, nn_ops_detail::opt(weight),
                                           nn_ops_detail::opt(bias), eps);
}

Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias) {
  return nabla::nn::functional::linear(input, weight, nn_ops_detail::opt(bias));
}

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx, bool scale_grad_by_freq,
                 bool sparse) {
  return nn::functional::embedding(
      indices, weight,
      nn::functional::EmbeddingFuncOptions()
          .padding_idx(padding_idx < 0 ? std::nullopt : std::optional<int64_t>(padding_idx))
          .scale_grad_by_freq(scale_grad_by_freq)
          .sparse(sparse));
}

Tensor elu(const Tensor& self, const Scalar& alpha, const Scalar& scale, const Scalar& input_scale) {
  const double a = alpha.to_double(), s = scale.to_double(), is = input_scale.to_double();
  if (s == 1 && is == 1) return nabla::nn::functional::elu(self, a);
  return nabla::where(self > 0, self * s, nabla::expm1(self * is) * (a * s));
}

Tensor silu(const Tensor& self) { return nabla::nn::functional::silu(self); }

Tensor relu6(const Tensor& self) { return nabla::nn::functional::relu6(self); }

Tensor threshold(const Tensor& self, const Scalar& threshold, const Scalar& value) {
  return nn::functional::threshold(
      self, nn::functional::ThresholdFuncOptions(threshold.to_double(), value.to_double()));
}

Tensor softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  return nabla::softmax(dtype ? self.to(*dtype) : self, dim);
}

Tensor log_softmax(const Tensor& self, int64_t dim, std::optional<ScalarType> dtype) {
  return nabla::log_softmax(dtype ? self.to(*dtype) : self, dim);
}

Tensor constant_pad_nd(const Tensor& self, nn_ops_detail::IntArgs pad, const Scalar& value) {
  return nabla::nn::functional::pad(self, pad.vec(), value.to_double());
}

Tensor pad(const Tensor& self, nn_ops_detail::IntArgs pad, std::string_view mode,
           std::optional<double> value) {
  if (mode == "constant") return nabla::nn::functional::pad(self, pad.vec(), value.value_or(0));
  if (value)
    throw nabla::ValueError("pad: padding mode \"" + std::string(mode) + "\" doesn't take in value argument");
  if (mode != "reflect" && mode != "replicate" && mode != "circular")
    throw nabla::ValueError("pad: unknown padding mode \"" + std::string(mode) + "\"");
  return nn::functional::impl::pad_by_index(self, pad.vec(), std::string(mode));
}

Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  return nabla::nn::functional::mse_loss(self, target, nn_ops_detail::reduction_name(reduction));
}

Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  return nabla::nn::functional::l1_loss(self, target, nn_ops_detail::reduction_name(reduction));
}

Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, int64_t reduction, double beta) {
  return nabla::nn::functional::smooth_l1_loss(self, target, nn_ops_detail::reduction_name(reduction), beta);
}

Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction, double delta) {
  return nabla::nn::functional::huber_loss(self, target, nn_ops_detail::reduction_name(reduction), delta);
}

Tensor binary_cross_entropy(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                            int64_t reduction) {
  return nabla::nn::functional::binary_cross_entropy(self, target, nn_ops_detail::opt(weight),
                                                     nn_ops_detail::reduction_name(reduction));
}

Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                        const std::optional<Tensor>& weight,
                                        const std::optional<Tensor>& pos_weight, int64_t reduction) {
  return nabla::nn::functional::binary_cross_entropy_with_logits(self, target, nn_ops_detail::opt(weight),
                                                                 nn_ops_detail::opt(pos_weight),
                                                                 nn_ops_detail::reduction_name(reduction));
}

Tensor nll_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                int64_t reduction, int64_t ignore_index) {
  return nabla::nn::functional::nll_loss(self, target, nn_ops_detail::opt(weight),
                                         nn_ops_detail::reduction_name(reduction), ignore_index);
}

Tensor nll_loss_nd(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                   int64_t reduction, int64_t ignore_index) {
  return nll_loss(self, target, weight, reduction, ignore_index);
}

Tensor nll_loss2d(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                  int64_t reduction, int64_t ignore_index) {
  return nll_loss(self, target, weight, reduction, ignore_index);
}

Tensor cross_entropy_loss(const Tensor& self, const Tensor& target, const std::optional<Tensor>& weight,
                          int64_t reduction, int64_t ignore_index, double label_smoothing) {
  return nabla::nn::functional::cross_entropy(self, target, nn_ops_detail::opt(weight),
                                              nn_ops_detail::reduction_name(reduction), ignore_index,
                                              label_smoothing);
}

Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction, bool log_target) {
  return nabla::nn::functional::kl_div(self, target, nn_ops_detail::reduction_name(reduction), log_target);
}

}  // namespace torch
