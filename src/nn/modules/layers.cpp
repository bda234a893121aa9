// layers.cpp — constructors (default initialisation as in torch.nn), forward and repr of the layers.
#include "nabla/nn/layers.h"

#include <cmath>
#include <cstring>

#include "autograd/observer.h"
#include "nabla/nn/init.h"
#include "util/check.h"

namespace nabla::nn {

namespace {
std::string b(bool v) { return v ? "True" : "False"; }
std::string pair_str(const IntPair& p) { return fmt::format("({}, {})", p.v[0], p.v[1]); }
// PyTorch's default for Linear/Conv weights: kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fan_in),
// 1/sqrt(fan_in)), and the same bound for the bias.
void default_init(Tensor& w, Tensor& bias) {
  init::kaiming_uniform_(w, std::sqrt(5.0));
  if (bias.defined()) {
    double bound = 1.0 / std::sqrt(static_cast<double>(std::get<0>(init::calculate_fan_in_and_fan_out(w))));
    init::uniform_(bias, -bound, bound);
  }
}
void check_positive(const char* layer, const char* what, int64_t v) {
  NABLA_CHECK(v > 0, ValueError, "{}: {} must be positive, got {}", layer, what, v);
}
}  // namespace

ConvPadding ConvPadding::parse(const char* mode) {
  NABLA_CHECK(std::strcmp(mode, "same") == 0 || std::strcmp(mode, "valid") == 0, ValueError,
              "Invalid padding string '{}', should be one of {{'valid', 'same'}}", mode);
  ConvPadding p(0);
  p.same = std::strcmp(mode, "same") == 0;
  return p;
}

// ---- Linear ----
Linear::Linear(int64_t in, int64_t out, bool has_bias) : in_features(in), out_features(out) {
  check_positive("Linear", "in_features", in);
  check_positive("Linear", "out_features", out);
  weight = register_parameter("weight", empty({out, in}));
  bias = register_parameter("bias", has_bias ? empty({out}) : Tensor());
  default_init(weight, bias);
}
Tensor Linear::forward(Tensor x) { return functional::linear(x, weight, bias); }
std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features, out_features,
                     b(bias.defined()));
}

// ---- convolutions ----
Conv2d::Conv2d(int64_t in, int64_t out, IntPair k, Conv2dOptions o)
    : in_channels(in), out_channels(out), kernel_size(k), options(o) {
  NABLA_CHECK(o.groups > 0 && in % o.groups == 0 && out % o.groups == 0, ValueError,
              "Conv2d: in_channels ({}) and out_channels ({}) must be divisible by groups ({})", in, out,
              o.groups);
  weight = register_parameter("weight", empty({out, in / o.groups, k.v[0], k.v[1]}));
  bias = register_parameter("bias", o.bias ? empty({out}) : Tensor());
  default_init(weight, bias);
}
Tensor Conv2d::forward(Tensor x) {
  functional::ConvOptions c;
  c.stride = options.stride.v;
  c.padding = options.padding.v;
  c.padding_same = options.padding.same;
  c.dilation = options.dilation.v;
  c.groups = options.groups;
  return functional::conv2d(x, weight, bias, c);
}
std::string Conv2d::extra_repr() const {
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", in_channels, out_channels,
                              pair_str(kernel_size), pair_str(options.stride));
  if (options.padding.same)
    s += ", padding=same";
  else if (options.padding.v != std::array<int64_t, 2>{0, 0})
    s += ", padding=" + pair_str(options.padding);
  if (options.dilation.v != std::array<int64_t, 2>{1, 1}) s += ", dilation=" + pair_str(options.dilation);
  if (options.groups != 1) s += fmt::format(", groups={}", options.groups);
  if (!options.bias) s += ", bias=False";
  return s;
}

Conv1d::Conv1d(int64_t in, int64_t out, int64_t k, Conv1dOptions o)
    : in_channels(in), out_channels(out), kernel_size(k), options(o) {
  NABLA_CHECK(o.groups > 0 && in % o.groups == 0 && out % o.groups == 0, ValueError,
              "Conv1d: in_channels ({}) and out_channels ({}) must be divisible by groups ({})", in, out,
              o.groups);
  weight = register_parameter("weight", empty({out, in / o.groups, k}));
  bias = register_parameter("bias", o.bias ? empty({out}) : Tensor());
  default_init(weight, bias);
}
Tensor Conv1d::forward(Tensor x) {
  functional::ConvOptions c;
  c.stride = {1, options.stride};
  c.padding = {0, options.padding.v[1]};
  c.padding_same = options.padding.same;
  c.dilation = {1, options.dilation};
  c.groups = options.groups;
  return functional::conv1d(x, weight, bias, c);
}
std::string Conv1d::extra_repr() const {
  std::string s = fmt::format("{}, {}, kernel_size=({},), stride=({},)", in_channels, out_channels,
                              kernel_size, options.stride);
  if (options.padding.same)
    s += ", padding=same";
  else if (options.padding.v[1] != 0)
    s += fmt::format(", padding=({},)", options.padding.v[1]);
  if (!options.bias) s += ", bias=False";
  return s;
}

