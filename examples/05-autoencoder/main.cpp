// Chapter 5 — Autoencoder: compress FashionMNIST images to three numbers and back.
//
// An encoder MLP squeezes each 28x28 image (784 pixels) through a bottleneck of 3 numbers, the latent
// code; a decoder MLP turns the code back into an image (sigmoid output, pixels in [0, 1]). The only
// training signal is the image itself: MSE between input and reconstruction, minimised with Adam. No
// labels are used for training — they only colour the picture of the latent space afterwards.
//
// Then the denoising experiment: add Gaussian noise to the inputs. The plain autoencoder sees noise it
// was never trained on; a second, denoising autoencoder is trained on noisy inputs with clean targets.
// Both are compared by their test MSE against the clean images.
//
//   build/examples/autoencoder            # the full chapter on data/FashionMNIST/raw -> runs/autoencoder/
//   build/examples/autoencoder --smoke    # generated images, 1 epoch, seconds -> runs/autoencoder-smoke/
//
// Options: --data ROOT (default "data"), --epochs N. The program exits 1 if the results are implausible
// (test MSE not at least 20% below the untrained model's; in the full run also: MSE above 0.04, or the
// denoiser not beating both its noisy input and the plain autoencoder), so its smoke run is a test.
#include <nabla/nabla.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "chapter_data.h"

using namespace nabla;

// ---------------------------------------------------------------------------------------------------
// 1. Data: images as float [N, 1, 28, 28] in [0, 1], labels as int64 [N].
// ---------------------------------------------------------------------------------------------------
// Split, Data, load_fashion_mnist and make_blob_images: examples/common/chapter_data.h.
// --smoke: no files; ten blobs in pixel space stand in for FashionMNIST.
Data make_smoke_data() {
  return make_blob_images({.n_train = 4000, .n_test = 500, .cluster_std = 0.15, .seed = 5});
}

// ---------------------------------------------------------------------------------------------------
// 2. Model: 784 -> 256 -> 64 -> 3 -> 64 -> 256 -> 784, ReLU between, sigmoid at the end.
// ---------------------------------------------------------------------------------------------------
constexpr int64_t kLatent = 3;

struct Autoencoder : nn::Module {
  nn::Sequential encoder{nn::Flatten(), nn::Linear(28 * 28, 256), nn::ReLU(), nn::Linear(256, 64),
                         nn::ReLU(),    nn::Linear(64, kLatent)};
  nn::Sequential decoder{nn::Linear(kLatent, 64),  nn::ReLU(),    nn::Linear(64, 256),          nn::ReLU(),
                         nn::Linear(256, 28 * 28), nn::Sigmoid(), nn::Unflatten(1, {1, 28, 28})};
  Autoencoder() { register_modules({{"encoder", encoder}, {"decoder", decoder}}); }
  Tensor encode(Tensor x) { return encoder(x); }
  Tensor forward(Tensor x) override { return decoder(encoder(x)); }
};

// ---------------------------------------------------------------------------------------------------
// 3. Training and evaluation.
// ---------------------------------------------------------------------------------------------------
constexpr double kNoiseStd = 0.3;  // the denoising experiment's Gaussian noise (pixels are in [0, 1])

// x + N(0, kNoiseStd^2), clamped back to valid pixel values.
Tensor add_noise(const Tensor& x, RandomGenerator* gen = nullptr) {
  return (x + randn(x.sizes(), {}, gen) * kNoiseStd).clamp(0.0, 1.0);
}

// Mean squared error of model(inputs) against targets over a whole split, in batches, without autograd.
double reconstruction_mse(Autoencoder& model, const Tensor& inputs, const Tensor& targets) {
  NoGradGuard no_grad;
  model.eval();
  double sum = 0;
  for (int64_t i = 0; i < inputs.size(0); i += 1000) {
    Tensor x = inputs.index({Slice(i, i + 1000)}), y = targets.index({Slice(i, i + 1000)});
    sum += F::mse_loss(model(x), y, "sum").item<double>();
  }
  return sum / static_cast<double>(targets.numel());
}

