// optim_bench.cpp — one optimizer step over the parameters of the CIFAR ResNet of
// ../shared/anchors/torch_workloads.py (47 float32 tensors, 175,258 values; same shapes), with the
// workload's optimizers: SGD(lr 0.1, momentum 0.9, weight_decay 5e-4) and Adam(lr 1e-3).
// bytes/s counts the memory each fused update touches (SGD+momentum: read p, g, buf, write p, buf;
// Adam: read p, g, m, v, write p, m, v), so it compares with micro_ops' memcpy line.
// PyTorch reference (same shapes, python3-torch 1.13):
//   for p in ps: p.grad = torch.randn_like(p)
//   opt = torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=5e-4); time opt.step()
#include <benchmark/benchmark.h>
#include <nabla/nabla.h>

#include <cstdint>
#include <vector>

namespace {

using nabla::Tensor;

// Parameter shapes of torch_workloads.py's ResNet: conv1/bn1, three stages of two BasicBlocks
// (16, 32, 64 planes; a 1x1 shortcut conv + bn where the shape changes), then Linear(64, 10).
std::vector<std::vector<int64_t>> resnet_shapes() {
  std::vector<std::vector<int64_t>> s{{16, 3, 3, 3}, {16}, {16}};
  int64_t in = 16;
  for (int64_t planes : {16, 32, 64}) {
    for (int block = 0; block < 2; ++block) {
      s.insert(s.end(), {{planes, in, 3, 3}, {planes}, {planes}, {planes, planes, 3, 3}, {planes}, {planes}});
      if (in != planes) s.insert(s.end(), {{planes, in, 1, 1}, {planes}, {planes}});
      in = planes;
    }
  }
  s.insert(s.end(), {{10, 64}, {10}});
  return s;
}

std::vector<Tensor> resnet_params(int64_t* numel) {
  std::vector<Tensor> params;
  *numel = 0;
  for (const auto& shape : resnet_shapes()) {
    Tensor p = nabla::randn(shape).requires_grad_();
    p.set_grad(nabla::randn(shape));
    *numel += p.numel();
    params.push_back(p);
  }
  return params;
}

void run(benchmark::State& state, nabla::optim::Optimizer& opt, int64_t numel, int64_t passes) {
  for (int i = 0; i < 3; ++i) opt.step();  // state allocated, caches warm
  for (auto _ : state) opt.step();
  state.SetItemsProcessed(state.iterations() * numel);
  state.SetBytesProcessed(state.iterations() * numel * passes * int64_t{sizeof(float)});
  state.counters["params"] = static_cast<double>(numel);
}

void BM_resnet_sgd_momentum_step(benchmark::State& state) {
  int64_t numel = 0;
  std::vector<Tensor> params = resnet_params(&numel);
  nabla::optim::SGD opt(params, {.lr = 0.1, .momentum = 0.9, .weight_decay = 5e-4});
  run(state, opt, numel, 5);
}
BENCHMARK(BM_resnet_sgd_momentum_step)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_resnet_adam_step(benchmark::State& state) {
  int64_t numel = 0;
  std::vector<Tensor> params = resnet_params(&numel);
  nabla::optim::Adam opt(params, {.lr = 1e-3});
  run(state, opt, numel, 7);
}
BENCHMARK(BM_resnet_adam_step)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_resnet_clip_grad_norm(benchmark::State& state) {
  int64_t numel = 0;
  std::vector<Tensor> params = resnet_params(&numel);
  for (auto _ : state) benchmark::DoNotOptimize(nabla::optim::clip_grad_norm_(params, 1e9));
  state.SetItemsProcessed(state.iterations() * numel);
}
BENCHMARK(BM_resnet_clip_grad_norm)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
