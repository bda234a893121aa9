// Chapter 8 — Feature maps: what the convolution layers of a trained CNN see in one image.
//
// Train the FashionCNN (two conv blocks, three linear layers: the model `nabla train --model fashion_cnn`
// builds) on FashionMNIST for one epoch (--epochs N for more). Then look inside it with forward hooks,
// PyTorch's `module.register_forward_hook(fn)`: a function called with (module, input, output) after the
// module's forward. A hook on each Conv2d copies its output for one test image: 32 feature maps of 28x28 from
// the first conv layer, 64 of 12x12 from the second. Each channel is drawn as a small gray picture,
// normalised to [0, 1] on its own. Finally the hooks are removed through the handles register_forward_hook
// returned, and one more forward call checks that nothing is captured any more.
//
//   build/examples/feature-maps          # the full chapter on data/FashionMNIST/raw -> runs/feature-maps/
//   build/examples/feature-maps --smoke  # generated images, 8 steps, seconds -> runs/feature-maps-smoke/
//
// Options: --data ROOT (default "data"), --epochs N. The program exits 1 if the results are implausible
// (a hook did not fire exactly once, a captured shape is wrong, a hook fired after its removal; in the
// smoke run: test accuracy below 50%; in the full run: below 85%), so its smoke run is a test.
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
// 1. Data: images as float [N, 1, 28, 28] in [0, 1], labels as int64 [N].
// ---------------------------------------------------------------------------------------------------
// Split, Data, load_fashion_mnist and make_blob_images: examples/common/chapter_data.h.
// --smoke: no files; ten blobs in pixel space stand in for FashionMNIST.
Data make_smoke_data() {
  return make_blob_images({.n_train = 1000, .n_test = 200, .cluster_std = 0.15, .seed = 8});
}

// ---------------------------------------------------------------------------------------------------
// 2. Model: the library's FashionCNN (include/nabla/train/models.h), the same class as in DESIGN.md:
//   layer1: Conv2d(1, 32, 3, padding 1) - BatchNorm2d - ReLU - MaxPool2d(2)    28x28 -> 14x14
//   layer2: Conv2d(32, 64, 3)           - BatchNorm2d - ReLU - MaxPool2d(2)    14x14 -> 12x12 -> 6x6
//   fc1 (2304 -> 600) - Dropout(0.25) - fc2 (600 -> 120) - fc3 (120 -> 10)
// ---------------------------------------------------------------------------------------------------
std::shared_ptr<nn::Module> make_model() { return training::build_model({.name = "fashion_cnn"}); }

