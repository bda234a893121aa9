// Chapter 3 — CNN: a convolutional network classifies FashionMNIST.
//
// The FashionCNN — two convolution blocks (conv, batch norm, ReLU, max-pool) that turn a 28x28 image into
// 64 feature maps of 6x6, then three linear layers down to 10 class scores — is trained with cross-entropy
// on the 60,000 training images and measured on the official 10,000 test images. Inputs are normalised
// with FashionMNIST's pixel mean and std (0.2860, 0.3530), as in the seed. Adam at lr 1e-3 with a cosine
// schedule (the lr falls smoothly to 0 over the run, `nabla train --scheduler cosine`), batch 100.
//
// The trained weights go to runs/cnn/fashion_cnn.safetensors in `nabla train`'s checkpoint format (state_dict
// under PyTorch's names plus the run config: model, data, normalisation, classes). Chapter 7 loads them to
// judge its generated images; `nabla predict --model_fn` reads the file too.
//
//   build/examples/cnn            # the full chapter on data/FashionMNIST/raw -> runs/cnn/
//   build/examples/cnn --smoke    # generated images, 2 epochs, seconds -> runs/cnn-smoke/
//
// Options: --data ROOT (default "data"), --epochs N. The program exits 1 if the results are implausible
// (test accuracy below 80% in the smoke run, 91% in the full run; the train loss not falling; the saved
// weights, loaded into a fresh model, not giving the same test predictions), so its smoke run is a test.
#include <nabla/nabla.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "chapter_data.h"
#include "fashion_cnn.h"

using namespace nabla;

// ---------------------------------------------------------------------------------------------------
// 1. Data: images as float [N, 1, 28, 28] in [0, 1], labels as int64 [N].
// ---------------------------------------------------------------------------------------------------
// Split, Data, load_fashion_mnist and make_blob_images: examples/common/chapter_data.h. The images stay
// in pixel units (for the pictures); normalize_pixels() is applied batch by batch on the way in.
// --smoke: no files; ten blobs in pixel space stand in for FashionMNIST.
Data make_smoke_data() {
  return make_blob_images({.n_train = 600, .n_test = 200, .cluster_std = 0.5, .seed = 3});
}

// ---------------------------------------------------------------------------------------------------
// 2. Model: FashionCNN, defined in examples/common/fashion_cnn.h (chapter 7 uses the same definition to
//    load the weights saved here). Its forward, for a batch of N normalised images [N, 1, 28, 28]:
//
//      layer1 = Conv2d(1, 32, 3, padding 1) -> BatchNorm2d(32) -> ReLU -> MaxPool2d(2)   [N, 32, 14, 14]
//      layer2 = Conv2d(32, 64, 3)           -> BatchNorm2d(64) -> ReLU -> MaxPool2d(2)   [N, 64,  6,  6]
//      flatten                                                                         [N, 2304]
//      fc1 = Linear(2304, 600) -> Dropout(0.25) -> fc2 = Linear(600, 120) -> fc3 = Linear(120, 10)
//
//    The convolutions look at 3x3 neighbourhoods, so they learn local patterns (edges, then parts of
//    garments) wherever they appear; pooling halves the resolution and makes the features tolerant to small
//    shifts. Batch norm keeps each channel's activations centred during training (running statistics in
//    eval mode); dropout zeroes a quarter of fc1's outputs during training only.
// ---------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------
// 3. Training and evaluation.
// ---------------------------------------------------------------------------------------------------
constexpr int64_t kBatch = 100, kEvalBatch = 1000;
constexpr double kLearningRate = 1e-3;

struct Evaluation {
  double loss, accuracy;
  Tensor predictions;  // int64 [N], the argmax class of every image
};

// Mean cross-entropy, accuracy and the predicted classes over a whole split, in eval mode (batch norm's
// running statistics, no dropout), without autograd.
Evaluation evaluate(FashionCNN& model, const Split& s) {
  NoGradGuard no_grad;
  model.eval();
  double loss_sum = 0;
  std::vector<Tensor> predictions;
  for (int64_t i = 0; i < s.images.size(0); i += kEvalBatch) {
    Tensor x = s.images.index({Slice(i, i + kEvalBatch)}), y = s.labels.index({Slice(i, i + kEvalBatch)});
    Tensor logits = model(normalize_pixels(x));
    loss_sum += F::cross_entropy(logits, y, {}, "sum").item<double>();
    predictions.push_back(logits.argmax(1));
  }
  Tensor predicted = cat(predictions);
  const double n = static_cast<double>(s.images.size(0));
  return {loss_sum / n, predicted.eq(s.labels).sum().item<double>() / n, predicted};
}

