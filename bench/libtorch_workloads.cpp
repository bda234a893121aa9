// libtorch-bench — the eight workloads of ../shared/anchors/torch_workloads.py in LibTorch's C++ API
// (Debian's libtorch-dev): same models, batch sizes, optimizers, synthetic data shapes, flags
// (--threads N --seconds S --only a,b --allow-slow-blas) and output (name<TAB>value<TAB>threads=N), so
// `tools/bench-compare --libtorch` can put PyTorch without Python beside nabla-bench. Conv nets run in
// both memory formats and keep the faster, as the Python anchor does. Built by bench/libtorch/.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <set>
#include <sstream>
#include <string>

namespace nn = torch::nn;
using torch::Tensor;

namespace {

double g_seconds = 4;

// Items per second of `step`, which processes `batch` items per call (3 warm-up calls first).
double timed(const std::function<void()>& step, double batch) {
  for (int i = 0; i < 3; ++i) step();
  auto t0 = std::chrono::steady_clock::now();
  int64_t n = 0;
  double elapsed = 0;
  while ((elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()) <
         g_seconds) {
    step();
    ++n;
  }
  return static_cast<double>(n) * batch / elapsed;
}

struct MLPImpl : nn::Module {  // curriculum: DNN FashionMNIST
  nn::Linear fc1{784, 256}, fc2{256, 128}, fc3{128, 10};
  MLPImpl() {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
    register_module("fc3", fc3);
  }
  Tensor forward(Tensor x) {
    x = x.view({-1, 784});
    x = torch::dropout(torch::relu(fc1(x)), 0.2, is_training());
    x = torch::dropout(torch::relu(fc2(x)), 0.2, is_training());
    return fc3(x);
  }
};
TORCH_MODULE(MLP);

struct FashionCNNImpl : nn::Module {  // curriculum: FashionCNN
  nn::Sequential layer1{nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)), nn::BatchNorm2d(32), nn::ReLU(),
                        nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(2))};
  nn::Sequential layer2{nn::Conv2d(nn::Conv2dOptions(32, 64, 3)), nn::BatchNorm2d(64), nn::ReLU(),
                        nn::MaxPool2d(2)};
  nn::Linear fc1{64 * 6 * 6, 600}, fc2{600, 120}, fc3{120, 10};
  nn::Dropout drop{0.25};
  FashionCNNImpl() {
    register_module("layer1", layer1);
    register_module("layer2", layer2);
    register_module("fc1", fc1);
    register_module("drop", drop);
    register_module("fc2", fc2);
    register_module("fc3", fc3);
  }
  Tensor forward(Tensor x) {
    x = layer2->forward(layer1->forward(x));
    x = x.reshape({x.size(0), -1});
    return fc3(fc2(drop(fc1(x))));
  }
};
TORCH_MODULE(FashionCNN);

nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

struct BasicBlockImpl : nn::Module {  // curriculum: ResNet CIFAR10
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  nn::Sequential shortcut;
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride) {
    conv1 = register_module("conv1", conv(in, out, 3, stride, 1));
    bn1 = register_module("bn1", nn::BatchNorm2d(out));
    conv2 = register_module("conv2", conv(out, out, 3, 1, 1));
    bn2 = register_module("bn2", nn::BatchNorm2d(out));
    if (stride != 1 || in != out) {
      shortcut->push_back(conv(in, out, 1, stride, 0));
      shortcut->push_back(nn::BatchNorm2d(out));
    }
    register_module("shortcut", shortcut);
  }
  Tensor forward(Tensor x) {
    Tensor out = torch::relu(bn1(conv1(x)));
    out = bn2(conv2(out));
    out += shortcut->is_empty() ? x : shortcut->forward(x);  // LibTorch's empty Sequential cannot forward
    return torch::relu(out);
  }
};
TORCH_MODULE(BasicBlock);

