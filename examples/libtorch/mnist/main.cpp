// The MNIST classifier of PyTorch's C++ examples (examples/cpp/mnist), in LibTorch's documented style:
// torch::data's MNIST dataset, Normalize and Stack transforms, make_data_loader, SGD with momentum.
// Builds unchanged against LibTorch and nabla.
//   mnist [data-root]     train 10 epochs on the four raw MNIST files in data-root (default ./data)
//   mnist --smoke         5 epochs on 640 synthetic images (a custom Dataset), no files needed
//   mnist --check         the deterministic part: forward and gradients of fixed weights (`check` lines)
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

const int64_t kTrainBatchSize = 64;
const int64_t kTestBatchSize = 1000;
const int64_t kLogInterval = 100;

struct Net : torch::nn::Module {
  Net()
      : conv1(torch::nn::Conv2dOptions(1, 10, /*kernel_size=*/5)),
        conv2(torch::nn::Conv2dOptions(10, 20, /*kernel_size=*/5)),
        fc1(320, 50),
        fc2(50, 10) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("conv2_drop", conv2_drop);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(conv1->forward(x), 2));
    x = torch::relu(torch::max_pool2d(conv2_drop->forward(conv2->forward(x)), 2));
    x = x.view({-1, 320});
    x = torch::relu(fc1->forward(x));
    x = torch::dropout(x, /*p=*/0.5, /*train=*/is_training());
    x = fc2->forward(x);
    return torch::log_softmax(x, /*dim=*/1);
  }

  torch::nn::Conv2d conv1;
  torch::nn::Conv2d conv2;
  torch::nn::Dropout2d conv2_drop;
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};

// Synthetic digits for --smoke: class k is a bright bar at row 2k.
class SyntheticDigits : public torch::data::datasets::Dataset<SyntheticDigits> {
 public:
  explicit SyntheticDigits(size_t n) : n_(n) {}
  torch::data::Example<> get(size_t index) override {
    int64_t label = static_cast<int64_t>(index % 10);
    auto image = torch::zeros({1, 28, 28});
    image.select(1, 2 * label + 4).fill_(1.0);
    return {image, torch::tensor(label)};
  }
  torch::optional<size_t> size() const override { return n_; }

 private:
  size_t n_;
};

template <typename DataLoader>
void train(size_t epoch, Net& model, torch::Device device, DataLoader& data_loader,
           torch::optim::Optimizer& optimizer, size_t dataset_size) {
  model.train();
  size_t batch_idx = 0;
  for (auto& batch : data_loader) {
    auto data = batch.data.to(device), targets = batch.target.to(device);
    optimizer.zero_grad();
    auto output = model.forward(data);
    auto loss = torch::nll_loss(output, targets);
    if (std::isnan(loss.template item<float>())) throw std::runtime_error("loss is NaN");
    loss.backward();
    optimizer.step();

    if (batch_idx++ % kLogInterval == 0) {
      std::printf("\rTrain Epoch: %zu [%5zu/%5zu] Loss: %.4f", epoch,
                  batch_idx * static_cast<size_t>(batch.data.size(0)), dataset_size,
                  loss.template item<float>());
    }
  }
}

template <typename DataLoader>
double test(Net& model, torch::Device device, DataLoader& data_loader, size_t dataset_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  double test_loss = 0;
  int64_t correct = 0;
  for (const auto& batch : data_loader) {
    auto data = batch.data.to(device), targets = batch.target.to(device);
    auto output = model.forward(data);
    test_loss +=
        torch::nll_loss(output, targets, /*weight=*/{}, torch::Reduction::Sum).template item<float>();
    auto pred = output.argmax(1);
    correct += pred.eq(targets).sum().template item<int64_t>();
  }
  test_loss /= dataset_size;
  double accuracy = static_cast<double>(correct) / dataset_size;
  std::printf("\nTest set: Average loss: %.4f | Accuracy: %.3f\n", test_loss, accuracy);
  return accuracy;
}

