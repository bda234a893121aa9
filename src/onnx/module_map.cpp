// module_map.cpp — modules written whole from their options and parameters (Note [Tracing a forward]).
// A module is mapped only when its type is exactly one of these: a subclass may override forward.
#include <fmt/format.h>

#include <functional>
#include <typeindex>
#include <unordered_map>

#include "nabla/nn/layers.h"
#include "nabla/nn/rnn.h"
#include "onnx/op_util.h"
#include "util/check.h"

namespace nabla::onnx::detail {

namespace {

using Handler = std::function<void(Tracer&, nn::Module&, const TensorList&, const TensorList&)>;

// [begin..., end...] from per-dim (begin, end) pairs.
std::vector<int64_t> onnx_pads(const std::vector<std::pair<int64_t, int64_t>>& p) {
  std::vector<int64_t> r;
  for (auto& [b, e] : p) r.push_back(b);
  for (auto& [b, e] : p) r.push_back(e);
  return r;
}

// PyTorch's padding="same": the total d (k - 1), the odd element on the right.
std::pair<int64_t, int64_t> conv_pad(const nn::ConvPadding& p, int i, int64_t k, int64_t dilation) {
  if (!p.same) return {p.v[i], p.v[i]};
  const int64_t total = dilation * (k - 1);
  return {total / 2, total - total / 2};
}

void conv(Tracer& t, const nn::Module& m, const Tensor& x, const Tensor& y, const Tensor& w, const Tensor& b,
          std::vector<Attr> attrs, std::string_view op_type = "Conv") {
  const std::string p = t.prefix(m);
  std::vector<std::string> in = {t.value(x, m.name()), t.param(w, p + ".weight")};
  if (b.defined()) in.push_back(t.param(b, p + ".bias"));
  t.bind(y, t.graph().op(op_type, std::move(in), std::move(attrs), p), t.batch_dim(x));
}

void conv2d(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::Conv2d&>(mod);
  const auto& o = m.options;
  std::vector<std::pair<int64_t, int64_t>> pads;
  for (int i = 0; i < 2; ++i) pads.push_back(conv_pad(o.padding, i, m.kernel_size.v[i], o.dilation.v[i]));
  conv(t, m, in[0], out[0], m.weight, m.bias,
       {attr_ints("kernel_shape", {m.kernel_size.v[0], m.kernel_size.v[1]}),
        attr_ints("pads", onnx_pads(pads)), attr_ints("strides", {o.stride.v[0], o.stride.v[1]}),
        attr_ints("dilations", {o.dilation.v[0], o.dilation.v[1]}), attr_i("group", o.groups)});
}

void conv1d(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::Conv1d&>(mod);
  const auto& o = m.options;
  conv(t, m, in[0], out[0], m.weight, m.bias,
       {attr_ints("kernel_shape", {m.kernel_size}),
        attr_ints("pads", onnx_pads({conv_pad(o.padding, 0, m.kernel_size, o.dilation)})),
        attr_ints("strides", {o.stride}), attr_ints("dilations", {o.dilation}), attr_i("group", o.groups)});
}

void conv_transpose2d(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::ConvTranspose2d&>(mod);
  const auto& o = m.options;
  conv(t, m, in[0], out[0], m.weight, m.bias,
       {attr_ints("kernel_shape", {m.kernel_size.v[0], m.kernel_size.v[1]}),
        attr_ints("pads", onnx_pads({{o.padding.v[0], o.padding.v[0]}, {o.padding.v[1], o.padding.v[1]}})),
        attr_ints("strides", {o.stride.v[0], o.stride.v[1]}),
        attr_ints("output_padding", {o.output_padding.v[0], o.output_padding.v[1]}),
        attr_ints("dilations", {o.dilation.v[0], o.dilation.v[1]}), attr_i("group", o.groups)},
       "ConvTranspose");
}

// ONNX's ceil_mode has no PyTorch rule that drops a last window starting in the right padding: the
// flag is written as whichever rounding gives nabla's output size.
int64_t ceil_flag(const nn::Module& m, const nn::functional::PoolOptions& o, const Tensor& x,
                  const Tensor& y) {
  bool floor_fits = true, ceil_fits = true;
  for (int i = 0; i < 2; ++i) {
    const int64_t s = o.stride ? (*o.stride)[i] : o.kernel_size[i];
    const int64_t span = x.size(2 + i) + 2 * o.padding[i] - o.dilation[i] * (o.kernel_size[i] - 1) - 1;
    floor_fits &= span / s + 1 == y.size(2 + i);
    ceil_fits &= (span + s - 1) / s + 1 == y.size(2 + i);
  }
  NABLA_CHECK(floor_fits || ceil_fits, NotImplementedError,
              "export_model: {} with ceil_mode: PyTorch drops a last window that starts in the padding, ONNX "
              "does not ({} -> {})",
              m.name(), shape_str(x.sizes()), shape_str(y.sizes()));
  return floor_fits ? 0 : 1;
}

std::vector<Attr> pool_attrs(const nn::functional::PoolOptions& o) {
  const auto s = o.stride.value_or(o.kernel_size);
  return {attr_ints("kernel_shape", {o.kernel_size[0], o.kernel_size[1]}), attr_ints("strides", {s[0], s[1]}),
          attr_ints("pads", {o.padding[0], o.padding[1], o.padding[0], o.padding[1]})};
}

void max_pool2d(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::MaxPool2d&>(mod);
  std::vector<Attr> attrs = pool_attrs(m.options);
  attrs.push_back(attr_ints("dilations", {m.options.dilation[0], m.options.dilation[1]}));
  attrs.push_back(attr_i("ceil_mode", ceil_flag(m, m.options, in[0], out[0])));
  emit_unary(t, "MaxPool", in[0], out[0], std::move(attrs), m.name(), t.prefix(m));
}

void avg_pool2d(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::AvgPool2d&>(mod);
  NABLA_CHECK(!m.options.divisor_override, NotImplementedError,
              "export_model: AvgPool2d with divisor_override has no ONNX mapping");
  std::vector<Attr> attrs = pool_attrs(m.options);
  attrs.push_back(attr_i("ceil_mode", ceil_flag(m, m.options, in[0], out[0])));
  attrs.push_back(attr_i("count_include_pad", m.options.count_include_pad ? 1 : 0));
  emit_unary(t, "AveragePool", in[0], out[0], std::move(attrs), m.name(), t.prefix(m));
}

void linear(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::Linear&>(mod);
  const std::string p = t.prefix(m);
  Graph& g = t.graph();
  const Tensor &x = in[0], &y = out[0];
  std::vector<std::string> args = {t.value(x, "Linear"), t.param(m.weight, p + ".weight")};
  if (m.bias.defined()) args.push_back(t.param(m.bias, p + ".bias"));
  if (x.dim() == 2) return t.bind(y, g.op("Gemm", std::move(args), {attr_i("transB", 1)}, p), t.batch_dim(x));
  // [..., in] -> [-1, in] -> Gemm -> [..., out], the batch dim symbolic again at the end.
  NABLA_CHECK(x.dim() > 2, NotImplementedError, "export_model: Linear on a 1-D input has no mapping here");
  args[0] = g.op("Reshape", {args[0], g.constant_ints({-1, m.in_features}, "shape")});
  std::string flat = g.op("Gemm", std::move(args), {attr_i("transB", 1)});
  std::vector<int64_t> shape = y.sizes().vec();
  const int64_t bd = t.batch_dim(x);
  if (bd >= 0 && t.dynamic()) shape[bd] = -1;
  t.bind(y, g.op("Reshape", {flat, g.constant_ints(shape, "shape")}, {}, p), bd);
}

void batch_norm(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::BatchNorm&>(mod);
  NABLA_CHECK(m.running_mean.defined() && m.running_var.defined(), NotImplementedError,
              "export_model: {} without running statistics (track_running_stats=false) normalises with batch "
              "statistics even in eval mode; it has no ONNX mapping",
              m.name());
  emit_batch_norm(t, in[0], out[0], m.running_mean, m.running_var, m.weight, m.bias, m.options.eps,
                  t.prefix(m));
}

void embedding(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::Embedding&>(mod);
  const std::string p = t.prefix(m);
  std::string name = t.graph().op("Gather", {t.param(m.weight, p + ".weight"), t.value(in[0], "Embedding")},
                                  {attr_i("axis", 0)}, p);
  t.bind(out[0], name, t.batch_dim(in[0]));
}

void layer_norm(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::LayerNorm&>(mod);
  const std::string p = t.prefix(m);
  Graph& g = t.graph();
  std::vector<int64_t> axes;
  for (int64_t k = -static_cast<int64_t>(m.normalized_shape.size()); k < 0; ++k) axes.push_back(k);
  // Opset 13 has no LayerNormalization: (x - mean) / sqrt(var + eps) * weight + bias, written as
  // torch.onnx writes it (runtimes such as OpenCV fuse this pattern back into one layer).
  const std::string x = t.value(in[0], "LayerNorm");
  const DType dt = in[0].dtype();
  std::string d = g.op("Sub", {x, g.op("ReduceMean", {x}, {attr_ints("axes", axes)})});
  std::string var =
      g.op("ReduceMean", {g.op("Pow", {d, scalar_constant(g, 2, dt)})}, {attr_ints("axes", axes)});
  std::string y =
      g.op("Div", {d, g.op("Sqrt", {g.op("Add", {var, scalar_constant(g, m.eps, in[0].dtype())})})});
  if (m.weight.defined()) y = g.op("Mul", {y, t.param(m.weight, p + ".weight")});
  if (m.bias.defined()) y = g.op("Add", {y, t.param(m.bias, p + ".bias")});
  t.bind(out[0], g.op("Identity", {y}, {}, p), t.batch_dim(in[0]));
}

void upsample(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::Upsample&>(mod);
  const auto& o = m.options;
  std::vector<double> scales;
  if (!o.scale_factor.empty() && !o.recompute_scale_factor.value_or(false))
    for (int64_t i = 0; i < in[0].dim() - 2; ++i)
      scales.push_back(o.scale_factor.size() == 1 ? o.scale_factor[0] : o.scale_factor[i]);
  emit_resize(t, in[0], out[0], o.mode, o.align_corners.value_or(false), scales, t.prefix(m));
}

void prelu(Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
  auto& m = static_cast<nn::PReLU&>(mod);
  const std::string p = t.prefix(m);
  Graph& g = t.graph();
  // A per-channel slope [C] against [N, C, ...]: ONNX broadcasts from the right, so the initializer
  // (still named after the parameter) holds it as [C, 1, ...].
  std::vector<int64_t> shape(std::max<int64_t>(in[0].dim() - 1, 1), 1);
  shape[0] = m.num_parameters;
  Tensor slope_data = m.num_parameters > 1 ? m.weight.detach().reshape(shape) : m.weight;
  std::string slope = t.param(m.weight, p + ".weight", slope_data);
  t.bind(out[0], g.op("PRelu", {t.value(in[0], "PReLU"), slope}, {}, p), t.batch_dim(in[0]));
}

// An activation module: its kind and parameters for emit_activation.
template <typename M>
Handler activation(std::string_view kind, std::function<std::pair<double, double>(const M&)> params = {}) {
  return [kind, params](Tracer& t, nn::Module& mod, const TensorList& in, const TensorList& out) {
    auto [a, b] = params ? params(static_cast<const M&>(mod)) : std::pair<double, double>{0, 0};
    auto name =
        emit_activation(t.graph(), kind, t.value(in[0], mod.name()), in[0].dtype(), a, b, t.prefix(mod));
    t.bind(out[0], *name, t.batch_dim(in[0]));
  };
}

void identity(Tracer& t, nn::Module& m, const TensorList& in, const TensorList& out) {
  t.alias(out[0], in[0], m.name());  // Identity, and Dropout in eval mode
}
void reshape(Tracer& t, nn::Module& m, const TensorList& in, const TensorList& out) {
  emit_reshape(t, in[0], out[0], m.name(), t.prefix(m));
}

const std::unordered_map<std::type_index, Handler>& handlers() {
  using P = std::pair<double, double>;
  static const std::
      unordered_map<std::type_index, Handler>
          table =
              {
                  {typeid(nn::Conv2d), conv2d},
                  {typeid(nn::Conv1d), conv1d},
                  {typeid(nn::ConvTranspose2d), conv_transpose2d},
                  {typeid(nn::Linear), linear},
                  {typeid(nn::BatchNorm1d), batch_norm},
                  {typeid(nn::BatchNorm2d), batch_norm},
                  {typeid(nn::LayerNorm), layer_norm},
                  {typeid(nn::MaxPool2d), max_pool2d},
                  {typeid(nn::AvgPool2d), avg_pool2d},
                  {typeid(nn::AdaptiveAvgPool2d),
                   [](Tracer& t, nn::Module& m, const TensorList& in, const TensorList& out) {
                     emit_adaptive_avg_pool(t, in[0], out[0], m.name(), t.prefix(m));
                   }},
                  {typeid(nn::Embedding), embedding},
                  {typeid(nn::Upsample), upsample},
                  {typeid(nn::PReLU), prelu},
                  {typeid(nn::Dropout), identity},
                  {typeid(nn::Dropout2d), identity},
                  {typeid(nn::Identity), identity},
                  {typeid(nn::Flatten), reshape},
                  {typeid(nn::Unflatten), reshape},
                  {typeid(nn::PixelShuffle),
                   [](Tracer& t, nn::Module& m, const TensorList& in, const TensorList& out) {
                     const int64_t r = static_cast<nn::PixelShuffle&>(m).upscale_factor;
                     emit_unary(t, "DepthToSpace", in[0], out[0],
                                {attr_i("blocksize", r), attr_s("mode", "CRD")}, m.name(), t.prefix(m));
                   }},
                  {typeid(nn::ReLU), activation<nn::ReLU>("relu")},
                  {typeid(nn::Sigmoid), activation<nn::Sigmoid>("sigmoid")},
                  {typeid(nn::Tanh), activation<nn::Tanh>("tanh")},
                  {typeid(nn::SiLU), activation<nn::SiLU>("silu")},
                  {typeid(nn::SELU), activation<nn::SELU>("selu")},
                  {typeid(nn::Mish), activation<nn::Mish>("mish")},
                  {typeid(nn::Hardswish), activation<nn::Hardswish>("hardswish")},
                  {typeid(nn::Hardsigmoid), activation<nn::Hardsigmoid>("hardsigmoid")},
                  {typeid(nn::LogSigmoid), activation<nn::LogSigmoid>("logsigmoid")},
                  {typeid(nn::Softsign), activation<nn::Softsign>("softsign")},
                  {typeid(nn::ReLU6), activation<nn::ReLU6>("hardtanh",
                                                            [](const nn::ReLU6&) {
                                                              return P{0, 6};
                                                            })},
                  {typeid(nn::Hardtanh), activation<nn::Hardtanh>("hardtanh",
                                                                  [](const nn::Hardtanh& m) {
                                                                    return P{m.min_val, m.max_val};
                                                                  })},
                  {typeid(nn::LeakyReLU), activation<nn::LeakyReLU>("leaky_relu",
                                                                    [](const nn::LeakyReLU& m) {
                                                                      return P{m.negative_slope, 0};
                                                                    })},
                  {typeid(nn::ELU), activation<nn::ELU>("elu",
                                                        [](const nn::ELU& m) {
                                                          return P{m.alpha, 0};
                                                        })},
                  {typeid(nn::CELU), activation<nn::CELU>("celu",
                                                          [](const nn::CELU& m) {
                                                            return P{m.alpha, 0};
                                                          })},
                  {typeid(nn::Softplus), activation<nn::Softplus>("softplus",
                                                                  [](const nn::Softplus& m) {
                                                                    return P{m.beta, 0};
                                                                  })},
                  {typeid(nn::Softmax), activation<
                                            nn::Softmax>("softmax",
                                                         [](const nn::Softmax& m) {
                                                           return P{static_cast<double>(m.dim), 0};
                                                         })},
                  {typeid(nn::LogSoftmax), activation<nn::LogSoftmax>(
                                               "log_softmax",
                                               [](const nn::LogSoftmax& m) {
                                                 return P{static_cast<double>(m.dim), 0};
                                               })},
                  {typeid(nn::GELU),
                   [](Tracer& t, nn::Module& m, const TensorList& in, const TensorList& out) {
                     const bool tanh = static_cast<nn::GELU&>(m).approximate == "tanh";
                     activation<nn::GELU>(tanh ? "gelu_tanh" : "gelu")(t, m, in, out);
                   }},
                  {typeid(nn::GRU), map_recurrent},
                  {typeid(nn::LSTM), map_recurrent},
                  {typeid(nn::RNN), map_recurrent},
              };
  return table;
}

}  // namespace

bool is_mapped_module(const nn::Module& m) { return handlers().count(typeid(m)) > 0; }

void map_module(Tracer& t, nn::Module& m, const TensorList& inputs, const TensorList& outputs) {
  handlers().at(typeid(m))(t, m, inputs, outputs);
}

}  // namespace nabla::onnx::detail
