// Chapter 7 — cGAN: a conditional GAN draws FashionMNIST garments of a requested class.
//
// Two networks play against each other. The generator G takes random noise z (100 numbers) and a class
// label and draws a 28x28 image; the discriminator D takes an image and a label and says how likely the
// pair is real (a training image with its true label) rather than generated. Both see the label through a
// learned embedding (10 numbers per class) concatenated with their other input, so G learns to draw *that*
// class and D learns to reject a good garment of the wrong class. Each batch:
//
//   D step: d_loss = BCE(D(x, y), 1) + BCE(D(G(z, y'), y'), 0)    real pairs -> 1, generated pairs -> 0
//   G step: g_loss = BCE(D(G(z, y'), y'), 1)                      G wants its pairs taken for real
//
// with real_labels = ones and fake_labels = zeros as the BCE targets, y' random classes (as in the seed).
// The models are the classic MLP cGAN: G 110 -> 256 -> 512 -> 1024 -> 784 (tanh: pixels in [-1, 1]),
// D 794 -> 1024 -> 512 -> 256 -> 1 (sigmoid), LeakyReLU(0.2) and in D dropout 0.3; Adam(2e-4, betas 0.5,
// 0.999) for both, batch 64, 30 epochs.
//
// The samples come from an exponential moving average of G's weights (decay 0.999, --ema), a standard GAN
// practice: the current weights draw speckled images that the judge below accepts 76.5% of the time after
// 30 epochs, their average 89.5% (examples/README.md). Training is unchanged by it.
//
// After every epoch a 10x10 grid of samples (row = class, column = one of 10 fixed noise vectors) goes to
// a PNG and TensorBoard. The objective check: chapter 3's trained FashionCNN
// (runs/cnn/fashion_cnn.safetensors; run build/examples/cnn first) classifies 1000 generated images per
// class; the share it assigns to the class they were generated for (the agreement) must reach 80%.
//
//   build/examples/cgan            # the full chapter on data/FashionMNIST/raw -> runs/cgan/
//   build/examples/cgan --smoke    # generated images, a smaller GAN, seconds -> runs/cgan-smoke/
//
// Options: --data ROOT (default "data"), --epochs N, --ema DECAY (default 0.999), --classifier PATH (default
// runs/cnn/fashion_cnn.safetensors; --smoke trains its own for a few steps on the generated data). The
// program exits 2 if the classifier file is missing, 1 if the results are implausible: a loss not finite;
// in the full run the agreement below 80%; in the smoke run (320 steps of a GAN with 8x narrower layers on
// ten blobs in pixel space, lr 1e-3) the discriminator not telling real from generated (mean D(real) -
// D(fake) < 0.2 in the last epoch) or the samples not moving towards the data (RMS distance to the nearest
// class mean not down by a quarter from the untrained generator's). So the smoke run is a test of the loop.
#include <nabla/nabla.h>

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
// 1. Data: images as float [N, 1, 28, 28] in [0, 1], labels as int64 [N]. The GAN works in [-1, 1] (the
//    range of G's tanh output, the seed's Normalize(0.5, 0.5)); to_gan / to_pixels convert.
// ---------------------------------------------------------------------------------------------------
// Split, Data, load_fashion_mnist and make_blob_images: examples/common/chapter_data.h.
// --smoke: no files; ten blobs in pixel space (a fixed random picture per class plus noise) stand in.
Data make_smoke_data() {
  return make_blob_images({.n_train = 2000, .n_test = 200, .cluster_std = 0.2, .seed = 7});
}

Tensor to_gan(const Tensor& pixels) { return pixels * 2.0 - 1.0; }
Tensor to_pixels(const Tensor& gan_images) { return ((gan_images + 1.0) / 2.0).clamp(0.0, 1.0); }

// ---------------------------------------------------------------------------------------------------
// 2. Models. `width` is the narrowest hidden layer: 256 in the full run (the classic sizes above), 32 in
//    the smoke run. Two inputs each, so they are called as generator(z, labels) and
//    discriminator(images, labels) (call_forward: errors name the module, hooks see both inputs).
// ---------------------------------------------------------------------------------------------------
constexpr int64_t kNoise = 100, kClasses = 10, kPixels = 28 * 28;

