// mobilenetv2.cpp — torchvision's MobileNetV2 (see nabla/vision/models/mobilenetv2.h); the block
// settings come from architectures.h.
#include "nabla/vision/models/mobilenetv2.h"

#include <cmath>

#include "nabla/nn/functional.h"
#include "nabla/nn/init.h"
#include "util/check.h"
#include "vision/architectures.h"
#include "vision/layout.h"

namespace nabla::vision::models {

Conv2dNormActivation::Conv2dNormActivation(int64_t in, int64_t out, int64_t k, int64_t stride,
                                           int64_t groups) {
  push_back(
      nn::Conv2d(in, out, k, {.stride = stride, .padding = (k - 1) / 2, .groups = groups, .bias = false}));
  push_back(nn::BatchNorm2d(out));
  push_back(nn::ReLU6());
}

InvertedResidual::InvertedResidual(int64_t inp, int64_t oup, int64_t stride, int64_t expand_ratio)
    : use_res_connect(stride == 1 && inp == oup) {
  NABLA_CHECK(stride == 1 || stride == 2, ValueError, "InvertedResidual: stride should be 1 or 2, got {}",
              stride);
  const int64_t hidden = inp * expand_ratio;
  if (expand_ratio != 1) conv.push_back(Conv2dNormActivation(inp, hidden, 1));  // pointwise
  conv.push_back(Conv2dNormActivation(hidden, hidden, 3, stride, hidden));      // depthwise
  conv.push_back(nn::Conv2d(hidden, oup, 1, {.bias = false}));                  // pointwise, linear
  conv.push_back(nn::BatchNorm2d(oup));
  register_modules({{"conv", conv}});
}

Tensor InvertedResidual::forward(Tensor x) { return use_res_connect ? x + conv(x) : conv(x); }

MobileNetV2::MobileNetV2(MobileNetV2Options o) {
  NABLA_CHECK(o.width_mult > 0 && std::isfinite(o.width_mult) && o.round_nearest >= 1, ValueError,
              "MobileNetV2: width_mult must be > 0 and round_nearest >= 1, got {} and {}", o.width_mult,
              o.round_nearest);
  using detail::make_divisible;
  int64_t in = make_divisible(detail::kMobileNetV2Stem * o.width_mult, o.round_nearest);
  last_channel = make_divisible(detail::kMobileNetV2Last * std::max(1.0, o.width_mult), o.round_nearest);
  features.push_back(Conv2dNormActivation(3, in, 3, 2));
  for (const auto& [t, c, n, s] : detail::kMobileNetV2Blocks) {
    const int64_t out = make_divisible(static_cast<double>(c) * o.width_mult, o.round_nearest);
    for (int64_t i = 0; i < n; ++i) {
      features.push_back(std::make_shared<InvertedResidual>(in, out, i == 0 ? s : 1, t));
      in = out;
    }
  }
  features.push_back(Conv2dNormActivation(in, last_channel, 1));
  classifier.push_back(nn::Dropout(o.dropout));
  classifier.push_back(nn::Linear(last_channel, o.num_classes));
  register_modules({{"features", features}, {"classifier", classifier}});
  apply([](nn::Module& m) {  // torchvision's initialisation
    if (auto* c = m.as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(c->weight, 0, nn::init::FanMode::FanOut);
    } else if (auto* l = m.as<nn::Linear>()) {
      nn::init::normal_(l->weight, 0, 0.01);
      nn::init::zeros_(l->bias);
    }
  });
}

Tensor MobileNetV2::forward(Tensor x) {
  x = features(detail::channels_last(x));
  return classifier(nn::functional::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
}

std::shared_ptr<MobileNetV2> mobilenet_v2(MobileNetV2Options o) { return std::make_shared<MobileNetV2>(o); }

}  // namespace nabla::vision::models
