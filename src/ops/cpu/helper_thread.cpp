// helper_thread.cpp — see Note [Spinning helper thread] in helper_thread.h.
#include "ops/cpu/helper_thread.h"

#include <immintrin.h>
#include <omp.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>

#include "ops/cpu/float_mode.h"

namespace nabla::cpu {
namespace {

// How long the helper keeps spinning after its last job before it sleeps: long enough to bridge the
// gap between two inference calls, short enough that an idle process gives the core back at once.
constexpr auto kSpinMicros = std::chrono::microseconds(200);

// state = generation << 2 | phase. The caller posts (kPosted), the helper claims and finishes part 1
// (kClaimed, kDone), or the caller takes part 1 back (kStolen) if the helper has not claimed it.
enum Phase : uint64_t { kPosted = 0, kClaimed = 1, kDone = 2, kStolen = 3 };

using JobFn = void (*)(const void*, int);

class Helper {
 public:
  Helper() : thread_([this] { loop(); }) {}
  ~Helper() {  // a job without a function stops the helper
    while (!try_acquire()) std::this_thread::yield();
    box_.fn = nullptr;
    box_.state.store(++generation_ << 2 | kPosted, std::memory_order_seq_cst);
    wake();
    thread_.join();
  }

  // False when another caller owns the helper; that caller then runs both parts itself.
  bool try_acquire() { return !busy_.exchange(true, std::memory_order_acquire); }
  void release() { busy_.store(false, std::memory_order_release); }

  void run(JobFn fn, const void* job, size_t job_bytes) {
    std::memcpy(box_.job, job, job_bytes);
    box_.fn = fn;
    const uint64_t gen = ++generation_;
    // A plain release store, no fence: the caller starts part 0 while the line travels. So the look
    // at sleeping_ may be stale; a helper falling asleep just now is then not woken, part 1 is found
    // unclaimed below and run here, and the next call wakes it.
    box_.state.store(gen << 2 | kPosted, std::memory_order_release);
    if (sleeping_.load(std::memory_order_relaxed)) wake();
    fn(job, 0);
    uint64_t s = gen << 2 | kPosted;
    if (box_.state.compare_exchange_strong(s, gen << 2 | kStolen, std::memory_order_acq_rel)) {
      fn(job, 1);
      steal_streak_.store(steal_streak_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return;
    }
    steal_streak_.store(0, std::memory_order_relaxed);
    while (box_.state.load(std::memory_order_acquire) != (gen << 2 | kDone)) _mm_pause();
  }

  // False after the helper missed its part twice in a row (its core busy with another process, or
  // itself asleep), except for one call in kProbeEvery, which tries again.
  bool responsive() {
    constexpr int kProbeEvery = 32;
    if (steal_streak_.load(std::memory_order_relaxed) < 2) return true;
    return probe_.fetch_add(1, std::memory_order_relaxed) % kProbeEvery == 0;
  }

 private:
  void wake() {
    wake_.fetch_add(1, std::memory_order_seq_cst);
    wake_.notify_one();
  }

  void loop() {
    uint64_t seen = 0;  // last generation looked at
    std::atomic<uint64_t>& state = box_.state;
    for (;;) {
      auto deadline = std::chrono::steady_clock::now() + kSpinMicros;
      uint64_t s;
      int spins = 0;
      while (((s = state.load(std::memory_order_acquire)) >> 2) == seen) {
        _mm_pause();
        if (++spins % 256 == 0) {
          // An OpenMP worker woken on this core (a convolution after a split Linear) runs now rather
          // than when the spin ends; with nothing else to run, this returns at once.
          sched_yield();
          if (std::chrono::steady_clock::now() <= deadline) continue;
          const uint32_t w = wake_.load(std::memory_order_seq_cst);
          sleeping_.store(true, std::memory_order_seq_cst);
          if ((state.load(std::memory_order_seq_cst) >> 2) == seen) wake_.wait(w);
          sleeping_.store(false, std::memory_order_relaxed);
          deadline = std::chrono::steady_clock::now() + kSpinMicros;
        }
      }
      seen = s >> 2;
      // The job's later lines travel while the claim below waits for the state line.
      for (size_t line = 64; line < sizeof(Mailbox); line += 64)
        _mm_prefetch(reinterpret_cast<const char*>(&box_) + line, _MM_HINT_T0);
      if ((s & 3) != kPosted ||
          !state.compare_exchange_strong(s, (s & ~uint64_t{3}) | kClaimed, std::memory_order_acq_rel))
        continue;  // the caller took it back
      if (!box_.fn) return;
      apply_float_mode();  // cheap when unchanged: the caller's set_flush_denormal reaches this thread
      box_.fn(box_.job, 1);
      state.store((s & ~uint64_t{3}) | kDone, std::memory_order_release);
    }
  }

  // Everything the spinning helper reads, in its own cache lines: the state word, the function and
  // the job (copied there by the caller, published by the state word's release store); a job of up to
  // 48 bytes arrives with the state word itself.
  struct alignas(64) Mailbox {
    std::atomic<uint64_t> state{0};
    JobFn fn = nullptr;
    alignas(16) unsigned char job[detail::kJobBytes];
  } box_;
  static_assert(sizeof(Mailbox) == 256);
  // The callers' side, in other lines: the helper touches these only when it goes to sleep.
  alignas(64) std::atomic<bool> busy_{false};
  std::atomic<bool> sleeping_{false};
  std::atomic<uint32_t> wake_{0};
  uint64_t generation_ = 0;  // written by the owning caller only
  std::atomic<int> steal_streak_{0}, probe_{0};
  std::thread thread_;  // last: started after every member above is initialised
};

}  // namespace

namespace {
Helper& helper() {
  static Helper h;  // started on first use, joined at exit
  return h;
}
}  // namespace

bool helper_responsive() { return omp_get_max_threads() >= 2 && !omp_in_parallel() && helper().responsive(); }

namespace detail {
void run_two_parts(JobFn fn, const void* job, size_t job_bytes) {
  if (omp_get_max_threads() >= 2 && !omp_in_parallel()) {
    Helper& helper = cpu::helper();
    if (helper.try_acquire()) {
      helper.run(fn, job, job_bytes);
      helper.release();
      return;
    }
  }
  fn(job, 0);
  fn(job, 1);
}
}  // namespace detail

}  // namespace nabla::cpu
