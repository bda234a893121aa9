// Chapter 9 — Transfer learning: reuse what a CNN learned on 8 FashionMNIST classes for 2 new ones.
//
// Pretrain a FashionCNN-like network (a conv backbone `features` and a linear head `fc`, named like
// torchvision's resnet18) on 8 of the 10 FashionMNIST classes, save it to a safetensors file, and load it
// back as a user would. Then learn the 2 held-out classes from only 100 training images (50 per class, a
// fixed random pick) in three ways, the same images and batches for each:
//   (a) feature extraction: the pretrained backbone frozen (Module::freeze(), and kept in eval mode so its
//       batch-norm statistics stay the pretrained ones), a new 2-class head, the only thing trained;
//   (b) fine-tuning: the pretrained backbone and a new head, all trained, the backbone with a 10x smaller
//       learning rate (its features are already good; a large step would wreck them on 100 images);
//   (c) from scratch: the same architecture, random initial weights.
// Each is scored on all the held-out classes' test images (2000) every 3 epochs, for several random picks
// of the 100 images (100 images give noisy numbers): the table shows mean ± spread over the picks.
//
// The held-out pair is T-shirt/top vs shirt: one of the pairs FashionMNIST classifiers confuse most often,
// so 100 images do not make it easy, while the 8 pretraining classes (pullover, coat and dress among them)
// teach the features that tell tops apart: sleeves, collars, outlines. (Sandal vs ankle boot is too easy: 100
// images from scratch reach about 98%. Pullover vs coat came out about the same, 77-80%, for all three
// recipes.)
//
//   build/examples/transfer-learning          # the full chapter on data/FashionMNIST/raw
//                                             #   -> runs/transfer-learning/
//   build/examples/transfer-learning --smoke  # generated images (blobs 0-7, then 8 vs 9 from 10
//                                             #   images), seconds -> runs/transfer-learning-smoke/
//
// Options: --data ROOT (default "data"), --pair A,B (the held-out class ids, default 0,6: T-shirt/top and
// shirt), --picks N (random picks of the 100 images, default 5), --pretrain-epochs N (default 2), --epochs N
// (transfer epochs, default 30), --resnet18 FILE (torchvision's ImageNet resnet18 weights, .pth or
// safetensors: recipes (a) and (b) again with it, section 5; --resnet18-size N (default 224),
// --resnet18-epochs N (default 10)). The program exits 1 if the results are implausible (the weights loaded
// from the file differ from the saved ones; feature extraction changed a backbone parameter or buffer, did
// not change the head, or trained more than the head; fine-tuning left the backbone unchanged; pretraining
// below 85% on the 8 classes (smoke: 80%); a recipe's mean test accuracy not above 65% (chance is 50%);
// with resnet18: its weights not loaded exactly, feature extraction training more than fc or changing the
// backbone, fine-tuning leaving it unchanged), so its smoke run is a test. The smoke run does section 5 with
// a randomly initialised resnet18 it saves as a .pt file.
#include <nabla/nabla.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
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
// --smoke: no files; ten blobs in pixel space stand in for FashionMNIST (pretrain on 0-7, transfer to 8, 9).
Data make_smoke_data() {
  return make_blob_images({.n_train = 1000, .n_test = 500, .cluster_std = 0.5, .seed = 9});
}

Tensor int64_tensor(const std::vector<int64_t>& values) {
  return from_buffer(values.data(), {static_cast<int64_t>(values.size())}, kInt64);
}

// The images of `classes` only, relabelled 0, 1, ... in the order `classes` lists them.
Split select_classes(const Split& s, const std::vector<int64_t>& classes) {
  const Tensor labels = s.labels.contiguous();
  const int64_t* y = labels.data_ptr<int64_t>();
  std::vector<int64_t> rows, new_labels;
  for (int64_t i = 0; i < labels.size(0); ++i) {
    auto it = std::find(classes.begin(), classes.end(), y[i]);
    if (it == classes.end()) continue;
    rows.push_back(i);
    new_labels.push_back(it - classes.begin());
  }
  return {s.images.index({int64_tensor(rows)}), int64_tensor(new_labels)};
}