// Per-epoch history for the curves; train figures are the running means over the epoch's batches (train
// mode: with dropout, and batch norm using each batch's statistics).
struct History {
  std::vector<double> train_loss, train_acc, test_loss, test_acc;
};

History fit(FashionCNN& model, const Data& d, int epochs, io::SummaryWriter& tb) {
  data::DataLoader loader(data::TensorDataset(d.train.images, d.train.labels),
                          {.batch_size = kBatch, .shuffle = true, .seed = 0});
  optim::Adam optimizer(model.parameters(), {.lr = kLearningRate});
  optim::CosineAnnealingLR schedule(optimizer, epochs);  // epoch e trains at 1e-3 * (1 + cos(pi e / E)) / 2
  History h;
  int64_t step = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const double lr = schedule.get_last_lr()[0];
    model.train();
    double loss_sum = 0;
    int64_t correct = 0, seen = 0, batches = 0;
    for (data::Batch& batch : loader) {
      optimizer.zero_grad();
      Tensor logits = model(normalize_pixels(batch.data));
      Tensor loss = F::cross_entropy(logits, batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      correct += logits.argmax(1).eq(batch.target).sum().item<int64_t>();
      seen += batch.target.size(0);
      ++batches;
      if (++step % 50 == 0) tb.add_scalar("train/batch_loss", loss.item<double>(), step);
    }
    schedule.step();
    const Evaluation test = evaluate(model, d.test);
    h.train_loss.push_back(loss_sum / static_cast<double>(batches));
    h.train_acc.push_back(static_cast<double>(correct) / static_cast<double>(seen));
    h.test_loss.push_back(test.loss);
    h.test_acc.push_back(test.accuracy);
    tb.add_scalar("train/loss", h.train_loss.back(), epoch);
    tb.add_scalar("train/accuracy", h.train_acc.back(), epoch);
    tb.add_scalar("test/loss", test.loss, epoch);
    tb.add_scalar("test/accuracy", test.accuracy, epoch);
    tb.add_scalar("train/lr", lr, epoch);
    std::printf("  epoch %2d/%d  lr %.6f  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%\n", epoch,
                epochs, lr, h.train_loss.back(), 100 * h.train_acc.back(), test.loss, 100 * test.accuracy);
    std::fflush(stdout);
  }
  return h;
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
  if (epochs < 1) epochs = smoke ? 2 : 8;
  const std::string out = smoke ? "runs/cnn-smoke" : "runs/cnn";
  const std::string weights_path = out + "/fashion_cnn.safetensors";
  std::filesystem::remove_all(out);  // a fresh run: no stale TensorBoard event files or pictures
  std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();
  manual_seed(0);

  // ---- data ----
  Data d = smoke ? make_smoke_data() : load_fashion_mnist(root);
  std::printf("data: %lld train / %lld test images of 1x28x28, %zu classes%s\n",
              static_cast<long long>(d.train.images.size(0)), static_cast<long long>(d.test.images.size(0)),
              d.classes.size(), smoke ? " (generated, --smoke)" : "");

  // ---- model ----
  FashionCNN model;
  int64_t n_params = 0;
  for (const Tensor& p : model.parameters()) n_params += p.numel();
  std::cout << "model (input: (pixels - " << kFashionMean << ") / " << kFashionStd << "), " << n_params
            << " parameters:\n"
            << model << "\n";

  // ---- train ----
  io::SummaryWriter tb(out);
  std::printf("training (%d epochs, Adam %.0e with a cosine schedule, batch %lld)\n", epochs, kLearningRate,
              static_cast<long long>(kBatch));
  std::fflush(stdout);
  const History h = fit(model, d, epochs, tb);
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // ---- evaluate on the test split ----
  const Evaluation test = evaluate(model, d.test);
  training::ConfusionMatrix confusion({.num_classes = static_cast<int64_t>(d.classes.size())});
  confusion.update(test.predictions, d.test.labels);
  const Tensor cm = confusion.compute();  // [10, 10], row = true class, column = predicted
  const std::vector<double> class_acc = training::per_class_accuracy(cm);

  // ---- save the weights (chapter 7 loads them), then load them into a fresh model as a check ----
  training::RunConfig run;  // what `nabla train` records; `nabla predict` rebuilds the model from it
  run.model.name = "fashion_cnn";
  run.data = "fashion-mnist";
  run.classes = d.classes;
  run.mean = {kFashionMean};
  run.std = {kFashionStd};
  run.optimizer = "adam";
  run.lr = kLearningRate;
  run.scheduler = "cosine";
  run.batch_size = kBatch;
  run.epochs = epochs;
  run.train_ratio = 1.0;  // all 60,000 training images, no validation split
  training::save_run(weights_path, run, model);
  FashionCNN reloaded;
  reloaded.load_state_dict(training::load_run(weights_path).model);
  const Evaluation reloaded_test = evaluate(reloaded, d.test);
  const bool same_predictions = reloaded_test.predictions.equal(test.predictions);

  // ---- pictures ----
  training::plot_curves(out + "/loss.png", "Cross-entropy per epoch",
                        {{"train (running mean, train mode)", h.train_loss}, {"test", h.test_loss}}, "epoch",
                        "loss");
  training::plot_curves(out + "/accuracy.png", "Accuracy per epoch",
                        {{"train (running mean, train mode)", h.train_acc}, {"test", h.test_acc}}, "epoch",
                        "accuracy");
  training::plot_confusion_matrix(out + "/confusion.png", cm, d.classes,
                                  "FashionCNN on the 10,000 test images");

  // The first 40 test images with the model's prediction above each; a mistake also names the true class.
  const int64_t n_shown = std::min<int64_t>(40, d.test.images.size(0));
  std::vector<std::string> captions;
  for (int64_t i = 0; i < n_shown; ++i) {
    const int64_t p = test.predictions[i].item<int64_t>(), t = d.test.labels[i].item<int64_t>();
    captions.push_back(p == t ? d.classes[p] : d.classes[p] + ", true " + d.classes[t]);
  }
  Tensor shown = d.test.images.index({Slice(0, n_shown)});
  training::plot_image_grid(out + "/predictions.png", shown, 8, captions, {1600, 1000});
  tb.add_image("test/first_40_images", data::make_grid(shown, {.nrow = 8}), epochs);
  tb.close();

  // ---- results ----
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\nresults after %d epochs (test set, %lld images, eval mode):\n", epochs,
              static_cast<long long>(d.test.images.size(0)));
  std::printf("  test accuracy %.2f%%, test loss %.4f\n  per class:", 100 * test.accuracy, test.loss);
  for (size_t c = 0; c < class_acc.size(); ++c)
    std::printf("%s %s %.1f%%", c == 0 ? "" : ",", d.classes[c].c_str(), 100 * class_acc[c]);
  std::printf("\n  weights: %s (reloaded into a fresh model: %s test predictions)\n", weights_path.c_str(),
              same_predictions ? "the same" : "DIFFERENT");
  std::printf(
      "pictures and TensorBoard run in %s/ (loss.png accuracy.png confusion.png predictions.png); training "
      "%.1f s, total %.1f s\n",
      out.c_str(), train_seconds, seconds);

  // ---- plausibility: the smoke test's assertions ----
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    if (!cond) std::fprintf(stderr, "FAILED: %s\n", what);
    ok = ok && cond;
  };
  check(test.accuracy >= (smoke ? 0.80 : 0.91), smoke ? "test accuracy >= 80%" : "test accuracy >= 91%");
  check(h.train_loss.back() < (epochs > 1 ? h.train_loss.front() : std::log(10.0)),
        "the train loss fell (below the first epoch's; with one epoch: below ln 10, chance level)");
  check(same_predictions, "the saved weights give the same test predictions in a fresh model");
  return ok ? 0 : 1;
}
