// Chapter 6 — FGSM: fool a trained FashionMNIST classifier with the Fast Gradient Sign Method.
//
// First train the FashionCNN (the demo's model, training::build_model("fashion_cnn")) for a few epochs.
// Then attack it: for each test image x with label y, take the gradient of the loss with respect to the
// *input pixels* (not the weights), and move every pixel by eps in the direction that increases the loss:
//
//     x_adv = clamp(x + eps * sign(grad_x loss(model(x), y)), 0, 1)
//
// (Goodfellow, Shlens & Szegedy 2015). eps is in pixel units: pixels are in [0, 1], and the model's input
// normalisation (FashionMNIST mean 0.2860, std 0.3530, as `nabla train` uses) is the first step of its
// forward, so the gradient flows back through it to the raw pixels. Test accuracy is measured on the
// adversarial images for eps = 0, 0.05, ..., 0.3 (eps 0 is the clean accuracy).
//
//   build/examples/fgsm            # the full chapter on data/FashionMNIST/raw -> runs/fgsm/
//   build/examples/fgsm --smoke    # generated images, 1 epoch, seconds -> runs/fgsm-smoke/
//
// Options: --data ROOT (default "data"), --epochs N. The program exits 1 if the results are implausible
// (clean accuracy below 80% in the smoke run, 87% in the full run; accuracy rising with eps by more than
// one point from one eps to the next (at large eps FGSM can overshoot, so a small rise happens); accuracy at
// eps 0.3 not below half the clean accuracy), so its smoke run is a test.
#include <nabla/nabla.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chapter_data.h"

using namespace nabla;

// ---------------------------------------------------------------------------------------------------
// 1. Data: images as float [N, 1, 28, 28] in [0, 1] (pixel units), labels as int64 [N].
// ---------------------------------------------------------------------------------------------------
// Split, Data, load_fashion_mnist and make_blob_images: examples/common/chapter_data.h.
// --smoke: no files; ten blobs in pixel space stand in for FashionMNIST.
Data make_smoke_data() {
  return make_blob_images({.n_train = 2000, .n_test = 500, .cluster_std = 0.5, .seed = 6});
}

// ---------------------------------------------------------------------------------------------------
// 2. Model: the FashionCNN behind a fixed input normalisation, so it takes raw pixels in [0, 1].
//    conv(1->32, 3x3, pad 1)-BN-ReLU-maxpool, conv(32->64, 3x3)-BN-ReLU-maxpool, 2304 -> 600 -> 120 -> 10,
//    dropout 0.25 after the first linear layer.
// ---------------------------------------------------------------------------------------------------
constexpr double kMean = 0.2860, kStd = 0.3530;  // FashionMNIST's pixel mean and std

struct PixelClassifier : nn::Module {
  std::shared_ptr<nn::Module> cnn;
  PixelClassifier() { cnn = register_module("cnn", training::build_model({.name = "fashion_cnn"})); }
  Tensor forward(Tensor x) override { return (*cnn)((x - kMean) / kStd); }
};

// ---------------------------------------------------------------------------------------------------
// 3. Training and evaluation.
// ---------------------------------------------------------------------------------------------------
constexpr int64_t kEvalBatch = 500;

