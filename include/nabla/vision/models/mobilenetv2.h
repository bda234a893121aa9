// mobilenetv2.h — torchvision's MobileNetV2 (torchvision/models/mobilenetv2.py): `features` (a stem,
// 17 inverted residual blocks, a 1x1 conv to 1280 channels) and `classifier` (Dropout, Linear).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "nabla/nn/container.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"

namespace nabla::vision::models {

struct MobileNetV2Options {
  int64_t num_classes = 1000;
  double width_mult = 1.0;    // scales every layer's channels
  int64_t round_nearest = 8;  // channel counts are rounded to a multiple of this
  double dropout = 0.2;
};

// torchvision.ops.Conv2dNormActivation as MobileNetV2 uses it: Conv2d (no bias, padding (k - 1) / 2),
// BatchNorm2d, ReLU6; children "0", "1", "2".
class Conv2dNormActivation : public nn::Sequential {
 public:
  Conv2dNormActivation(int64_t in_channels, int64_t out_channels, int64_t kernel_size = 3, int64_t stride = 1,
                       int64_t groups = 1);
  std::string name() const override { return "Conv2dNormActivation"; }
};

// Expand (1x1, unless expand_ratio is 1), depthwise 3x3 (stride), project (1x1, linear); x + that when
// the shape is kept.
class InvertedResidual : public nn::Module {
 public:
  InvertedResidual(int64_t inp, int64_t oup, int64_t stride, int64_t expand_ratio);
  Tensor forward(Tensor x) override;
  std::string name() const override { return "InvertedResidual"; }
  nn::Sequential conv;
  bool use_res_connect;
};

// Input [N, 3, H, W] of any size >= 1; output [N, num_classes].
class MobileNetV2 : public nn::Module {
 public:
  explicit MobileNetV2(MobileNetV2Options options = {});
  Tensor forward(Tensor x) override;
  std::string name() const override { return "MobileNetV2"; }
  nn::Sequential features, classifier;
  int64_t last_channel;
};

std::shared_ptr<MobileNetV2> mobilenet_v2(MobileNetV2Options options = {});

}  // namespace nabla::vision::models
