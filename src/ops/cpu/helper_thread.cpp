// helper_thread.cpp — see Note [Spinning helper thread] in helper_thread.h.
#include "ops/cpu/helper_thread.h"

#include "ops/cpu/float_mode.h"

#include <immintrin.h>
#include <omp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace nabla::cpu {
namespace {

// How long the helper keeps spinning after its last job before it sleeps: long enough to bridge the
// gap between two inference calls, short enough that an idle process gives the core back at once.
constexpr auto kSpinMicros = std::chrono::microseconds(200);

// state_ = generation << 2 | phase. The caller posts (kPosted), the helper claims and finishes part 1
// (kClaimed, kDone), or the caller takes part 1 back (kStolen) if the helper has not claimed it.
enum Phase : uint64_t { kPosted = 0, kClaimed = 1, kDone = 2, kStolen = 3 };

class Helper {
 public:
  Helper() : thread_([this] { loop(); }) {}
  ~Helper() {
    stop_.store(true);
    wake();
    thread_.join();
  }

  // False when another caller owns the helper; that caller then runs both parts itself.
  bool try_acquire() { return !busy_.exchange(true, std::memory_order_acquire); }
  void release() { busy_.store(false, std::memory_order_release); }

  void run(void (*fn)(void*, int), void* ctx) {
    fn_ = fn;
    ctx_ = ctx;
    const uint64_t gen = ++generation_;
    state_.store(gen << 2 | kPosted, std::memory_order_seq_cst);  // publishes fn_ and ctx_
    if (sleeping_.load(std::memory_order_seq_cst)) wake();
    fn(ctx, 0);
    uint64_t s = gen << 2 | kPosted;
    if (state_.compare_exchange_strong(s, gen << 2 | kStolen, std::memory_order_acq_rel)) {
      fn(ctx, 1);
      return;
    }
    while (state_.load(std::memory_order_acquire) != (gen << 2 | kDone)) _mm_pause();
  }

 private:
  void wake() {
    wake_.fetch_add(1, std::memory_order_seq_cst);
    wake_.notify_one();
  }

  void loop() {
    uint64_t seen = 0;  // last generation looked at
    while (!stop_.load(std::memory_order_relaxed)) {
      auto deadline = std::chrono::steady_clock::now() + kSpinMicros;
      uint64_t s;
      int spins = 0;
      while (((s = state_.load(std::memory_order_acquire)) >> 2) == seen) {
        if (stop_.load(std::memory_order_relaxed)) return;
        _mm_pause();
        if (++spins % 256 == 0 && std::chrono::steady_clock::now() > deadline) {
          const uint32_t w = wake_.load(std::memory_order_seq_cst);
          sleeping_.store(true, std::memory_order_seq_cst);
          if ((state_.load(std::memory_order_seq_cst) >> 2) == seen && !stop_.load()) wake_.wait(w);
          sleeping_.store(false, std::memory_order_relaxed);
          deadline = std::chrono::steady_clock::now() + kSpinMicros;
        }
      }
      seen = s >> 2;
      if ((s & 3) != kPosted || !state_.compare_exchange_strong(s, (s & ~uint64_t{3}) | kClaimed, std::memory_order_acq_rel))
        continue;  // the caller took it back
      apply_float_mode();  // cheap when unchanged: the caller's set_flush_denormal reaches this thread
      fn_(ctx_, 1);
      state_.store((s & ~uint64_t{3}) | kDone, std::memory_order_release);
    }
  }

  std::atomic<bool> busy_{false}, stop_{false}, sleeping_{false};
  std::atomic<uint32_t> wake_{0};
  uint64_t generation_ = 0;                // written by the owning caller only
  void (*fn_)(void*, int) = nullptr;       // published by state_ (release/acquire)
  void* ctx_ = nullptr;
  alignas(64) std::atomic<uint64_t> state_{0};
  std::thread thread_;  // last: started after every member above is initialised
};

}  // namespace

void run_two_parts(void (*fn)(void*, int), void* ctx) {
  if (omp_get_max_threads() >= 2 && !omp_in_parallel()) {
    static Helper helper;  // started on first use, joined at exit
    if (helper.try_acquire()) {
      helper.run(fn, ctx);
      helper.release();
      return;
    }
  }
  fn(ctx, 0);
  fn(ctx, 1);
}

}  // namespace nabla::cpu
