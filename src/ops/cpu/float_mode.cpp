// float_mode.cpp — nabla::set_flush_denormal, like torch.set_flush_denormal.
//
// Subnormal floats cost a microcode assist per operation on Intel cores: on the session-3 machine a
// GRU's vanishing gradients made training 20x slower (docs/PERFORMANCE.md, "GRU and denormals").
// Flushing them (FTZ: results, DAZ: inputs) is opt-in, as in PyTorch, because it changes results
// near zero. MXCSR is per thread, so the mode is applied to the caller, to every OpenMP worker and
// (per job) to the helper thread; threads created later inherit it from their creator.
#include "ops/cpu/float_mode.h"

#include <omp.h>

#include <atomic>

#include "nabla/ops/ops.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#define NABLA_HAS_MXCSR 1
#endif

namespace nabla {
namespace {
std::atomic<bool> g_flush{false};
}  // namespace

namespace cpu {
void apply_float_mode() {
#ifdef NABLA_HAS_MXCSR
  const unsigned csr = _mm_getcsr();
  const unsigned want = g_flush.load(std::memory_order_relaxed) ? csr | kMxcsrFtzDaz : csr & ~kMxcsrFtzDaz;
  if (want != csr) _mm_setcsr(want);
#endif
}

FlushSubnormalsEverywhere::FlushSubnormalsEverywhere() {
#ifdef NABLA_HAS_MXCSR
  const int threads = omp_get_max_threads();
#pragma omp parallel num_threads(threads)
  _mm_setcsr(_mm_getcsr() | kMxcsrFtzDaz);
#endif
}

FlushSubnormalsEverywhere::~FlushSubnormalsEverywhere() {
#ifdef NABLA_HAS_MXCSR
  const int threads = omp_get_max_threads();
#pragma omp parallel num_threads(threads)
  apply_float_mode();
#endif
}

}  // namespace cpu

bool set_flush_denormal(bool mode) {
#ifdef NABLA_HAS_MXCSR
  g_flush.store(mode);
  cpu::apply_float_mode();
#pragma omp parallel num_threads(omp_get_num_procs())
  cpu::apply_float_mode();
  return true;
#else
  (void)mode;
  return false;
#endif
}

}  // namespace nabla