// `per_class` images of each of the n_classes labels, drawn at random (the same for the same seed).
Split pick_per_class(const Split& s, int64_t n_classes, int64_t per_class, uint64_t seed) {
  RandomGenerator gen(seed);
  std::vector<Tensor> picked;
  for (int64_t c = 0; c < n_classes; ++c) {
    Tensor rows = s.labels.eq(c).nonzero().flatten();  // every image of class c
    Tensor order = randperm(rows.size(0), {}, &gen);
    picked.push_back(rows.index({order.index({Slice(0, per_class)})}));
  }
  Tensor rows = cat(picked);
  return {s.images.index({rows}), s.labels.index({rows})};
}

// ---------------------------------------------------------------------------------------------------
// 2. Model: a backbone that turns an image into 120 features, and a linear head on them.
//    features: conv(1->32, 3x3, pad 1)-BN-ReLU-maxpool, conv(32->64, 3x3)-BN-ReLU-maxpool,
//              2304 -> 600 -ReLU-Dropout(0.25)-> 120 -ReLU      (the FashionCNN's layers, with ReLUs
//              between the linear ones so the features are not one linear map away from the head)
//    fc:       120 -> num_classes
//    The input normalisation (FashionMNIST's mean and std) is part of forward, so it takes pixels.
// ---------------------------------------------------------------------------------------------------
constexpr double kMean = 0.2860, kStd = 0.3530;
constexpr int64_t kFeatures = 120;

struct TransferCNN : nn::Module {
  nn::Sequential features;  // what transfers
  nn::Linear fc;            // what is replaced for the new task
  explicit TransferCNN(int64_t num_classes)
      : features{nn::Conv2d(1, 32, 3, {.padding = 1}),
                 nn::BatchNorm2d(32),
                 nn::ReLU(),
                 nn::MaxPool2d(2),
                 nn::Conv2d(32, 64, 3),
                 nn::BatchNorm2d(64),
                 nn::ReLU(),
                 nn::MaxPool2d(2),
                 nn::Flatten(),
                 nn::Linear(64 * 6 * 6, 600),
                 nn::ReLU(),
                 nn::Dropout(0.25),
                 nn::Linear(600, kFeatures),
                 nn::ReLU()},
        fc(kFeatures, num_classes) {
    register_modules({{"features", features}, {"fc", fc}});
  }
  Tensor forward(Tensor x) override { return fc(features((x - kMean) / kStd)); }
};

int64_t count(const std::vector<Tensor>& params) {
  int64_t n = 0;
  for (const Tensor& p : params) n += p.numel();
  return n;
}

