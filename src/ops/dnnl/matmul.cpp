// matmul.cpp — batched matmul: float32 on oneDNN's matmul primitive (any strides, broadcast batch),
// other dtypes on a plain blocked loop (oneDNN has no f64/int matmul; these serve gradcheck and tests).
#include <immintrin.h>

#include <algorithm>
#include <unordered_map>

#include "ops/cpu/helper_thread.h"
#include "ops/cpu/loops.h"
#include "ops/dispatch_dtype.h"
#include "ops/dnnl/dnnl_kernels.h"
#include "ops/dnnl/engine.h"
#include "ops/kernels.h"
#include "tensor/raw.h"

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

// A matmul operand seen as rank 3 ([B, M, K]); a 2-D tensor is batch 1. Mirrors the Tensor calls the
// kernels use, so mm/addmm need no rank-3 views (three TensorImpls per call).
struct Operand {
  explicit Operand(const Tensor& t) : data(t.data_ptr()), dt(t.dtype()) {
    const int r = t.dim() == 3 ? 0 : 1;  // rank 2: a leading batch of 1
    for (int d = 0; d < 3; ++d) {
      sz[d] = d < r ? 1 : t.size(d - r);
      st[d] = d < r ? t.size(0) * t.size(1) : t.stride(d - r);
    }
  }
  // The last two dims swapped (w^T of a [N, K] weight), without a view.
  Operand transposed() const {
    Operand t = *this;
    std::swap(t.sz[1], t.sz[2]);
    std::swap(t.st[1], t.st[2]);
    return t;
  }
  int64_t size(int d) const { return sz[d]; }
  int64_t stride(int d) const { return st[d]; }
  void* data_ptr() const { return data; }
  DType dtype() const { return dt; }
  int64_t sz[3], st[3];
  void* data;
  DType dt;
};

// Dims/strides of a rank-3 operand, with a broadcast (stride-0) batch given as size 1.
void dims3(const Operand& t, int64_t batch, dnnl_dims_t dims, dnnl_dims_t strides) {
  const bool bcast = t.stride(0) == 0;
  dims[0] = bcast ? 1 : batch;
  dims[1] = t.size(1);
  dims[2] = t.size(2);
  strides[0] = bcast ? t.size(1) * t.size(2) : t.stride(0);
  strides[1] = t.stride(1);
  strides[2] = t.stride(2);
}

memory::desc desc3(const Operand& t, int64_t batch) {
  dnnl_dims_t d, s;
  dims3(t, batch, d, s);
  return memory::desc({d[0], d[1], d[2]}, memory::data_type::f32, {s[0], s[1], s[2]});
}

// oneDNN refuses strides whose rows would overlap its idea of a dense block (every other column of a
// [4, 15] tensor: row stride 15 < 8 columns x step 2) or stride-0 rows. The C API reports that as a
// status, so this asks without throwing. A stride-0 row or column (an expanded operand) passes the
// memory descriptor but then fails the matmul primitive's creation: staged too.
bool describable(const Operand& t, int64_t batch) {
  dnnl_dims_t d, s;
  dims3(t, batch, d, s);
  if ((s[1] == 0 && d[1] > 1) || (s[2] == 0 && d[2] > 1)) return false;
  dnnl_memory_desc_t md;
  return dnnl_memory_desc_init_by_strides(&md, 3, d, dnnl_f32, s) == dnnl_success;
}

void copy3(const Operand& to, const Operand& from);

// A dense [B, M, N] float32 buffer for t (a broadcast batch stays broadcast), kept alive by `keep`;
// with copy_in, t's values are copied in.
Operand dense(const Operand& t, Tensor& keep, bool copy_in) {
  const int64_t B = t.stride(0) == 0 ? 1 : t.size(0), M = t.size(1), N = t.size(2);
  keep = raw::empty({B, M, N}, DType::Float32);
  Operand d = t;
  d.data = keep.data_ptr();
  d.st[0] = t.stride(0) == 0 ? 0 : M * N;
  d.st[1] = N;
  d.st[2] = 1;
  if (copy_in) copy3(d, t);
  return d;
}

