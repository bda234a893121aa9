// matmul.cpp — batched matmul: float32 on oneDNN's matmul primitive (any strides, broadcast batch),
// other dtypes on a plain blocked loop (oneDNN has no f64/int matmul; these serve gradcheck and tests).
#include <immintrin.h>

#include <algorithm>

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

// Few rows times W^T of a row-major W (nn.Linear at inference, batch 1): oneDNN's matmul repacks W
// on every call, which costs ~10x the product itself (34 us against ~3 us for a 784x256 layer).
// Here each output is one unit-stride dot product, which the compiler vectorises.
constexpr int64_t kSmallRows = 4;
// Below this many multiply-adds a second thread costs more to wake than it saves.
constexpr int64_t kSmallRowsParallelWork = int64_t{1} << 22;

// out[j * out_stride] = dot(x, col + j * col_stride) for j < cols <= kDotColumns, all over K floats.
// Several columns at once: independent accumulators hide the FMA latency and each load of x serves
// them all.
constexpr int kDotColumns = 8;
#if defined(__AVX512F__)
// Cols columns with accumulators in registers (a compile-time count, no per-column branches).
template <int Cols>
void dot_columns_fixed(const float* x, const float* col, int64_t col_stride, int64_t K, float* out, int64_t out_stride) {
  __m512 acc[Cols];
  for (int j = 0; j < Cols; ++j) acc[j] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 16 <= K; k += 16) {
    const __m512 xv = _mm512_loadu_ps(x + k);
    for (int j = 0; j < Cols; ++j) acc[j] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(col + j * col_stride + k), acc[j]);
  }
  if (k < K) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (K - k)) - 1);
    const __m512 xv = _mm512_maskz_loadu_ps(mask, x + k);
    for (int j = 0; j < Cols; ++j)
      acc[j] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mask, col + j * col_stride + k), acc[j]);
  }
  for (int j = 0; j < Cols; ++j) {  // (GCC 12 warns falsely inside _mm512_reduce_add_ps)
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, acc[j]);
    float sum = 0;
    for (float v : lanes) sum += v;
    out[j * out_stride] = sum;
  }
}

void dot_columns(const float* x, const float* col, int64_t col_stride, int64_t K, int64_t cols, float* out,
                 int64_t out_stride) {
  if (cols == kDotColumns) return dot_columns_fixed<kDotColumns>(x, col, col_stride, K, out, out_stride);
  for (int64_t j = 0; j < cols; ++j) dot_columns_fixed<1>(x, col + j * col_stride, col_stride, K, out + j * out_stride, out_stride);
}
#else
void dot_columns(const float* x, const float* col, int64_t col_stride, int64_t K, int64_t cols, float* out,
                 int64_t out_stride) {
  for (int64_t j = 0; j < cols; ++j) {
    float acc = 0;
#pragma omp simd reduction(+ : acc)
    for (int64_t k = 0; k < K; ++k) acc += x[k] * col[j * col_stride + k];
    out[j * out_stride] = acc;
  }
}
#endif

bool small_rows_case(const Tensor& out, const Tensor& a, const Tensor& b) {
  return out.size(1) <= kSmallRows && a.stride(2) == 1 && b.stride(1) == 1;
}

void matmul_small_rows(const Tensor& out, const Tensor& a, const Tensor& b) {
  const int64_t B = out.size(0), M = out.size(1), N = out.size(2), K = a.size(2);
  const float* A = static_cast<const float*>(a.data_ptr());
  const float* Bm = static_cast<const float*>(b.data_ptr());
  float* C = static_cast<float*>(out.data_ptr());
  const int64_t as0 = a.stride(0), as1 = a.stride(1), bs0 = b.stride(0), bs2 = b.stride(2);
  const int64_t cs0 = out.stride(0), cs1 = out.stride(1), cs2 = out.stride(2);
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t bn = begin; bn < end;) {
      const int64_t bi = bn / N, n = bn % N;
      const int64_t cols = std::min({int64_t{kDotColumns}, N - n, end - bn});
      for (int64_t m = 0; m < M; ++m)
        dot_columns(A + bi * as0 + m * as1, Bm + bi * bs0 + n * bs2, bs2, K, cols, C + bi * cs0 + m * cs1 + n * cs2, cs2);
      bn += cols;
    }
  };
  if (B * N * M * K < kSmallRowsParallelWork) body(0, B * N);
  else cpu::parallel_for(B * N, M * K, body);
}

// Below this many multiply-adds a matmul runs on one thread (measured on the MLP/autoencoder steps).
constexpr int64_t kMatmulParallelWork = int64_t{1} << 24;

void matmul_f32(const Tensor& out, const Tensor& a, const Tensor& b) {
  if (small_rows_case(out, a, b)) return matmul_small_rows(out, a, b);
  ThreadLimit limit(out.size(0) * out.size(1) * out.size(2) * a.size(2) < kMatmulParallelWork);
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