// A copy of a module's parameters and buffers (state_dict() shares their storage).
io::NamedTensors snapshot(const nn::Module& m) {
  io::NamedTensors copy;
  for (const auto& [name, t] : m.state_dict()) copy.insert(name, t.clone());
  return copy;
}
// True when every tensor of `m` is bit-identical to the snapshot.
bool unchanged(const nn::Module& m, const io::NamedTensors& before) {
  const io::NamedTensors now = m.state_dict();
  if (now.size() != before.size()) return false;
  for (size_t i = 0; i < now.size(); ++i)
    if (now[i].first != before[i].first || !equal(now[i].second, before[i].second)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// 3. Training and evaluation.
// ---------------------------------------------------------------------------------------------------
constexpr int64_t kEvalBatch = 500;

// `prepare` turns a batch of the split's images into the model's input (section 5 resizes them); `batch`
// bounds the memory one forward pass takes.
double accuracy(nn::Module& model, const Split& s, const std::function<Tensor(const Tensor&)>& prepare = {},
                int64_t batch = kEvalBatch) {
  NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0;
  for (int64_t i = 0; i < s.images.size(0); i += batch) {
    Tensor x = s.images.index({Slice(i, i + batch)}), y = s.labels.index({Slice(i, i + batch)});
    correct += model(prepare ? prepare(x) : x).argmax(1).eq(y).sum().item<int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(s.images.size(0));
}

// One pass over the loader; returns the mean batch loss. A frozen backbone stays in eval mode: frozen
// weights get no gradient, but in train mode batch norm would still overwrite its running statistics
// (and dropout would perturb the features the head learns from).
double train_epoch(TransferCNN& model, optim::Optimizer& optimizer, data::DataLoader& loader,
                   bool frozen_backbone) {
  model.train();
  if (frozen_backbone) model.features.eval();
  double loss_sum = 0;
  int64_t batches = 0;
  for (data::Batch& batch : loader) {
    optimizer.zero_grad();
    Tensor loss = F::cross_entropy(model(batch.data), batch.target);
    loss.backward();
    optimizer.step();
    loss_sum += loss.item<double>();
    ++batches;
  }
  return loss_sum / static_cast<double>(batches);
}

void pretrain(TransferCNN& model, const Split& train, const Split& test, int epochs, io::SummaryWriter& tb) {
  data::DataLoader loader(data::TensorDataset(train.images, train.labels),
                          {.batch_size = 100, .shuffle = true, .seed = 0});
  optim::Adam optimizer(model.parameters(), {.lr = 1e-3});
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const double loss = train_epoch(model, optimizer, loader, false);
    const double acc = accuracy(model, test);
    tb.add_scalar("pretrain/train_loss", loss, epoch);
    tb.add_scalar("pretrain/test_accuracy", acc, epoch);
    std::printf("  epoch %d/%d  train loss %.4f  test accuracy (8 classes) %.2f%%\n", epoch, epochs, loss,
                100 * acc);
    std::fflush(stdout);
  }
}

// ---------------------------------------------------------------------------------------------------
// 4. The three recipes on the small data set. Each returns the model it trained and the weights it
//    started from (for the checks), and the test accuracy before training and every few epochs.
// ---------------------------------------------------------------------------------------------------
enum class Recipe { FeatureExtraction, FineTuning, Scratch };
const char* recipe_name(Recipe r) {
  return r == Recipe::FeatureExtraction ? "feature extraction"
         : r == Recipe::FineTuning      ? "fine-tuning"
                                        : "from scratch";
}
const char* recipe_tag(Recipe r) {  // TensorBoard names
  return r == Recipe::FeatureExtraction ? "feature_extraction"
         : r == Recipe::FineTuning      ? "fine_tuning"
                                        : "scratch";
}

constexpr double kHeadLr = 1e-3, kBackboneFineTuneLr = 1e-4;
constexpr int64_t kTransferBatch = 10;

// The pretrained network exactly as a user gets it: an 8-class model, its weights read from the file, its
// head then swapped for a new 2-class one (PyTorch: `model.fc = nn.Linear(120, 2)`).
std::unique_ptr<TransferCNN> load_pretrained(const std::string& path, int64_t pretrain_classes,
                                             uint64_t head_seed) {
  auto model = std::make_unique<TransferCNN>(pretrain_classes);
  model->load_state_dict(io::load_safetensors(path).tensors);
  manual_seed(head_seed);  // (a) and (b) start from the same new head
  model->fc = nn::Linear(kFeatures, 2);
  return model;
}

struct RecipeRun {
  std::unique_ptr<TransferCNN> model;
  std::vector<double> test_acc;  // after each of the scored epochs (0: before training)
  int64_t trained_params = 0;
  io::NamedTensors backbone_before, head_before;  // the weights training started from
};

// The epochs after which the test set is scored: 0 (before training), every `every`-th, and the last.
// (Scoring 2000 test images costs several times more than an epoch on 100 images.)
std::vector<int> scored_epochs(int epochs, int every) {
  std::vector<int> e;
  for (int i = 0; i < epochs; i += every) e.push_back(i);
  e.push_back(epochs);
  return e;
}

RecipeRun run_recipe(Recipe recipe, const std::string& pretrained_path, int64_t pretrain_classes,
                     const Split& train, const Split& test, const std::vector<int>& scored, uint64_t seed,
                     io::SummaryWriter& tb) {
  RecipeRun run;
  if (recipe == Recipe::Scratch) {
    manual_seed(seed);
    run.model = std::make_unique<TransferCNN>(2);
  } else {
    run.model = load_pretrained(pretrained_path, pretrain_classes, seed);
  }
  TransferCNN& model = *run.model;
  const bool frozen = recipe == Recipe::FeatureExtraction;
  if (frozen) model.features.freeze();  // requires_grad = false: no gradients, the optimizer skips them

  std::unique_ptr<optim::Optimizer> optimizer;
  if (recipe == Recipe::FineTuning)  // two parameter groups: a small step for the backbone
    optimizer = std::make_unique<optim::Adam>(
        std::vector<optim::Adam::Group>{{model.features.parameters(), {.lr = kBackboneFineTuneLr}},
                                        {model.fc.parameters(), {.lr = kHeadLr}}});
  else  // after freeze(), trainable_parameters() is the head's weight and bias
    optimizer = std::make_unique<optim::Adam>(model.trainable_parameters(), optim::AdamConfig{.lr = kHeadLr});
  run.trained_params = count(model.trainable_parameters());
  run.backbone_before = snapshot(model.features);
  run.head_before = snapshot(model.fc);

  // The same seed for every recipe: the same batches in the same order.
  data::DataLoader loader(data::TensorDataset(train.images, train.labels),
                          {.batch_size = kTransferBatch, .shuffle = true, .seed = seed});
  const std::string tag = std::string(recipe_tag(recipe)) + "/pick" + std::to_string(seed);
  run.test_acc.push_back(accuracy(model, test));
  for (int epoch = 1; epoch <= scored.back(); ++epoch) {
    tb.add_scalar(tag + "/train_loss", train_epoch(model, *optimizer, loader, frozen), epoch);
    if (std::find(scored.begin(), scored.end(), epoch) == scored.end()) continue;
    run.test_acc.push_back(accuracy(model, test));
    tb.add_scalar(tag + "/test_accuracy", run.test_acc.back(), epoch);
  }
  return run;
}

struct Stats {
  double mean, std, min, max;  // std: the sample standard deviation
};
Stats stats(const std::vector<double>& v) {
  Stats s{0, 0, *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())};
  for (double x : v) s.mean += x / static_cast<double>(v.size());
  for (double x : v) s.std += (x - s.mean) * (x - s.mean);
  s.std = v.size() > 1 ? std::sqrt(s.std / static_cast<double>(v.size() - 1)) : 0.0;
  return s;
}

// ---------------------------------------------------------------------------------------------------
// 5. The same with real pretrained weights: torchvision's resnet18 and its ImageNet weights, read from
//    the .pth file torchvision downloads (or safetensors). --resnet18 FILE runs (a) and (b) on the same
//    100 images; --smoke runs the path on a randomly initialised resnet18 that it saves with
//    io::save_pt, so the loading, freezing and training code is tested without the 45 MB download.
// ---------------------------------------------------------------------------------------------------
constexpr float kImageNetMean[3] = {0.485f, 0.456f, 0.406f}, kImageNetStd[3] = {0.229f, 0.224f, 0.225f};

// What ImageNet weights expect: 3 x size x size, normalised with ImageNet's mean and std per channel. The
// grey 28x28 images are resized (bilinear) and repeated over the three channels.
Tensor imagenet_input(const Tensor& grey, int64_t size) {
  Tensor x = F::interpolate(grey, {.size = {size, size}, .mode = "bilinear", .align_corners = false});
  return (cat({x, x, x}, 1) - from_buffer(kImageNetMean, {1, 3, 1, 1}, kFloat32)) /
         from_buffer(kImageNetStd, {1, 3, 1, 1}, kFloat32);
}

// The pretrained network as a PyTorch user loads it: resnet18 with ImageNet's 1000-class head, the
// file's weights (every name and shape must match), then `model.fc = nn.Linear(512, 2)`.
std::shared_ptr<vision::models::ResNet> load_resnet18(const std::string& path, uint64_t head_seed) {
  auto model = vision::models::resnet18();
  model->load_state_dict(io::load_state_dict(path));
  manual_seed(head_seed);
  model->fc = nn::Linear(512, 2);
  return model;
}

struct ResNetRun {
  double accuracy = 0;
  int64_t trained_params = 0;
  bool backbone_unchanged = false, head_changed = false;
};

// (a) feature extraction or (b) fine-tuning with resnet18: the recipes of section 4 with torchvision's
// names (`fc` is the head, everything else the backbone).
ResNetRun run_resnet_recipe(Recipe recipe, const std::string& path, const Split& train, const Split& test,
                            int64_t size, int epochs, uint64_t seed) {
  auto model = load_resnet18(path, seed);
  const bool frozen = recipe == Recipe::FeatureExtraction;
  if (frozen) {
    model->freeze();       // PyTorch: for p in model.parameters(): p.requires_grad = False
    model->fc.unfreeze();  // the new head trains
  }
  std::vector<Tensor> backbone;  // everything but fc
  for (const auto& [name, p] : model->named_parameters())
    if (name.rfind("fc.", 0) != 0) backbone.push_back(p);
  std::unique_ptr<optim::Optimizer> optimizer;
  if (frozen)
    optimizer =
        std::make_unique<optim::Adam>(model->trainable_parameters(), optim::AdamConfig{.lr = kHeadLr});
  else
    optimizer = std::make_unique<optim::Adam>(std::vector<optim::Adam::Group>{
        {backbone, {.lr = kBackboneFineTuneLr}}, {model->fc.parameters(), {.lr = kHeadLr}}});
  ResNetRun run;
  run.trained_params = count(model->trainable_parameters());
  const io::NamedTensors before = snapshot(*model), head_before = snapshot(model->fc);

  // The 100 training images resized once (the 2000 test images at 224x224 would take 1.2 GB: per batch).
  data::DataLoader loader(data::TensorDataset(imagenet_input(train.images, size), train.labels),
                          {.batch_size = kTransferBatch, .shuffle = true, .seed = seed});
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model->train();
    if (frozen) model->eval();  // the whole backbone keeps ImageNet's batch-norm statistics; fc has none
    for (data::Batch& batch : loader) {
      optimizer->zero_grad();
      F::cross_entropy((*model)(batch.data), batch.target).backward();
      optimizer->step();
    }
  }
  constexpr int64_t kResNetEvalBatch = 50;  // 224x224 activations: keep a batch's memory small
  run.accuracy = accuracy(
      *model, test, [size](const Tensor& x) { return imagenet_input(x, size); }, kResNetEvalBatch);
  run.backbone_unchanged = true;  // every parameter and batch-norm buffer outside fc, bit for bit
  for (const auto& [name, t] : model->state_dict())
    if (name.rfind("fc.", 0) != 0)
      run.backbone_unchanged = run.backbone_unchanged && equal(t, *before.find(name));
  run.head_changed = !unchanged(model->fc, head_before);
  return run;
}

