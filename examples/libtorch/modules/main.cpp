// Modules the LibTorch way: Impl classes with TORCH_MODULE holders, register_module, Sequential of mixed
// forward signatures via AnyModule, ModuleList, ModuleDict, replace_module, and torch::save/load round
// trips of a module, a tensor and an optimizer. Builds unchanged against LibTorch and nabla; prints
// `check` lines that tools/libtorch-compat compares.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <string>

static int failures = 0;
static void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::cout << "FAILED: " << what << std::endl;
    ++failures;
  }
}

static void check(const std::string& name, const torch::Tensor& t) {
  auto flat = t.detach().to(torch::kFloat64).contiguous().view({-1});
  std::printf("check %s %lld", name.c_str(), static_cast<long long>(flat.numel()));
  for (int64_t i = 0; i < flat.numel(); ++i) std::printf(" %.9g", flat[i].item<double>());
  std::printf("\n");
}

// Deterministic, implementation-independent parameter values.
static void fill_deterministic(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  double phase = 0.1;
  for (auto& p : module.named_parameters()) {
    auto& t = p.value();
    t.copy_(torch::arange(t.numel(), torch::kFloat64).mul(0.37).add(phase).sin().mul(0.3).reshape(t.sizes()));
    phase += 0.7;
  }
}

// A residual block: two linear layers and a skip connection.
struct BlockImpl : torch::nn::Module {
  BlockImpl(int64_t width)
      : fc1(register_module("fc1", torch::nn::Linear(width, width))),
        fc2(register_module("fc2", torch::nn::Linear(torch::nn::LinearOptions(width, width).bias(false)))) {}
  torch::Tensor forward(torch::Tensor x) { return x + fc2(torch::relu(fc1(x))); }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Block);

// Two inputs, two outputs: a forward signature Sequential's first module can have.
struct SplitImpl : torch::nn::Module {
  SplitImpl() { scale = register_parameter("scale", torch::ones({1})); }
  torch::Tensor forward(torch::Tensor x, torch::Tensor y) { return (x + y) * scale; }
  torch::Tensor scale;
};
TORCH_MODULE(Split);

struct NetImpl : torch::nn::Module {
  NetImpl() {
    body = register_module("body", torch::nn::Sequential(Split(), torch::nn::Linear(4, 8),
                                                         torch::nn::Functional(torch::tanh), Block(8)));
    heads = register_module("heads", torch::nn::ModuleList(torch::nn::Linear(8, 3), torch::nn::Linear(8, 2)));
    std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> norm_layers = {
        {"first", std::make_shared<torch::nn::LayerNormImpl>(torch::nn::LayerNormOptions({8}))}};
    norms = register_module("norms", torch::nn::ModuleDict(norm_layers));
  }
  std::vector<torch::Tensor> forward(torch::Tensor x, torch::Tensor y) {
    auto h = body->forward(x, y);
    h = norms["first"]->as<torch::nn::LayerNorm>()->forward(h);
    std::vector<torch::Tensor> out;
    for (const auto& head : *heads) out.push_back(head->as<torch::nn::Linear>()->forward(h));
    return out;
  }
  torch::nn::Sequential body{nullptr};
  torch::nn::ModuleList heads{nullptr};
  torch::nn::ModuleDict norms{nullptr};
};
TORCH_MODULE(Net);

int main() {
  Net net;
  fill_deterministic(*net);

  std::vector<std::string> names;
  for (const auto& p : net->named_parameters()) names.push_back(p.key());
  expect(names.size() == 12, "12 parameters, got " + std::to_string(names.size()));
  expect(names.front() == "body.0.scale", "first parameter is body.0.scale");
  expect(net->named_parameters().contains("body.3.fc2.weight"), "nested Block parameter name");
  expect(!net->named_parameters().contains("body.3.fc2.bias"), "bias(false) leaves no bias");

  auto x = torch::arange(8, torch::kFloat32).reshape({2, 4}).div(7);
  auto y = torch::arange(8, torch::kFloat32).reshape({2, 4}).cos();
  auto out = net->forward(x, y);
  expect(out.size() == 2 && out[0].sizes() == torch::IntArrayRef({2, 3}) && out[1].size(1) == 2,
         "head shapes");
  check("net.head0", out[0]);
  check("net.head1", out[1]);
  (out[0].sum() + out[1].pow(2).sum()).backward();
  check("grad.body.1.weight", net->named_parameters()["body.1.weight"].grad());
  check("grad.body.0.scale", net->named_parameters()["body.0.scale"].grad());

  // Sequential element access: by index, by type.
  auto first_linear = net->body->ptr<torch::nn::LinearImpl>(1);
  expect(first_linear && first_linear->weight.size(0) == 8, "Sequential ptr<LinearImpl>(1)");
  expect(net->body[3]->as<Block>() != nullptr, "Sequential element 3 is a Block");

  // replace_module swaps a submodule; the parameter list follows.
  auto replace_fc2 = [](Net& model) {
    auto block = model->body->ptr<BlockImpl>(3);
    block->fc2 = block->replace_module("fc2", torch::nn::Linear(8, 8));
  };
  replace_fc2(net);
  expect(net->named_parameters().contains("body.3.fc2.bias"), "replaced fc2 has a bias");
  expect(net->parameters().size() == 13, "13 parameters after replace_module");

  // Save and load: a fresh Net gets the same parameters and computes the same outputs.
  fill_deterministic(*net);
  torch::save(net, "modules-net.pt");
  Net loaded;
  replace_fc2(loaded);
  torch::load(loaded, "modules-net.pt");
  auto again = loaded->forward(x, y);
  auto reference = net->forward(x, y);
  expect(torch::allclose(again[0], reference[0]) && torch::allclose(again[1], reference[1]),
         "loaded module computes the same outputs");

  auto t = torch::linspace(-1, 1, 5);
  torch::save(t, "modules-tensor.pt");
  torch::Tensor t2;
  torch::load(t2, "modules-tensor.pt");
  expect(torch::equal(t, t2), "tensor round trip");

  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-2).betas(std::make_tuple(0.8, 0.9)));
  for (int step = 0; step < 3; ++step) {
    opt.zero_grad();
    auto o = net->forward(x, y);
    (o[0].pow(2).mean() + o[1].abs().mean()).backward();
    opt.step();
  }
  torch::save(opt, "modules-adam.pt");
  torch::optim::Adam opt2(loaded->parameters(),
                          torch::optim::AdamOptions(1e-2).betas(std::make_tuple(0.8, 0.9)));
  torch::load(opt2, "modules-adam.pt");
  torch::save(net, "modules-net.pt");
  torch::load(loaded, "modules-net.pt");
  for (auto* o : {&opt, &opt2}) {
    auto& model = o == &opt ? net : loaded;
    o->zero_grad();
    auto r = model->forward(x, y);
    (r[0].pow(2).mean() + r[1].abs().mean()).backward();
    o->step();
  }
  expect(torch::allclose(net->forward(x, y)[0], loaded->forward(x, y)[0]),
         "optimizer state round trip: the next step is the same");
  check("after_adam.head0", net->forward(x, y)[0]);

  std::cout << (failures ? "modules: FAILED" : "modules: all checks passed") << std::endl;
  return failures ? 1 : 0;
}
