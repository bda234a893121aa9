// float_mode.h — the flush-denormal mode of torch.set_flush_denormal, for every thread that runs kernels,
// and a scoped flush for the kernels that may use one by default (Note [Optimizer updates flush subnormals]).
#pragma once

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

namespace nabla::cpu {

inline constexpr unsigned kMxcsrFtzDaz = 0x8040;  // MXCSR bit 15 (flush to zero) | bit 6 (denormals are zero)

// Sets this thread's floating-point control (x86 MXCSR FTZ+DAZ) to the mode last given to
// nabla::set_flush_denormal. Threads nabla owns call it before work (the helper thread per job).
void apply_float_mode();

// While alive (and `active`), this thread reads and writes subnormal floats as zero (FTZ+DAZ); the
// previous mode comes back at the end of the scope. A no-op off x86.
class FlushSubnormalsScope {
 public:
  explicit FlushSubnormalsScope(bool active) {
#if defined(__x86_64__) || defined(_M_X64)
    if (!active) return;
    saved_ = _mm_getcsr();
    if ((saved_ | kMxcsrFtzDaz) != saved_) {
      _mm_setcsr(saved_ | kMxcsrFtzDaz);
      changed_ = true;
    }
#else
    (void)active;
#endif
  }
  ~FlushSubnormalsScope() {
#if defined(__x86_64__) || defined(_M_X64)
    if (changed_) _mm_setcsr(saved_);
#endif
  }
  FlushSubnormalsScope(const FlushSubnormalsScope&) = delete;
  FlushSubnormalsScope& operator=(const FlushSubnormalsScope&) = delete;

 private:
  unsigned saved_ = 0;
  bool changed_ = false;
};

// While alive, the caller and every OpenMP worker of its team size flush subnormals (FTZ+DAZ); then
// each goes back to the mode of set_flush_denormal. For a oneDNN primitive that runs on OpenMP's
// threads (the recurrent layers, Note [Recurrent layers flush subnormals]). Two OpenMP regions: for
// primitives that take milliseconds.
class FlushSubnormalsEverywhere {
 public:
  FlushSubnormalsEverywhere();
  ~FlushSubnormalsEverywhere();
  FlushSubnormalsEverywhere(const FlushSubnormalsEverywhere&) = delete;
  FlushSubnormalsEverywhere& operator=(const FlushSubnormalsEverywhere&) = delete;
};

}  // namespace nabla::cpu
