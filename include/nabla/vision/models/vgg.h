// vgg.h — torchvision's VGG (torchvision/models/vgg.py): `features` (convolutions and max pools),
// `avgpool` (adaptive, 7x7) and `classifier` (three Linear layers; the last is classifier.6).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/container.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"

namespace nabla::vision::models {

struct VGGOptions {
  int64_t num_classes = 1000;
  bool init_weights = true;  // torchvision's init (else the layers' defaults)
  double dropout = 0.5;
};

// Input [N, 3, H, W] with H, W >= 32 (five 2x2 max pools); output [N, num_classes].
class VGG : public nn::Module {
 public:
  explicit VGG(nn::Sequential features, VGGOptions options = {});
  Tensor forward(Tensor x) override;
  std::string name() const override { return "VGG"; }
  nn::Sequential features;
  nn::AdaptiveAvgPool2d avgpool{7};
  nn::Sequential classifier;
};

// torchvision's make_layers: a 3x3 conv (padding 1; + BatchNorm2d with batch_norm) + ReLU per channel
// count in `cfg`, a 2x2 max pool for each kPool (torchvision's "M").
inline constexpr int64_t kPool = 0;
nn::Sequential make_layers(const std::vector<int64_t>& cfg, bool batch_norm = false);

std::shared_ptr<VGG> vgg11(VGGOptions options = {});
std::shared_ptr<VGG> vgg11_bn(VGGOptions options = {});
std::shared_ptr<VGG> vgg13(VGGOptions options = {});
std::shared_ptr<VGG> vgg13_bn(VGGOptions options = {});
std::shared_ptr<VGG> vgg16(VGGOptions options = {});
std::shared_ptr<VGG> vgg16_bn(VGGOptions options = {});
std::shared_ptr<VGG> vgg19(VGGOptions options = {});
std::shared_ptr<VGG> vgg19_bn(VGGOptions options = {});

}  // namespace nabla::vision::models
