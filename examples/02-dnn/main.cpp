// Chapter 2 — DNN: a deep MLP classifies FashionMNIST, trained with and without dropout.
//
// A multi-layer perceptron 784 -> 512 -> 256 -> 10 with ReLU between the layers is trained twice, from the
// same initial weights, on the same batches, for the same number of epochs: once plain, once with dropout
// (p = 0.3 after each hidden layer; during training each hidden activation is zeroed with probability p and
// the survivors are scaled by 1 / (1 - p); in eval mode dropout does nothing). After every epoch both
// models are evaluated (eval mode, no dropout) on the whole training set and the whole test set.
//
// The lesson is overfitting: the plain network keeps driving its training loss down while its test loss
// stops falling and starts to rise — the gap between train and test loss grows. Dropout keeps the gap small.
//
//   build/examples/dnn            # the full chapter on data/FashionMNIST/raw -> runs/dnn/
//   build/examples/dnn --smoke    # generated images, 2 epochs, seconds -> runs/dnn-smoke/
//
// Options: --data ROOT (default "data"), --epochs N. The program exits 1 if the results are implausible
// (either model's train loss not lower after the last epoch than after the first — with one epoch: than
// the untrained model's —, or its test loss not below the untrained model's; in the full run also: test
// accuracy of either model below 85%), so its smoke run is a test.
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
  return make_blob_images({.n_train = 2000, .n_test = 500, .cluster_std = 4.0, .seed = 2});
}

// ---------------------------------------------------------------------------------------------------
// 2. Model: 784 -> 512 -> 256 -> 10, ReLU between, Dropout(p) after each hidden layer. With p = 0 the
//    dropout layers do nothing: that is the plain network. Both variants have the same parameters under
//    the same names (dropout has none), so one's state_dict loads into the other.
// ---------------------------------------------------------------------------------------------------
constexpr double kDropout = 0.3;

struct MLP : nn::Module {
  nn::Sequential net;
  explicit MLP(double p)
      : net{nn::Flatten(), nn::Linear(28 * 28, 512), nn::ReLU(),         nn::Dropout(p), nn::Linear(512, 256),
            nn::ReLU(),    nn::Dropout(p),           nn::Linear(256, 10)} {
    register_modules({{"net", net}});
  }
  Tensor forward(Tensor x) override { return net(x); }
};

// ---------------------------------------------------------------------------------------------------
// 3. Training and evaluation.
// ---------------------------------------------------------------------------------------------------
constexpr int64_t kEvalBatch = 1000;

struct Metrics {
  double loss, accuracy;
};

// Mean cross-entropy and accuracy over a whole split, in eval mode (no dropout), without autograd.
Metrics evaluate(MLP& model, const Split& s) {
  NoGradGuard no_grad;
  model.eval();
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t i = 0; i < s.images.size(0); i += kEvalBatch) {
    Tensor x = s.images.index({Slice(i, i + kEvalBatch)}), y = s.labels.index({Slice(i, i + kEvalBatch)});
    Tensor logits = model(x);
    loss_sum += F::cross_entropy(logits, y, {}, "sum").item<double>();
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  }
  const double n = static_cast<double>(s.images.size(0));
  return {loss_sum / n, static_cast<double>(correct) / n};
}

// One run's per-epoch history: index 0 is the untrained model, index e is after epoch e.
struct History {
  std::vector<double> train_loss, test_loss, train_acc, test_acc;
  void record(const Metrics& train, const Metrics& test) {
    train_loss.push_back(train.loss);
    test_loss.push_back(test.loss);
    train_acc.push_back(train.accuracy);
    test_acc.push_back(test.accuracy);
  }
};

