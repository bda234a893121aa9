// The DCGAN of PyTorch's C++ frontend tutorial ("Using the PyTorch C++ Frontend"), as the tutorial
// writes it: a TORCH_MODULE generator, a Sequential discriminator, MNIST through torch::data, Adam, and
// checkpoints with torch::save. Builds unchanged against LibTorch and nabla.
//   dcgan [data-root] [epochs]   train on the raw MNIST files in data-root (default ./data, 30 epochs)
//   dcgan --smoke                a few batches of synthetic images, no files needed
//   dcgan --check                the deterministic part: outputs and gradients of fixed weights
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

// The size of the noise vector fed to the generator.
const int64_t kNoiseSize = 100;
// The batch size for training.
const int64_t kBatchSize = 64;
// After how many batches to create a new checkpoint periodically.
const int64_t kCheckpointEvery = 200;
// How many images to sample at every checkpoint.
const int64_t kNumberOfSamplesPerCheckpoint = 10;
// After how many batches to log a new update with the loss value.
const int64_t kLogInterval = 10;

using namespace torch;

struct DCGANGeneratorImpl : nn::Module {
  DCGANGeneratorImpl(int kNoiseSize)
      : conv1(nn::ConvTranspose2dOptions(kNoiseSize, 256, 4).bias(false)),
        batch_norm1(256),
        conv2(nn::ConvTranspose2dOptions(256, 128, 3).stride(2).padding(1).bias(false)),
        batch_norm2(128),
        conv3(nn::ConvTranspose2dOptions(128, 64, 4).stride(2).padding(1).bias(false)),
        batch_norm3(64),
        conv4(nn::ConvTranspose2dOptions(64, 1, 4).stride(2).padding(1).bias(false)) {
    // register_module() is needed if we want to use the parameters() method later on
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("conv3", conv3);
    register_module("conv4", conv4);
    register_module("batch_norm1", batch_norm1);
    register_module("batch_norm2", batch_norm2);
    register_module("batch_norm3", batch_norm3);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(batch_norm1(conv1(x)));
    x = torch::relu(batch_norm2(conv2(x)));
    x = torch::relu(batch_norm3(conv3(x)));
    x = torch::tanh(conv4(x));
    return x;
  }

  nn::ConvTranspose2d conv1, conv2, conv3, conv4;
  nn::BatchNorm2d batch_norm1, batch_norm2, batch_norm3;
};

TORCH_MODULE(DCGANGenerator);

nn::Sequential make_discriminator() {
  return nn::Sequential(
      // Layer 1
      nn::Conv2d(nn::Conv2dOptions(1, 64, 4).stride(2).padding(1).bias(false)),
      nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
      // Layer 2
      nn::Conv2d(nn::Conv2dOptions(64, 128, 4).stride(2).padding(1).bias(false)), nn::BatchNorm2d(128),
      nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
      // Layer 3
      nn::Conv2d(nn::Conv2dOptions(128, 256, 4).stride(2).padding(1).bias(false)), nn::BatchNorm2d(256),
      nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
      // Layer 4
      nn::Conv2d(nn::Conv2dOptions(256, 1, 3).stride(1).padding(0).bias(false)), nn::Sigmoid());
}

// Synthetic 28x28 "digits" for --smoke: a bright square at a place that depends on the index.
class SyntheticImages : public torch::data::datasets::Dataset<SyntheticImages> {
 public:
  explicit SyntheticImages(size_t n) : n_(n) {}
  torch::data::Example<> get(size_t index) override {
    auto image = torch::zeros({1, 28, 28});
    int64_t at = static_cast<int64_t>(index % 20);
    image.narrow(1, at, 8).narrow(2, at, 8).fill_(1.0);
    return {image, torch::tensor(static_cast<int64_t>(index % 10))};
  }
  torch::optional<size_t> size() const override { return n_; }

 private:
  size_t n_;
};

