// models.cpp — mlp, fashion_cnn and the CIFAR ResNet (BasicBlock, [2, 2, 2]) as in
// ../shared/anchors/torch_workloads.py, with PyTorch's parameter names.
#include "nabla/train/models.h"

#include <nlohmann/json.hpp>

#include "nabla/nn/nn.h"
#include "util/check.h"

namespace nabla::training {

std::string ModelConfig::to_json() const {
  return nlohmann::json{{"name", name},   {"in_channels", in_channels}, {"height", height},
                        {"width", width}, {"num_classes", num_classes}, {"n_layers", n_layers}}
      .dump();
}

ModelConfig ModelConfig::from_json(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    ModelConfig c;
    c.name = j.at("name").get<std::string>();
    c.in_channels = j.at("in_channels").get<int64_t>();
    c.height = j.at("height").get<int64_t>();
    c.width = j.at("width").get<int64_t>();
    c.num_classes = j.at("num_classes").get<int64_t>();
    c.n_layers = j.value("n_layers", int64_t{5});
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(fmt::format("model config: malformed JSON ({}): {}", e.what(), text));
  }
}

std::vector<int64_t> mlp_hidden_sizes(int64_t input_size, int64_t num_classes, int64_t n_layers) {
  NABLA_CHECK(n_layers >= 1, ValueError, "mlp: --n_layers must be at least 1, got {}", n_layers);
  const int64_t step = (input_size - num_classes) / (n_layers + 1);
  std::vector<int64_t> sizes;
  for (int64_t i = 1; i <= n_layers; ++i)
    sizes.push_back(std::max<int64_t>(input_size - i * step, num_classes));
  return sizes;
}

namespace {

struct MlpClassifier : nn::Module {
  nn::Sequential layers;
  MlpClassifier(int64_t input, int64_t classes, int64_t n_layers) {
    int64_t last = input;
    layers.push_back(nn::Flatten());
    for (int64_t width :
         mlp_hidden_sizes(input, classes, n_layers)) {  // Block: Linear, LeakyReLU, BatchNorm1d
      nn::Sequential block{nn::Linear(last, width), nn::LeakyReLU(), nn::BatchNorm1d(width)};
      layers.push_back(std::move(block));
      last = width;
    }
    layers.push_back(nn::Linear(last, classes));
    register_modules({{"layers", layers}});
  }
  Tensor forward(Tensor x) override { return layers(x); }
  std::string name() const override { return "MlpClassifier"; }
};

struct FashionCNN : nn::Module {
  nn::Sequential layer1, layer2;
  nn::Linear fc1, fc2, fc3;
  nn::Dropout drop{0.25};
  FashionCNN(int64_t in_channels, int64_t h, int64_t w, int64_t classes)
      : layer1{nn::Conv2d(in_channels, 32, 3, {.padding = 1}), nn::BatchNorm2d(32), nn::ReLU(),
               nn::MaxPool2d(2)},
        layer2{nn::Conv2d(32, 64, 3), nn::BatchNorm2d(64), nn::ReLU(), nn::MaxPool2d(2)},
        fc1(64 * ((h / 2 - 2) / 2) * ((w / 2 - 2) / 2), 600),
        fc2(600, 120),
        fc3(120, classes) {
    register_modules(
        {{"layer1", layer1}, {"layer2", layer2}, {"fc1", fc1}, {"drop", drop}, {"fc2", fc2}, {"fc3", fc3}});
  }
  Tensor forward(Tensor x) override {
    x = layer2(layer1(x)).flatten(1);
    return fc3(fc2(drop(fc1(x))));
  }
  std::string name() const override { return "FashionCNN"; }
};

struct BasicBlock : nn::Module {
  nn::Conv2d conv1, conv2;
  nn::BatchNorm2d bn1, bn2;
  nn::Sequential shortcut;
  BasicBlock(int64_t in, int64_t out, int64_t stride)
      : conv1(in, out, 3, {.stride = stride, .padding = 1, .bias = false}),
        conv2(out, out, 3, {.padding = 1, .bias = false}),
        bn1(out),
        bn2(out) {
    if (stride != 1 || in != out) {
      shortcut.push_back(nn::Conv2d(in, out, 1, {.stride = stride, .bias = false}));
      shortcut.push_back(nn::BatchNorm2d(out));
    }
    register_modules(
        {{"conv1", conv1}, {"bn1", bn1}, {"conv2", conv2}, {"bn2", bn2}, {"shortcut", shortcut}});
  }
  Tensor forward(Tensor x) override {
    Tensor out = relu(bn1(conv1(x)));
    return relu(bn2(conv2(out)) + shortcut(x));
  }
  std::string name() const override { return "BasicBlock"; }
};

struct ResNet : nn::Module {
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1{16};
  nn::Sequential layer1, layer2, layer3;
  nn::Linear linear;
  ResNet(int64_t in_channels, int64_t classes)
      : conv1(in_channels, 16, 3, {.padding = 1, .bias = false}), linear(64, classes) {
    int64_t in = 16;
    auto make = [&](nn::Sequential& layer, int64_t planes, int64_t stride) {
      for (int64_t s : {stride, int64_t{1}}) {
        layer.push_back(std::make_shared<BasicBlock>(in, planes, s));
        in = planes;
      }
    };
    make(layer1, 16, 1);
    make(layer2, 32, 2);
    make(layer3, 64, 2);
    register_modules({{"conv1", conv1},
                      {"bn1", bn1},
                      {"layer1", layer1},
                      {"layer2", layer2},
                      {"layer3", layer3},
                      {"linear", linear}});
  }
  Tensor forward(Tensor x) override {
    // Channels-last activations: oneDNN's convolutions and batch norm then run on NHWC with no layout
    // conversions between layers (the step is ~2x faster than NCHW); the results are the same.
    Tensor stem = conv1(x.dim() == 4 ? x.contiguous(MemoryFormat::ChannelsLast) : x);
    Tensor out = layer3(layer2(layer1(relu(bn1(stem.contiguous(MemoryFormat::ChannelsLast))))));
    // avg_pool2d(out, 8) on 32x32 inputs; adaptive so other sizes work too.
    return linear(F::adaptive_avg_pool2d(out, {1, 1}).flatten(1));
  }
  std::string name() const override { return "ResNet"; }
};

}  // namespace

std::shared_ptr<nn::Module> build_model(const ModelConfig& c) {
  NABLA_CHECK(c.num_classes > 1 && c.in_channels > 0 && c.height > 0 && c.width > 0, ValueError,
              "model config: invalid shape (channels {}, {}x{}, classes {})", c.in_channels, c.height,
              c.width, c.num_classes);
  if (c.name == "mlp")
    return std::make_shared<MlpClassifier>(c.in_channels * c.height * c.width, c.num_classes, c.n_layers);
  if (c.name == "fashion_cnn") {
    NABLA_CHECK(c.height >= 10 && c.width >= 10, ValueError,
                "fashion_cnn needs images of at least 10x10, got {}x{}", c.height, c.width);
    return std::make_shared<FashionCNN>(c.in_channels, c.height, c.width, c.num_classes);
  }
  if (c.name == "resnet") return std::make_shared<ResNet>(c.in_channels, c.num_classes);
  throw ValueError(fmt::format("unknown model '{}' (known: mlp, fashion_cnn, resnet)", c.name));
}

}  // namespace nabla::training