ConvTranspose2d::ConvTranspose2d(int64_t in, int64_t out, IntPair k, ConvTranspose2dOptions o)
    : in_channels(in), out_channels(out), kernel_size(k), options(o) {
  NABLA_CHECK(o.groups > 0 && in % o.groups == 0 && out % o.groups == 0, ValueError,
              "ConvTranspose2d: in_channels ({}) and out_channels ({}) must be divisible by groups ({})", in,
              out, o.groups);
  weight = register_parameter("weight", empty({in, out / o.groups, k.v[0], k.v[1]}));
  bias = register_parameter("bias", o.bias ? empty({out}) : Tensor());
  default_init(weight, bias);
}
Tensor ConvTranspose2d::forward(Tensor x) {
  functional::ConvTransposeOptions c;
  c.stride = options.stride.v;
  c.padding = options.padding.v;
  c.output_padding = options.output_padding.v;
  c.dilation = options.dilation.v;
  c.groups = options.groups;
  return functional::conv_transpose2d(x, weight, bias, c);
}
std::string ConvTranspose2d::extra_repr() const {
  return fmt::format("{}, {}, kernel_size={}, stride={}", in_channels, out_channels, pair_str(kernel_size),
                     pair_str(options.stride));
}

// ---- pooling ----
MaxPool2d::MaxPool2d(IntPair k, MaxPool2dOptions o) {
  options.kernel_size = k.v;
  options.stride = o.stride ? o.stride->v : k.v;
  options.padding = o.padding.v;
  options.dilation = o.dilation.v;
  options.ceil_mode = o.ceil_mode;
}
Tensor MaxPool2d::forward(Tensor x) { return functional::max_pool2d(x, options); }
std::tuple<Tensor, Tensor> MaxPool2d::forward_with_indices(const Tensor& x) {
  return functional::max_pool2d_with_indices(x, options);
}
std::string MaxPool2d::extra_repr() const {
  auto one = [](const std::array<int64_t, 2>& p) {
    return p[0] == p[1] ? std::to_string(p[0]) : fmt::format("({}, {})", p[0], p[1]);
  };
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
                     one(options.kernel_size), one(*options.stride), one(options.padding),
                     one(options.dilation), b(options.ceil_mode));
}

AvgPool2d::AvgPool2d(IntPair k, AvgPool2dOptions o) {
  options.kernel_size = k.v;
  options.stride = o.stride ? o.stride->v : k.v;
  options.padding = o.padding.v;
  options.ceil_mode = o.ceil_mode;
  options.count_include_pad = o.count_include_pad;
  NABLA_CHECK(!o.divisor_override || *o.divisor_override != 0, ValueError,
              "AvgPool2d: divisor_override must not be zero");
  options.divisor_override = o.divisor_override;
}
Tensor AvgPool2d::forward(Tensor x) { return functional::avg_pool2d(x, options); }
std::string AvgPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}", options.kernel_size[0], (*options.stride)[0],
                     options.padding[0]);
}
std::string AdaptiveAvgPool2d::extra_repr() const {
  return output_size.v[0] == output_size.v[1] ? fmt::format("output_size={}", output_size.v[0])
                                              : fmt::format("output_size={}", pair_str(output_size));
}

// ---- normalisation ----
BatchNorm::BatchNorm(int64_t n, BatchNormOptions o, int dims, std::string kind)
    : num_features(n), options(o), dims_(dims), kind_(std::move(kind)) {
  check_positive(kind_.c_str(), "num_features", n);
  weight = register_parameter("weight", o.affine ? ones({n}) : Tensor());
  bias = register_parameter("bias", o.affine ? zeros({n}) : Tensor());
  running_mean = register_buffer("running_mean", o.track_running_stats ? zeros({n}) : Tensor());
  running_var = register_buffer("running_var", o.track_running_stats ? ones({n}) : Tensor());
  num_batches_tracked =
      register_buffer("num_batches_tracked", o.track_running_stats ? zeros({}, {.dtype = kInt64}) : Tensor());
}
Tensor BatchNorm::forward(Tensor x) { return run(std::move(x), false); }
Tensor BatchNorm::forward_relu(Tensor x, Module* relu) {
  // Apart when hooks must see batch norm's output, or a tracer (the ONNX export) records both calls.
  if (has_hooks() || (relu && relu->has_hooks()) || autograd::op_observer()) {
    Tensor y = (*this)(std::move(x));
    return relu ? (*relu)(y) : nabla::relu(y);
  }
  return traced([&] { return run(std::move(x), true); });
}
Tensor BatchNorm::run(Tensor x, bool relu) {
  const bool ok = dims_ == 1 ? (x.dim() == 2 || x.dim() == 3) : x.dim() == dims_ + 2;
  NABLA_CHECK(ok, ShapeError, "{}: expected {} input (got {}D input of shape {})", kind_,
              dims_ == 1 ? "2D or 3D" : "4D", x.dim(), shape_str(x.sizes()));
  double momentum = options.momentum.value_or(0.0);
  if (is_training() && options.track_running_stats) {
    NoGradGuard ng;
    num_batches_tracked.add_(1);
    if (!options.momentum) momentum = 1.0 / static_cast<double>(num_batches_tracked.item<int64_t>());
  }
  const bool use_batch_stats = is_training() || !options.track_running_stats;
  const Tensor rm = use_batch_stats && !is_training() ? Tensor() : running_mean;
  const Tensor rv = use_batch_stats && !is_training() ? Tensor() : running_var;
  return relu ? functional::batch_norm_relu(x, rm, rv, weight, bias, use_batch_stats, momentum, options.eps)
              : functional::batch_norm(x, rm, rv, weight, bias, use_batch_stats, momentum, options.eps);
}
std::string BatchNorm::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features, options.eps,
                     options.momentum ? fmt::format("{}", *options.momentum) : "None", b(options.affine),
                     b(options.track_running_stats));
}