// ---------------------------------------------------------------------------------------------------
// 3. Training and evaluation.
// ---------------------------------------------------------------------------------------------------
double test_accuracy(nn::Module& model, const Split& s) {
  NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0;
  for (int64_t i = 0; i < s.images.size(0); i += 1000) {
    Tensor x = s.images.index({Slice(i, i + 1000)}), y = s.labels.index({Slice(i, i + 1000)});
    correct += model(x).argmax(1).eq(y).sum().item<int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(s.images.size(0));
}

void fit(nn::Module& model, const Data& d, int epochs, int64_t max_steps, io::SummaryWriter& tb) {
  data::DataLoader loader(data::TensorDataset(d.train.images, d.train.labels),
                          {.batch_size = 100, .shuffle = true, .seed = 0});
  optim::Adam optimizer(model.parameters(), {.lr = 1e-3});
  int64_t step = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model.train();
    double loss_sum = 0;
    int64_t batches = 0;
    for (data::Batch& batch : loader) {
      if (max_steps > 0 && step >= max_steps) break;
      optimizer.zero_grad();
      Tensor loss = F::cross_entropy(model(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
      if (++step % 50 == 0) tb.add_scalar("train/batch_loss", loss.item<double>(), step);
    }
    const double train_loss = loss_sum / static_cast<double>(batches);
    const double acc = test_accuracy(model, d.test);
    tb.add_scalar("train/loss", train_loss, epoch);
    tb.add_scalar("test/accuracy", acc, epoch);
    std::printf("  epoch %d/%d  %lld steps  train loss %.4f  test accuracy %.2f%%\n", epoch, epochs,
                static_cast<long long>(step), train_loss, 100 * acc);
    std::fflush(stdout);
  }
}

// One channel per picture: [C, H, W] -> [C, 1, H, W], each channel shifted and scaled to [0, 1] by its
// own min and max (a constant channel becomes all black).
Tensor normalise_channels(const Tensor& maps) {
  Tensor flat = maps.flatten(1);                           // [C, H*W]
  Tensor lo = std::get<0>(flat.min(1, /*keepdim=*/true));  // [C, 1]
  Tensor hi = std::get<0>(flat.max(1, /*keepdim=*/true));  // [C, 1]
  Tensor scaled = (flat - lo) / (hi - lo).clamp(1e-8);     // [C, H*W] in [0, 1]
  return scaled.reshape({maps.size(0), 1, maps.size(1), maps.size(2)});
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
  if (epochs < 1) epochs = 1;  // one epoch is enough: about 88% (two reach about 90%, in twice the time)
  const int64_t max_steps = smoke ? 8 : 0;  // --smoke: a few steps only (0: no limit)
  const std::string out = smoke ? "runs/feature-maps-smoke" : "runs/feature-maps";
  std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();
  manual_seed(0);

  // ---- data ----
  Data d = smoke ? make_smoke_data() : load_fashion_mnist(root);
  std::printf("data: %lld train / %lld test images of 1x28x28, %zu classes%s\n",
              static_cast<long long>(d.train.images.size(0)), static_cast<long long>(d.test.images.size(0)),
              d.classes.size(), smoke ? " (generated, --smoke)" : "");

  // ---- model ----
  std::shared_ptr<nn::Module> model = make_model();
  int64_t n_params = 0;
  for (const Tensor& p : model->parameters()) n_params += p.numel();
  std::printf("model: FashionCNN, %lld parameters\n", static_cast<long long>(n_params));

  // ---- train ----
  io::SummaryWriter tb(out);
  std::printf("training (%d epoch%s%s, Adam 1e-3, batch 100)\n", epochs, epochs == 1 ? "" : "s",
              smoke ? ", at most 8 steps" : "");
  fit(*model, d, epochs, max_steps, tb);
  const double accuracy = test_accuracy(*model, d.test);

  // ---- the conv layers, found by walking the module tree (PyTorch's model.named_modules()) ----
  std::vector<std::pair<std::string, nn::Conv2d*>> convs;
  for (const auto& [name, m] : model->named_modules())
    if (auto* conv = dynamic_cast<nn::Conv2d*>(m)) convs.emplace_back(name, conv);
  // What each conv layer outputs for one 1x28x28 image: 32 maps of 28x28 (padding 1), 64 of 12x12.
  const std::map<std::string, std::vector<int64_t>> expected_shape = {{"layer1.0", {1, 32, 28, 28}},
                                                                      {"layer2.0", {1, 64, 12, 12}}};

  // ---- forward hooks: each copies its layer's output ----
  // The hook observes only (it returns nothing, so the output is unchanged); `calls` counts its runs.
  std::map<std::string, Tensor> captured;
  std::map<std::string, int> calls;
  std::vector<nn::RemovableHandle> handles;
  for (auto& [name, conv] : convs) {
    handles.push_back(
        conv->register_forward_hook([&, name](nn::Module&, const Tensor&, const Tensor& output) {
          captured[name] = output.detach().clone();
          ++calls[name];
        }));
  }

  // One test image (the first of the test set) through the model, in eval mode, without autograd.
  const Tensor image = d.test.images.index({Slice(0, 1)});  // [1, 1, 28, 28]
  const int64_t label = d.test.labels[0].item<int64_t>();
  int64_t predicted;
  {
    NoGradGuard no_grad;
    model->eval();
    predicted = (*model)(image).argmax(1).item<int64_t>();
  }
  std::printf("test image 0: a %s, predicted %s\n", d.classes[label].c_str(), d.classes[predicted].c_str());

  // ---- pictures: the input, then one grid per conv layer (8 channels a row) ----
  training::plot_image_grid(out + "/input.png", image, 1,
                            {"input: " + d.classes[label] + ", predicted " + d.classes[predicted]},
                            {420, 460});
  tb.add_image("feature_maps/input", image[0], epochs);
  std::vector<std::string> pictures = {"input.png"};
  for (auto& [name, conv] : convs) {
    auto it = captured.find(name);
    if (it == captured.end()) continue;
    const Tensor& maps = it->second;  // [1, C, H, W]
    std::printf("  %-9s Conv2d(%s): captured output [%lld, %lld, %lld, %lld], values %.3f .. %.3f\n",
                name.c_str(), conv->extra_repr().c_str(), static_cast<long long>(maps.size(0)),
                static_cast<long long>(maps.size(1)), static_cast<long long>(maps.size(2)),
                static_cast<long long>(maps.size(3)), maps.min().item<double>(), maps.max().item<double>());
    if (maps.dim() != 4) continue;
    Tensor channels = normalise_channels(maps[0]);  // [C, 1, H, W]
    std::vector<std::string> captions;
    for (int64_t c = 0; c < channels.size(0); ++c) captions.push_back("ch " + std::to_string(c));
    const int64_t rows = (channels.size(0) + 7) / 8;
    const std::string file = "feature_maps_" + name + ".png";
    training::plot_image_grid(out + "/" + file, channels, 8, captions,
                              {900, static_cast<int>(rows * 115 + 20)});
    tb.add_image("feature_maps/" + name, data::make_grid(channels, {.nrow = 8, .pad_value = 1.0}), epochs);
    pictures.push_back(file);
  }

  // ---- remove the hooks, then check that a further forward call captures nothing ----
  std::map<std::string, std::vector<int64_t>> shapes;  // what each hook captured
  for (auto& [name, maps] : captured) shapes[name] = maps.sizes().vec();
  const std::map<std::string, int> calls_with_hooks = calls;
  for (nn::RemovableHandle& h : handles) h.remove();
  captured.clear();
  {
    NoGradGuard no_grad;
    (*model)(d.test.images.index({Slice(0, 4)}));
  }
  const bool silent_after_removal = captured.empty() && calls == calls_with_hooks;
  tb.close();

  // ---- results ----
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\nresults:\n");
  std::printf("  test accuracy %.2f%% (%lld images)\n", 100 * accuracy,
              static_cast<long long>(d.test.images.size(0)));
  std::printf("  conv layers hooked: %zu; hooks fired:", convs.size());
  for (auto& [name, n] : calls_with_hooks) std::printf(" %s x%d", name.c_str(), n);
  std::printf("\n  after handle.remove(): %s\n",
              silent_after_removal ? "a forward call captured nothing" : "THE HOOKS STILL FIRED");
  std::printf("pictures and TensorBoard run in %s/ (", out.c_str());
  for (size_t i = 0; i < pictures.size(); ++i) std::printf("%s%s", i ? " " : "", pictures[i].c_str());
  std::printf("); %.1f s\n", seconds);

  // ---- plausibility: the smoke test's assertions ----
  bool ok = true;
  auto check = [&](bool cond, const std::string& what) {
    if (!cond) std::fprintf(stderr, "FAILED: %s\n", what.c_str());
    ok = ok && cond;
  };
  check(convs.size() == expected_shape.size(), "the model has two Conv2d layers, layer1.0 and layer2.0");
  for (auto& [name, shape] : expected_shape) {
    check(calls_with_hooks.count(name) && calls_with_hooks.at(name) == 1,
          "the hook on " + name + " fired exactly once");
    check(shapes.count(name) && shapes.at(name) == shape,
          "the hook on " + name + " captured the expected shape");
  }
  check(silent_after_removal, "no hook fires after handle.remove()");
  if (smoke)  // 8 steps on easy blobs reach about 90%; chance is 10%
    check(accuracy >= 0.5, "test accuracy of at least 50% on the generated images");
  else
    check(accuracy >= 0.85, "test accuracy of at least 85% on FashionMNIST");
  return ok ? 0 : 1;
}
