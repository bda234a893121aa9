// engine.h — the process-wide oneDNN CPU engine and stream, a small primitive cache, and layout
// staging (reorders between a tensor's own layout and the layout a primitive wants).
#pragma once
#include <omp.h>

#include <array>
#include <cstdint>
#include <dnnl.hpp>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "nabla/tensor/tensor.h"
#include "ops/cpu/helper_thread.h"

namespace nabla::dnnl_backend {

dnnl::engine& engine();
dnnl::stream& stream();

// Primitive caches keyed by a fixed-size array of shape/stride numbers.
template <size_t N>
struct KeyHash {
  size_t operator()(const std::array<int64_t, N>& k) const {
    size_t h = 1469598103934665603ull;
    for (int64_t v : k) h = (h ^ static_cast<size_t>(v)) * 1099511628211ull;
    return h;
  }
};

// A number for the calling thread, the same for its whole life (Note [Primitives stay on their thread]).
int64_t thread_slot();

// Note [Primitives stay on their thread]
// oneDNN as Debian builds it (DNNL_ENABLE_CONCURRENT_EXEC off) gives a primitive the scratchpad of the
// thread that created it: run from two threads at once, a shared primitive computes garbage (several
// user threads doing the same matmul got wrong products, tests/ops/kernel_paths_test.cpp). So each
// thread makes and keeps its own primitives: the calling thread is part of every key. oneDNN also
// plans a primitive's work split for the thread count at creation and must run with that count, so
// the current OpenMP thread count is part of the key too.
template <size_t N, typename Prim>
class PrimitiveCache {
 public:
  template <typename Make>
  Prim get(const std::array<int64_t, N>& key, Make&& make) {
    std::array<int64_t, N + 2> full;
    std::copy(key.begin(), key.end(), full.begin());
    full[N] = omp_get_max_threads();
    full[N + 1] = thread_slot();
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(full);
    if (it != cache_.end()) return it->second;
    if (cache_.size() > 1024) cache_.clear();  // bound memory if shapes keep changing
    return cache_.emplace(full, make()).first->second;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::array<int64_t, N + 2>, Prim, KeyHash<N + 2>> cache_;
};

// A primitive with the descriptor it was made from (which tells the layouts it wants); what the
// caches of conv.cpp and pool.cpp hold.
template <typename Prim>
struct WithPd {
  typename Prim::primitive_desc pd;
  Prim prim;
  explicit WithPd(typename Prim::primitive_desc p) : pd(p), prim(p) {}
};

// Limits oneDNN (and OpenMP) to the calling thread while alive, when `single` is set: for small
// problems, waking a sleeping OpenMP team costs more than the work itself (with OMP_WAIT_POLICY=
// passive, which shared machines need, a wake-up is a futex round trip). Primitives made inside
// the scope are keyed and planned for one thread.
class ThreadLimit {
 public:
  explicit ThreadLimit(bool single) : saved_(omp_get_max_threads()), active_(single && saved_ > 1) {
    if (active_) omp_set_num_threads(1);
  }
  ~ThreadLimit() {
    if (active_) omp_set_num_threads(saved_);
  }
  ThreadLimit(const ThreadLimit&) = delete;
  ThreadLimit& operator=(const ThreadLimit&) = delete;

 private:
  int saved_;
  bool active_;
};

// Runs part(0) here and part(1) on the spinning helper thread (cpu::run_two_parts), each with oneDNN on
// one thread: the split matmuls and recurrent layers. The helper must not throw, so a part that fails
// there is redone here with the other, and this thread reports the error.
template <typename F>
void run_halves(const F& part) {
  bool failed = false;
  bool* failed_ptr = &failed;
  const F* f = &part;
  cpu::run_two_parts([f, failed_ptr](int i) {
    try {
      ThreadLimit one(true);
      (*f)(i);
    } catch (...) {
      *failed_ptr = true;
    }
  });
  if (failed) {
    ThreadLimit one(true);
    part(0);
    part(1);
  }
}

// For a primitive made with a user scratchpad (dnnl::scratchpad_mode::user, so that two threads may
// run it at once): a scratchpad of size d in args; the returned tensor keeps it alive (undefined when
// the primitive needs none).
Tensor attach_scratchpad(std::unordered_map<int, dnnl::memory>& args, const dnnl::memory::desc& d);

// Descriptor of a float32 tensor exactly as it lies in memory (its own strides).
dnnl::memory::desc strided_desc(const Tensor& t);

// Copies `from` (at `from_ptr`) into `to` (at `to_ptr`) with a cached reorder primitive.
void reorder(const dnnl::memory::desc& from, const void* from_ptr, const dnnl::memory::desc& to,
             void* to_ptr);

// A primitive argument in the layout the primitive wants. When the tensor already has that layout
// the memory wraps it in place; otherwise the data is staged through a scratch buffer: inputs are
// reordered in at construction, outputs are reordered back by finish().
class Staged {
 public:
  enum class Dir { In, Out };
  Staged(const Tensor& t, const dnnl::memory::desc& want, Dir dir);
  const dnnl::memory& mem() const { return mem_; }
  void finish();  // for outputs: copy the staged result into the tensor

 private:
  Tensor tensor_, scratch_;
  dnnl::memory::desc have_;
  dnnl::memory mem_;
  Dir dir_;
};

}  // namespace nabla::dnnl_backend