LayerNorm::LayerNorm(std::vector<int64_t> shape, double eps, bool affine)
    : normalized_shape(std::move(shape)), eps(eps) {
  weight = register_parameter("weight", affine ? ones(normalized_shape) : Tensor());
  bias = register_parameter("bias", affine ? zeros(normalized_shape) : Tensor());
}
Tensor LayerNorm::forward(Tensor x) { return functional::layer_norm(x, normalized_shape, weight, bias, eps); }
std::string LayerNorm::extra_repr() const {
  return fmt::format("({},), eps={}, elementwise_affine={}", fmt::join(normalized_shape, ", "), eps,
                     b(weight.defined()));
}

GroupNorm::GroupNorm(int64_t g, int64_t c, double eps, bool affine)
    : num_groups(g), num_channels(c), eps(eps) {
  NABLA_CHECK(g > 0 && c % g == 0, ValueError,
              "GroupNorm: num_channels ({}) must be divisible by num_groups ({})", c, g);
  weight = register_parameter("weight", affine ? ones({c}) : Tensor());
  bias = register_parameter("bias", affine ? zeros({c}) : Tensor());
}
Tensor GroupNorm::forward(Tensor x) { return functional::group_norm(x, num_groups, weight, bias, eps); }
std::string GroupNorm::extra_repr() const {
  return fmt::format("{}, {}, eps={}, affine={}", num_groups, num_channels, eps, b(weight.defined()));
}

// ---- dropout, embedding, shape ----
Dropout::Dropout(double p) : p(p) {
  NABLA_CHECK(p >= 0 && p <= 1, ValueError, "dropout probability has to be between 0 and 1, but got {}", p);
}
std::string Dropout::extra_repr() const { return fmt::format("p={}, inplace=False", p); }
Dropout2d::Dropout2d(double p) : p(p) {
  NABLA_CHECK(p >= 0 && p <= 1, ValueError, "dropout probability has to be between 0 and 1, but got {}", p);
}
std::string Dropout2d::extra_repr() const { return fmt::format("p={}, inplace=False", p); }

Embedding::Embedding(int64_t n, int64_t d, std::optional<int64_t> pad)
    : num_embeddings(n), embedding_dim(d), padding_idx(pad) {
  if (pad) {
    NABLA_CHECK(*pad < n && *pad >= -n, IndexError,
                "Embedding: padding_idx {} must be within num_embeddings {}", *pad, n);
    if (*pad < 0) padding_idx = *pad + n;
  }
  weight = register_parameter("weight", empty({n, d}));
  init::normal_(weight);
  if (padding_idx) {
    NoGradGuard ng;
    weight.select(0, *padding_idx).fill_(0);
  }
}
Embedding Embedding::from_pretrained(const Tensor& emb, bool freeze, std::optional<int64_t> pad) {
  NABLA_CHECK(emb.dim() == 2, ShapeError, "Embedding.from_pretrained: embeddings must be 2-D, got {}",
              shape_str(emb.sizes()));
  Embedding e(emb.size(0), emb.size(1), pad);
  NoGradGuard ng;
  e.weight.copy_(emb);
  e.weight.requires_grad_(!freeze);
  return e;
}
std::string Embedding::extra_repr() const {
  return padding_idx ? fmt::format("{}, {}, padding_idx={}", num_embeddings, embedding_dim, *padding_idx)
                     : fmt::format("{}, {}", num_embeddings, embedding_dim);
}
std::string Flatten::extra_repr() const {
  return fmt::format("start_dim={}, end_dim={}", start_dim, end_dim);
}
std::string Unflatten::extra_repr() const {
  return fmt::format("dim={}, unflattened_size=({})", dim, fmt::join(sizes, ", "));
}
std::string LeakyReLU::extra_repr() const { return fmt::format("negative_slope={}", negative_slope); }
std::string ELU::extra_repr() const { return fmt::format("alpha={}", alpha); }
std::string GELU::extra_repr() const { return fmt::format("approximate='{}'", approximate); }
std::string Softplus::extra_repr() const { return fmt::format("beta={}, threshold={}", beta, threshold); }
std::string Softmax::extra_repr() const { return fmt::format("dim={}", dim); }
std::string LogSoftmax::extra_repr() const { return fmt::format("dim={}", dim); }

}  // namespace nabla::nn