// to[b, i, j] = from[b, i, j] for float32 operands of the same shape (staging only: a plain loop).
void copy3(const Operand& to, const Operand& from) {
  const int64_t B = to.stride(0) == 0 ? 1 : to.size(0);
  float* dst = static_cast<float*>(to.data_ptr());
  const float* src = static_cast<const float*>(from.data_ptr());
  if (to.stride(2) == 1 && from.stride(2) == 1) {  // rows to rows: the split matmul's staged output
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < to.size(1); ++i)
        std::copy_n(src + b * from.stride(0) + i * from.stride(1), to.size(2),
                    dst + b * to.stride(0) + i * to.stride(1));
    return;
  }
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < to.size(1); ++i)
      for (int64_t j = 0; j < to.size(2); ++j)
        dst[b * to.stride(0) + i * to.stride(1) + j * to.stride(2)] =
            src[b * from.stride(0) + i * from.stride(1) + j * from.stride(2)];
}

// Few rows times W^T of a row-major W (nn.Linear at inference, batch 1): oneDNN's matmul repacks W
// on every call, which costs ~10x the product itself (34 us against ~3 us for a 784x256 layer).
// Here each output is one unit-stride dot product, which the compiler vectorises.
constexpr int64_t kSmallRows = 4;
// From this many multiply-adds the spinning helper thread takes part (Note [Spinning helper thread]);
// from the second, OpenMP's threads, whose wake-up then costs little next to the work.
constexpr int64_t kSmallRowsHelperWork = int64_t{1} << 15;  // the MLP's 256x128 layer splits too
constexpr int64_t kSmallRowsParallelWork = int64_t{1} << 22;
// The helper starts its part ~0.3 us after the caller (two cache-line transfers between the vCPUs),
// the time one core takes for this many multiply-adds; so the caller takes that much more of the
// work. (The MLP's 256x128 layer: 80 of 128 columns; 784x256: 136 of 256. 6.7 -> 6.3 us a sample.)
constexpr int64_t kHelperStartWork = 10000;

// out[j * out_stride] = dot(x, col + j * col_stride) for j < cols <= kDotColumns, all over K floats.
// Several columns at once: independent accumulators hide the FMA latency and each load of x serves
// them all.
constexpr int kDotColumns = 8;
#if defined(__AVX512F__)
// out[j * out_stride] = sum of the 16 lanes of acc[j], j < 8, by a transposing add tree (~25
// instructions where lane-by-lane sums took ~130: a fifth of a 256x128 layer's time).
inline void store_sums8(const __m512 acc[8], const float* bias, float* out, int64_t out_stride) {
  __m256 h[8];
  for (int j = 0; j < 8; ++j)
    h[j] = _mm256_add_ps(_mm512_extractf32x8_ps(acc[j], 0), _mm512_extractf32x8_ps(acc[j], 1));
  const __m256 h01 = _mm256_hadd_ps(h[0], h[1]), h23 = _mm256_hadd_ps(h[2], h[3]);
  const __m256 h45 = _mm256_hadd_ps(h[4], h[5]), h67 = _mm256_hadd_ps(h[6], h[7]);
  const __m256 q0 = _mm256_hadd_ps(h01, h23), q1 = _mm256_hadd_ps(h45, h67);  // lanes: j0..j3 | j0..j3 halves
  __m256 sums = _mm256_add_ps(_mm256_permute2f128_ps(q0, q1, 0x20), _mm256_permute2f128_ps(q0, q1, 0x31));
  if (bias) sums = _mm256_add_ps(sums, _mm256_loadu_ps(bias));
  if (out_stride == 1) {
    _mm256_storeu_ps(out, sums);
  } else {
    alignas(32) float v[8];
    _mm256_store_ps(v, sums);
    for (int j = 0; j < 8; ++j) out[j * out_stride] = v[j];
  }
}

