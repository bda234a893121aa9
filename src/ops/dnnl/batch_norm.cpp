// batch_norm.cpp — batch normalisation on oneDNN's primitive (float32): one pass for the statistics
// and one for the output, instead of the ~10 elementwise passes of the composite formula.
#include <cstring>
#include <unordered_map>

#include "ops/dnnl/dnnl_kernels.h"
#include "ops/dnnl/engine.h"
#include "tensor/raw.h"

namespace nabla::dnnl_backend {

namespace {

using dnnl::memory;
using Flags = dnnl::normalization_flags;

memory::desc vec_desc(int64_t c) { return memory::desc({c}, memory::data_type::f32, memory::format_tag::x); }

Flags flags_for(const Tensor& weight, const Tensor& bias, bool global_stats) {
  unsigned f = 0;
  if (weight.defined()) f |= static_cast<unsigned>(Flags::use_scale);
  if (bias.defined()) f |= static_cast<unsigned>(Flags::use_shift);
  if (global_stats) f |= static_cast<unsigned>(Flags::use_global_stats);
  return static_cast<Flags>(f);
}

// Key: rank, up to 5 sizes, flags, eps bits, layout.
std::array<int64_t, 9> key_for(const Tensor& x, Flags flags, double eps) {
  std::array<int64_t, 9> k{};
  k[8] = x.is_contiguous() ? 0 : 1;  // the callers pass contiguous or channels-last tensors
  k[0] = x.dim();
  for (int64_t d = 0; d < x.dim() && d < 5; ++d) k[1 + d] = x.size(d);
  k[6] = static_cast<int64_t>(flags);
  std::memcpy(&k[7], &eps, sizeof(double));
  return k;
}

dnnl::batch_normalization_forward::primitive_desc forward_pd(const Tensor& x, Flags flags, double eps,
                                                             bool training) {
  auto d = dnnl::batch_normalization_forward::desc(
      training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference,
      dnnl_backend::strided_desc(x), static_cast<float>(eps), flags);
  return dnnl::batch_normalization_forward::primitive_desc(d, dnnl_backend::engine());
}

void add_affine(std::unordered_map<int, memory>& args, const Tensor& weight, const Tensor& bias,
                int scale_arg, int shift_arg) {
  auto& eng = dnnl_backend::engine();
  if (weight.defined()) args.insert({scale_arg, memory(vec_desc(weight.numel()), eng, weight.data_ptr())});
  if (bias.defined()) args.insert({shift_arg, memory(vec_desc(bias.numel()), eng, bias.data_ptr())});
}

// oneDNN's batch norm synchronises its threads with spinning barriers: when the cores are shared
// (another process, a DataLoader worker) 2 threads ran it 30x slower than 1 — 25 ms against 0.6 ms
// for ResNet's largest layer. So it runs on the calling thread; training on inputs of 3+ dims takes
// nabla's own loops instead (routed in ops/nn_dispatch.cpp), which split without spinning
// (Note [Batch norm off oneDNN's barriers] in ops/cpu/batch_norm_loops.h).
constexpr bool kSingleThreaded = true;

}  // namespace

void batch_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& var, const Tensor& x,
                        const Tensor& weight, const Tensor& bias, double eps, bool training) {
  dnnl_backend::ThreadLimit limit(kSingleThreaded);
  static dnnl_backend::PrimitiveCache<9, dnnl::batch_normalization_forward> train_cache, infer_cache;
  const Flags flags = flags_for(weight, bias, !training);
  auto& cache = training ? train_cache : infer_cache;
  auto prim = cache.get(key_for(x, flags, eps), [&] {
    return dnnl::batch_normalization_forward(forward_pd(x, flags, eps, training));
  });
  auto& eng = dnnl_backend::engine();
  auto xd = dnnl_backend::strided_desc(x);
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, memory(xd, eng, x.data_ptr())},
      {DNNL_ARG_DST, memory(xd, eng, y.data_ptr())},
      {DNNL_ARG_MEAN, memory(vec_desc(x.size(1)), eng, mean.data_ptr())},
      {DNNL_ARG_VARIANCE, memory(vec_desc(x.size(1)), eng, var.data_ptr())}};
  add_affine(args, weight, bias, DNNL_ARG_SCALE, DNNL_ARG_SHIFT);
  prim.execute(dnnl_backend::stream(), args);
  dnnl_backend::stream().wait();
}

void batch_norm_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gy,
                         const Tensor& x, const Tensor& mean, const Tensor& var, const Tensor& weight,
                         const Tensor& bias, double eps) {
  static dnnl_backend::PrimitiveCache<9, dnnl::batch_normalization_backward> cache;
  dnnl_backend::ThreadLimit limit(kSingleThreaded);
  // oneDNN wants the shift as an input too (and then always writes diff_shift).
  const Flags flags = flags_for(weight, bias, false);
  auto prim = cache.get(key_for(x, flags, eps), [&] {
    auto xd = dnnl_backend::strided_desc(x);
    auto d = dnnl::batch_normalization_backward::desc(
        flags == static_cast<Flags>(0) ? dnnl::prop_kind::backward_data : dnnl::prop_kind::backward, xd, xd,
        static_cast<float>(eps), flags);
    return dnnl::batch_normalization_backward(dnnl::batch_normalization_backward::primitive_desc(
        d, dnnl_backend::engine(), forward_pd(x, flags, eps, true)));
  });
  auto& eng = dnnl_backend::engine();
  auto xd = dnnl_backend::strided_desc(x);
  const int64_t C = x.size(1);
  // oneDNN writes diff_scale whenever it uses the scale; give it scratch if the caller doesn't want it.
  Tensor gw_out = gw.defined() || !weight.defined() ? gw : raw::empty({C}, DType::Float32);
  Tensor gb_out = gb.defined() || !bias.defined() ? gb : raw::empty({C}, DType::Float32);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, memory(xd, eng, x.data_ptr())},
                                          {DNNL_ARG_DIFF_DST, memory(xd, eng, gy.data_ptr())},
                                          {DNNL_ARG_DIFF_SRC, memory(xd, eng, gx.data_ptr())},
                                          {DNNL_ARG_MEAN, memory(vec_desc(C), eng, mean.data_ptr())},
                                          {DNNL_ARG_VARIANCE, memory(vec_desc(C), eng, var.data_ptr())}};
  add_affine(args, weight, bias, DNNL_ARG_SCALE, DNNL_ARG_SHIFT);
  add_affine(args, gw_out, gb_out, DNNL_ARG_DIFF_SCALE, DNNL_ARG_DIFF_SHIFT);
  prim.execute(dnnl_backend::stream(), args);
  dnnl_backend::stream().wait();
}

}  // namespace nabla::dnnl_backend
