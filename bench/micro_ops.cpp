// micro_ops.cpp — Google Benchmark micro benchmarks of single ops through the public API, with a
// plain memcpy as the memory-bandwidth reference. Elementwise throughput is reported as bytes/s
// (read a, read b, write out) so it can be compared to the memcpy line directly. Wall time
// (UseRealTime) throughout: kernels run on OpenMP threads, whose CPU time the main thread's misses.
#include <benchmark/benchmark.h>
#include <nabla/nabla.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// out = a + b on N float32 elements: 1 (dispatch overhead), 1k (cache), 1M (memory bound).
void BM_add(benchmark::State& state) {
  const int64_t n = state.range(0);
  nabla::Tensor a = nabla::ones({n});
  nabla::Tensor b = nabla::randn({n});
  for (auto _ : state) {
    nabla::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * int64_t{3} * int64_t{sizeof(float)});
}
BENCHMARK(BM_add)->Arg(1)->Arg(1 << 10)->Arg(1 << 20)->UseRealTime();

// Full reduction of N float32 elements to a scalar.
void BM_sum(benchmark::State& state) {
  const int64_t n = state.range(0);
  nabla::Tensor a = nabla::randn({n});
  for (auto _ : state) {
    nabla::Tensor s = a.sum();
    benchmark::DoNotOptimize(s.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * int64_t{sizeof(float)});
}
BENCHMARK(BM_sum)->Arg(1 << 10)->Arg(1 << 20)->UseRealTime();

// [M, K] @ [K, N] float32, M = N = K; 2*M*N*K flops per call.
void BM_matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  nabla::Tensor a = nabla::randn({n, n});
  nabla::Tensor b = nabla::randn({n, n});
  for (auto _ : state) {
    nabla::Tensor c = nabla::matmul(a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  // Rate counter: flops per second of wall time; /1e9 turns it into GFLOP/s.
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_matmul)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

// Bandwidth reference: copy 1M floats (4 MB) with memcpy (read + write = 8 MB per iteration).
void BM_memcpy_reference(benchmark::State& state) {
  const int64_t n = state.range(0);
  std::vector<float> src(static_cast<size_t>(n), 1.0f), dst(static_cast<size_t>(n));
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), static_cast<size_t>(n) * sizeof(float));
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * n * int64_t{2} * int64_t{sizeof(float)});
}
BENCHMARK(BM_memcpy_reference)->Arg(1 << 20)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