// Cols columns with accumulators in registers (a compile-time count, no per-column branches).
template <int Cols>
void dot_columns_fixed(const float* x, const float* col, int64_t col_stride, int64_t K, const float* bias,
                       float* out, int64_t out_stride) {
  __m512 acc[Cols];
  for (int j = 0; j < Cols; ++j) acc[j] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 16 <= K; k += 16) {
    const __m512 xv = _mm512_loadu_ps(x + k);
    for (int j = 0; j < Cols; ++j)
      acc[j] = _mm512_fmadd_ps(xv, _mm512_loadu_ps(col + j * col_stride + k), acc[j]);
  }
  if (k < K) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (K - k)) - 1);
    const __m512 xv = _mm512_maskz_loadu_ps(mask, x + k);
    for (int j = 0; j < Cols; ++j)
      acc[j] = _mm512_fmadd_ps(xv, _mm512_maskz_loadu_ps(mask, col + j * col_stride + k), acc[j]);
  }
  if constexpr (Cols == 8) {
    store_sums8(acc, bias, out, out_stride);
  } else {
    for (int j = 0; j < Cols; ++j) {  // (GCC 12 warns falsely inside _mm512_reduce_add_ps)
      alignas(64) float lanes[16];
      _mm512_store_ps(lanes, acc[j]);
      float sum = 0;
      for (float v : lanes) sum += v;
      out[j * out_stride] = bias ? sum + bias[j] : sum;
    }
  }
}

void dot_columns(const float* x, const float* col, int64_t col_stride, int64_t K, int64_t cols,
                 const float* bias, float* out, int64_t out_stride) {
  if (cols == kDotColumns)
    return dot_columns_fixed<kDotColumns>(x, col, col_stride, K, bias, out, out_stride);
  for (int64_t j = 0; j < cols; ++j)
    dot_columns_fixed<1>(x, col + j * col_stride, col_stride, K, bias ? bias + j : nullptr,
                         out + j * out_stride, out_stride);
}
#else
void dot_columns(const float* x, const float* col, int64_t col_stride, int64_t K, int64_t cols,
                 const float* bias, float* out, int64_t out_stride) {
  for (int64_t j = 0; j < cols; ++j) {
    float acc = 0;
#pragma omp simd reduction(+ : acc)
    for (int64_t k = 0; k < K; ++k) acc += x[k] * col[j * col_stride + k];
    out[j * out_stride] = bias ? acc + bias[j] : acc;
  }
}
#endif

bool small_rows_case(const Operand& out, const Operand& a, const Operand& b) {
  return out.size(1) <= kSmallRows && a.stride(2) == 1 && b.stride(1) == 1;
}

// The few-rows product as plain values, so that the helper thread gets its own copy (Note [Spinning
// helper thread]): out[b, m, n] = dot(A[b, m, :], B[b, :, n]) (+ bias[n]) for flat (b, n) in a range.
struct SmallRowsJob {
  const float *A, *Bm, *bias;
  float* C;
  int64_t as0, as1, bs0, bs2, cs0, cs1, cs2, M, N, K;

  void operator()(int64_t begin, int64_t end) const {
    for (int64_t bn = begin; bn < end;) {
      const int64_t bi = bn / N;
      int64_t n = bn % N, cols = std::min({int64_t{kDotColumns}, N - n, end - bn});
      // A last group of fewer than 8 columns: redo the 8 ending there (same kernel, so the overlap is
      // rewritten with identical values) if they all belong to this call's range.
      if (cols < kDotColumns && cols == N - n && N >= kDotColumns && bn - (kDotColumns - cols) >= begin) {
        n -= kDotColumns - cols;
        bn -= kDotColumns - cols;
        cols = kDotColumns;
      }
      for (int64_t m = 0; m < M; ++m)
        dot_columns(A + bi * as0 + m * as1, Bm + bi * bs0 + n * bs2, bs2, K, cols, bias ? bias + n : nullptr,
                    C + bi * cs0 + m * cs1 + n * cs2, cs2);
      bn += cols;
    }
  }
};

