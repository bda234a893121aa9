// models.cpp — mlp, fashion_cnn and the CIFAR ResNet (BasicBlock, [2, 2, 2]) as in
// ../shared/anchors/torch_workloads.py, with PyTorch's parameter names; torchvision's models come from
// nabla::vision::models. Their config's JSON, limits and
// state_dict shapes (without building) are in model_config.cpp.
#include "nabla/train/models.h"

#include "nabla/nn/nn.h"
#include "nabla/vision/models.h"
#include "util/check.h"

namespace nabla::training {

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
    Tensor out = bn1.forward_relu(conv1(x));  // relu(bn1(...)), fused
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
    Tensor out = layer3(layer2(layer1(bn1.forward_relu(stem.contiguous(MemoryFormat::ChannelsLast)))));
    // avg_pool2d(out, 8) on 32x32 inputs; adaptive so other sizes work too.
    return linear(F::adaptive_avg_pool2d(out, {1, 1}).flatten(1));
  }
  std::string name() const override { return "ResNet"; }
};

}  // namespace

std::shared_ptr<nn::Module> build_model(const ModelConfig& c) {
  check_model_config(c);  // ranges first: sizes multiply into allocations
  if (c.name == "mlp")
    return std::make_shared<MlpClassifier>(c.in_channels * c.height * c.width, c.num_classes, c.n_layers);
  if (c.name == "fashion_cnn")
    return std::make_shared<FashionCNN>(c.in_channels, c.height, c.width, c.num_classes);
  if (c.name == "resnet") return std::make_shared<ResNet>(c.in_channels, c.num_classes);
  auto model = vision::models::get_model(c.name, c.num_classes);
  if (c.in_channels == 1)  // torchvision's models take RGB: repeat a gray channel (state_dict unchanged)
    model->register_forward_pre_hook([](nn::Module&, const Tensor& x) {
      return x.dim() == 4 && x.size(1) == 1 ? x.expand({-1, 3, -1, -1}) : Tensor();
    });
  return model;
}

}  // namespace nabla::training
