// nn_dispatch.cpp — routes the nn layers' kernels (nn_kernels.h, norm_kernels.h, rnn_kernels.h):
// oneDNN for float32, nabla's own loops where they are exact or faster, or "no kernel" so that the
// caller composes the layer from differentiable ops (Note [Kernel routing] in ops/device_check.h).
#include "ops/cpu/cpu_kernels.h"
#include "ops/device_check.h"
#include "ops/dnnl/dnnl_kernels.h"
#include "tensor/raw.h"

namespace nabla::kernels {

namespace {
// x laid out in `format`: x itself when it already is, else a copy (kernels read dense layouts).
Tensor in_layout(const Tensor& x, MemoryFormat format) {
  const bool ok = format == MemoryFormat::Contiguous ? x.is_contiguous() : raw::is_channels_last(x);
  if (ok) return x;
  Tensor out = raw::empty(x.sizes(), x.dtype(), format);
  cpu::copy(out, x);
  return out;
}
Tensor contiguous_or_undefined(const Tensor& t) {
  return t.defined() ? in_layout(t, MemoryFormat::Contiguous) : t;
}
}  // namespace

// ---- convolution: oneDNN has no float64 kernels; the direct loops take those (gradcheck) ----

MemoryFormat conv2d_input_format(const Tensor& x) {
  // oneDNN runs NHWC directly; the float64 reference loops want plain NCHW.
  return x.dtype() == DType::Float32 ? raw::memory_format_of(x) : MemoryFormat::Contiguous;
}

void conv2d_forward(const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b,
                    const ConvGeometry& g) {
  check_device("conv2d", y, x, w, b);
  if (x.dtype() == DType::Float32)
    return dnnl_backend::guarded("conv2d", [&] { return dnnl_backend::conv2d_forward(y, x, w, b, g); });
  cpu::conv2d_reference_forward(y, x, w, b, g);
}
void conv2d_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                     const Tensor& w, const ConvGeometry& g) {
  check_device("conv2d_backward", gx, gw, gb, gy, x, w);
  if (gy.dtype() == DType::Float32)
    return dnnl_backend::guarded("conv2d_backward",
                                 [&] { return dnnl_backend::conv2d_backward(gx, gw, gb, gy, x, w, g); });
  if (gx.defined()) cpu::conv2d_reference_backward_data(gx, gy, w, g);
  if (gw.defined()) cpu::conv2d_reference_backward_weight(gw, gb, gy, x, g);
}
void conv2d_backward_data(const Tensor& gx, const Tensor& gy, const Tensor& w, const ConvGeometry& g) {
  check_device("conv2d_backward_data", gx, gy, w);
  if (gx.dtype() == DType::Float32)
    return dnnl_backend::guarded("conv2d_backward", [&] {
      return dnnl_backend::conv2d_backward(gx, Tensor(), Tensor(), gy, Tensor(), w, g);
    });
  cpu::conv2d_reference_backward_data(gx, gy, w, g);
}
void conv2d_backward_weight(const Tensor& gw, const Tensor& gb, const Tensor& gy, const Tensor& x,
                            const ConvGeometry& g) {
  check_device("conv2d_backward_weight", gw, gb, gy, x);
  if (gw.dtype() == DType::Float32)
    return dnnl_backend::guarded("conv2d_backward", [&] {
      return dnnl_backend::conv2d_backward(Tensor(), gw, gb, gy, x, Tensor(), g);
    });
  cpu::conv2d_reference_backward_weight(gw, gb, gy, x, g);
}

// ---- pooling ----
// Note [Pooling keeps channels-last]
// On oneDNN (float32) a channels-last input stays channels-last, and so do the output and the input
// gradient, as in PyTorch: oneDNN pools NHWC directly, and the conv/batch-norm layers around stay free
// of layout conversions. nabla's max-pooling loops read and write plain contiguous NCHW.