void matmul_small_rows(const Operand& out, const Operand& a, const Operand& b, const float* bias) {
  const SmallRowsJob job{static_cast<const float*>(a.data_ptr()),
                         static_cast<const float*>(b.data_ptr()),
                         bias,
                         static_cast<float*>(out.data_ptr()),
                         a.stride(0),
                         a.stride(1),
                         b.stride(0),
                         b.stride(2),
                         out.stride(0),
                         out.stride(1),
                         out.stride(2),
                         out.size(1),
                         out.size(2),
                         a.size(2)};
  const int64_t total = out.size(0) * job.N, work = total * job.M * job.K;
  if (work >= kSmallRowsParallelWork) return cpu::parallel_for(total, job.M * job.K, job);
  if (work < kSmallRowsHelperWork) return job(0, total);
  // Two parts of whole dot-column groups; the helper thread takes the second, which starts later.
  const int64_t lead = kHelperStartWork / (job.M * job.K);
  const int64_t half = std::min(total, ((total + lead) / 2 + kDotColumns / 2) / kDotColumns * kDotColumns);
  cpu::run_two_parts([job, half, total](int part) { part == 0 ? job(0, half) : job(half, total); });
}

// Below this many multiply-adds a matmul does not use oneDNN's threads (measured on the MLP/autoencoder
// steps); from the second it is split over the helper thread (Note [Matmuls split over the helper thread]).
constexpr int64_t kMatmulParallelWork = int64_t{1} << 24;
constexpr int64_t kMatmulSplitWork = int64_t{1} << 20;

void matmul_f32(const Operand& out, const Operand& a, const Operand& b, const Tensor& bias);
void run_matmul_primitive(const Operand& out, const Operand& a, const Operand& b, const float* bias_data,
                          bool user_scratchpad);
bool split_over_helper(const Operand& out, const Operand& a, const Operand& b, const float* bias_data);

// The product through dense copies of the operands oneDNN cannot describe (rare views; the usual
// contiguous and transposed layouts never come here, so they pay no copy).
void matmul_f32_staged(const Operand& out, const Operand& a, const Operand& b, const Tensor& bias) {
  const int64_t B = out.size(0);
  Tensor ka, kb, kc;
  const Operand a2 = describable(a, B) ? a : dense(a, ka, true);
  const Operand b2 = describable(b, B) ? b : dense(b, kb, true);
  const bool stage_out = !describable(out, B);
  const Operand c2 = stage_out ? dense(out, kc, false) : out;
  matmul_f32(c2, a2, b2, bias);
  if (stage_out) copy3(out, c2);
}

void matmul_f32(const Operand& out, const Operand& a, const Operand& b, const Tensor& bias) {
  const float* bias_data = bias.defined() ? static_cast<const float*>(bias.data_ptr()) : nullptr;
  if (out.size(0) > 1 && a.stride(0) == 0 && b.stride(0) == 0) {
    // Both batches broadcast (expanded operands): oneDNN wants a full batch on one side. Every batch
    // of the product is the same; compute the first and copy it.
    Operand first = out, a1 = a, b1 = b;
    first.sz[0] = a1.sz[0] = b1.sz[0] = 1;
    matmul_f32(first, a1, b1, bias);
    for (int64_t i = 1; i < out.size(0); ++i) {
      Operand o = first;
      o.data = static_cast<float*>(out.data_ptr()) + i * out.stride(0);
      copy3(o, first);
    }
    return;
  }
  if (small_rows_case(out, a, b)) return matmul_small_rows(out, a, b, bias_data);
  if (!describable(a, out.size(0)) || !describable(b, out.size(0)) || !describable(out, out.size(0)))
    return matmul_f32_staged(out, a, b, bias);
  const int64_t work = out.size(0) * out.size(1) * out.size(2) * a.size(2);
  if (work >= kMatmulParallelWork) return run_matmul_primitive(out, a, b, bias_data, false);
  if (work >= kMatmulSplitWork && split_over_helper(out, a, b, bias_data)) return;
  ThreadLimit limit(true);
  run_matmul_primitive(out, a, b, bias_data, false);
}