// Trains `model` for `epochs` epochs; with `denoising`, the inputs get fresh noise every batch while the
// target stays the clean image. Records train loss and test MSE per epoch in `curves` and TensorBoard.
void fit(Autoencoder& model, const Data& d, int epochs, bool denoising, const std::string& name,
         std::map<std::string, std::vector<double>>& curves, io::SummaryWriter& tb) {
  data::DataLoader loader(data::TensorDataset(d.train.images, d.train.labels),
                          {.batch_size = 128, .shuffle = true, .seed = 0});
  optim::Adam optimizer(model.parameters(), {.lr = 1e-3});
  const Tensor test_inputs = denoising ? add_noise(d.test.images) : d.test.images;
  int64_t step = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model.train();
    double loss_sum = 0;
    int64_t batches = 0;
    for (data::Batch& batch : loader) {
      Tensor target = batch.data;
      Tensor input = denoising ? add_noise(target) : target;
      optimizer.zero_grad();
      Tensor loss = F::mse_loss(model(input), target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
      if (++step % 50 == 0) tb.add_scalar(name + "/batch_loss", loss.item<double>(), step);
    }
    double train_loss = loss_sum / static_cast<double>(batches);
    double test_mse = reconstruction_mse(model, test_inputs, d.test.images);
    curves[name + " train"].push_back(train_loss);
    curves[name + (denoising ? " test (noisy input)" : " test")].push_back(test_mse);
    tb.add_scalar(name + "/train_loss", train_loss, epoch);
    tb.add_scalar(name + "/test_mse", test_mse, epoch);
    std::printf("  %s epoch %d/%d  train loss %.5f  test MSE %.5f\n", name.c_str(), epoch, epochs, train_loss,
                test_mse);
    std::fflush(stdout);
  }
}

// The first test image of each class (up to 10): the rows of the picture grids.
Tensor one_per_class(const Split& s, int64_t n_classes) {
  std::vector<Tensor> picked;
  for (int64_t c = 0; c < n_classes && c < 10; ++c) {
    Tensor idx = s.labels.eq(c).nonzero();
    if (idx.size(0) > 0) picked.push_back(s.images[idx[0][0].item<int64_t>()]);
  }
  return stack(picked);
}

