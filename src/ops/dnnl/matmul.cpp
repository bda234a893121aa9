// matmul.cpp — batched matmul: float32 on oneDNN's matmul primitive (any strides, broadcast batch),
// other dtypes on a plain blocked loop (oneDNN has no f64/int matmul; these serve gradcheck and tests).
#include "ops/dnnl/engine.h"
#include "ops/cpu/loops.h"
#include "ops/dispatch_dtype.h"
#include "ops/kernels.h"

namespace nabla::dnnl_backend {

dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}
dnnl::stream& stream() {
  static thread_local dnnl::stream s(engine());
  return s;
}

namespace {

using dnnl::memory;

// Dims/strides of a rank-3 operand, with a broadcast (stride-0) batch given as size 1.
memory::desc desc3(const Tensor& t, int64_t batch) {
  int64_t b = t.stride(0) == 0 ? 1 : batch;
  memory::dims dims = {b, t.size(1), t.size(2)};
  memory::dims strides = {t.stride(0) == 0 ? t.size(1) * t.size(2) : t.stride(0), t.stride(1), t.stride(2)};
  return memory::desc(dims, memory::data_type::f32, strides);
}

void matmul_f32(const Tensor& out, const Tensor& a, const Tensor& b) {
  static PrimitiveCache<16, dnnl::matmul> cache;
  const int64_t B = out.size(0);
  std::array<int64_t, 16> key = {B, a.size(1), a.size(2), b.size(2), a.stride(0), a.stride(1), a.stride(2),
                                 b.stride(0), b.stride(1), b.stride(2), out.stride(0), out.stride(1), out.stride(2),
                                 0, 0, 0};
  auto ad = desc3(a, B), bd = desc3(b, B), cd = desc3(out, B);
  dnnl::matmul prim = cache.get(key, [&] {
    return dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(ad, bd, cd), engine()));
  });
  memory am(ad, engine(), a.data_ptr()), bm(bd, engine(), b.data_ptr()), cm(cd, engine(), out.data_ptr());
  prim.execute(stream(), {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
  stream().wait();
}

template <typename T>
void matmul_generic(const Tensor& out, const Tensor& a, const Tensor& b) {
  const int64_t B = out.size(0), M = out.size(1), N = out.size(2), K = a.size(2);
  const T* A = static_cast<const T*>(a.data_ptr());
  const T* Bm = static_cast<const T*>(b.data_ptr());
  T* C = static_cast<T*>(out.data_ptr());
  cpu::parallel_for(B * M, N * K, [&](int64_t begin, int64_t end) {
    for (int64_t bm = begin; bm < end; ++bm) {
      const int64_t bi = bm / M, i = bm % M;
      T* crow = C + bi * out.stride(0) + i * out.stride(1);
      for (int64_t j = 0; j < N; ++j) crow[j * out.stride(2)] = T(0);
      for (int64_t k = 0; k < K; ++k) {
        const T av = A[bi * a.stride(0) + i * a.stride(1) + k * a.stride(2)];
        const T* brow = Bm + bi * b.stride(0) + k * b.stride(1);
        for (int64_t j = 0; j < N; ++j) crow[j * out.stride(2)] += av * brow[j * b.stride(2)];
      }
    }
  });
}

}  // namespace

void matmul(const Tensor& out, const Tensor& a, const Tensor& b) {
  if (out.numel() == 0) return;
  if (a.size(2) == 0) {
    kernels::fill(out, 0);
    return;
  }
  if (out.dtype() == DType::Float32) return matmul_f32(out, a, b);
  dispatch_dtype(out.dtype(), "matmul", [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) throw DTypeError("matmul: bool tensors are not supported");
    else matmul_generic<T>(out, a, b);
  });
}

}  // namespace nabla::dnnl_backend