// One oneDNN matmul out = a @ b (+ bias row) on the thread count now set. With user_scratchpad, the
// primitive takes its scratch memory (B's packed copy) from us, so two threads may run it at once
// (library mode shares one scratchpad; oneDNN's "scratchpad_mode").
void run_matmul_primitive(const Operand& out, const Operand& a, const Operand& b, const float* bias_data,
                          bool user_scratchpad) {
  static PrimitiveCache<16, WithPd<dnnl::matmul>> cache;
  const int64_t B = out.size(0);
  std::array<int64_t, 16> key = {B,
                                 a.size(1),
                                 a.size(2),
                                 b.size(2),
                                 a.stride(0),
                                 a.stride(1),
                                 a.stride(2),
                                 b.stride(0),
                                 b.stride(1),
                                 b.stride(2),
                                 out.stride(0),
                                 out.stride(1),
                                 out.stride(2),
                                 bias_data != nullptr,
                                 user_scratchpad,
                                 0};
  auto ad = desc3(a, B), bd = desc3(b, B), cd = desc3(out, B);
  memory::desc biasd;  // a [1, 1, N] row, only with a bias
  if (bias_data)
    biasd =
        memory::desc({1, 1, out.size(2)}, memory::data_type::f32, memory::dims{out.size(2), out.size(2), 1});
  const WithPd<dnnl::matmul> prim = cache.get(key, [&] {
    dnnl::primitive_attr attr;
    if (user_scratchpad) attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return WithPd<dnnl::matmul>(dnnl::matmul::primitive_desc(
        bias_data ? dnnl::matmul::desc(ad, bd, biasd, cd) : dnnl::matmul::desc(ad, bd, cd), attr, engine()));
  });
  memory am(ad, engine(), a.data_ptr()), bm(bd, engine(), b.data_ptr()), cm(cd, engine(), out.data_ptr());
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
  if (bias_data) args.emplace(DNNL_ARG_BIAS, memory(biasd, engine(), const_cast<float*>(bias_data)));
  const Tensor scratch = user_scratchpad ? attach_scratchpad(args, prim.pd.scratchpad_desc()) : Tensor();
  prim.prim.execute(stream(), args);
  stream().wait();
}

// Note [Matmuls split over the helper thread]
// Between 1M and 16M multiply-adds (a training MLP's layers at batch 64), oneDNN's own 2-thread
// matmul ran the MLP step 1.3-1.6x slower than one thread, even with OpenMP spinning: its work split
// for such shapes costs more than it gains. Here the product is cut in two along M or N instead and
// the second half runs on the spinning helper thread (Note [Spinning helper thread]), each half a
// 1-thread primitive. If the helper has not claimed its half by the time the caller finishes its own,
// the caller runs it, so a busy core costs nothing. The K sums are not split: each element is still
// one dot product (a half's kernel may block K differently: float32 rounding).
// oneDNN's fast kernel (brgemm) wants plain row- or column-major matrices; a half that is not (a
// column block of a row-major output) goes to a slower gemm, so such a half is staged through a dense
// copy. The cut is the one that moves fewer floats: the operand both halves read whole (B for a cut
// along M, A along N) plus the staged copies.
struct Half {
  Operand out, a, b;
  const float* bias;
  bool stage_out, stage_a, stage_b;
};

// Plain row- or column-major (batch 1): what brgemm takes.
bool plain(const Operand& o) {
  return (o.stride(2) == 1 && o.stride(1) == o.size(2)) || (o.stride(1) == 1 && o.stride(2) == o.size(1));
}

// Part `part` (0 or 1) of the product cut at `cut` along N (by_cols) or M.
Half make_half(const Operand& out, const Operand& a, const Operand& b, const float* bias, bool by_cols,
               int64_t cut, int part) {
  Half h{out, a, b, bias, false, false, false};
  const int64_t extent = by_cols ? out.size(2) : out.size(1);
  const int64_t begin = part == 0 ? 0 : cut, len = part == 0 ? cut : extent - cut;
  if (by_cols) {
    h.out.sz[2] = h.b.sz[2] = len;
    h.out.data = static_cast<float*>(out.data) + begin * out.stride(2);
    h.b.data = static_cast<float*>(b.data) + begin * b.stride(2);
    if (bias) h.bias = bias + begin;
  } else {
    h.out.sz[1] = h.a.sz[1] = len;
    h.out.data = static_cast<float*>(out.data) + begin * out.stride(1);
    h.a.data = static_cast<float*>(a.data) + begin * a.stride(1);
  }
  // One batch: its stride is free, so give each half the one a dense matrix of its size has.
  for (Operand* o : {&h.out, &h.a, &h.b}) o->st[0] = o->sz[1] * o->sz[2];
  h.stage_out = !plain(h.out);
  h.stage_a = !plain(h.a);
  h.stage_b = !plain(h.b);
  return h;
}

