// models.h — nabla::vision::models, torchvision's image classifiers built from nabla's layers with
// torchvision's architecture and exactly its state_dict names and shapes: a torchvision state_dict
// (saved as safetensors) loads into them and gives torchvision's logits (tests/vision/).
//   auto model = vision::models::resnet50({.num_classes = 10});
//   auto same = vision::models::get_model("resnet50", 10);
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/vision/models/alexnet.h"
#include "nabla/vision/models/mobilenetv2.h"
#include "nabla/vision/models/resnet.h"
#include "nabla/vision/models/vgg.h"

namespace nabla::vision::models {

// The names get_model knows, torchvision's: resnet18 ... resnet152, vgg11 ... vgg19_bn, mobilenet_v2,
// alexnet.
std::vector<std::string> list_models();
// torchvision.models.get_model(name, num_classes=...): the model with its default options otherwise.
// ValueError naming an unknown model and the known ones.
std::shared_ptr<nn::Module> get_model(const std::string& name, int64_t num_classes = 1000);

}  // namespace nabla::vision::models