// ---------------------------------------------------------------------------------------------------
// 6. The chapter.
// ---------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool smoke = false;
  std::string root = "data";
  std::vector<int64_t> held_out;
  int picks = -1, pretrain_epochs = -1, epochs = -1;
  std::string resnet18_path;  // torchvision's resnet18 weights (section 5)
  int64_t resnet18_size = -1;
  int resnet18_epochs = -1;
  bool check_resnet_load = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke")
      smoke = true;
    else if (a == "--data" && i + 1 < argc)
      root = argv[++i];
    else if (int first = 0, second = 0;
             a == "--pair" && i + 1 < argc && std::sscanf(argv[i + 1], "%d,%d", &first, &second) == 2) {
      held_out = {first, second};
      ++i;
    } else if (a == "--picks" && i + 1 < argc)
      picks = std::stoi(argv[++i]);
    else if (a == "--pretrain-epochs" && i + 1 < argc)
      pretrain_epochs = std::stoi(argv[++i]);
    else if (a == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else if (a == "--resnet18" && i + 1 < argc)
      resnet18_path = argv[++i];
    else if (a == "--resnet18-size" && i + 1 < argc)
      resnet18_size = std::stoi(argv[++i]);
    else if (a == "--resnet18-epochs" && i + 1 < argc)
      resnet18_epochs = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: " << argv[0]
                << " [--smoke] [--data ROOT] [--pair A,B] [--picks N] [--pretrain-epochs N] [--epochs N]"
                   " [--resnet18 FILE [--resnet18-size N] [--resnet18-epochs N]]\n";
      return 2;
    }
  }
  if (held_out.empty()) held_out = smoke ? std::vector<int64_t>{8, 9} : std::vector<int64_t>{0, 6};
  if (held_out[0] == held_out[1] || std::min(held_out[0], held_out[1]) < 0 ||
      std::max(held_out[0], held_out[1]) > 9) {
    std::cerr << "--pair needs two different class ids in 0..9\n";
    return 2;
  }
  if (picks < 1) picks = smoke ? 2 : 5;
  if (pretrain_epochs < 1) pretrain_epochs = smoke ? 1 : 2;
  if (epochs < 1) epochs = smoke ? 20 : 30;
  if (resnet18_size < 1) resnet18_size = smoke ? 32 : 224;
  if (resnet18_epochs < 1) resnet18_epochs = smoke ? 2 : 10;
  const int64_t per_class = smoke ? 5 : 50;  // training images per held-out class
  const std::vector<int> scored = scored_epochs(epochs, smoke ? 10 : 3);
  const std::string out = smoke ? "runs/transfer-learning-smoke" : "runs/transfer-learning";
  std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  manual_seed(0);

  // ---- data: 8 classes to pretrain on, the 2 held-out ones to transfer to ----
  Data d = smoke ? make_smoke_data() : load_fashion_mnist(root);
  std::vector<int64_t> pretrain_classes;
  for (int64_t c = 0; c < 10; ++c)
    if (c != held_out[0] && c != held_out[1]) pretrain_classes.push_back(c);
  const Split pre_train = select_classes(d.train, pretrain_classes),
              pre_test = select_classes(d.test, pretrain_classes);
  const Split new_train_all = select_classes(d.train, held_out), new_test = select_classes(d.test, held_out);
  const std::string pair_name = d.classes[held_out[0]] + " vs " + d.classes[held_out[1]];
  std::printf(
      "data%s: pretraining on 8 classes, %lld train / %lld test images; held out: %s (%lld test images)\n",
      smoke ? " (generated, --smoke)" : "", static_cast<long long>(pre_train.images.size(0)),
      static_cast<long long>(pre_test.images.size(0)), pair_name.c_str(),
      static_cast<long long>(new_test.images.size(0)));

  // ---- pretrain on the 8 classes, save, load back ----
  io::SummaryWriter tb(out);
  TransferCNN pretrained(8);
  std::printf("pretraining: TransferCNN (%lld parameters: backbone %lld, head %lld), %d epoch%s, Adam 1e-3\n",
              static_cast<long long>(count(pretrained.parameters())),
              static_cast<long long>(count(pretrained.features.parameters())),
              static_cast<long long>(count(pretrained.fc.parameters())), pretrain_epochs,
              pretrain_epochs == 1 ? "" : "s");
  std::fflush(stdout);
  const double pretrain_start = elapsed();
  pretrain(pretrained, pre_train, pre_test, pretrain_epochs, tb);
  const double pretrain_acc = accuracy(pretrained, pre_test);
  const double pretrain_seconds = elapsed() - pretrain_start;
  const std::string weights_path = out + "/pretrained_8class.safetensors";
  std::string class_list;
  for (int64_t c : pretrain_classes) class_list += (class_list.empty() ? "" : ",") + d.classes[c];
  io::save_safetensors(weights_path, pretrained.state_dict(), {{"classes", class_list}});
  const bool reload_exact = [&] {  // what a user loads is what was saved
    TransferCNN reloaded(8);
    reloaded.load_state_dict(io::load_safetensors(weights_path).tensors);
    return unchanged(reloaded, snapshot(pretrained));
  }();
  std::printf("saved %s (%zu tensors); loaded back unchanged: %s\n", weights_path.c_str(),
              pretrained.state_dict().size(), reload_exact ? "yes" : "NO");

  // ---- the three recipes, for several random picks of the small training set ----
  const std::vector<Recipe> recipes = {Recipe::FeatureExtraction, Recipe::FineTuning, Recipe::Scratch};
  std::map<Recipe, std::vector<std::vector<double>>> curves;  // recipe -> pick -> accuracy per epoch
  std::map<Recipe, int64_t> trained_params;
  bool frozen_backbone_intact = true, head_trained = true, fine_tuned_backbone_moved = true;
  std::printf(
      "transfer: %lld training images (%lld per class, %d random picks), %d epochs, Adam, batch %lld; "
      "head lr %.0e, fine-tuned backbone lr %.0e\n",
      static_cast<long long>(2 * per_class), static_cast<long long>(per_class), picks, epochs,
      static_cast<long long>(kTransferBatch), kHeadLr, kBackboneFineTuneLr);
  Split first_pick;
  for (int p = 0; p < picks; ++p) {
    const Split small = pick_per_class(new_train_all, 2, per_class, 1000 + p);
    if (p == 0) first_pick = small;
    std::printf("  pick %d:", p);
    for (Recipe r : recipes) {
      RecipeRun run = run_recipe(r, weights_path, 8, small, new_test, scored, p, tb);
      trained_params[r] = run.trained_params;
      if (r == Recipe::FeatureExtraction) {
        frozen_backbone_intact =
            frozen_backbone_intact && unchanged(run.model->features, run.backbone_before);
        head_trained = head_trained && !unchanged(run.model->fc, run.head_before);
      }
      if (r == Recipe::FineTuning)
        fine_tuned_backbone_moved =
            fine_tuned_backbone_moved && !unchanged(run.model->features, run.backbone_before);
      std::printf("  %s %.2f%%", recipe_name(r), 100 * run.test_acc.back());
      std::fflush(stdout);
      curves[r].push_back(run.test_acc);
    }
    std::printf("  (%.0f s)\n", elapsed());
  }

  // ---- pictures ----
  // The mean test accuracy per scored epoch, one line per recipe; and each pick's final accuracy as a
  // point above its recipe (x = recipe 0, 1, 2, the picks spread a little sideways): the spread at a glance.
  std::vector<double> epoch_axis(scored.begin(), scored.end());
  std::map<std::string, std::vector<double>> mean_curves;
  std::map<Recipe, Stats> final_stats;
  std::vector<float> final_points;  // (x, accuracy) pairs
  std::vector<int64_t> point_recipe;
  std::vector<std::string> recipe_names;
  for (Recipe r : recipes) {
    std::vector<double> mean(scored.size(), 0.0), finals;
    for (const auto& c : curves[r]) {
      for (size_t i = 0; i < scored.size(); ++i) mean[i] += c[i] / picks;
      finals.push_back(c.back());
    }
    const int64_t x = static_cast<int64_t>(recipe_names.size());
    for (int p = 0; p < picks; ++p) {
      final_points.push_back(static_cast<float>(x + 0.08 * (p - (picks - 1) / 2.0)));
      final_points.push_back(static_cast<float>(finals[p]));
      point_recipe.push_back(x);
    }
    recipe_names.push_back(recipe_name(r));
    mean_curves[recipe_name(r)] = mean;
    final_stats[r] = stats(finals);
    for (size_t i = 0; i < scored.size(); ++i)
      tb.add_scalar(std::string(recipe_tag(r)) + "/mean_test_accuracy", mean[i], scored[i]);
  }
  training::plot_lines(out + "/accuracy_per_epoch.png",
                       "Transfer to " + pair_name + " from " + std::to_string(2 * per_class) +
                           " images: test accuracy (mean of " + std::to_string(picks) + " picks)",
                       epoch_axis, mean_curves, "epoch", "test accuracy", {900, 600});
  training::plot_scatter(
      out + "/final_accuracy_per_pick.png",
      "Test accuracy after " + std::to_string(epochs) + " epochs, one point per pick (x: recipe)",
      from_buffer(final_points.data(), {static_cast<int64_t>(point_recipe.size()), 2}, kFloat32),
      int64_tensor(point_recipe), recipe_names, {900, 600});
  // The first pick's training images: what the three recipes learn the new classes from.
  const int64_t shown = std::min<int64_t>(per_class, 10);
  Tensor shown_images = cat({first_pick.images.index({Slice(0, shown)}),
                             first_pick.images.index({Slice(per_class, per_class + shown)})});
  std::vector<std::string> captions;
  for (int64_t i = 0; i < 2 * shown; ++i) captions.push_back(d.classes[held_out[i < shown ? 0 : 1]]);
  training::plot_image_grid(out + "/training_images.png", shown_images, shown, captions, {1100, 300});
  tb.add_image("transfer/training_images_pick0", data::make_grid(shown_images, {.nrow = shown}), 0);
  tb.close();

  // ---- results ----
  std::printf("\nresults: pretraining reached %.2f%% on the 8 classes' %lld test images (%.0f s).\n",
              100 * pretrain_acc, static_cast<long long>(pre_test.images.size(0)), pretrain_seconds);
  std::printf(
      "transfer to %s, %lld training images, test accuracy on %lld images after %d epochs over %d picks:\n",
      pair_name.c_str(), static_cast<long long>(2 * per_class),
      static_cast<long long>(new_test.images.size(0)), epochs, picks);
  std::printf("  recipe               trained params   mean ± std          min – max\n");
  for (Recipe r : recipes) {
    const Stats& s = final_stats[r];
    std::printf("  %-19s  %14lld   %6.2f%% ± %5.2f   %6.2f%% – %6.2f%%\n", recipe_name(r),
                static_cast<long long>(trained_params[r]), 100 * s.mean, 100 * s.std, 100 * s.min,
                100 * s.max);
  }
  std::printf(
      "feature extraction: backbone parameters and buffers unchanged (exactly equal) after training: %s; "
      "head changed: %s\n",
      frozen_backbone_intact ? "yes" : "NO", head_trained ? "yes" : "NO");
  std::printf(
      "pictures and TensorBoard run in %s/ (accuracy_per_epoch.png final_accuracy_per_pick.png "
      "training_images.png); weights %s; %.1f s\n",
      out.c_str(), weights_path.c_str(), elapsed());

  // ---- the same with real pretrained weights: torchvision's resnet18 (section 5) ----
  ResNetRun resnet_runs[2];
  const bool run_resnet = smoke || !resnet18_path.empty();
  if (!run_resnet) {
    std::printf(
        "\nwith real pretrained weights: --resnet18 FILE runs (a) and (b) with torchvision's ImageNet "
        "resnet18 "
        "on pick 0's images\n(resized to %lldx%lld, 3 channels, ImageNet's normalisation). FILE is the "
        "state_dict torchvision downloads, e.g.\n  "
        "torch.save(torchvision.models.resnet18(weights=\"IMAGENET1K_V1\")"
        ".state_dict(), \"resnet18.pth\")\n(.pth or safetensors; nabla reads the pickle without running "
        "it).\n",
        static_cast<long long>(resnet18_size), static_cast<long long>(resnet18_size));
  } else {
    Split test = new_test;
    if (smoke) {  // a random resnet18 written as torch.save would, then read back like a downloaded file
      resnet18_path = out + "/resnet18_random_init.pt";
      manual_seed(18);
      io::save_pt(resnet18_path, vision::models::resnet18()->state_dict());
      test = {new_test.images.index({Slice(0, 100)}), new_test.labels.index({Slice(0, 100)})};
    }
    const bool loads_exactly = [&] {
      auto reloaded = vision::models::resnet18();
      const io::NamedTensors file = io::load_state_dict(resnet18_path);
      reloaded->load_state_dict(file);
      return unchanged(*reloaded, file);
    }();
    check_resnet_load = loads_exactly;
    std::printf(
        "\nresnet18 from %s (%s): loaded exactly: %s; (a) and (b) on pick 0's %lld images at %lldx%lld, "
        "%d epochs\n",
        resnet18_path.c_str(), smoke ? "random weights, --smoke" : "pretrained weights",
        loads_exactly ? "yes" : "NO", static_cast<long long>(first_pick.images.size(0)),
        static_cast<long long>(resnet18_size), static_cast<long long>(resnet18_size), resnet18_epochs);
    for (Recipe r : {Recipe::FeatureExtraction, Recipe::FineTuning}) {
      ResNetRun& run = resnet_runs[r == Recipe::FineTuning];
      run = run_resnet_recipe(r, resnet18_path, first_pick, test, resnet18_size, resnet18_epochs, 0);
      std::printf(
          "  resnet18 %-19s trained params %8lld  test accuracy %.2f%% (%lld images)  backbone %s  "
          "(%.0f s)\n",
          recipe_name(r), static_cast<long long>(run.trained_params), 100 * run.accuracy,
          static_cast<long long>(test.images.size(0)), run.backbone_unchanged ? "unchanged" : "changed",
          elapsed());
      std::fflush(stdout);
    }
  }

  // ---- plausibility: the smoke test's assertions ----
  bool ok = true;
  auto check = [&](bool cond, const std::string& what) {
    if (!cond) std::fprintf(stderr, "FAILED: %s\n", what.c_str());
    ok = ok && cond;
  };
  check(reload_exact, "the weights loaded from the safetensors file equal the saved ones");
  check(frozen_backbone_intact, "feature extraction left every backbone parameter and buffer unchanged");
  check(head_trained, "feature extraction changed the new head");
  check(trained_params[Recipe::FeatureExtraction] == kFeatures * 2 + 2,
        "after freeze() only the head's parameters are trainable");
  check(fine_tuned_backbone_moved, "fine-tuning changed the backbone");
  check(pretrain_acc >= (smoke ? 0.80 : 0.85), smoke ? "pretraining reached 80%" : "pretraining reached 85%");
  for (Recipe r : recipes)
    check(final_stats[r].mean > 0.65, std::string(recipe_name(r)) + ": mean test accuracy above 65%");
  if (run_resnet) {
    check(check_resnet_load, "resnet18's weights loaded from the .pt file equal the file's");
    check(resnet_runs[0].backbone_unchanged && resnet_runs[0].head_changed &&
              resnet_runs[0].trained_params == 512 * 2 + 2,
          "resnet18 feature extraction trained fc (1026 parameters) and nothing else");
    check(!resnet_runs[1].backbone_unchanged, "resnet18 fine-tuning changed the backbone");
  }
  return ok ? 0 : 1;
}
