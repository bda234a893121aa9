// nabla-bench — the workloads of ../shared/anchors/torch_workloads.py: same models, batch sizes,
// optimizers and synthetic data shapes, same flags (--threads N --seconds S --only a,b) and output
// (name<TAB>value<TAB>threads=N), so the two can be run back to back and divided. The curriculum's
// other chapters (workloads_curriculum.cpp) pair with bench/torch_workloads_more.py the same way.
#include "workloads.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>
#include <string>

#include "rank0_decides.h"

namespace nabla::bench {

double g_seconds = 4;
bool g_distributed = false;

namespace {
// Under --distributed, rank 0's clock decides when every rank stops (MPI collectives must match).
bool keep_timing(double elapsed) {
  return g_distributed ? rank0_decides(elapsed < g_seconds) : elapsed < g_seconds;
}
}  // namespace

double timed(const std::function<void()>& step, double batch) {
  for (int i = 0; i < 3; ++i) step();
  if (g_distributed) distributed::barrier();  // start together
  auto t0 = std::chrono::steady_clock::now();
  int64_t n = 0;
  double elapsed = 0;
  while (
      keep_timing(elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count())) {
    step();
    ++n;
  }
  return static_cast<double>(n) * batch / elapsed;
}

std::function<void()> classify(nn::Module& m, const Tensor& x, const Tensor& y, optim::Optimizer& opt) {
  m.train();
  if (!g_distributed)
    return [&m, x, y, &opt] {
      opt.zero_grad();
      F::cross_entropy(m(x), y).backward();
      opt.step();
    };
  // Data parallel: this rank's share of the same global batch, gradients averaged by DDP (the module
  // outlives the returned step, so DDP may hold it without owning it).
  const int rank = distributed::get_rank(), world = distributed::get_world_size();
  if (x.size(0) % world != 0)
    throw ValueError("nabla-bench: batch " + std::to_string(x.size(0)) + " does not split over " +
                     std::to_string(world) + " processes");
  const int64_t share = x.size(0) / world;
  auto ddp = std::make_shared<distributed::DistributedDataParallel>(
      std::shared_ptr<nn::Module>(&m, [](nn::Module*) {}));
  Tensor xs = x.narrow(0, rank * share, share).contiguous(),
         ys = y.narrow(0, rank * share, share).contiguous();
  return [ddp, xs, ys, &opt] {
    opt.zero_grad();
    F::cross_entropy((*ddp)(xs), ys).backward();
    opt.step();
  };
}

namespace {

struct MLP : nn::Module {  // curriculum: DNN FashionMNIST
  nn::Linear fc1{784, 256}, fc2{256, 128}, fc3{128, 10};
  double p = 0.2;
  MLP() { register_modules({{"fc1", fc1}, {"fc2", fc2}, {"fc3", fc3}}); }
  Tensor forward(Tensor x) override {
    x = x.view({-1, 784});
    x = F::dropout(relu(fc1(x)), p, is_training());
    x = F::dropout(relu(fc2(x)), p, is_training());
    return fc3(x);
  }
};

struct GRUClassifier : nn::Module {  // curriculum: GRU text classification (IMDB)
  nn::Embedding embed{46159, 128};
  nn::GRU gru{128, 256, {.batch_first = true}};
  nn::Linear out{256, 2};
  GRUClassifier() { register_modules({{"embed", embed}, {"gru", gru}, {"out", out}}); }
  Tensor forward(Tensor x) override { return out(std::get<0>(gru(embed(x))).select(1, -1)); }
};

struct AE : nn::Module {  // curriculum: Autoencoder
  nn::Sequential enc{nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 64), nn::ReLU(),
                     nn::Linear(64, 12),   nn::ReLU(), nn::Linear(12, 3)};
  nn::Sequential dec{nn::Linear(3, 12),   nn::ReLU(), nn::Linear(12, 64),   nn::ReLU(),
                     nn::Linear(64, 128), nn::ReLU(), nn::Linear(128, 784), nn::Sigmoid()};
  AE() { register_modules({{"enc", enc}, {"dec", dec}}); }
  Tensor forward(Tensor x) override { return dec(enc(x)); }
};

}  // namespace

