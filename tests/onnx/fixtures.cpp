// fixtures.cpp — `onnx_fixtures <dir> [--vision]`: exports every model the runtime check covers to
// <dir>/<name>.onnx (traced at batch 2) and writes <dir>/<name>.safetensors with an input at batch 3
// and nabla's output for it ("input", "expected"); tests/onnx/check_onnx.py runs the files in OpenCV
// and compares. --vision: torchvision's resnet18, vgg11_bn, mobilenet_v2 and alexnet instead (large
// files: CTest onnx_runtime_vision, label slow).
#include <filesystem>
#include <functional>
#include <iostream>

#include "nabla/nabla.h"
#include "nabla/onnx/onnx.h"
#include "seed_models.h"

using namespace nabla;

namespace {

struct Case {
  std::string name;
  std::function<std::shared_ptr<nn::Module>()> make;
  std::function<Tensor(int64_t batch, RandomGenerator&)> input;
};

Tensor images(int64_t n, int64_t c, int64_t h, int64_t w, RandomGenerator& g) {
  return randn({n, c, h, w}, {}, &g);
}
Tensor tokens(int64_t n, RandomGenerator& g) { return randint(0, 500, {n, 12}, {}, &g); }

std::vector<Case> cases() {
  using training::ModelConfig;
  auto zoo = [](ModelConfig c) { return [c] { return training::build_model(c); }; };
  return {
      {"mlp", zoo({.name = "mlp", .n_layers = 3}),
       [](int64_t n, RandomGenerator& g) { return images(n, 1, 28, 28, g); }},
      {"fashion_cnn", zoo({.name = "fashion_cnn"}),
       [](int64_t n, RandomGenerator& g) { return images(n, 1, 28, 28, g); }},
      {"resnet", zoo({.name = "resnet", .in_channels = 3, .height = 32, .width = 32}),
       [](int64_t n, RandomGenerator& g) { return images(n, 3, 32, 32, g); }},
      {"autoencoder", [] { return std::make_shared<onnx_test::AE>(); },
       [](int64_t n, RandomGenerator& g) {
         return rand({n, 784}, {}, &g);
       }},
      {"recurrent_head", [] { return std::make_shared<onnx_test::RecurrentHead>(); },
       [](int64_t n, RandomGenerator& g) {
         return randn({n, 7, 16}, {}, &g);
       }},
      {"gru_classifier", [] { return std::make_shared<onnx_test::GRUClassifier>(); }, tokens},
      {"lstm_classifier", [] { return std::make_shared<onnx_test::LSTMClassifier>(); }, tokens},
      {"more_layers", [] { return std::make_shared<onnx_test::MoreLayers>(); },
       [](int64_t n, RandomGenerator& g) { return images(n, 4, 8, 8, g); }},
      {"reductions", [] { return std::make_shared<onnx_test::Reductions>(); },
       [](int64_t n, RandomGenerator& g) { return images(n, 8, 4, 4, g); }},
      {"kitchen_sink", [] { return std::make_shared<onnx_test::KitchenSink>(); },
       [](int64_t n, RandomGenerator& g) { return images(n, 3, 16, 16, g); }},
  };
}

std::vector<Case> vision_cases() {
  auto make = [](std::string name) { return [name] { return vision::models::get_model(name, 10); }; };
  auto side = [](int64_t s) { return [s](int64_t n, RandomGenerator& g) { return images(n, 3, s, s, g); }; };
  // Small images: vgg11_bn's 32x32 give 1x1 features, which AdaptiveAvgPool2d(7) spreads to 7x7.
  return {{"resnet18", make("resnet18"), side(64)},
          {"vgg11_bn", make("vgg11_bn"), side(32)},
          {"mobilenet_v2", make("mobilenet_v2"), side(64)},
          {"alexnet", make("alexnet"), side(64)}};
}

}  // namespace

int main(int argc, char** argv) {
  const bool vision = argc == 3 && std::string(argv[2]) == "--vision";
  if (argc != 2 && !vision) {
    std::cerr << "usage: onnx_fixtures <output dir> [--vision]\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  for (const Case& c : vision ? vision_cases() : cases()) {
    manual_seed(1);
    auto model = c.make();
    onnx_test::randomize_batch_norms(*model);
    model->eval();
    RandomGenerator gen(42);
    onnx::export_model(*model, {c.input(2, gen)}, (dir / (c.name + ".onnx")).string());
    Tensor x = c.input(3, gen);
    Tensor y;
    {
      NoGradGuard no_grad;
      y = (*model)(x).contiguous();
    }
    io::NamedTensors t;
    t.insert("input", x);
    t.insert("expected", y);
    io::save_safetensors((dir / (c.name + ".safetensors")).string(), t);
    std::cout << c.name << "\n";
  }
  return 0;
}
