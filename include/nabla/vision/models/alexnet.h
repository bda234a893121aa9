// alexnet.h — torchvision's AlexNet (torchvision/models/alexnet.py, the "one weird trick" variant):
// `features`, `avgpool` (adaptive, 6x6) and `classifier` (the last Linear is classifier.6).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "nabla/nn/container.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"

namespace nabla::vision::models {

struct AlexNetOptions {
  int64_t num_classes = 1000;
  double dropout = 0.5;
};

// Input [N, 3, H, W] with H, W >= 63; output [N, num_classes].
class AlexNet : public nn::Module {
 public:
  explicit AlexNet(AlexNetOptions options = {});
  Tensor forward(Tensor x) override;
  std::string name() const override { return "AlexNet"; }
  nn::Sequential features;
  nn::AdaptiveAvgPool2d avgpool{6};
  nn::Sequential classifier;
};

std::shared_ptr<AlexNet> alexnet(AlexNetOptions options = {});

}  // namespace nabla::vision::models