MaxPoolResult max_pool2d_forward(const Tensor& x_in, IntArrayRef y_shape, const PoolGeometry& g,
                                 bool want_indices) {
  check_device("max_pool2d", x_in);
  // float32 on oneDNN, which keeps a compact workspace and decodes indices only when asked. Dilated
  // windows stay on our loops (oneDNN 2.6 has only its reference kernel for them, 7x slower), and so
  // do inputs holding NaN or -inf, which oneDNN refuses (Note [oneDNN max pooling vs PyTorch]).
  if (x_in.dtype() == DType::Float32 && x_in.numel() > 0 && g.dilation[0] == 1 && g.dilation[1] == 1) {
    const MemoryFormat f = raw::memory_format_of(x_in);
    Tensor x = in_layout(x_in, f), y = raw::empty(y_shape, DType::Float32, f);
    Tensor ws =
        dnnl_backend::guarded("max_pool2d", [&] { return dnnl_backend::max_pool2d_forward(y, x, g); });
    if (ws.defined()) {
      MaxPoolResult r{y, Tensor(), {ws, {g, DimVec(x.sizes()), f, /*compact=*/true}}};
      if (want_indices) r.indices = max_pool2d_indices(r.saved, y_shape);
      return r;
    }
  }
  Tensor x = in_layout(x_in, MemoryFormat::Contiguous);
  Tensor y = raw::empty(y_shape, x.dtype()), idx = raw::empty(y_shape, DType::Int64);
  cpu::max_pool2d_forward(y, idx, x, g);
  return {y, idx, {idx, {g, DimVec(x.sizes()), MemoryFormat::Contiguous, /*compact=*/false}}};
}

Tensor max_pool2d_indices(const MaxPoolSaved& s, IntArrayRef y_shape) {
  check_device("max_pool2d", s.state);
  if (!s.info.compact) return s.state;
  Tensor idx = raw::empty(y_shape, DType::Int64);
  dnnl_backend::guarded("max_pool2d_workspace_indices", [&] {
    return dnnl_backend::max_pool2d_workspace_indices(idx, s.state, s.info.x_sizes, s.info.x_format,
                                                      s.info.g);
  });
  return idx;
}

Tensor max_pool2d_backward(const Tensor& gy, const MaxPoolSaved& s) {
  check_device("max_pool2d_backward", gy, s.state);
  const MaxPoolInfo& i = s.info;
  if (i.compact) {
    Tensor gx = raw::empty(i.x_sizes, DType::Float32, i.x_format);
    dnnl_backend::guarded("max_pool2d_backward", [&] {
      return dnnl_backend::max_pool2d_backward(gx, in_layout(gy, i.x_format), s.state, i.g);
    });
    return gx;
  }
  Tensor gx = raw::empty(i.x_sizes, gy.dtype());
  cpu::max_pool2d_backward(gx, in_layout(gy, MemoryFormat::Contiguous), s.state);
  return gx;
}

AvgPoolResult avg_pool2d_forward(const Tensor& x, IntArrayRef y_shape, const PoolGeometry& g,
                                 bool count_include_pad) {
  check_device("avg_pool2d", x);
  // PyTorch divides by the window clipped to the padded input (count_include_pad) or to the input;
  // oneDNN by the whole window or by its part inside the input. They agree unless a (ceil_mode)
  // window hangs past the padding, and then "clipped to the input" is still right without padding.
  bool overhang = false;
  for (int i = 0; i < 2; ++i)
    overhang |= (y_shape[2 + i] - 1) * g.stride[i] + g.kernel[i] > x.size(2 + i) + 2 * g.padding[i];
  const bool padded = g.padding[0] != 0 || g.padding[1] != 0;
  if (x.dtype() != DType::Float32 || x.numel() == 0 || (count_include_pad && overhang && padded)) return {};
  const MemoryFormat f = raw::memory_format_of(x);
  AvgPoolResult r{raw::empty(y_shape, DType::Float32, f),
                  {g, DimVec(x.sizes()), f, count_include_pad && !overhang}};
  dnnl_backend::guarded("avg_pool2d", [&] {
    return dnnl_backend::avg_pool2d_forward(r.y, in_layout(x, f), g, r.saved.divide_by_window);
  });
  return r;
}

