// layers.h — the standard layers (torch.nn names, defaults and default initialisation).
#pragma once
#include <array>
#include <optional>
#include <string>

#include "nabla/autograd/grad_mode.h"
#include "nabla/nn/functional.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

// An int or a pair: `3` means {3, 3}; `{2, 1}` is explicit.
struct IntPair {
  IntPair(int64_t v) : v{v, v} {}  // NOLINT
  IntPair(int64_t a, int64_t b) : v{a, b} {}
  std::array<int64_t, 2> v;
};
// Convolution padding: an int, a pair, or "same" / "valid".
struct ConvPadding : IntPair {
  ConvPadding(int64_t p) : IntPair(p) {}  // NOLINT
  ConvPadding(int64_t a, int64_t b) : IntPair(a, b) {}
  template <size_t N>
  ConvPadding(const char (&mode)[N]) : ConvPadding(parse(mode)) {}  // NOLINT: "same" / "valid"
  bool same = false;

 private:
  static ConvPadding parse(const char* mode);
};

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor forward(Tensor x) override;
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;
  int64_t in_features, out_features;
  Tensor weight, bias;
};

struct Conv2dOptions {
  IntPair stride = 1;
  ConvPadding padding = 0;
  IntPair dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};
class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, IntPair kernel_size, Conv2dOptions options = {});
  Tensor forward(Tensor x) override;
  std::string name() const override { return "Conv2d"; }
  std::string extra_repr() const override;
  int64_t in_channels, out_channels;
  IntPair kernel_size;
  Conv2dOptions options;
  Tensor weight, bias;
};

struct Conv1dOptions {
  int64_t stride = 1;
  ConvPadding padding = 0;
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};
class Conv1d : public Module {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, Conv1dOptions options = {});
  Tensor forward(Tensor x) override;
  std::string name() const override { return "Conv1d"; }
  std::string extra_repr() const override;
  int64_t in_channels, out_channels, kernel_size;
  Conv1dOptions options;
  Tensor weight, bias;
};

struct ConvTranspose2dOptions {
  IntPair stride = 1;
  IntPair padding = 0;
  IntPair output_padding = 0;
  int64_t groups = 1;
  bool bias = true;
  IntPair dilation = 1;
};
class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, IntPair kernel_size,
                  ConvTranspose2dOptions options = {});
  Tensor forward(Tensor x) override;
  std::string name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override;
  int64_t in_channels, out_channels;
  IntPair kernel_size;
  ConvTranspose2dOptions options;
  Tensor weight, bias;
};

struct MaxPool2dOptions {
  std::optional<IntPair> stride = std::nullopt;  // default: kernel_size
  IntPair padding = 0;
  IntPair dilation = 1;
  bool ceil_mode = false;
};
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(IntPair kernel_size, MaxPool2dOptions options = {});
  Tensor forward(Tensor x) override;
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& x);
  std::string name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;
  functional::PoolOptions options;
};

struct AvgPool2dOptions {
  std::optional<IntPair> stride = std::nullopt;
  IntPair padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override = std::nullopt;
};
class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(IntPair kernel_size, AvgPool2dOptions options = {});
  Tensor forward(Tensor x) override;
  std::string name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;
  functional::PoolOptions options;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(IntPair output_size) : output_size(output_size) {}
  Tensor forward(Tensor x) override { return functional::adaptive_avg_pool2d(x, output_size.v); }
  std::string name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override;
  IntPair output_size;
};