// ---------------------------------------------------------------------------------------------------
// 4. The chapter.
// ---------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool smoke = false;
  std::string root = "data";
  int epochs = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke")
      smoke = true;
    else if (a == "--data" && i + 1 < argc)
      root = argv[++i];
    else if (a == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: " << argv[0] << " [--smoke] [--data ROOT] [--epochs N]\n";
      return 2;
    }
  }
  if (epochs < 1) epochs = smoke ? 1 : 10;
  const std::string out = smoke ? "runs/autoencoder-smoke" : "runs/autoencoder";
  std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();
  manual_seed(0);

  // ---- data ----
  Data d = smoke ? make_smoke_data() : load_fashion_mnist(root);
  std::printf("data: %lld train / %lld test images of 1x28x28, %zu classes%s\n",
              static_cast<long long>(d.train.images.size(0)), static_cast<long long>(d.test.images.size(0)),
              d.classes.size(), smoke ? " (generated, --smoke)" : "");

  // ---- model ----
  Autoencoder model;
  int64_t n_params = 0;
  for (const Tensor& p : model.parameters()) n_params += p.numel();
  std::printf("model: 784 -> 256 -> 64 -> %lld -> 64 -> 256 -> 784, %lld parameters\n",
              static_cast<long long>(kLatent), static_cast<long long>(n_params));
  const double untrained_mse = reconstruction_mse(model, d.test.images, d.test.images);
  std::printf("untrained test MSE %.5f\n", untrained_mse);

  // ---- train ----
  io::SummaryWriter tb(out);
  std::map<std::string, std::vector<double>> curves;
  std::printf("training the autoencoder (%d epochs, Adam 1e-3, batch 128)\n", epochs);
  fit(model, d, epochs, /*denoising=*/false, "autoencoder", curves, tb);

  // ---- evaluate ----
  const double clean_mse = reconstruction_mse(model, d.test.images, d.test.images);
  Tensor noisy_test = add_noise(d.test.images);
  const double noise_mse = F::mse_loss(noisy_test, d.test.images).item<double>();
  const double noisy_mse = reconstruction_mse(model, noisy_test, d.test.images);

  // ---- pictures: latent space ----
  Tensor z;
  {
    NoGradGuard no_grad;
    model.eval();
    z = model.encode(d.test.images);  // [N, 3]
  }
  auto columns = [&](int a, int b) { return stack({z.index({Slice(), a}), z.index({Slice(), b})}, 1); };
  training::plot_scatter(out + "/latent_01.png", "Test set in the latent space: z0 (x) vs z1 (y)",
                         columns(0, 1), d.test.labels, d.classes);
  training::plot_scatter(out + "/latent_02.png", "Test set in the latent space: z0 (x) vs z2 (y)",
                         columns(0, 2), d.test.labels, d.classes);
  tb.add_histogram("autoencoder/latent", z, epochs);

  // ---- pictures: reconstructions (row 1 originals, row 2 reconstructions) ----
  Tensor originals = one_per_class(d.test, static_cast<int64_t>(d.classes.size()));
  const int64_t n = originals.size(0);
  Tensor recon;
  {
    NoGradGuard no_grad;
    recon = model(originals);
  }
  // Captions: the class names above the originals, "<what> <MSE against the original>" above the rest.
  auto caption_row = [&](std::vector<std::string>& captions, const char* what, const Tensor& images) {
    for (int64_t i = 0; i < n; ++i) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "%s%.3f", what, F::mse_loss(images[i], originals[i]).item<double>());
      captions.push_back(buf);
    }
  };
  std::vector<std::string> captions(d.classes.begin(), d.classes.begin() + n);
  caption_row(captions, "MSE ", recon);
  training::plot_image_grid(out + "/reconstructions.png", cat({originals, recon}), n, captions, {1400, 340});
  tb.add_image("autoencoder/reconstructions", data::make_grid(cat({originals, recon}), {.nrow = n}), epochs);

  // ---- the denoising experiment ----
  std::printf("training the denoising autoencoder (noisy inputs, std %.2f; clean targets)\n", kNoiseStd);
  Autoencoder denoiser;
  fit(denoiser, d, epochs, /*denoising=*/true, "denoiser", curves, tb);
  const double dae_noisy_mse = reconstruction_mse(denoiser, noisy_test, d.test.images);
  const double dae_clean_mse = reconstruction_mse(denoiser, d.test.images, d.test.images);

  RandomGenerator gen(1);
  Tensor noisy = add_noise(originals, &gen);
  Tensor ae_out, dae_out;
  {
    NoGradGuard no_grad;
    ae_out = model(noisy);
    dae_out = denoiser(noisy);
  }
  captions.assign(d.classes.begin(), d.classes.begin() + n);
  caption_row(captions, "noisy ", noisy);
  caption_row(captions, "AE ", ae_out);
  caption_row(captions, "DAE ", dae_out);
  Tensor denoise_grid = cat({originals, noisy, ae_out, dae_out});
  // Rows: clean, noisy input, the plain autoencoder (AE) on it, the denoising autoencoder (DAE) on it.
  training::plot_image_grid(out + "/denoising.png", denoise_grid, n, captions, {1200, 560});
  tb.add_image("denoiser/rows_clean_noisy_autoencoder_denoiser", data::make_grid(denoise_grid, {.nrow = n}),
               epochs);

  training::plot_curves(out + "/loss.png", "Reconstruction MSE per epoch", curves, "epoch", "MSE");
  tb.close();

  // ---- results ----
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\nresults (test set, MSE against the clean images):\n");
  std::printf("  untrained autoencoder, clean input   %.5f\n", untrained_mse);
  std::printf("  autoencoder, clean input             %.5f\n", clean_mse);
  std::printf("  noisy input itself (std %.2f)        %.5f\n", kNoiseStd, noise_mse);
  std::printf("  autoencoder, noisy input             %.5f\n", noisy_mse);
  std::printf("  denoising autoencoder, noisy input   %.5f\n", dae_noisy_mse);
  std::printf("  denoising autoencoder, clean input   %.5f\n", dae_clean_mse);
  std::printf(
      "pictures and TensorBoard run in %s/ (latent_01.png latent_02.png reconstructions.png "
      "denoising.png loss.png); %.1f s\n",
      out.c_str(), seconds);

  // ---- plausibility: the smoke test's assertions ----
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    if (!cond) std::fprintf(stderr, "FAILED: %s\n", what);
    ok = ok && cond;
  };
  check(clean_mse < 0.8 * untrained_mse, "training cut the reconstruction MSE by at least 20%");
  check(dae_noisy_mse < 0.8 * untrained_mse, "training the denoiser cut its MSE by at least 20%");
  if (!smoke) {  // one epoch on generated data only gets the loss down; the full run must do more
    check(clean_mse < 0.04, "the autoencoder reconstructs FashionMNIST with test MSE < 0.04");
    check(dae_noisy_mse < noise_mse, "the denoiser's output is closer to the clean image than its input");
    check(dae_noisy_mse < noisy_mse, "on noisy inputs the denoiser beats the plain autoencoder");
  }
  return ok ? 0 : 1;
}