struct Generator : nn::Module {
  nn::Embedding label_embedding{kClasses, kClasses};
  nn::Sequential net;
  explicit Generator(int64_t width)
      : net{nn::Linear(kNoise + kClasses, width), nn::LeakyReLU(0.2),
            nn::Linear(width, 2 * width),         nn::LeakyReLU(0.2),
            nn::Linear(2 * width, 4 * width),     nn::LeakyReLU(0.2),
            nn::Linear(4 * width, kPixels),       nn::Tanh()} {
    register_modules({{"label_embedding", label_embedding}, {"net", net}});
  }
  // z [N, 100], labels int64 [N] -> images [N, 1, 28, 28] in [-1, 1].
  Tensor forward(const Tensor& z, const Tensor& labels) {
    return net(cat({z, label_embedding(labels)}, 1)).view({-1, 1, 28, 28});
  }
  Tensor operator()(const Tensor& z, const Tensor& labels) {
    return call_forward({z, labels}, [&] { return forward(z, labels); });
  }
};

struct Discriminator : nn::Module {
  nn::Embedding label_embedding{kClasses, kClasses};
  nn::Sequential net;
  explicit Discriminator(int64_t width)
      : net{nn::Linear(kPixels + kClasses, 4 * width),
            nn::LeakyReLU(0.2),
            nn::Dropout(0.3),
            nn::Linear(4 * width, 2 * width),
            nn::LeakyReLU(0.2),
            nn::Dropout(0.3),
            nn::Linear(2 * width, width),
            nn::LeakyReLU(0.2),
            nn::Dropout(0.3),
            nn::Linear(width, 1),
            nn::Sigmoid()} {
    register_modules({{"label_embedding", label_embedding}, {"net", net}});
  }
  // images [N, 1, 28, 28] in [-1, 1], labels int64 [N] -> probability that the pair is real, [N, 1].
  Tensor forward(const Tensor& images, const Tensor& labels) {
    return net(cat({images.flatten(1), label_embedding(labels)}, 1));
  }
  Tensor operator()(const Tensor& images, const Tensor& labels) {
    return call_forward({images, labels}, [&] { return forward(images, labels); });
  }
};

// ---------------------------------------------------------------------------------------------------
// 3. The judge: the FashionCNN of chapter 3, and how often it agrees with the requested class.
// ---------------------------------------------------------------------------------------------------
// Loads chapter 3's weights (a `nabla train`-format file: training::load_run checks the checksum and that
// the tensors fit a fashion_cnn). nullptr, with a message saying how to make the file, when it is missing.
std::unique_ptr<FashionCNN> load_classifier(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    std::fprintf(stderr,
                 "cgan: the classifier's weights %s do not exist. Run chapter 3 first (build/examples/cnn, "
                 "from the same directory: it writes runs/cnn/fashion_cnn.safetensors), or pass "
                 "--classifier PATH.\n",
                 path.c_str());
    return nullptr;
  }
  training::LoadedRun run = training::load_run(path);
  if (run.config.model.name != "fashion_cnn" || run.config.data != "fashion-mnist") {
    std::fprintf(stderr,
                 "cgan: %s holds a %s trained on %s; a fashion_cnn trained on fashion-mnist is needed\n",
                 path.c_str(), run.config.model.name.c_str(), run.config.data.c_str());
    return nullptr;
  }
  auto cnn = std::make_unique<FashionCNN>();
  cnn->load_state_dict(run.model);
  cnn->eval();
  return cnn;
}

// n_per_class labels of each class: [0 x n, 1 x n, ..., 9 x n].
Tensor class_blocks(int64_t n_per_class) {
  return arange(kClasses, {.dtype = kInt64}).unsqueeze(1).repeat({1, n_per_class}).flatten();
}

// Draws n_per_class images of every class with fresh noise and lets the classifier judge them. Returns the
// classifier's predictions [10 n] for the requested labels class_blocks(n).
Tensor classify_generated(Generator& generator, FashionCNN& classifier, int64_t n_per_class) {
  NoGradGuard no_grad;
  generator.eval();
  classifier.eval();
  const Tensor labels = class_blocks(n_per_class);
  std::vector<Tensor> predictions;
  for (int64_t i = 0; i < labels.size(0); i += 1000) {
    Tensor y = labels.index({Slice(i, i + 1000)});
    Tensor images = generator(randn({y.size(0), kNoise}), y);
    predictions.push_back(classifier(normalize_pixels(to_pixels(images))).argmax(1));
  }
  return cat(predictions);
}