Tensor avg_pool2d_backward(const Tensor& gy, const AvgPoolSaved& s) {
  check_device("avg_pool2d_backward", gy);
  Tensor gx = raw::empty(s.x_sizes, DType::Float32, s.x_format);
  dnnl_backend::guarded("avg_pool2d_backward", [&] {
    return dnnl_backend::avg_pool2d_backward(gx, in_layout(gy, s.x_format), s.g, s.divide_by_window);
  });
  return gx;
}

// ---- batch norm: float32 up to 5 dims (oneDNN's limit); training on 3+ dims on nabla's loops ----

namespace {
bool batch_norm_has_kernel(const Tensor& x, const BatchNormArgs& a) {
  check_device("batch_norm", x, a.weight, a.bias, a.running_mean, a.running_var);
  if (x.dim() > 5) return false;
  for (const Tensor* t : {&x, &a.weight, &a.bias, &a.running_mean, &a.running_var})
    if (t->defined() && t->dtype() != DType::Float32) return false;
  return true;
}
}  // namespace

BatchNormResult batch_norm_training_forward(const Tensor& x_in, const BatchNormArgs& a) {
  if (!batch_norm_has_kernel(x_in, a)) return {};
  const int64_t C = x_in.size(1);
  // A channels-last input stays so (oneDNN's NHWC kernel is ~7x faster than its NCHW one).
  Tensor x = in_layout(x_in, raw::memory_format_of(x_in));
  const bool loops = cpu::batch_norm_loops_applies(x);  // Note [Batch norm off oneDNN's barriers]
  if (a.relu && !loops) return {};                      // before allocating: the caller goes on unfused
  BatchNormSaved s{x,
                   raw::empty({C}, DType::Float32),
                   raw::empty({C}, DType::Float32),
                   contiguous_or_undefined(a.weight),
                   contiguous_or_undefined(a.bias),
                   a.relu};
  Tensor y = raw::empty_like_layout(s.x, s.x.dtype());
  if (loops)
    cpu::batch_norm_loops_forward(y, s.mean, s.var, s.x, s.weight, s.bias, a.eps, a.relu);
  else
    dnnl_backend::guarded("batch_norm", [&] {
      return dnnl_backend::batch_norm_forward(y, s.mean, s.var, s.x, s.weight, s.bias, a.eps,
                                              /*training=*/true);
    });
  return {y, s};
}

Tensor batch_norm_inference_forward(const Tensor& x_in, const BatchNormArgs& a) {
  if (!batch_norm_has_kernel(x_in, a) || !a.running_mean.defined() || !a.running_var.defined()) return {};
  Tensor x = in_layout(x_in, raw::memory_format_of(x_in));
  const bool loops = cpu::batch_norm_loops_applies(x);  // split over threads; oneDNN's runs on one
  if (a.relu && !loops) return {};                      // before allocating: the caller goes on unfused
  Tensor y = raw::empty_like_layout(x, x.dtype());
  if (loops) {
    cpu::batch_norm_loops_inference(y, x, contiguous_or_undefined(a.running_mean),
                                    contiguous_or_undefined(a.running_var), contiguous_or_undefined(a.weight),
                                    contiguous_or_undefined(a.bias), a.eps, a.relu);
    return y;
  }
  dnnl_backend::guarded("batch_norm", [&] {
    return dnnl_backend::batch_norm_forward(
        y, contiguous_or_undefined(a.running_mean), contiguous_or_undefined(a.running_var), x,
        contiguous_or_undefined(a.weight), contiguous_or_undefined(a.bias), a.eps,
        /*training=*/false);
  });
  return y;
}

