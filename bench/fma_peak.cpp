// nabla-bench-peak — what this CPU can do in float32 FMAs, the yardstick for gemm1024_gflops
// (docs/PERFORMANCE.md, "What bounds the targets not met yet"):
//   1. in-register peak: 12 independent vfmadd231ps chains per core, on 1 core then on 2 at once;
//   2. a register-blocked 14x32 microkernel (28 accumulators; B rows loaded, A broadcast) on packed
//      panels that stay in L1 — the best a gemm's inner loop can do, before packing and cache misses.
// AVX-512 only; prints GFLOP/s.
#include <immintrin.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

#if defined(__AVX512F__)
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

#define FMA_STEP(x) x = _mm512_fmadd_ps(x, b, c);
double in_register_peak() {
  __m512 a0 = _mm512_set1_ps(0.1f), a1 = _mm512_set1_ps(0.2f), a2 = _mm512_set1_ps(0.3f),
         a3 = _mm512_set1_ps(0.4f);
  __m512 a4 = _mm512_set1_ps(0.5f), a5 = _mm512_set1_ps(0.6f), a6 = _mm512_set1_ps(0.7f),
         a7 = _mm512_set1_ps(0.8f);
  __m512 a8 = _mm512_set1_ps(0.9f), a9 = _mm512_set1_ps(1.1f), a10 = _mm512_set1_ps(1.2f),
         a11 = _mm512_set1_ps(1.3f);
  __m512 b = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(0.0001f);
  // Opaque to the optimiser, so the 12 chains stay distinct and nothing is folded away.
  __asm__ volatile(""
                   : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5), "+v"(a6), "+v"(a7), "+v"(a8),
                     "+v"(a9), "+v"(a10), "+v"(a11), "+v"(b), "+v"(c));
  const long iters = 200000000;
  auto t0 = std::chrono::steady_clock::now();
  for (long it = 0; it < iters; ++it) {
    // clang-format reflows this macro sequence differently on each pass.
    // clang-format off
    FMA_STEP(a0) FMA_STEP(a1) FMA_STEP(a2) FMA_STEP(a3) FMA_STEP(a4) FMA_STEP(a5)
    FMA_STEP(a6) FMA_STEP(a7) FMA_STEP(a8) FMA_STEP(a9) FMA_STEP(a10) FMA_STEP(a11)
    // clang-format on
  }
  const double s = seconds_since(t0);
  __m512 sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
  alignas(64) float lanes[16];  // (not _mm512_reduce_add_ps: GCC 12 warns falsely inside it)
  _mm512_store_ps(lanes, sum);
  if (lanes[0] == 12345.f) std::printf(" ");  // keeps the result live
  return iters * 12.0 * 32 / s / 1e9;
}

constexpr int kMR = 14;
constexpr long kK = 256;
__attribute__((noinline)) void microkernel(const float* A, const float* B, float* C) {
  __m512 c0[kMR], c1[kMR];
  for (int i = 0; i < kMR; ++i) c0[i] = c1[i] = _mm512_setzero_ps();
  for (long k = 0; k < kK; ++k) {
    const __m512 b0 = _mm512_load_ps(B + k * 32), b1 = _mm512_load_ps(B + k * 32 + 16);
#pragma GCC unroll 14
    for (int i = 0; i < kMR; ++i) {
      const __m512 a = _mm512_set1_ps(A[k * kMR + i]);
      c0[i] = _mm512_fmadd_ps(a, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(a, b1, c1[i]);
    }
  }
  for (int i = 0; i < kMR; ++i) {
    _mm512_storeu_ps(C + i * 32, _mm512_add_ps(_mm512_loadu_ps(C + i * 32), c0[i]));
    _mm512_storeu_ps(C + i * 32 + 16, _mm512_add_ps(_mm512_loadu_ps(C + i * 32 + 16), c1[i]));
  }
}

double l1_microkernel() {
  auto* A = static_cast<float*>(std::aligned_alloc(64, kMR * kK * 4));
  auto* B = static_cast<float*>(std::aligned_alloc(64, 32 * kK * 4));
  auto* C = static_cast<float*>(std::aligned_alloc(64, kMR * 32 * 4));
  for (long i = 0; i < kMR * kK; ++i) A[i] = 0.001f * static_cast<float>(i % 7);
  for (long i = 0; i < 32 * kK; ++i) B[i] = 0.001f * static_cast<float>(i % 5);
  for (int i = 0; i < kMR * 32; ++i) C[i] = 0;
  const long iters = 200000;
  auto t0 = std::chrono::steady_clock::now();
  for (long it = 0; it < iters; ++it) microkernel(A, B, C);
  const double s = seconds_since(t0);
  if (C[1] == 12345.f) std::printf(" ");
  std::free(A);
  std::free(B);
  std::free(C);
  return iters * 2.0 * kMR * 32 * kK / s / 1e9;
}
#endif

}  // namespace

int main() {
#if defined(__AVX512F__)
  std::printf("in-register FMA peak, 1 core: %.1f GFLOP/s\n", in_register_peak());
  double other = 0;
  std::thread t([&] { other = in_register_peak(); });
  const double mine = in_register_peak();
  t.join();
  std::printf("in-register FMA peak, 2 cores: %.1f GFLOP/s\n", mine + other);
  std::printf("14x32 microkernel on L1-resident panels, 1 core: %.1f GFLOP/s\n", l1_microkernel());
  return 0;
#else
  std::printf("nabla-bench-peak: built without AVX-512\n");
  return 0;
#endif
}