double mlp() {
  MLP m;
  optim::SGD opt(m.parameters(), {.lr = 0.01, .momentum = 0.5});
  return timed(classify(m, randn({64, 1, 28, 28}), randint(0, 10, {64}), opt), 64);
}
double cnn() {
  auto m = training::build_model({.name = "fashion_cnn"});
  optim::Adam opt(m->parameters(), {.lr = 1e-3});
  return timed(classify(*m, randn({100, 1, 28, 28}), randint(0, 10, {100}), opt), 100);
}
double resnet() {
  auto m = training::build_model({.name = "resnet", .in_channels = 3, .height = 32, .width = 32});
  optim::SGD opt(m->parameters(), {.lr = 0.1, .momentum = 0.9, .weight_decay = 5e-4});
  return timed(classify(*m, randn({128, 3, 32, 32}), randint(0, 10, {128}), opt), 128);
}
double gru() {
  GRUClassifier m;
  optim::Adam opt(m.parameters(), {.lr = 1e-3});
  return timed(classify(m, randint(0, 46159, {64, 200}), randint(0, 2, {64}), opt), 64);
}
double ae() {
  AE m;
  optim::Adam opt(m.parameters(), {.lr = 5e-3});
  Tensor x = rand({64, 784});
  return timed(
      [&] {
        opt.zero_grad();
        F::mse_loss(m(x), x).backward();
        opt.step();
      },
      64);
}
double mlp_infer() {
  MLP m;
  m.eval();
  Tensor x = randn({1, 1, 28, 28});
  return timed(
      [&] {
        NoGradGuard ng;
        m(x);
      },
      1);
}
double op_overhead() {
  Tensor x = ones({1}), y = ones({1});
  return timed(
      [&] {
        for (int i = 0; i < 1000; ++i) x.add(y);
      },
      1000);
}
double gemm() {
  Tensor x = randn({1024, 1024}), y = randn({1024, 1024});
  return timed([&] { mm(x, y); }, 1) * 2 * 1024.0 * 1024 * 1024 / 1e9;
}

}  // namespace nabla::bench

int main(int argc, char** argv) {
  using namespace nabla;
  using namespace nabla::bench;
  int threads = 2;
  std::string only;
  bool flush_denormal = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads"))
      threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seconds"))
      g_seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--only"))
      only = argv[i + 1];
    else if (!std::strcmp(argv[i], "--flush-denormal"))
      flush_denormal = std::atoi(argv[i + 1]) != 0;
    else if (!std::strcmp(argv[i], "--distributed"))
      g_distributed = std::atoi(argv[i + 1]) != 0;
    else {
      std::fprintf(stderr,
                   "usage: nabla-bench [--threads N] [--seconds S] [--only a,b] [--flush-denormal 0|1]\n"
                   "                   [--distributed 0|1 (under mpirun: the classifier workloads, DDP)]\n");
      return 2;
    }
  }
  set_num_threads(threads);
  bool prints = true;
  if (g_distributed) {  // docs/distributed.md, "Scaling": each process trains its share of each batch
    distributed::init_process_group();
    prints = distributed::get_rank() == 0;
  }
  // Not in the PyTorch script (which keeps IEEE denormals, as torch does by default): shows what
  // set_flush_denormal buys, e.g. gru_train on Intel (docs/PERFORMANCE.md, "GRU and denormals").
  if (flush_denormal) set_flush_denormal(true);
  manual_seed(0);
  // The registry: the anchor's eight first, then the curriculum's other chapters.
  const std::pair<const char*, double (*)()> workloads[] = {{"mlp_train", mlp},
                                                            {"cnn_train", cnn},
                                                            {"resnet_train", resnet},
                                                            {"gru_train", gru},
                                                            {"ae_train", ae},
                                                            {"mlp_infer_b1", mlp_infer},
                                                            {"op_add_1elem_per_s", op_overhead},
                                                            {"gemm1024_gflops", gemm},
                                                            {"resnet_infer_b64", resnet_infer},
                                                            {"seq2seq_train", seq2seq},
                                                            {"cgan_train", cgan},
                                                            {"dqn_step", dqn},
                                                            {"gcn_train", gcn},
                                                            {"dataloader_fashion", dataloader_fashion}};
  std::set<std::string> wanted, known;
  for (auto& [name, fn] : workloads) known.insert(name);
  std::stringstream ss(only);
  for (std::string item; std::getline(ss, item, ',');) {
    if (!known.count(item)) {  // a typo would otherwise print nothing, and bench-compare a blank row
      std::fprintf(stderr, "nabla-bench: unknown workload '%s'\n", item.c_str());
      return 2;
    }
    wanted.insert(item);
  }
  const std::set<std::string> data_parallel = {"mlp_train", "cnn_train", "resnet_train", "gru_train"};
  for (auto& [name, fn] : workloads) {
    if (!wanted.empty() && !wanted.count(name)) continue;
    if (g_distributed && !data_parallel.count(name)) {
      if (!wanted.empty() && prints)
        std::fprintf(stderr, "nabla-bench: %s has no --distributed form\n", name);
      continue;
    }
    const double value = fn();
    if (prints) std::printf("%s\t%.1f\tthreads=%d\n", name, value, threads);
    std::fflush(stdout);
  }
  if (g_distributed) distributed::destroy_process_group();
  return 0;
}