template <typename DataLoader>
void train(DataLoader& data_loader, DCGANGenerator& generator, nn::Sequential& discriminator,
           torch::Device device, int64_t epochs, int64_t batches_per_epoch) {
  torch::optim::Adam generator_optimizer(generator->parameters(),
                                         torch::optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.5)));
  torch::optim::Adam discriminator_optimizer(
      discriminator->parameters(), torch::optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.5)));

  int64_t checkpoint_counter = 1;
  for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
    int64_t batch_index = 0;
    for (torch::data::Example<>& batch : data_loader) {
      // Train discriminator with real images.
      discriminator->zero_grad();
      torch::Tensor real_images = batch.data.to(device);
      torch::Tensor real_labels = torch::empty(batch.data.size(0), device).uniform_(0.8, 1.0);
      torch::Tensor real_output = discriminator->forward(real_images).reshape(real_labels.sizes());
      torch::Tensor d_loss_real = torch::binary_cross_entropy(real_output, real_labels);
      d_loss_real.backward();

      // Train discriminator with fake images.
      torch::Tensor noise = torch::randn({batch.data.size(0), kNoiseSize, 1, 1}, device);
      torch::Tensor fake_images = generator->forward(noise);
      torch::Tensor fake_labels = torch::zeros(batch.data.size(0), device);
      torch::Tensor fake_output = discriminator->forward(fake_images.detach()).reshape(fake_labels.sizes());
      torch::Tensor d_loss_fake = torch::binary_cross_entropy(fake_output, fake_labels);
      d_loss_fake.backward();

      torch::Tensor d_loss = d_loss_real + d_loss_fake;
      discriminator_optimizer.step();

      // Train generator.
      generator->zero_grad();
      fake_labels.fill_(1);
      fake_output = discriminator->forward(fake_images).reshape(fake_labels.sizes());
      torch::Tensor g_loss = torch::binary_cross_entropy(fake_output, fake_labels);
      g_loss.backward();
      generator_optimizer.step();

      batch_index++;
      if (batch_index % kLogInterval == 0) {
        std::printf("\r[%2ld/%2ld][%3ld/%3ld] D_loss: %.4f | G_loss: %.4f\n", static_cast<long>(epoch),
                    static_cast<long>(epochs), static_cast<long>(batch_index),
                    static_cast<long>(batches_per_epoch), d_loss.item<float>(), g_loss.item<float>());
      }

      if (batch_index % kCheckpointEvery == 0) {
        // Checkpoint the model and optimizer state.
        torch::save(generator, "generator-checkpoint.pt");
        torch::save(generator_optimizer, "generator-optimizer-checkpoint.pt");
        torch::save(discriminator, "discriminator-checkpoint.pt");
        torch::save(discriminator_optimizer, "discriminator-optimizer-checkpoint.pt");
        // Sample the generator and save the images.
        torch::Tensor samples =
            generator->forward(torch::randn({kNumberOfSamplesPerCheckpoint, kNoiseSize, 1, 1}, device));
        torch::save((samples + 1.0) / 2.0, torch::str("dcgan-sample-", checkpoint_counter, ".pt"));
        std::cout << "\n-> checkpoint " << ++checkpoint_counter << '\n';
      }
    }
  }
}

static void check(const std::string& name, const torch::Tensor& t) {
  auto flat = t.detach().to(torch::kFloat64).contiguous().view({-1});
  std::printf("check %s %lld", name.c_str(), static_cast<long long>(flat.numel()));
  for (int64_t i = 0; i < flat.numel(); ++i) std::printf(" %.9g", flat[i].item<double>());
  std::printf("\n");
}

static void fill_deterministic(nn::Module& module) {
  torch::NoGradGuard no_grad;
  double phase = 0.1;
  for (auto& p : module.named_parameters()) {
    auto& t = p.value();
    t.copy_(torch::arange(t.numel(), torch::kFloat64).mul(0.37).add(phase).sin().mul(0.1).reshape(t.sizes()));
    phase += 0.7;
  }
}

// Fixed weights and inputs; training-mode BatchNorm (batch statistics), as the tutorial trains.
static int run_check() {
  DCGANGenerator generator(kNoiseSize);
  nn::Sequential discriminator = make_discriminator();
  fill_deterministic(*generator);
  fill_deterministic(*discriminator);
  auto noise = torch::arange(4 * kNoiseSize, torch::kFloat64)
                   .mul(0.05)
                   .sin()
                   .reshape({4, kNoiseSize, 1, 1})
                   .to(torch::kFloat32);
  auto fake = generator->forward(noise);
  auto score = discriminator->forward(fake).reshape({4});
  auto loss = torch::binary_cross_entropy(score, torch::ones({4}));
  loss.backward();
  check("generator.sample", fake.flatten().slice(0, 0, 64));
  check("discriminator.score", score);
  check("loss", loss);
  check("grad.generator.conv1.weight", generator->conv1->weight.grad().flatten().slice(0, 0, 64));
  check("grad.generator.batch_norm3.bias", generator->batch_norm3->bias.grad());
  check("running_mean.batch_norm1", generator->batch_norm1->running_mean.slice(0, 0, 16));
  return 0;
}

int main(int argc, const char* argv[]) {
  bool smoke = argc > 1 && std::strcmp(argv[1], "--smoke") == 0;
  if (argc > 1 && std::strcmp(argv[1], "--check") == 0) return run_check();
  const std::string data_folder = argc > 1 && !smoke ? argv[1] : "./data";
  const int64_t epochs = argc > 2 ? std::stoll(argv[2]) : 30;

  torch::manual_seed(1);
  torch::Device device(torch::kCPU);
  if (torch::cuda::is_available()) device = torch::Device(torch::kCUDA);

  DCGANGenerator generator(kNoiseSize);
  generator->to(device);
  nn::Sequential discriminator = make_discriminator();
  discriminator->to(device);

  if (smoke) {
    auto dataset = SyntheticImages(128).map(torch::data::transforms::Stack<>());
    auto data_loader = torch::data::make_data_loader(
        std::move(dataset), torch::data::DataLoaderOptions().batch_size(32).workers(2));
    train(*data_loader, generator, discriminator, device, 1, 4);
  } else {
    auto dataset = torch::data::datasets::MNIST(data_folder)
                       .map(torch::data::transforms::Normalize<>(0.5, 0.5))
                       .map(torch::data::transforms::Stack<>());
    const int64_t batches_per_epoch = std::ceil(dataset.size().value() / static_cast<double>(kBatchSize));
    auto data_loader = torch::data::make_data_loader(
        std::move(dataset), torch::data::DataLoaderOptions().batch_size(kBatchSize).workers(2));
    train(*data_loader, generator, discriminator, device, epochs, batches_per_epoch);
  }
  std::cout << "Training complete!" << std::endl;
}