struct BatchNormOptions {
  double eps = 1e-5;
  std::optional<double> momentum = 0.1;  // nullopt: cumulative moving average
  bool affine = true;
  bool track_running_stats = true;
};
class BatchNorm : public Module {
 public:
  BatchNorm(int64_t num_features, BatchNormOptions options, int dims, std::string kind);
  Tensor forward(Tensor x) override;
  // relu((*this)(x)), or (*relu)((*this)(x)) given the ReLU module: when neither module has hooks
  // and no tracer watches, in one pass less each way (functional::batch_norm_relu); otherwise the two
  // modules are called apart. nn::Sequential runs it for a BatchNorm followed by a ReLU.
  Tensor forward_relu(Tensor x, Module* relu = nullptr);
  std::string name() const override { return kind_; }
  std::string extra_repr() const override;
  int64_t num_features;
  BatchNormOptions options;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  Tensor run(Tensor x, bool relu);
  int dims_;  // accepted input ranks: 1d -> 2 or 3, 2d -> 4
  std::string kind_;
};
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, BatchNormOptions options = {})
      : BatchNorm(num_features, options, 1, "BatchNorm1d") {}
};
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, BatchNormOptions options = {})
      : BatchNorm(num_features, options, 2, "BatchNorm2d") {}
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(std::vector<int64_t> normalized_shape, double eps = 1e-5,
                     bool elementwise_affine = true);
  Tensor forward(Tensor x) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;
  std::vector<int64_t> normalized_shape;
  double eps;
  Tensor weight, bias;
};

class GroupNorm : public Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  Tensor forward(Tensor x) override;
  std::string name() const override { return "GroupNorm"; }
  std::string extra_repr() const override;
  int64_t num_groups, num_channels;
  double eps;
  Tensor weight, bias;
};

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(Tensor x) override { return functional::dropout(x, p, is_training()); }
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  double p;
};
class Dropout2d : public Module {
 public:
  explicit Dropout2d(double p = 0.5);
  Tensor forward(Tensor x) override { return functional::dropout2d(x, p, is_training()); }
  std::string name() const override { return "Dropout2d"; }
  std::string extra_repr() const override;
  double p;
};

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx = std::nullopt);
  static Embedding from_pretrained(const Tensor& embeddings, bool freeze = true,
                                   std::optional<int64_t> padding_idx = std::nullopt);
  Tensor forward(Tensor indices) override { return functional::embedding(indices, weight, padding_idx); }
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override;
  int64_t num_embeddings, embedding_dim;
  std::optional<int64_t> padding_idx;
  Tensor weight;
};

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(Tensor x) override { return x.flatten(start_dim, end_dim); }
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;
  int64_t start_dim, end_dim;
};
class Unflatten : public Module {
 public:
  Unflatten(int64_t dim, std::vector<int64_t> sizes) : dim(dim), sizes(std::move(sizes)) {}
  Tensor forward(Tensor x) override { return x.unflatten(dim, sizes); }
  std::string name() const override { return "Unflatten"; }
  std::string extra_repr() const override;
  int64_t dim;
  std::vector<int64_t> sizes;
};
class Identity : public Module {
 public:
  Tensor forward(Tensor x) override { return x; }
  std::string name() const override { return "Identity"; }
};

