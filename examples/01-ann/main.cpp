// Chapter 1 — ANN: a two-layer network classifies 2-D points from four Gaussian blobs.
//
// Read it top to bottom like a notebook: data -> model -> train -> evaluate -> pictures.
//   ann            the full chapter: 4000 points, 30 epochs, writes runs/ann/
//   ann --smoke    20 short epochs on 400 points (a second), writes runs/ann-smoke/ in the current directory
// Writes <run>/decision_boundary.png, <run>/loss.png, <run>/accuracy.png, <run>/data.png and a TensorBoard
// run (tensorboard --logdir runs). Exits 1 when the test accuracy is implausibly low.
#include <nabla/nabla.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace nabla;

int main(int argc, char** argv) {
  const bool smoke = argc > 1 && std::string(argv[1]) == "--smoke";
  const std::string run_dir = smoke ? "runs/ann-smoke" : "runs/ann";
  const int64_t n_samples = smoke ? 400 : 4000;
  const int n_epochs = smoke ? 20 : 30;
  const double min_accuracy = smoke ? 0.80 : 0.90;  // below this the run failed
  const auto start = std::chrono::steady_clock::now();
  manual_seed(0);
  std::filesystem::create_directories(run_dir);

  // ---- 1. Data ---------------------------------------------------------------------------------------
  // Four blobs at the corners of a diamond (west, north, east, south), one class each. With cluster_std 1.0
  // neighbouring blobs overlap a little, so a few points are on the wrong side of any boundary: 100% is not
  // reachable.
  const std::vector<std::string> class_names = {"class 0", "class 1", "class 2", "class 3"};
  data::TensorDataset blobs = data::make_blobs({
      .n_samples = n_samples,
      .centers = {{-3.0, 0.0}, {0.0, 3.0}, {3.0, 0.0}, {0.0, -3.0}},
      .cluster_std = 1.0,
      .seed = 42,
  });
  std::printf("data: %lld points, 2 features, %zu classes\n", static_cast<long long>(blobs.size()),
              class_names.size());
  training::plot_scatter(run_dir + "/data.png", "make_blobs: 4 classes", blobs.data(), blobs.targets(),
                         class_names);

  // 80% to train on, 20% held out to measure accuracy on points the model never saw.
  auto splits = data::random_split(data::share(blobs), {0.8, 0.2}, /*seed=*/0);
  auto train_set = splits[0], test_set = splits[1];
  data::DataLoader train_loader(train_set, {.batch_size = 32, .shuffle = true, .seed = 0});
  // The whole test set is one batch.
  data::DataLoader test_loader(test_set, {.batch_size = test_set->size()});
  data::Batch test = *test_loader.begin();
  std::printf("split: %lld train / %lld test\n", static_cast<long long>(train_set->size()),
              static_cast<long long>(test_set->size()));

  // ---- 2. Model --------------------------------------------------------------------------------------
  // 2 inputs (x, y) -> 16 hidden units -> ReLU -> 4 logits, one per class.
  nn::Sequential model{nn::Linear(2, 16), nn::ReLU(), nn::Linear(16, 4)};
  optim::Adam optimizer(model.parameters(), {.lr = 1e-3});

  // Accuracy: the fraction of points whose largest logit is their class.
  auto accuracy = [](const Tensor& logits, const Tensor& target) {
    return (logits.argmax(1) == target).to(kFloat32).mean().item<double>();
  };

  // ---- 3. Train --------------------------------------------------------------------------------------
  io::SummaryWriter tb(run_dir);
  std::vector<double> train_losses, test_losses, train_accs, test_accs;
  for (int epoch = 1; epoch <= n_epochs; ++epoch) {
    model.train();
    double loss_sum = 0, correct = 0;
    int64_t seen = 0;
    for (data::Batch& batch : train_loader) {
      optimizer.zero_grad();
      Tensor logits = model(batch.data);
      Tensor loss = F::cross_entropy(logits, batch.target);
      loss.backward();
      optimizer.step();
      const int64_t n = batch.data.size(0);
      loss_sum += loss.item<double>() * n;
      correct += accuracy(logits, batch.target) * n;
      seen += n;
    }
    train_losses.push_back(loss_sum / seen);
    train_accs.push_back(correct / seen);

    // ---- 4. Evaluate (every epoch, on the held-out points) -----------------------------------------
    model.eval();
    {
      NoGradGuard no_grad;
      Tensor logits = model(test.data);
      test_losses.push_back(F::cross_entropy(logits, test.target).item<double>());
      test_accs.push_back(accuracy(logits, test.target));
    }
    tb.add_scalar("loss/train", train_losses.back(), epoch);
    tb.add_scalar("loss/test", test_losses.back(), epoch);
    tb.add_scalar("accuracy/train", train_accs.back(), epoch);
    tb.add_scalar("accuracy/test", test_accs.back(), epoch);
    if (epoch == 1 || epoch % 10 == 0 || epoch == n_epochs)
      std::printf("epoch %3d  train_loss %.4f  test_loss %.4f  train_acc %.4f  test_acc %.4f\n", epoch,
                  train_losses.back(), test_losses.back(), train_accs.back(), test_accs.back());
  }
  for (const auto& [name, param] : model.named_parameters()) tb.add_histogram(name, param, n_epochs);

  // ---- 5. Pictures -----------------------------------------------------------------------------------
  training::plot_curves(run_dir + "/loss.png", "ANN on blobs: cross-entropy",
                        {{"train_loss", train_losses}, {"test_loss", test_losses}}, "epoch", "loss");
  training::plot_curves(run_dir + "/accuracy.png", "ANN on blobs: accuracy",
                        {{"train_acc", train_accs}, {"test_acc", test_accs}}, "epoch", "accuracy");
  // The regions the model assigns to each class, with the test points in their true colours.
  training::plot_decision_boundary(
      run_dir + "/decision_boundary.png", "ANN decision boundary (test points)",
      [&](const Tensor& points) { return model(points).argmax(1); }, test.data, test.target);
  tb.close();

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double test_acc = test_accs.back();
  std::printf("test accuracy: %.2f%% (%lld points), %.1f s; pictures and TensorBoard run in %s/\n",
              100 * test_acc, static_cast<long long>(test_set->size()), seconds, run_dir.c_str());
  if (!(test_acc >= min_accuracy)) {
    std::fprintf(stderr, "ann: test accuracy %.2f%% is below %.0f%%: the training failed\n", 100 * test_acc,
                 100 * min_accuracy);
    return 1;
  }
  return 0;
}
