// models.cpp — list_models and get_model: the builders by torchvision's names.
#include "nabla/vision/models.h"

#include "vision/architectures.h"
#include "vision/catalog.h"

namespace nabla::vision::models {

std::vector<std::string> list_models() { return detail::model_names(); }

std::shared_ptr<nn::Module> get_model(const std::string& name, int64_t num_classes) {
  detail::check_known(name);
  for (const auto& spec : detail::kResNets)
    if (spec.name == name)
      return std::make_shared<ResNet>(spec.bottleneck ? ResNetBlock::Bottleneck : ResNetBlock::Basic,
                                      spec.layers, ResNetOptions{.num_classes = num_classes});
  for (const auto& spec : detail::kVGGs)
    if (spec.name == name)
      return std::make_shared<VGG>(make_layers(detail::vgg_cfg(spec.cfg), spec.batch_norm),
                                   VGGOptions{.num_classes = num_classes});
  if (name == "mobilenet_v2") return mobilenet_v2({.num_classes = num_classes});
  return alexnet({.num_classes = num_classes});
}

}  // namespace nabla::vision::models
