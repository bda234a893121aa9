// architectures.h — torchvision's model configurations, one copy shared by the builders (resnet.cpp,
// vgg.cpp, mobilenetv2.cpp) and the tensor-free catalog (catalog.cpp: names, state shapes, input limits).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace nabla::vision::models::detail {

struct ResNetSpec {
  std::string_view name;
  bool bottleneck;  // Bottleneck (expansion 4) or BasicBlock (1)
  std::array<int64_t, 4> layers;
};
inline constexpr std::array<ResNetSpec, 5> kResNets{{{"resnet18", false, {2, 2, 2, 2}},
                                                     {"resnet34", false, {3, 4, 6, 3}},
                                                     {"resnet50", true, {3, 4, 6, 3}},
                                                     {"resnet101", true, {3, 4, 23, 3}},
                                                     {"resnet152", true, {3, 8, 36, 3}}}};

// VGG's cfgs "A", "B", "D", "E": channel counts, 0 for a 2x2 max pool ("M").
inline const std::vector<int64_t>& vgg_cfg(char which) {
  static const std::vector<int64_t> a{64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0},
      b{64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0},
      d{64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0},
      e{64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0};
  return which == 'A' ? a : which == 'B' ? b : which == 'D' ? d : e;
}
struct VGGSpec {
  std::string_view name;
  char cfg;
  bool batch_norm;
};
inline constexpr std::array<VGGSpec, 8> kVGGs{{{"vgg11", 'A', false},
                                               {"vgg11_bn", 'A', true},
                                               {"vgg13", 'B', false},
                                               {"vgg13_bn", 'B', true},
                                               {"vgg16", 'D', false},
                                               {"vgg16_bn", 'D', true},
                                               {"vgg19", 'E', false},
                                               {"vgg19_bn", 'E', true}}};

// MobileNetV2's inverted residual setting: expansion t, channels c, repeats n, first stride s.
inline constexpr std::array<std::array<int64_t, 4>, 7> kMobileNetV2Blocks{{{1, 16, 1, 1},
                                                                           {6, 24, 2, 2},
                                                                           {6, 32, 3, 2},
                                                                           {6, 64, 4, 2},
                                                                           {6, 96, 3, 1},
                                                                           {6, 160, 3, 2},
                                                                           {6, 320, 1, 1}}};
inline constexpr int64_t kMobileNetV2Stem = 32, kMobileNetV2Last = 1280;

// torchvision's _make_divisible: v rounded to the nearest multiple of `divisor` (at least divisor),
// never more than 10% below v.
inline int64_t make_divisible(double v, int64_t divisor) {
  int64_t r = std::max<int64_t>(
      divisor, static_cast<int64_t>(v + static_cast<double>(divisor) / 2) / divisor * divisor);
  if (static_cast<double>(r) < 0.9 * v) r += divisor;
  return r;
}

}  // namespace nabla::vision::models::detail