// Fraction of a split classified correctly, in batches, without autograd.
double accuracy(PixelClassifier& model, const Split& s) {
  NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0;
  for (int64_t i = 0; i < s.images.size(0); i += kEvalBatch) {
    Tensor x = s.images.index({Slice(i, i + kEvalBatch)}), y = s.labels.index({Slice(i, i + kEvalBatch)});
    correct += model(x).argmax(1).eq(y).sum().item<int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(s.images.size(0));
}

void fit(PixelClassifier& model, const Data& d, int epochs, io::SummaryWriter& tb) {
  data::DataLoader loader(data::TensorDataset(d.train.images, d.train.labels),
                          {.batch_size = 100, .shuffle = true, .seed = 0});
  optim::Adam optimizer(model.parameters(), {.lr = 1e-3});
  int64_t step = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model.train();
    double loss_sum = 0;
    int64_t batches = 0;
    for (data::Batch& batch : loader) {
      optimizer.zero_grad();
      Tensor loss = F::cross_entropy(model(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
      if (++step % 50 == 0) tb.add_scalar("train/batch_loss", loss.item<double>(), step);
    }
    const double train_loss = loss_sum / static_cast<double>(batches);
    const double test_acc = accuracy(model, d.test);
    tb.add_scalar("train/loss", train_loss, epoch);
    tb.add_scalar("test/accuracy", test_acc, epoch);
    std::printf("  epoch %d/%d  train loss %.4f  test accuracy %.2f%%\n", epoch, epochs, train_loss,
                100 * test_acc);
    std::fflush(stdout);
  }
}

// ---------------------------------------------------------------------------------------------------
// 4. The attack. sign(grad_x loss) does not depend on eps, so one forward/backward pass per batch serves
//    every eps. The model stays in eval mode (batch-norm running statistics, no dropout): we attack the
//    deployed classifier, and its weights are not changed (autograd::grad leaves .grad alone).
// ---------------------------------------------------------------------------------------------------
// sign(d loss / d x) for images x [N, 1, 28, 28] with labels y.
Tensor loss_gradient_sign(PixelClassifier& model, const Tensor& x, const Tensor& y) {
  model.eval();
  Tensor input = x.detach().clone().requires_grad_();
  Tensor loss = F::cross_entropy(model(input), y);
  return autograd::grad({loss}, {input})[0].sign();
}

Tensor fgsm(const Tensor& x, const Tensor& grad_sign, double eps) {
  return (x + grad_sign * eps).clamp(0.0, 1.0);
}

// Test accuracy on the adversarial images, one entry per eps.
std::vector<double> accuracy_under_attack(PixelClassifier& model, const Split& s,
                                          const std::vector<double>& eps) {
  std::vector<int64_t> correct(eps.size(), 0);
  for (int64_t i = 0; i < s.images.size(0); i += kEvalBatch) {
    Tensor x = s.images.index({Slice(i, i + kEvalBatch)}), y = s.labels.index({Slice(i, i + kEvalBatch)});
    Tensor grad_sign = loss_gradient_sign(model, x, y);
    NoGradGuard no_grad;
    for (size_t k = 0; k < eps.size(); ++k)
      correct[k] += model(fgsm(x, grad_sign, eps[k])).argmax(1).eq(y).sum().item<int64_t>();
  }
  std::vector<double> acc;
  for (int64_t c : correct) acc.push_back(static_cast<double>(c) / static_cast<double>(s.images.size(0)));
  return acc;
}

// The first test image of each class (up to 10): the columns of the picture grid.
Split one_per_class(const Split& s, int64_t n_classes) {
  std::vector<Tensor> images, labels;
  for (int64_t c = 0; c < n_classes && c < 10; ++c) {
    Tensor idx = s.labels.eq(c).nonzero();
    if (idx.size(0) == 0) continue;
    const int64_t i = idx[0][0].item<int64_t>();
    images.push_back(s.images[i]);
    labels.push_back(s.labels[i]);
  }
  return {stack(images), stack(labels)};
}

// ---------------------------------------------------------------------------------------------------
// 5. The chapter.
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
  if (epochs < 1) epochs = smoke ? 1 : 2;
  const std::string out = smoke ? "runs/fgsm-smoke" : "runs/fgsm";
  std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();
  manual_seed(0);

  // ---- data ----
  Data d = smoke ? make_smoke_data() : load_fashion_mnist(root);
  std::printf("data: %lld train / %lld test images of 1x28x28, %zu classes%s\n",
              static_cast<long long>(d.train.images.size(0)), static_cast<long long>(d.test.images.size(0)),
              d.classes.size(), smoke ? " (generated, --smoke)" : "");

  // ---- model ----
  PixelClassifier model;
  int64_t n_params = 0;
  for (const Tensor& p : model.parameters()) n_params += p.numel();
  std::printf("model: normalise (x - %.4f) / %.4f, then FashionCNN, %lld parameters\n", kMean, kStd,
              static_cast<long long>(n_params));

  // ---- train ----
  io::SummaryWriter tb(out);
  std::printf("training (%d epochs, Adam 1e-3, batch 100)\n", epochs);
  fit(model, d, epochs, tb);
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // ---- attack: accuracy against eps ----
  const std::vector<double> eps = {0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3};
  std::printf("attacking the %lld test images with FGSM\n", static_cast<long long>(d.test.images.size(0)));
  std::fflush(stdout);
  const std::vector<double> acc = accuracy_under_attack(model, d.test, eps);
  for (size_t k = 0; k < eps.size(); ++k)
    tb.add_scalar("fgsm/test_accuracy_vs_eps_x100", acc[k], static_cast<int64_t>(eps[k] * 100 + 0.5));
  training::plot_lines(out + "/accuracy_vs_epsilon.png", "FGSM: test accuracy against epsilon", eps,
                       {{"test accuracy", acc}}, "epsilon (pixel units)", "accuracy");

  // ---- pictures: one image per class (columns); rows: original, then eps 0.1, 0.2, 0.3 ----
  // Captions: the model's prediction, "(x)" when it is wrong; the first column also names the row's eps.
  Split pick = one_per_class(d.test, static_cast<int64_t>(d.classes.size()));
  const int64_t n = pick.images.size(0);
  const std::vector<double> shown = {0.0, 0.1, 0.2, 0.3};
  Tensor grad_sign = loss_gradient_sign(model, pick.images, pick.labels);
  std::vector<Tensor> rows;
  std::vector<std::string> captions;
  for (double e : shown) {
    Tensor adv = fgsm(pick.images, grad_sign, e);
    Tensor pred;
    {
      NoGradGuard no_grad;
      pred = model(adv).argmax(1);
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t p = pred[i].item<int64_t>(), t = pick.labels[i].item<int64_t>();
      char buf[96];
      const char* mark = p == t ? "" : " (x)";  // (x): misclassified
      if (i == 0)
        std::snprintf(buf, sizeof buf, "eps %.1f: %s%s", e, d.classes[p].c_str(), mark);
      else
        std::snprintf(buf, sizeof buf, "%s%s", d.classes[p].c_str(), mark);
      captions.push_back(buf);
    }
    rows.push_back(adv);
  }
  Tensor grid = cat(rows);
  training::plot_image_grid(out + "/adversarial_examples.png", grid, n, captions, {1700, 680});
  tb.add_image("fgsm/rows_eps_0_0.1_0.2_0.3", data::make_grid(grid, {.nrow = n}), epochs);
  tb.close();

  // ---- results ----
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\nresults (test set, %lld images):\n  epsilon   accuracy\n",
              static_cast<long long>(d.test.images.size(0)));
  for (size_t k = 0; k < eps.size(); ++k) std::printf("  %7.2f   %6.2f%%\n", eps[k], 100 * acc[k]);
  std::printf(
      "pictures and TensorBoard run in %s/ (accuracy_vs_epsilon.png adversarial_examples.png); training "
      "%.1f s, total %.1f s\n",
      out.c_str(), train_seconds, seconds);

  // ---- plausibility: the smoke test's assertions ----
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    if (!cond) std::fprintf(stderr, "FAILED: %s\n", what);
    ok = ok && cond;
  };
  check(acc[0] > (smoke ? 0.80 : 0.87), smoke ? "clean accuracy above 80%" : "clean accuracy above 87%");
  for (size_t k = 1; k < eps.size(); ++k)
    check(acc[k] <= acc[k - 1] + 0.01, "accuracy does not rise with epsilon (by more than a point)");
  check(acc.back() < 0.5 * acc[0], "at eps 0.3 the accuracy is below half the clean accuracy");
  return ok ? 0 : 1;
}
