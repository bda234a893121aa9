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
// The protocol is one cache line, because on the 2-vCPU VM each transfer of a line between cores
// costs ~200 ns (per-chunk work stealing cost 240 ns a chunk): the caller posts the job, runs part 0
// and then either finds part 1 done or claimed (and waits), or still unclaimed — helper asleep,
// descheduled or busy with another caller — and runs it itself. So it is never much slower than one
// thread, whatever the other core is doing.
#pragma once

namespace nabla::cpu {

// Runs fn(ctx, 0) and fn(ctx, 1): part 1 on the helper thread when get_num_threads() >= 2, we are not
// inside an OpenMP region and the helper is free, else both on the calling thread. fn must not throw
// (the helper may still be running part 1 with ctx): pass plain arithmetic, validate beforehand.
void run_two_parts(void (*fn)(void* ctx, int part), void* ctx);

template <typename F>
void run_two_parts(F&& f) {  // f(int part)
  run_two_parts([](void* ctx, int part) { (*static_cast<F*>(ctx))(part); }, &f);
}

}  // namespace nabla::cpu