// Floats moved beyond the unsplit product's: the operand read by both halves, and the staged copies.
int64_t split_cost(const Half (&h)[2], const Operand& shared) {
  auto n = [](const Operand& o) { return o.size(1) * o.size(2); };
  int64_t staged = 0;
  for (const Half& x : h) staged += x.stage_out * n(x.out) + x.stage_a * n(x.a) + x.stage_b * n(x.b);
  return n(shared) + 2 * staged;  // a staged float is read and written once more
}

void run_half(const Half& h) {
  Tensor ka, kb, kc;
  const Operand a = h.stage_a ? dense(h.a, ka, true) : h.a;
  const Operand b = h.stage_b ? dense(h.b, kb, true) : h.b;
  const Operand out = h.stage_out ? dense(h.out, kc, false) : h.out;
  run_matmul_primitive(out, a, b, h.bias, true);
  if (h.stage_out) copy3(h.out, out);
}

bool split_over_helper(const Operand& out, const Operand& a, const Operand& b, const float* bias_data) {
  if (out.size(0) != 1 || !cpu::helper_responsive()) return false;
  const int64_t M = out.size(1), N = out.size(2);
  auto cut_of = [](int64_t extent) { return (extent / 2 + 15) / 16 * 16; };  // whole 16-float vectors
  int64_t best = -1;
  bool best_by_cols = false;
  for (bool by_cols : {true, false}) {
    if ((by_cols ? N : M) < 64) continue;
    const int64_t cut = cut_of(by_cols ? N : M);
    const Half h[2] = {make_half(out, a, b, bias_data, by_cols, cut, 0),
                       make_half(out, a, b, bias_data, by_cols, cut, 1)};
    const int64_t cost = split_cost(h, by_cols ? a : b);
    if (best < 0 || cost < best) {
      best = cost;
      best_by_cols = by_cols;
    }
  }
  if (best < 0) return false;
  const int64_t cut = cut_of(best_by_cols ? N : M);
  const Half halves[2] = {make_half(out, a, b, bias_data, best_by_cols, cut, 0),
                          make_half(out, a, b, bias_data, best_by_cols, cut, 1)};
  run_halves([&halves](int part) { run_half(halves[part]); });
  return true;
}

template <typename T>
void matmul_generic(const Operand& out, const Operand& a, const Operand& b) {
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

void matmul(const Tensor& out_t, const Tensor& a_t, const Tensor& b_t, const Tensor& bias) {
  if (out_t.numel() == 0) return;
  const Operand out(out_t), a(a_t), b(b_t);
  if (out.dtype() == DType::Float32 && a.size(2) > 0) return matmul_f32(out, a, b, bias);
  if (a.size(2) == 0) {
    kernels::fill(out_t, 0);
  } else {
    dispatch_dtype(out.dtype(), "matmul", [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>)
        throw DTypeError("matmul: bool tensors are not supported");
      else
        matmul_generic<T>(out, a, b);
    });
  }
  // The rare paths add the row afterwards, with the elementwise add kernel, as the fused ones do.
  if (bias.defined())
    kernels::binary(kernels::Binary::Add, out_t, out_t, raw::expand(bias, out_t.sizes()), 1.0);
}

void linear(const Tensor& out_t, const Tensor& x_t, const Tensor& w_t, const Tensor& bias) {
  if (out_t.numel() == 0 || out_t.dtype() != DType::Float32 || x_t.size(1) == 0)
    return matmul(out_t, x_t, w_t.t(), bias);
  matmul_f32(Operand(out_t), Operand(x_t), Operand(w_t).transposed(), bias);
}

}  // namespace nabla::dnnl_backend