BatchNormGrads batch_norm_backward(const Tensor& gy_in, const BatchNormSaved& s, double eps,
                                   BatchNormWanted want) {
  check_device("batch_norm_backward", gy_in, s.x);
  const int64_t C = s.x.size(1);
  Tensor gy = in_layout(gy_in, raw::memory_format_of(s.x));
  BatchNormGrads r{raw::empty_like_layout(s.x, s.x.dtype()),
                   want.weight ? raw::empty({C}, DType::Float32) : Tensor(),
                   want.bias ? raw::empty({C}, DType::Float32) : Tensor()};
  if (cpu::batch_norm_loops_applies(s.x))
    cpu::batch_norm_loops_backward(r.gx, r.gw, r.gb, gy, s.x, s.mean, s.var, s.weight, s.bias, eps, s.relu);
  else
    dnnl_backend::guarded("batch_norm_backward", [&] {
      return dnnl_backend::batch_norm_backward(r.gx, r.gw, r.gb, gy, s.x, s.mean, s.var, s.weight, s.bias,
                                               eps);
    });
  return r;
}

// ---- recurrent layers: float32 on oneDNN ----

TensorList RnnTensors::pack() const {
  TensorList v = {x, h0, c0};
  v.insert(v.end(), weights.begin(), weights.end());
  v.insert(v.end(), {y, hy, cy, state});
  return v;
}
RnnTensors RnnTensors::unpack(const TensorList& v) {
  NABLA_ASSERT(v.size() >= 7, "RnnTensors::unpack: {} tensors", v.size());
  const size_t nw = v.size() - 7;
  return {v[0],      v[1],
          v[2],      TensorList(v.begin() + 3, v.begin() + 3 + static_cast<std::ptrdiff_t>(nw)),
          v[3 + nw], v[4 + nw],
          v[5 + nw], v[6 + nw]};
}

bool rnn_layer_has_kernel(const RnnShape& s, const Tensor& x, const Tensor& h0, const Tensor& c0,
                          const TensorList& weights) {
  check_device("rnn", x, h0, c0);
  check_device_list("rnn", weights);
  // One dtype throughout; mixed dtypes take the composite path (and its errors).
  bool ok = x.dtype() == DType::Float32 && s.T > 0 && s.N > 0 && s.C > 0 && s.H > 0 &&
            h0.dtype() == x.dtype() && (s.cell != RnnCell::LSTM || c0.dtype() == x.dtype());
  for (const Tensor& w : weights) ok = ok && (!w.defined() || w.dtype() == x.dtype());
  return ok;
}

void rnn_layer_forward(const RnnShape& s, RnnTensors& t, bool training) {
  t.x = contiguous_or_undefined(t.x), t.h0 = contiguous_or_undefined(t.h0),
  t.c0 = contiguous_or_undefined(t.c0);
  for (Tensor& w : t.weights) w = contiguous_or_undefined(w);
  dnnl_backend::guarded("rnn_layer", [&] { return dnnl_backend::rnn_layer_forward(s, t, training); });
}

RnnGrads rnn_layer_backward(const RnnShape& s, const RnnTensors& t, const Tensor& gy, const Tensor& ghy,
                            const Tensor& gcy) {
  check_device("rnn_backward", gy, ghy, gcy);
  return dnnl_backend::guarded("rnn_layer_backward", [&] {
    return dnnl_backend::rnn_layer_backward(s, t, contiguous_or_undefined(gy), contiguous_or_undefined(ghy),
                                            contiguous_or_undefined(gcy));
  });
}

// ---- interpolation: nabla's loops (PyTorch's exact taps; see Note in nn_kernels.h) ----
void interpolate_forward(const Tensor& y, const Tensor& x, const InterpGeometry& g) {
  check_device("interpolate", y, x);
  cpu::interpolate_forward(y, in_layout(x, MemoryFormat::Contiguous), g);
}
void interpolate_backward(const Tensor& gx, const Tensor& gy, const InterpGeometry& g) {
  check_device("interpolate_backward", gx, gy);
  cpu::interpolate_backward(gx, in_layout(gy, MemoryFormat::Contiguous), g);
}

}  // namespace nabla::kernels
