// functional.h — nabla::nn::functional (torch.nn.functional): the stateless forms of the layers
// and losses. Shapes and defaults follow PyTorch; optional tensors (bias, weight) may be undefined.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nabla/ops/ops.h"

namespace nabla::nn::functional {

using Pair = std::array<int64_t, 2>;

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});

struct ConvOptions {
  Pair stride = {1, 1};
  Pair padding = {0, 0};
  Pair dilation = {1, 1};
  int64_t groups = 1;
  bool padding_same = false;  // padding="same" (stride must be 1)
};
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, const ConvOptions& o = {});
// input [N, C, L], weight [O, C/g, K]; the first element of each Pair is ignored (H = 1).
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, const ConvOptions& o = {});
struct ConvTransposeOptions {
  Pair stride = {1, 1};
  Pair padding = {0, 0};
  Pair output_padding = {0, 0};
  Pair dilation = {1, 1};
  int64_t groups = 1;
};
// weight [C_in, C_out/g, KH, KW]
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        const ConvTransposeOptions& o = {});

struct PoolOptions {
  Pair kernel_size = {1, 1};
  std::optional<Pair> stride = std::nullopt;  // default: kernel_size
  Pair padding = {0, 0};
  Pair dilation = {1, 1};  // max pooling only
  bool ceil_mode = false;
  bool count_include_pad = true;                           // avg pooling only
  std::optional<int64_t> divisor_override = std::nullopt;  // avg pooling only: divide every window by this
};
Tensor max_pool2d(const Tensor& input, const PoolOptions& o);
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const PoolOptions& o);
Tensor avg_pool2d(const Tensor& input, const PoolOptions& o);
Tensor adaptive_avg_pool2d(const Tensor& input, Pair output_size);

// Training mode uses batch statistics and updates running stats in place (momentum as in PyTorch;
// the running variance is unbiased). Eval mode normalises with the running stats.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = {}, const Tensor& bias = {}, bool training = false,
                  double momentum = 0.1, double eps = 1e-5);
// relu(batch_norm(...)), the same values and gradients, in one pass less each way where nabla's
// batch norm loops take the input (float32, 3+ dims, contiguous or channels-last; the ReLU's backward
// mask is recomputed from the input instead of saving the output). nabla's own: PyTorch fuses these
// only in its quantization modules (torch.ao.nn.intrinsic.BNReLU2d). nn::Sequential calls it for a
// BatchNorm followed by a ReLU when neither has hooks.
Tensor batch_norm_relu(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                       const Tensor& weight = {}, const Tensor& bias = {}, bool training = false,
                       double momentum = 0.1, double eps = 1e-5);
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);

Tensor dropout(const Tensor& input, double p = 0.5, bool training = true, RandomGenerator* gen = nullptr);
Tensor dropout2d(const Tensor& input, double p = 0.5, bool training = true, RandomGenerator* gen = nullptr);
Tensor embedding(const Tensor& indices, const Tensor& weight,
                 std::optional<int64_t> padding_idx = std::nullopt);

// Constant padding like F.pad(x, pad, value=v): pad = {last_left, last_right, prev_left, prev_right, ...};
// negative amounts crop.
Tensor pad(const Tensor& x, const std::vector<int64_t>& pad, double value = 0);

Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor gelu(const Tensor& x, const std::string& approximate = "none");
Tensor silu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor softplus(const Tensor& x, double beta = 1, double threshold = 20);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

// ---- ops-nn block: activations (forwarding to the op table's nabla::hardtanh, ...), prelu, pixel
// shuffle and interpolation ----
Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);
Tensor relu6(const Tensor& x);
Tensor selu(const Tensor& x);
Tensor celu(const Tensor& x, double alpha = 1.0);
Tensor mish(const Tensor& x);
Tensor hardswish(const Tensor& x);
Tensor hardsigmoid(const Tensor& x);
Tensor logsigmoid(const Tensor& x);
Tensor softsign(const Tensor& x);
// weight: one slope, or one per channel (dim 1 of the input).
Tensor prelu(const Tensor& x, const Tensor& weight);
// [*, C * r * r, H, W] <-> [*, C, H * r, W * r]
Tensor pixel_shuffle(const Tensor& x, int64_t upscale_factor);
Tensor pixel_unshuffle(const Tensor& x, int64_t downscale_factor);

// F.interpolate's keywords. Exactly one of size and scale_factor is given (an empty vector is None);
// either holds one value per spatial dim, or one value for all of them. Modes: "nearest",
// "nearest-exact", "linear" (3-D input), "bilinear", "bicubic" (4-D input), "area".
struct InterpolateOptions {
  std::vector<int64_t> size = {};
  std::vector<double> scale_factor = {};
  std::string mode = "nearest";
  std::optional<bool> align_corners = std::nullopt;  // linear modes only; None means false
  std::optional<bool> recompute_scale_factor = std::nullopt;
};
// input [N, C, W] or [N, C, H, W]
Tensor interpolate(const Tensor& input, const InterpolateOptions& o);

// ---- losses: reduction is "mean" | "sum" | "none" ----
Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                      double beta = 1.0);
Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                  double delta = 1.0);
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            const std::string& reduction = "mean");
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                        const Tensor& pos_weight = {}, const std::string& reduction = "mean");
// target: class indices (int64, [N] or [N, d1...]) or class probabilities (floating, input's shape).
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                     const std::string& reduction = "mean", int64_t ignore_index = -100,
                     double label_smoothing = 0.0);
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                const std::string& reduction = "mean", int64_t ignore_index = -100);
// input is log-probabilities; target probabilities (or log-probabilities with log_target).
Tensor kl_div(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
              bool log_target = false);

}  // namespace nabla::nn::functional

namespace nabla {
namespace F = nn::functional;
}