// Trains `model` for `epochs` epochs with Adam; evaluates on the train and test splits after every epoch.
// The loader's fixed seed gives both runs the same batches in the same order.
History fit(MLP& model, const Data& d, int epochs, const std::string& name, io::SummaryWriter& tb) {
  data::DataLoader loader(data::TensorDataset(d.train.images, d.train.labels),
                          {.batch_size = 128, .shuffle = true, .seed = 0});
  optim::Adam optimizer(model.parameters(), {.lr = 1e-3});
  History h;
  h.record(evaluate(model, d.train), evaluate(model, d.test));
  int64_t step = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model.train();
    for (data::Batch& batch : loader) {
      optimizer.zero_grad();
      Tensor loss = F::cross_entropy(model(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      if (++step % 50 == 0) tb.add_scalar(name + "/batch_loss", loss.item<double>(), step);
    }
    const Metrics train = evaluate(model, d.train), test = evaluate(model, d.test);
    h.record(train, test);
    tb.add_scalar(name + "/train_loss", train.loss, epoch);
    tb.add_scalar(name + "/test_loss", test.loss, epoch);
    tb.add_scalar(name + "/train_accuracy", train.accuracy, epoch);
    tb.add_scalar(name + "/test_accuracy", test.accuracy, epoch);
    tb.add_scalar(name + "/generalization_gap", test.loss - train.loss, epoch);
    std::printf("  %-12s epoch %2d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%\n", name.c_str(),
                epoch, epochs, train.loss, 100 * train.accuracy, test.loss, 100 * test.accuracy);
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
  if (epochs < 1) epochs = smoke ? 2 : 30;
  const std::string out = smoke ? "runs/dnn-smoke" : "runs/dnn";
  std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();
  manual_seed(0);

  // ---- data ----
  Data d = smoke ? make_smoke_data() : load_fashion_mnist(root);
  std::printf("data: %lld train / %lld test images of 1x28x28, %zu classes%s\n",
              static_cast<long long>(d.train.images.size(0)), static_cast<long long>(d.test.images.size(0)),
              d.classes.size(), smoke ? " (generated, --smoke)" : "");

  // ---- models: the same initial weights for both ----
  MLP plain(0.0), dropout(kDropout);
  dropout.load_state_dict(plain.state_dict());
  int64_t n_params = 0;
  for (const Tensor& p : plain.parameters()) n_params += p.numel();
  std::printf("model: 784 -> 512 -> 256 -> 10 with ReLU, %lld parameters; dropout p = %.1f in the second\n",
              static_cast<long long>(n_params), kDropout);

  // ---- train both ----
  io::SummaryWriter tb(out);
  std::printf("training without dropout (%d epochs, Adam 1e-3, batch 128)\n", epochs);
  const History h_plain = fit(plain, d, epochs, "no_dropout", tb);
  std::printf("training with dropout %.1f (same initial weights, same batches)\n", kDropout);
  const History h_drop = fit(dropout, d, epochs, "dropout", tb);

  // ---- pictures: the curves from epoch 1 on (the untrained point would flatten the plot) ----
  auto from_epoch_1 = [](const std::vector<double>& v) {
    return std::vector<double>(v.begin() + 1, v.end());
  };
  const std::string drop_name = "dropout " + std::to_string(kDropout).substr(0, 3);
  training::plot_curves(out + "/loss.png", "Cross-entropy per epoch: train vs test, with and without dropout",
                        {{"no dropout, train", from_epoch_1(h_plain.train_loss)},
                         {"no dropout, test", from_epoch_1(h_plain.test_loss)},
                         {drop_name + ", train", from_epoch_1(h_drop.train_loss)},
                         {drop_name + ", test", from_epoch_1(h_drop.test_loss)}},
                        "epoch", "loss");
  training::plot_curves(out + "/accuracy.png", "Test accuracy per epoch, with and without dropout",
                        {{"no dropout, test", from_epoch_1(h_plain.test_acc)},
                         {drop_name + ", test", from_epoch_1(h_drop.test_acc)}},
                        "epoch", "accuracy");
  tb.close();

  // ---- results ----
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\nresults after %d epochs (eval mode, whole splits):\n", epochs);
  std::printf("                 train loss  test loss  gap (test - train)  train acc  test acc\n");
  auto row = [](const char* what, const History& h) {
    std::printf("  %-13s  %10.4f  %9.4f  %18.4f  %8.2f%%  %7.2f%%\n", what, h.train_loss.back(),
                h.test_loss.back(), h.test_loss.back() - h.train_loss.back(), 100 * h.train_acc.back(),
                100 * h.test_acc.back());
  };
  row("no dropout", h_plain);
  row(drop_name.c_str(), h_drop);
  auto best = [](const std::vector<double>& v) {
    size_t b = 1;
    for (size_t e = 1; e < v.size(); ++e)
      if (v[e] < v[b]) b = e;
    return b;
  };
  std::printf("lowest test loss: no dropout %.4f at epoch %zu, %s %.4f at epoch %zu\n",
              h_plain.test_loss[best(h_plain.test_loss)], best(h_plain.test_loss), drop_name.c_str(),
              h_drop.test_loss[best(h_drop.test_loss)], best(h_drop.test_loss));
  std::printf("pictures and TensorBoard run in %s/ (loss.png accuracy.png); %.1f s\n", out.c_str(), seconds);

  // ---- plausibility: the smoke test's assertions ----
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    if (!cond) std::fprintf(stderr, "FAILED: %s\n", what);
    ok = ok && cond;
  };
  // The train loss must fall from epoch 1 to the last (from the untrained model's with one epoch); the
  // test loss only below the untrained model's: without dropout it is expected to rise again late on.
  const size_t first = epochs > 1 ? 1 : 0;
  for (const History* h : {&h_plain, &h_drop}) {
    check(h->train_loss.back() < h->train_loss[first], "the train loss decreased");
    check(h->test_loss.back() < h->test_loss[0], "the test loss is below the untrained model's");
  }
  if (!smoke) {
    check(h_plain.test_acc.back() >= 0.85, "the model without dropout reaches 85% test accuracy");
    check(h_drop.test_acc.back() >= 0.85, "the model with dropout reaches 85% test accuracy");
  }
  return ok ? 0 : 1;
}
