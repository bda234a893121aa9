// helper_thread.h — a second thread for kernels that take only microseconds (batch-1 Linear layers).
//
// Note [Spinning helper thread]
// OpenMP with OMP_WAIT_POLICY=passive (how nabla runs on shared machines) wakes a sleeping worker with
// a futex round trip — on a VM an inter-processor interrupt — which costs as much as a whole batch-1
// Linear layer, so those layers ran on one thread, bound by one core's L2 bandwidth (the MLP's
// 784x256 weight is 800 KB per sample). This helper spins for a short while after each job
// (kSpinMicros) and only then sleeps, so back-to-back inference calls find it awake, and each core
// streams its half of the weight from its own L2 (the halves stay put from call to call).
//
// On the 2-vCPU VM each transfer of a cache line between cores costs ~140-200 ns (per-chunk work
// stealing cost 240 ns a chunk), so the protocol keeps the helper's critical path to about two of
// them: it sees the posted job and claims it, and the job's captures — copied by the caller next to
// the state word — arrive with it or are prefetched during the claim. Before, the helper chased
// pointers into the caller's stack, one transfer each (~0.4 us per call in all).
// The caller posts without a fence, runs part 0 and then either finds part 1 done or claimed (and
// waits), or still unclaimed — helper asleep, descheduled or busy with another caller — and runs it
// itself. So it is never much slower than one thread, whatever the other core is doing.
#pragma once

#include <cstddef>
#include <type_traits>

namespace nabla::cpu {

namespace detail {
constexpr size_t kJobBytes = 240;  // the job shares the helper's four cache lines with its state word
void run_two_parts(void (*fn)(const void* job, int part), const void* job, size_t job_bytes);
}  // namespace detail

// Whether splitting work with the helper is likely to pay: there are 2+ threads and the helper took its
// recent parts. Kernels whose halves cost more than the whole (staged copies) ask before splitting, so
// on a busy machine they fall back to one thread after two missed parts, and try again now and then.
bool helper_responsive();

// Runs f(0) and f(1): f(1) on the helper thread when get_num_threads() >= 2, we are not inside an
// OpenMP region and the helper is free, else both on the calling thread. The helper runs a copy of f,
// so f captures by value (pointers and sizes) and must not throw (the helper may still be running
// part 1 when part 0 fails): pass plain arithmetic, validate beforehand.
template <typename F>
void run_two_parts(const F& f) {
  static_assert(std::is_trivially_copyable_v<F> && sizeof(F) <= detail::kJobBytes,
                "run_two_parts: capture plain values by copy, at most detail::kJobBytes of them");
  detail::run_two_parts([](const void* job, int part) { (*static_cast<const F*>(job))(part); }, &f,
                        sizeof(F));
}

}  // namespace nabla::cpu