// The classifier's accuracy on real images, to compare the agreement with.
double accuracy_on_real(FashionCNN& classifier, const Split& s) {
  NoGradGuard no_grad;
  classifier.eval();
  int64_t correct = 0;
  for (int64_t i = 0; i < s.images.size(0); i += 1000) {
    Tensor x = s.images.index({Slice(i, i + 1000)}), y = s.labels.index({Slice(i, i + 1000)});
    correct += classifier(normalize_pixels(x)).argmax(1).eq(y).sum().item<int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(s.images.size(0));
}

double agreement(const Tensor& predictions, int64_t n_per_class) {
  return predictions.eq(class_blocks(n_per_class)).to(kFloat32).mean().item<double>();
}

// --smoke check that the generator learned at all: the root-mean-square pixel distance from its samples
// to the nearest class mean of the real training images. On the blobs, 320 steps are too few for the
// conditioning to take hold (the agreement stays near chance, 10%; PyTorch's version of this loop behaves
// the same), but enough for the samples to move from noise to the data.
double distance_to_data(Generator& generator, const Split& train, int64_t n_per_class) {
  NoGradGuard no_grad;
  generator.eval();
  std::vector<Tensor> means;
  for (int64_t c = 0; c < kClasses; ++c)
    means.push_back(train.images.index({train.labels.eq(c)}).flatten(1).mean({0}));
  const Tensor class_means = stack(means);  // [10, 784]
  const Tensor labels = class_blocks(n_per_class);
  const Tensor samples = to_pixels(generator(randn({labels.size(0), kNoise}), labels)).flatten(1);
  const Tensor squared = (samples.unsqueeze(1) - class_means.unsqueeze(0)).pow(2).mean({2});  // [N, 10]
  return std::get<0>(min(squared, 1)).sqrt().mean().item<double>();
}

// --smoke: a FashionCNN trained for a few steps on the generated images, saved and loaded back through
// load_classifier, as the full run loads chapter 3's.
std::unique_ptr<FashionCNN> train_smoke_classifier(const Data& d, const std::string& path) {
  FashionCNN cnn;
  data::DataLoader loader(data::TensorDataset(d.train.images, d.train.labels),
                          {.batch_size = 50, .shuffle = true, .seed = 1});
  optim::Adam optimizer(cnn.parameters(), {.lr = 1e-3});
  int steps = 0;
  for (data::Batch& batch : loader) {
    optimizer.zero_grad();
    F::cross_entropy(cnn(normalize_pixels(batch.data)), batch.target).backward();
    optimizer.step();
    if (++steps == 8) break;
  }
  training::RunConfig run;
  run.model.name = "fashion_cnn";
  run.data = "fashion-mnist";  // the format's closest data set name; the images were blobs
  run.classes = d.classes;
  run.mean = {kFashionMean};
  run.std = {kFashionStd};
  training::save_run(path, run, cnn);
  return load_classifier(path);
}

// ---------------------------------------------------------------------------------------------------
// 4. Training.
// ---------------------------------------------------------------------------------------------------
// The generator the samples come from: an exponential moving average of G's weights over the training
// steps, ema = decay * ema + (1 - decay) * w after every step (PyTorch: torch.optim.swa_utils.AveragedModel
// with get_ema_multi_avg_fn(decay)). G's weights keep moving as G and D chase each other; their average
// draws cleaner images with fewer speckles (Yazici et al., "The Unusual Effectiveness of Averaging in GAN
// Training", ICLR 2019). Training itself is the seed's: D only ever sees the current G.
struct GeneratorAverage {
  Generator model;
  double decay;
  GeneratorAverage(Generator& source, int64_t width, double decay) : model(width), decay(decay) {
    model.load_state_dict(source.state_dict());
    model.freeze();
  }
  void update(const Generator& source) {
    NoGradGuard no_grad;
    const std::vector<Tensor> from = source.parameters();
    std::vector<Tensor> to = model.parameters();
    for (size_t i = 0; i < from.size(); ++i) to[i].lerp_(from[i], 1.0 - decay);  // += (1-decay)(w - ema)
  }
};

struct EpochStats {
  double d_loss = 0, g_loss = 0;
  double d_real = 0, d_fake = 0;  // mean D(x, y) on real pairs and D(G(z, y'), y') on generated ones
};

// One epoch of the seed's loop over the training set. Returns the means over its batches.
EpochStats train_epoch(Generator& generator, Discriminator& discriminator, optim::Adam& g_optimizer,
                       optim::Adam& d_optimizer, data::DataLoader& loader, GeneratorAverage& average,
                       int64_t& step, io::SummaryWriter& tb) {
  generator.train();
  discriminator.train();
  EpochStats s;
  int64_t batches = 0;
  for (data::Batch& batch : loader) {
    const int64_t n = batch.data.size(0);
    Tensor real_images = to_gan(batch.data), real_classes = batch.target;
    Tensor real_labels = ones({n, 1}), fake_labels = zeros({n, 1});  // BCE targets: real 1, generated 0

    // Discriminator: real pairs towards 1, generated pairs towards 0. detach(): this step trains D only.
    Tensor z = randn({n, kNoise});
    Tensor fake_classes = randint(0, kClasses, {n});
    Tensor fake_images = generator(z, fake_classes);
    d_optimizer.zero_grad();
    Tensor d_on_real = discriminator(real_images, real_classes);
    Tensor d_on_fake = discriminator(fake_images.detach(), fake_classes);
    Tensor d_real_loss = F::binary_cross_entropy(d_on_real, real_labels);
    Tensor d_fake_loss = F::binary_cross_entropy(d_on_fake, fake_labels);
    Tensor d_loss = d_real_loss + d_fake_loss;
    d_loss.backward();
    d_optimizer.step();

    // Generator: make the (just updated) discriminator call the same generated pairs real.
    g_optimizer.zero_grad();
    Tensor g_loss = F::binary_cross_entropy(discriminator(fake_images, fake_classes), real_labels);
    g_loss.backward();
    g_optimizer.step();
    average.update(generator);

    s.d_loss += d_loss.item<double>();
    s.g_loss += g_loss.item<double>();
    s.d_real += d_on_real.mean().item<double>();
    s.d_fake += d_on_fake.mean().item<double>();
    ++batches;
    if (++step % 100 == 0) {
      tb.add_scalar("batch/d_loss", d_loss.item<double>(), step);
      tb.add_scalar("batch/g_loss", g_loss.item<double>(), step);
    }
  }
  const double b = static_cast<double>(batches);
  return {s.d_loss / b, s.g_loss / b, s.d_real / b, s.d_fake / b};
}

// The 10x10 picture: row c shows class c drawn from the same 10 noise vectors (the columns), so a column
// shows how one z is rendered as each class.
Tensor sample_grid(Generator& generator, const Tensor& fixed_noise) {
  NoGradGuard no_grad;
  generator.eval();
  return to_pixels(generator(fixed_noise.repeat({kClasses, 1}), class_blocks(fixed_noise.size(0))));
}

// ---------------------------------------------------------------------------------------------------
// 5. The chapter.
// ---------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool smoke = false;
  std::string root = "data", classifier_path = "runs/cnn/fashion_cnn.safetensors";
  int epochs = -1;
  double ema_decay = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke")
      smoke = true;
    else if (a == "--data" && i + 1 < argc)
      root = argv[++i];
    else if (a == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else if (a == "--classifier" && i + 1 < argc)
      classifier_path = argv[++i];
    else if (a == "--ema" && i + 1 < argc)
      ema_decay = std::stod(argv[++i]);
    else {
      std::cerr << "usage: " << argv[0]
                << " [--smoke] [--data ROOT] [--epochs N] [--classifier PATH] [--ema DECAY]\n";
      return 2;
    }
  }
  if (epochs < 1) epochs = smoke ? 10 : 30;
  if (ema_decay < 0 || ema_decay >= 1) ema_decay = smoke ? 0.9 : 0.999;  // smoke: 320 steps only
  const std::string out = smoke ? "runs/cgan-smoke" : "runs/cgan";
  const int64_t width = smoke ? 32 : 256, batch_size = 64;
  const double lr = smoke ? 1e-3 : 2e-4;  // smoke: 320 steps only, so a faster start
  const int64_t judged_per_class = smoke ? 50 : 1000, judged_per_epoch = smoke ? 10 : 100;
  std::filesystem::remove_all(out);  // a fresh run: no stale TensorBoard event files or pictures
  std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();
  manual_seed(0);

  // ---- data ----
  Data d = smoke ? make_smoke_data() : load_fashion_mnist(root);
  std::printf("data: %lld train images of 1x28x28, %zu classes%s\n",
              static_cast<long long>(d.train.images.size(0)), d.classes.size(),
              smoke ? " (generated, --smoke)" : "");

  // ---- the judge (first: no point training for minutes if it is missing) ----
  std::unique_ptr<FashionCNN> classifier =
      smoke ? train_smoke_classifier(d, out + "/classifier.safetensors") : load_classifier(classifier_path);
  if (!classifier) return 2;
  std::printf("classifier: %s, %.2f%% on the %lld real test images\n",
              smoke ? "FashionCNN trained 8 steps of 50 on the generated images" : classifier_path.c_str(),
              100 * accuracy_on_real(*classifier, d.test), static_cast<long long>(d.test.images.size(0)));

  // ---- models ----
  Generator generator(width);
  Discriminator discriminator(width);
  auto count = [](const nn::Module& m) {
    int64_t n = 0;
    for (const Tensor& p : m.parameters()) n += p.numel();
    return static_cast<long long>(n);
  };
  std::cout << "generator, " << count(generator) << " parameters:\n" << generator << "\n";
  std::cout << "discriminator, " << count(discriminator) << " parameters:\n" << discriminator << "\n";

  const double untrained_distance = smoke ? distance_to_data(generator, d.train, judged_per_class) : 0;
  GeneratorAverage average(generator, width, ema_decay);

  // ---- train ----
  optim::Adam g_optimizer(generator.parameters(), {.lr = lr, .betas = {0.5, 0.999}});
  optim::Adam d_optimizer(discriminator.parameters(), {.lr = lr, .betas = {0.5, 0.999}});
  data::DataLoader loader(data::TensorDataset(d.train.images, d.train.labels),
                          {.batch_size = batch_size, .shuffle = true, .seed = 0});
  RandomGenerator noise_gen(42);
  const Tensor fixed_noise = randn({10, kNoise}, {}, &noise_gen);  // the grid's columns, the same every epoch
  io::SummaryWriter tb(out);
  std::map<std::string, std::vector<double>> losses, d_outputs, agreement_curve;
  int64_t step = 0;
  bool finite = true;
  EpochStats last{};
  std::printf("training (%d epochs, Adam %.0e betas (0.5, 0.999), batch %lld)\n", epochs, lr,
              static_cast<long long>(batch_size));
  std::fflush(stdout);
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const EpochStats s =
        train_epoch(generator, discriminator, g_optimizer, d_optimizer, loader, average, step, tb);
    finite = finite && std::isfinite(s.d_loss) && std::isfinite(s.g_loss);
    last = s;
    const double agree_raw =
        agreement(classify_generated(generator, *classifier, judged_per_epoch), judged_per_epoch);
    const double agree =
        agreement(classify_generated(average.model, *classifier, judged_per_epoch), judged_per_epoch);
    losses["discriminator"].push_back(s.d_loss);
    losses["generator"].push_back(s.g_loss);
    d_outputs["D(x, y), real pairs"].push_back(s.d_real);
    d_outputs["D(G(z, y'), y'), generated pairs"].push_back(s.d_fake);
    agreement_curve["averaged generator (the samples)"].push_back(agree);
    agreement_curve["generator's current weights"].push_back(agree_raw);
    tb.add_scalar("epoch/d_loss", s.d_loss, epoch);
    tb.add_scalar("epoch/g_loss", s.g_loss, epoch);
    tb.add_scalar("epoch/d_real", s.d_real, epoch);
    tb.add_scalar("epoch/d_fake", s.d_fake, epoch);
    tb.add_scalar("epoch/agreement", agree, epoch);
    tb.add_scalar("epoch/agreement_current_weights", agree_raw, epoch);

    Tensor grid = sample_grid(average.model, fixed_noise);
    char name[64];
    std::snprintf(name, sizeof name, "/samples_epoch_%02d.png", epoch);
    data::save_image(grid, out + name, {.nrow = kClasses});
    tb.add_image("samples/rows_are_classes", data::make_grid(grid, {.nrow = kClasses}), epoch);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "  epoch %2d/%d  d_loss %.4f  g_loss %.4f  D(real) %.3f  D(fake) %.3f  agreement %.1f%% (current "
        "weights %.1f%%; %lld per class)  %.0f s\n",
        epoch, epochs, s.d_loss, s.g_loss, s.d_real, s.d_fake, 100 * agree, 100 * agree_raw,
        static_cast<long long>(judged_per_epoch), elapsed);
    std::fflush(stdout);
  }
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  io::save_checkpoint(out + "/generator.safetensors", average.model.state_dict());

  // ---- the objective check: judged_per_class fresh samples of every class ----
  const Tensor predictions = classify_generated(average.model, *classifier, judged_per_class);
  const double overall = agreement(predictions, judged_per_class);
  const double overall_raw =
      agreement(classify_generated(generator, *classifier, judged_per_class), judged_per_class);
  training::ConfusionMatrix confusion({.num_classes = kClasses});
  confusion.update(predictions, class_blocks(judged_per_class));
  const Tensor cm = confusion.compute();  // row = requested class, column = the classifier's verdict
  const std::vector<double> per_class = training::per_class_accuracy(cm);

  // ---- pictures ----
  training::plot_curves(out + "/losses.png", "BCE losses per epoch (means over the batches)", losses, "epoch",
                        "loss");
  training::plot_curves(out + "/discriminator.png", "Mean discriminator output per epoch", d_outputs, "epoch",
                        "D output (probability of real)");
  training::plot_curves(out + "/agreement.png", "Classifier agreement with the requested class",
                        agreement_curve, "epoch", "agreement");
  training::plot_confusion_matrix(out + "/agreement_matrix.png", cm, d.classes,
                                  "Requested class (rows) vs FashionCNN's verdict");
  // The last grid again, with each row's class named above its first image.
  std::vector<std::string> captions(kClasses * kClasses);
  for (int64_t c = 0; c < kClasses; ++c) captions[c * kClasses] = d.classes[c];
  training::plot_image_grid(out + "/samples_final.png", sample_grid(average.model, fixed_noise), kClasses,
                            captions, {1000, 1100});
  tb.close();

  // ---- results ----
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\nresults: the classifier on %lld generated images per class (fresh noise):\n",
              static_cast<long long>(judged_per_class));
  for (int64_t c = 0; c < kClasses; ++c)
    std::printf("  %-12s %6.1f%%\n", d.classes[c].c_str(), 100 * per_class[c]);
  std::printf("  overall      %6.2f%%  (the generator's current weights instead of their average: %.2f%%)\n",
              100 * overall, 100 * overall_raw);
  std::printf(
      "pictures and TensorBoard run in %s/ (samples_epoch_NN.png samples_final.png losses.png "
      "discriminator.png agreement.png agreement_matrix.png), generator weights generator.safetensors; "
      "training %.1f s, total %.1f s\n",
      out.c_str(), train_seconds, seconds);

  // ---- plausibility: the smoke test's assertions ----
  bool ok = true;
  auto check = [&](bool cond, const char* what) {
    if (!cond) std::fprintf(stderr, "FAILED: %s\n", what);
    ok = ok && cond;
  };
  check(finite, "the losses stayed finite");
  if (smoke) {
    const double distance = distance_to_data(generator, d.train, judged_per_class);
    std::printf(
        "smoke: D(real) - D(fake) in the last epoch %.3f; RMS distance of samples to the nearest class "
        "mean %.3f (untrained generator %.3f)\n",
        last.d_real - last.d_fake, distance, untrained_distance);
    check(last.d_real - last.d_fake >= 0.2, "the discriminator tells real from generated (D gap >= 0.2)");
    check(distance <= 0.75 * untrained_distance,
          "the generator's samples moved to the data (distance to the nearest class mean down by a quarter)");
  } else {
    check(overall >= 0.8, "the classifier agrees with the requested class on >= 80% of the samples");
  }
  return ok ? 0 : 1;
}