static void check(const std::string& name, const torch::Tensor& t) {
  auto flat = t.detach().to(torch::kFloat64).contiguous().view({-1});
  std::printf("check %s %lld", name.c_str(), static_cast<long long>(flat.numel()));
  for (int64_t i = 0; i < flat.numel(); ++i) std::printf(" %.9g", flat[i].item<double>());
  std::printf("\n");
}

// Fixed weights and input: the forward (eval mode) and the gradients agree across implementations.
static int run_check() {
  Net model;
  {
    torch::NoGradGuard no_grad;
    double phase = 0.1;
    for (auto& p : model.named_parameters()) {
      auto& t = p.value();
      t.copy_(
          torch::arange(t.numel(), torch::kFloat64).mul(0.37).add(phase).sin().mul(0.2).reshape(t.sizes()));
      phase += 0.7;
    }
  }
  model.eval();
  auto x = torch::arange(2 * 28 * 28, torch::kFloat64)
               .mul(0.013)
               .cos()
               .reshape({2, 1, 28, 28})
               .to(torch::kFloat32);
  auto target = torch::tensor({3, 7}, torch::kInt64);
  auto out = model.forward(x);
  auto loss = torch::nll_loss(out, target);
  loss.backward();
  check("forward", out);
  check("loss", loss);
  check("grad.conv1.weight", model.conv1->weight.grad());
  check("grad.fc2.bias", model.fc2->bias.grad());
  return 0;
}

int main(int argc, char** argv) {
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  if (argc > 1 && std::strcmp(argv[1], "--check") == 0) return run_check();
  const std::string data_root = argc > 1 && !smoke ? argv[1] : "./data";
  const size_t epochs = smoke ? 5 : 10;

  torch::manual_seed(1);
  torch::Device device(torch::cuda::is_available() ? torch::kCUDA : torch::kCPU);
  std::cout << "Training on " << (device.is_cpu() ? "CPU" : "GPU") << "." << std::endl;

  Net model;
  model.to(device);
  // The smoke run has a few dozen steps to learn its easy synthetic digits: a larger step.
  torch::optim::SGD optimizer(model.parameters(),
                              torch::optim::SGDOptions(smoke ? 0.05 : 0.01).momentum(0.5));

  double accuracy = 0;
  if (smoke) {
    auto train_dataset = SyntheticDigits(640).map(torch::data::transforms::Stack<>());
    const size_t train_size = train_dataset.size().value();
    auto train_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
        std::move(train_dataset), kTrainBatchSize);
    auto test_dataset = SyntheticDigits(100).map(torch::data::transforms::Stack<>());
    const size_t test_size = test_dataset.size().value();
    auto test_loader = torch::data::make_data_loader(std::move(test_dataset), kTestBatchSize);
    for (size_t epoch = 1; epoch <= epochs; ++epoch)
      train(epoch, model, device, *train_loader, optimizer, train_size);
    accuracy = test(model, device, *test_loader, test_size);
    return accuracy > 0.5 ? 0 : 1;  // the bars are trivially separable
  }

  auto train_dataset = torch::data::datasets::MNIST(data_root)
                           .map(torch::data::transforms::Normalize<>(0.1307, 0.3081))
                           .map(torch::data::transforms::Stack<>());
  const size_t train_dataset_size = train_dataset.size().value();
  auto train_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      std::move(train_dataset), kTrainBatchSize);

  auto test_dataset = torch::data::datasets::MNIST(data_root, torch::data::datasets::MNIST::Mode::kTest)
                          .map(torch::data::transforms::Normalize<>(0.1307, 0.3081))
                          .map(torch::data::transforms::Stack<>());
  const size_t test_dataset_size = test_dataset.size().value();
  auto test_loader = torch::data::make_data_loader(std::move(test_dataset), kTestBatchSize);

  for (size_t epoch = 1; epoch <= epochs; ++epoch) {
    train(epoch, model, device, *train_loader, optimizer, train_dataset_size);
    accuracy = test(model, device, *test_loader, test_dataset_size);
  }
  return 0;
}
