// loops.h — the two loop shapes every CPU kernel is built from:
//   for_each_strided: N operands of one shape (inputs already broadcast with 0 strides), calling an
//     inner function on runs of the last (coalesced) dimension — contiguous runs vectorise.
//   for_each_lane: every 1-d lane along one dim (softmax, cumsum, sort, argmax...).
// Both split work across threads only when there is enough of it (kGrain elements): two parts go to
// the helper thread, more to OpenMP.
#pragma once
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <utility>

#include "nabla/tensor/tensor.h"
#include "ops/cpu/helper_thread.h"
#include "tensor/raw.h"

namespace nabla::cpu {

// Below this, threads cost more than they save: with OMP_WAIT_POLICY=passive a sleeping thread
// takes a futex round trip to wake; at 32K elements 2 threads ran MLP/autoencoder steps 1.5x slower.
inline constexpr int64_t kGrain = 262144;

inline int num_threads_for(int64_t work) {
  if (work < kGrain) return 1;
  return static_cast<int>(std::min<int64_t>(omp_get_max_threads(), (work + kGrain - 1) / kGrain));
}

// True when every operand lies in memory in the same dense order as `out` (all contiguous, or all
// channels-last with equal strides), so the kernel may walk them as flat arrays.
inline bool flat_walkable(const Tensor& out, std::initializer_list<const Tensor*> ins) {
  if (out.is_contiguous()) {
    for (const Tensor* t : ins)
      if (!t->is_contiguous() || t->numel() != out.numel()) return false;
    return true;
  }
  if (!raw::is_strictly_channels_last(out)) return false;
  for (const Tensor* t : ins)
    if (t->sizes() != out.sizes() || t->strides() != out.strides()) return false;
  return true;
}

// Runs f(begin, end) over [0, n) split in contiguous chunks across threads.
template <typename F>
void parallel_for(int64_t n, int64_t work_per_item, F&& f) {
  int nt = num_threads_for(n * work_per_item);
  if (nt <= 1) {
    f(int64_t{0}, n);
    return;
  }
  // Note [Two-part loops on the helper thread]
  // Under OMP_WAIT_POLICY=passive each parallel region wakes a sleeping OpenMP worker (a futex round
  // trip, an inter-processor interrupt on a VM): a twentieth of a ResNet step went to the kernel's
  // scheduler. Two parts go to the spinning helper thread instead (Note [Spinning helper thread]),
  // which is then still awake for the next loop: ResNet training +4% at 2 threads. The helper gets a
  // pointer to f: a loop worth splitting runs long enough that reading f's captures from this
  // thread's stack costs nothing. An exception from either part is rethrown here once both are done.
  if (nt == 2 && helper_responsive()) {
    const auto* fn = &f;
    const int64_t half = (n + 1) / 2;
    std::exception_ptr errors[2];
    std::exception_ptr* errs = errors;
    run_two_parts([fn, half, n, errs](int part) {
      try {
        part == 0 ? (*fn)(int64_t{0}, half) : (*fn)(half, n);
      } catch (...) {
        errs[part] = std::current_exception();
      }
    });
    for (const std::exception_ptr& e : errors)
      if (e) std::rethrow_exception(e);
    return;
  }
  std::exception_ptr first_error;  // the same promise on OpenMP's threads
#pragma omp parallel num_threads(nt)
  {
    int t = omp_get_thread_num(), T = omp_get_num_threads();
    int64_t chunk = (n + T - 1) / T, b = t * chunk, e = std::min(n, b + chunk);
    try {
      if (b < e) f(b, e);
    } catch (...) {
#pragma omp critical(nabla_parallel_for_error)
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

// Geometry of N operands sharing one iteration shape; strides in bytes.
template <int N>
struct StridedPlan {
  int ndim = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[N][kMaxDims] = {};
  char* data[N] = {};
  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= shape[d];
    return n;
  }
};

// Builds a plan over `shape`: each operand's element strides (0 where broadcast), merged where all
// operands are contiguous across two adjacent dims, so plain contiguous tensors become one long run.
template <int N>
StridedPlan<N> make_plan(IntArrayRef shape, const std::array<const Tensor*, N>& ops,
                         const std::array<const int64_t*, N>& elem_strides, bool memory_order = false) {
  StridedPlan<N> p;
  for (int k = 0; k < N; ++k) p.data[k] = static_cast<char*>(ops[k]->data_ptr());
  int nd = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;  // size-1 dims carry no iteration
    p.shape[nd] = shape[d];
    for (int k = 0; k < N; ++k)
      p.strides[k][nd] = elem_strides[k][d] * static_cast<int64_t>(dtype_size(ops[k]->dtype()));
    ++nd;
  }
  // `memory_order`: iterate in operand 0's memory order (PyTorch's TensorIterator does the same), so
  // a channels-last result runs as one flat loop instead of C-strided writes. Only for kernels where
  // the visiting order doesn't matter (elementwise), and only when operand 0 has no zero strides.
  bool output_dense = memory_order;
  for (int d = 0; d < nd; ++d) output_dense &= p.strides[0][d] != 0;
  if (output_dense)
    for (int i = 1; i < nd; ++i)  // stable insertion sort, outermost (largest stride) first
      for (int d = i; d > 0 && p.strides[0][d - 1] < p.strides[0][d]; --d) {
        std::swap(p.shape[d - 1], p.shape[d]);
        for (int k = 0; k < N; ++k) std::swap(p.strides[k][d - 1], p.strides[k][d]);
      }
  // Coalesce d-1 into d when, for every operand, stride[d-1] == stride[d] * shape[d].
  int out = 0;
  for (int d = 0; d < nd; ++d) {
    if (out > 0) {
      bool mergeable = true;
      for (int k = 0; k < N; ++k) mergeable &= p.strides[k][out - 1] == p.strides[k][d] * p.shape[d];
      if (mergeable) {
        p.shape[out - 1] *= p.shape[d];
        for (int k = 0; k < N; ++k) p.strides[k][out - 1] = p.strides[k][d];
        continue;
      }
    }
    p.shape[out] = p.shape[d];
    for (int k = 0; k < N; ++k) p.strides[k][out] = p.strides[k][d];
    ++out;
  }
  p.ndim = out;
  return p;
}

// Calls inner(char* ptrs[N], const int64_t inner_strides[N], int64_t n) for each run of the last dim.
// `parallel` must be false when runs may write the same output element (reductions).
template <int N, typename Inner>
void for_each_strided(const StridedPlan<N>& p, bool parallel, Inner&& inner) {
  if (p.numel() == 0) return;  // e.g. [0, 0]: no runs (and no index arithmetic over a 0 extent)
  if (p.ndim == 0) {
    char* ptrs[N];
    int64_t zero[N] = {};
    for (int k = 0; k < N; ++k) ptrs[k] = p.data[k];
    inner(ptrs, zero, int64_t{1});
    return;
  }
  const int last = p.ndim - 1;
  const int64_t run = p.shape[last];
  int64_t runs = 1;
  for (int d = 0; d < last; ++d) runs *= p.shape[d];
  int64_t inner_strides[N];
  for (int k = 0; k < N; ++k) inner_strides[k] = p.strides[k][last];
  auto body = [&](int64_t begin, int64_t end) {
    int64_t idx[kMaxDims] = {};
    int64_t rem = begin;
    for (int d = last - 1; d >= 0; --d) {
      idx[d] = rem % p.shape[d];
      rem /= p.shape[d];
    }
    char* ptrs[N];
    for (int64_t r = begin; r < end; ++r) {
      for (int k = 0; k < N; ++k) {
        char* q = p.data[k];
        for (int d = 0; d < last; ++d) q += idx[d] * p.strides[k][d];
        ptrs[k] = q;
      }
      inner(ptrs, inner_strides, run);
      for (int d = last - 1; d >= 0; --d) {
        if (++idx[d] < p.shape[d]) break;
        idx[d] = 0;
      }
    }
  };
  if (parallel)
    parallel_for(runs, run, body);
  else
    body(0, runs);
}

// Every lane along `dim`: f(const char* in, int64_t in_stride, char* out, int64_t out_stride, int64_t n)
// with strides in elements. `in` and `out` have the same sizes except possibly along `dim`.
template <typename F>
void for_each_lane(const Tensor& in, const Tensor& out, int64_t dim, F&& f) {
  int nd = in.dim();
  int64_t lanes = 1;
  for (int d = 0; d < nd; ++d)
    if (d != dim) lanes *= in.size(d);
  const int64_t n_in = nd ? in.size(dim) : 1;
  const int64_t s_in = nd ? in.stride(dim) : 0, s_out = nd ? out.stride(dim) : 0;
  const int64_t in_es = dtype_size(in.dtype()), out_es = dtype_size(out.dtype());
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t l = begin; l < end; ++l) {
      int64_t rem = l, off_in = 0, off_out = 0;
      for (int d = nd - 1; d >= 0; --d) {
        if (d == dim) continue;
        int64_t i = rem % in.size(d);
        rem /= in.size(d);
        off_in += i * in.stride(d);
        off_out += i * out.stride(d);
      }
      f(static_cast<const char*>(in.data_ptr()) + off_in * in_es, s_in,
        static_cast<char*>(out.data_ptr()) + off_out * out_es, s_out, n_in);
    }
  };
  parallel_for(lanes, std::max<int64_t>(n_in, 1) * 4, body);
}

}  // namespace nabla::cpu