struct ResNetImpl : nn::Module {
  nn::Conv2d conv1 = conv(3, 16, 3, 1, 1);
  nn::BatchNorm2d bn1{16};
  nn::Sequential layer1, layer2, layer3;
  nn::Linear linear{64, 10};
  int64_t in_planes = 16;
  ResNetImpl() {
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    register_module("layer1", layer1 = make_layer(16, 2, 1));
    register_module("layer2", layer2 = make_layer(32, 2, 2));
    register_module("layer3", layer3 = make_layer(64, 2, 2));
    register_module("linear", linear);
  }
  nn::Sequential make_layer(int64_t planes, int n, int64_t stride) {
    nn::Sequential layers;
    for (int i = 0; i < n; ++i) {
      layers->push_back(BasicBlock(in_planes, planes, i == 0 ? stride : 1));
      in_planes = planes;
    }
    return layers;
  }
  Tensor forward(Tensor x) {
    Tensor out = torch::relu(bn1(conv1(x)));
    out = layer3->forward(layer2->forward(layer1->forward(out)));
    out = torch::avg_pool2d(out, 8);
    return linear(out.reshape({out.size(0), -1}));
  }
};
TORCH_MODULE(ResNet);

struct GRUClassifierImpl : nn::Module {  // curriculum: GRU text classification (IMDB)
  nn::Embedding embed{46159, 128};
  nn::GRU gru{nn::GRUOptions(128, 256).num_layers(1).batch_first(true)};
  nn::Linear out{256, 2};
  GRUClassifierImpl() {
    register_module("embed", embed);
    register_module("gru", gru);
    register_module("out", out);
  }
  Tensor forward(Tensor x) { return out(std::get<0>(gru(embed(x))).select(1, -1)); }
};
TORCH_MODULE(GRUClassifier);

struct AEImpl : nn::Module {  // curriculum: Autoencoder
  nn::Sequential enc{nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 64), nn::ReLU(),
                     nn::Linear(64, 12),   nn::ReLU(), nn::Linear(12, 3)};
  nn::Sequential dec{nn::Linear(3, 12),   nn::ReLU(), nn::Linear(12, 64),   nn::ReLU(),
                     nn::Linear(64, 128), nn::ReLU(), nn::Linear(128, 784), nn::Sigmoid()};
  AEImpl() {
    register_module("enc", enc);
    register_module("dec", dec);
  }
  Tensor forward(Tensor x) { return dec->forward(enc->forward(x)); }
};
TORCH_MODULE(AE);

// One optimizer step of cross-entropy training on a fixed batch.
template <typename Model>
std::function<void()> classify(Model m, Tensor x, Tensor y, torch::optim::Optimizer& opt) {
  m->train();
  return [m, x, y, &opt]() mutable {
    opt.zero_grad();
    torch::nn::functional::cross_entropy(m->forward(x), y).backward();
    opt.step();
  };
}

// A conv net's samples/s in LibTorch's faster memory format (NCHW or channels-last). LibTorch's
// Module::to takes no memory format, so the 4-D parameters are converted one by one.
template <typename Model, typename MakeOptimizer>
double both_formats(std::vector<int64_t> shape, MakeOptimizer make_optimizer) {
  double best = 0;
  for (auto format : {torch::MemoryFormat::Contiguous, torch::MemoryFormat::ChannelsLast}) {
    torch::manual_seed(0);
    Model m;
    for (Tensor& p : m->parameters())
      if (p.dim() == 4) p.set_data(p.contiguous(format));
    Tensor x = torch::randn(shape).contiguous(format), y = torch::randint(0, 10, {shape[0]});
    auto opt = make_optimizer(m);
    best = std::max(best, timed(classify(m, x, y, opt), static_cast<double>(shape[0])));
  }
  return best;
}

