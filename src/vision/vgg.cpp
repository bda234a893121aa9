// vgg.cpp — torchvision's VGG (see nabla/vision/models/vgg.h); the cfgs come from architectures.h.
#include "nabla/vision/models/vgg.h"

#include "nabla/nn/init.h"
#include "vision/architectures.h"
#include "vision/layout.h"

namespace nabla::vision::models {

nn::Sequential make_layers(const std::vector<int64_t>& cfg, bool batch_norm) {
  nn::Sequential layers;
  int64_t in = 3;
  for (int64_t v : cfg) {
    if (v == kPool) {
      layers.push_back(nn::MaxPool2d(2, {.stride = 2}));
      continue;
    }
    layers.push_back(nn::Conv2d(in, v, 3, {.padding = 1}));
    if (batch_norm) layers.push_back(nn::BatchNorm2d(v));
    layers.push_back(nn::ReLU());
    in = v;
  }
  return layers;
}

VGG::VGG(nn::Sequential f, VGGOptions o)
    : features(std::move(f)),
      classifier(nn::Linear(512 * 7 * 7, 4096), nn::ReLU(), nn::Dropout(o.dropout), nn::Linear(4096, 4096),
                 nn::ReLU(), nn::Dropout(o.dropout), nn::Linear(4096, o.num_classes)) {
  register_modules({{"features", features}, {"avgpool", avgpool}, {"classifier", classifier}});
  if (!o.init_weights) return;
  apply([](nn::Module& m) {  // torchvision's initialisation
    if (auto* c = m.as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(c->weight, 0, nn::init::FanMode::FanOut, "relu");
      nn::init::zeros_(c->bias);
    } else if (auto* l = m.as<nn::Linear>()) {
      nn::init::normal_(l->weight, 0, 0.01);
      nn::init::zeros_(l->bias);
    }
  });
}

Tensor VGG::forward(Tensor x) {
  x = avgpool(features(detail::channels_last(x)));
  return classifier(x.flatten(1));
}

namespace {
std::shared_ptr<VGG> make(std::string_view name, VGGOptions o) {
  for (const auto& spec : detail::kVGGs)
    if (spec.name == name)
      return std::make_shared<VGG>(make_layers(detail::vgg_cfg(spec.cfg), spec.batch_norm), o);
  throw ValueError("unknown VGG");  // unreachable: the names below are the table's
}
}  // namespace

std::shared_ptr<VGG> vgg11(VGGOptions o) { return make("vgg11", o); }
std::shared_ptr<VGG> vgg11_bn(VGGOptions o) { return make("vgg11_bn", o); }
std::shared_ptr<VGG> vgg13(VGGOptions o) { return make("vgg13", o); }
std::shared_ptr<VGG> vgg13_bn(VGGOptions o) { return make("vgg13_bn", o); }
std::shared_ptr<VGG> vgg16(VGGOptions o) { return make("vgg16", o); }
std::shared_ptr<VGG> vgg16_bn(VGGOptions o) { return make("vgg16_bn", o); }
std::shared_ptr<VGG> vgg19(VGGOptions o) { return make("vgg19", o); }
std::shared_ptr<VGG> vgg19_bn(VGGOptions o) { return make("vgg19_bn", o); }

}  // namespace nabla::vision::models