// ---- activations ----
#define NABLA_SIMPLE_ACTIVATION(Name, expr)             \
  class Name : public Module {                          \
   public:                                              \
    Tensor forward(Tensor x) override { return expr; }  \
    std::string name() const override { return #Name; } \
  };
NABLA_SIMPLE_ACTIVATION(ReLU, nabla::relu(x))
NABLA_SIMPLE_ACTIVATION(SiLU, functional::silu(x))
NABLA_SIMPLE_ACTIVATION(Sigmoid, nabla::sigmoid(x))
NABLA_SIMPLE_ACTIVATION(Tanh, nabla::tanh(x))
// ops-nn block
NABLA_SIMPLE_ACTIVATION(ReLU6, functional::relu6(x))
NABLA_SIMPLE_ACTIVATION(SELU, nabla::selu(x))
NABLA_SIMPLE_ACTIVATION(Mish, nabla::mish(x))
NABLA_SIMPLE_ACTIVATION(Hardswish, nabla::hardswish(x))
NABLA_SIMPLE_ACTIVATION(Hardsigmoid, nabla::hardsigmoid(x))
NABLA_SIMPLE_ACTIVATION(LogSigmoid, nabla::logsigmoid(x))
NABLA_SIMPLE_ACTIVATION(Softsign, nabla::softsign(x))
#undef NABLA_SIMPLE_ACTIVATION

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(Tensor x) override { return nabla::leaky_relu(x, negative_slope); }
  std::string name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;
  double negative_slope;
};
class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(Tensor x) override { return functional::elu(x, alpha); }
  std::string name() const override { return "ELU"; }
  std::string extra_repr() const override;
  double alpha;
};
class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none") : approximate(std::move(approximate)) {}
  Tensor forward(Tensor x) override { return nabla::gelu(x, approximate); }
  std::string name() const override { return "GELU"; }
  std::string extra_repr() const override;
  std::string approximate;
};
class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1, double threshold = 20) : beta(beta), threshold(threshold) {}
  Tensor forward(Tensor x) override { return nabla::softplus(x, beta, threshold); }
  std::string name() const override { return "Softplus"; }
  std::string extra_repr() const override;
  double beta, threshold;
};
class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : dim(dim) {}
  Tensor forward(Tensor x) override { return nabla::softmax(x, dim); }
  std::string name() const override { return "Softmax"; }
  std::string extra_repr() const override;
  int64_t dim;
};
class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : dim(dim) {}
  Tensor forward(Tensor x) override { return nabla::log_softmax(x, dim); }
  std::string name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override;
  int64_t dim;
};

// ---- ops-nn block: more activations, PReLU, pixel shuffle, Upsample ----

class Hardtanh : public Module {
 public:
  explicit Hardtanh(double min_val = -1.0, double max_val = 1.0);
  Tensor forward(Tensor x) override { return nabla::hardtanh(x, min_val, max_val); }
  std::string name() const override { return "Hardtanh"; }
  std::string extra_repr() const override;
  double min_val, max_val;
};
class CELU : public Module {
 public:
  explicit CELU(double alpha = 1.0) : alpha(alpha) {}
  Tensor forward(Tensor x) override { return nabla::celu(x, alpha); }
  std::string name() const override { return "CELU"; }
  std::string extra_repr() const override;
  double alpha;
};
// One learnable slope for all channels, or one per channel (num_parameters = C), all `init`.
class PReLU : public Module {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25);
  Tensor forward(Tensor x) override { return nabla::prelu(x, weight); }
  std::string name() const override { return "PReLU"; }
  std::string extra_repr() const override;
  int64_t num_parameters;
  Tensor weight;
};
class PixelShuffle : public Module {
 public:
  explicit PixelShuffle(int64_t upscale_factor) : upscale_factor(upscale_factor) {}
  Tensor forward(Tensor x) override { return nabla::pixel_shuffle(x, upscale_factor); }
  std::string name() const override { return "PixelShuffle"; }
  std::string extra_repr() const override;
  int64_t upscale_factor;
};
class PixelUnshuffle : public Module {
 public:
  explicit PixelUnshuffle(int64_t downscale_factor) : downscale_factor(downscale_factor) {}
  Tensor forward(Tensor x) override { return nabla::pixel_unshuffle(x, downscale_factor); }
  std::string name() const override { return "PixelUnshuffle"; }
  std::string extra_repr() const override;
  int64_t downscale_factor;
};
// nn.Upsample: F.interpolate with fixed options, e.g. Upsample({.scale_factor = {2}, .mode = "bilinear"}).
using UpsampleOptions = functional::InterpolateOptions;
class Upsample : public Module {
 public:
  explicit Upsample(UpsampleOptions options);
  Tensor forward(Tensor x) override { return functional::interpolate(x, options); }
  std::string name() const override { return "Upsample"; }
  std::string extra_repr() const override;
  UpsampleOptions options;
};

}  // namespace nabla::nn