double mlp() {
  MLP m;
  torch::optim::SGD opt(m->parameters(), torch::optim::SGDOptions(0.01).momentum(0.5));
  return timed(classify(m, torch::randn({64, 1, 28, 28}), torch::randint(0, 10, {64}), opt), 64);
}
double cnn() {
  return both_formats<FashionCNN>({100, 1, 28, 28}, [](FashionCNN& m) {
    return torch::optim::Adam(m->parameters(), torch::optim::AdamOptions(1e-3));
  });
}
double resnet() {
  return both_formats<ResNet>({128, 3, 32, 32}, [](ResNet& m) {
    return torch::optim::SGD(m->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4));
  });
}
double gru() {
  GRUClassifier m;
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(1e-3));
  return timed(classify(m, torch::randint(0, 46159, {64, 200}), torch::randint(0, 2, {64}), opt), 64);
}
double ae() {
  AE m;
  torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(5e-3));
  Tensor x = torch::rand({64, 784});
  return timed(
      [&] {
        opt.zero_grad();
        torch::mse_loss(m->forward(x), x).backward();
        opt.step();
      },
      64);
}
double mlp_infer() {
  MLP m;
  m->eval();
  Tensor x = torch::randn({1, 1, 28, 28});
  return timed(
      [&] {
        torch::NoGradGuard no_grad;
        m->forward(x);
      },
      1);
}
double op_overhead() {
  Tensor x = torch::ones({1}), y = torch::ones({1});
  return timed(
      [&] {
        for (int i = 0; i < 1000; ++i) x.add(y);
      },
      1000);
}
double gemm() {
  Tensor x = torch::randn({1024, 1024}), y = torch::randn({1024, 1024});
  return timed([&] { torch::mm(x, y); }, 1) * 2 * 1024.0 * 1024 * 1024 / 1e9;
}

// GFLOP/s of a 512^3 product for 0.3 s: the anchor's test for a slow (reference) BLAS. The anchor asks
// for 20 per thread; here 20 in all, since a busy neighbour on a shared 2-core VM can halve a 2-thread
// product while the reference BLAS does 4-6 at any thread count.
double blas_gflops() {
  Tensor x = torch::randn({512, 512}), y = torch::randn({512, 512});
  torch::mm(x, y);
  auto t0 = std::chrono::steady_clock::now();
  int64_t n = 0;
  double elapsed = 0;
  while ((elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()) < 0.3) {
    torch::mm(x, y);
    ++n;
  }
  return static_cast<double>(n) * 2 * 512.0 * 512 * 512 / elapsed / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  std::string only;
  bool allow_slow_blas = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--allow-slow-blas"))
      allow_slow_blas = true;
    else if (i + 1 < argc && !std::strcmp(argv[i], "--threads"))
      threads = std::atoi(argv[++i]);
    else if (i + 1 < argc && !std::strcmp(argv[i], "--seconds"))
      g_seconds = std::atof(argv[++i]);
    else if (i + 1 < argc && !std::strcmp(argv[i], "--only"))
      only = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: libtorch-bench [--threads N] [--seconds S] [--only a,b] [--allow-slow-blas]\n");
      return 2;
    }
  }
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  if (!allow_slow_blas && blas_gflops() < 20.0) {
    std::fprintf(stderr,
                 "libtorch-bench: LibTorch's matrix product runs on a slow BLAS (Debian's reference BLAS?). "
                 "Install OpenBLAS (apt-get install libopenblas0-pthread) for a fair baseline, or pass "
                 "--allow-slow-blas.\n");
    return 1;
  }
  const std::pair<const char*, double (*)()> workloads[] = {{"mlp_train", mlp},
                                                            {"cnn_train", cnn},
                                                            {"resnet_train", resnet},
                                                            {"gru_train", gru},
                                                            {"ae_train", ae},
                                                            {"mlp_infer_b1", mlp_infer},
                                                            {"op_add_1elem_per_s", op_overhead},
                                                            {"gemm1024_gflops", gemm}};
  std::set<std::string> wanted;
  std::stringstream ss(only);
  for (std::string item; std::getline(ss, item, ',');) wanted.insert(item);
  for (auto& [name, fn] : workloads) {
    if (!wanted.empty() && !wanted.count(name)) continue;
    std::printf("%s\t%.1f\tthreads=%d\n", name, fn(), threads);
    std::fflush(stdout);
  }
  return 0;
}
