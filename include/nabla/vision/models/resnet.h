// resnet.h — torchvision's ResNet (torchvision/models/resnet.py, v1.5: the stride on the 3x3 conv of
// a Bottleneck), with its child names, so a torchvision state_dict loads unchanged:
//   auto model = vision::models::resnet18({.num_classes = 10});
//   model->load_state_dict(io::load_safetensors("resnet18.safetensors").tensors);
//   model->fc = nn::Linear(512, 2);  // fine-tuning: a new head
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "nabla/nn/container.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"

namespace nabla::vision::models {

struct ResNetOptions {
  int64_t num_classes = 1000;
  bool zero_init_residual = false;  // each block's last BatchNorm starts at weight 0
};

// conv3x3 - bn - relu - conv3x3 - bn, plus the shortcut (resnet18/34).
class BasicBlock : public nn::Module {
 public:
  static constexpr int64_t expansion = 1;
  // downsample: the shortcut's 1x1 conv + BatchNorm when the shape changes, else null (identity).
  BasicBlock(int64_t inplanes, int64_t planes, int64_t stride = 1,
             std::shared_ptr<nn::Sequential> downsample = nullptr);
  Tensor forward(Tensor x) override;
  std::string name() const override { return "BasicBlock"; }
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::ReLU relu;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  std::shared_ptr<nn::Sequential> downsample;
};

// conv1x1 - bn - relu - conv3x3 (stride) - bn - relu - conv1x1 (x4 channels) - bn, plus the shortcut
// (resnet50/101/152).
class Bottleneck : public nn::Module {
 public:
  static constexpr int64_t expansion = 4;
  Bottleneck(int64_t inplanes, int64_t planes, int64_t stride = 1,
             std::shared_ptr<nn::Sequential> downsample = nullptr);
  Tensor forward(Tensor x) override;
  std::string name() const override { return "Bottleneck"; }
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  nn::Conv2d conv3;
  nn::BatchNorm2d bn3;
  nn::ReLU relu;
  std::shared_ptr<nn::Sequential> downsample;
};

enum class ResNetBlock { Basic, Bottleneck };

// Input [N, 3, H, W] of any size >= 1 (the pooling before fc is adaptive); output [N, num_classes].
class ResNet : public nn::Module {
 public:
  ResNet(ResNetBlock block, std::array<int64_t, 4> layers, ResNetOptions options = {});
  Tensor forward(Tensor x) override;
  std::string name() const override { return "ResNet"; }
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::ReLU relu;
  nn::MaxPool2d maxpool;
  nn::Sequential layer1, layer2, layer3, layer4;
  nn::AdaptiveAvgPool2d avgpool;
  nn::Linear fc;
};

std::shared_ptr<ResNet> resnet18(ResNetOptions options = {});   // BasicBlock [2, 2, 2, 2]
std::shared_ptr<ResNet> resnet34(ResNetOptions options = {});   // BasicBlock [3, 4, 6, 3]
std::shared_ptr<ResNet> resnet50(ResNetOptions options = {});   // Bottleneck [3, 4, 6, 3]
std::shared_ptr<ResNet> resnet101(ResNetOptions options = {});  // Bottleneck [3, 4, 23, 3]
std::shared_ptr<ResNet> resnet152(ResNetOptions options = {});  // Bottleneck [3, 8, 36, 3]

}  // namespace nabla::vision::models
