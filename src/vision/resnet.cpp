// resnet.cpp — torchvision's ResNet (see nabla/vision/models/resnet.h); the layer counts come from
// architectures.h.
#include "nabla/vision/models/resnet.h"

#include "nabla/nn/init.h"
#include "vision/architectures.h"
#include "vision/layout.h"

namespace nabla::vision::models {

namespace {
nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(in, out, 3, {.stride = stride, .padding = 1, .bias = false});
}
nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride = 1) {
  return nn::Conv2d(in, out, 1, {.stride = stride, .bias = false});
}
}  // namespace

BasicBlock::BasicBlock(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> ds)
    : conv1(conv3x3(inplanes, planes, stride)),
      bn1(planes),
      conv2(conv3x3(planes, planes)),
      bn2(planes),
      downsample(std::move(ds)) {
  register_modules({{"conv1", conv1}, {"bn1", bn1}, {"relu", relu}, {"conv2", conv2}, {"bn2", bn2}});
  if (downsample) register_module("downsample", downsample);
}

Tensor BasicBlock::forward(Tensor x) {
  Tensor out = bn1.forward_relu(conv1(x), &relu);  // relu(bn1(...)), fused
  out = bn2(conv2(out));
  return relu(out + (downsample ? (*downsample)(x) : x));
}

Bottleneck::Bottleneck(int64_t inplanes, int64_t planes, int64_t stride, std::shared_ptr<nn::Sequential> ds)
    : conv1(conv1x1(inplanes, planes)),
      bn1(planes),
      conv2(conv3x3(planes, planes, stride)),
      bn2(planes),
      conv3(conv1x1(planes, planes * expansion)),
      bn3(planes * expansion),
      downsample(std::move(ds)) {
  register_modules({{"conv1", conv1},
                    {"bn1", bn1},
                    {"conv2", conv2},
                    {"bn2", bn2},
                    {"conv3", conv3},
                    {"bn3", bn3},
                    {"relu", relu}});
  if (downsample) register_module("downsample", downsample);
}

Tensor Bottleneck::forward(Tensor x) {
  Tensor out = bn1.forward_relu(conv1(x), &relu);  // relu(bn1(...)), fused
  out = bn2.forward_relu(conv2(out), &relu);
  out = bn3(conv3(out));
  return relu(out + (downsample ? (*downsample)(x) : x));
}

ResNet::ResNet(ResNetBlock block, std::array<int64_t, 4> layers, ResNetOptions o)
    : conv1(3, 64, 7, {.stride = 2, .padding = 3, .bias = false}),
      bn1(64),
      maxpool(3, {.stride = 2, .padding = 1}),
      avgpool(1),
      fc(512 * (block == ResNetBlock::Bottleneck ? Bottleneck::expansion : BasicBlock::expansion),
         o.num_classes) {
  const bool bottleneck = block == ResNetBlock::Bottleneck;
  const int64_t expansion = bottleneck ? Bottleneck::expansion : BasicBlock::expansion;
  int64_t inplanes = 64;
  nn::Sequential* stages[] = {&layer1, &layer2, &layer3, &layer4};
  for (size_t l = 0; l < 4; ++l) {  // torchvision's _make_layer
    const int64_t planes = int64_t{64} << l, stride = l == 0 ? 1 : 2;
    for (int64_t b = 0; b < layers[l]; ++b) {
      std::shared_ptr<nn::Sequential> ds;
      if (b == 0 && (stride != 1 || inplanes != planes * expansion))
        ds = std::make_shared<nn::Sequential>(conv1x1(inplanes, planes * expansion, stride),
                                              nn::BatchNorm2d(planes * expansion));
      const int64_t s = b == 0 ? stride : 1;
      if (bottleneck)
        stages[l]->push_back(std::make_shared<Bottleneck>(inplanes, planes, s, ds));
      else
        stages[l]->push_back(std::make_shared<BasicBlock>(inplanes, planes, s, ds));
      inplanes = planes * expansion;
    }
  }
  register_modules({{"conv1", conv1},
                    {"bn1", bn1},
                    {"relu", relu},
                    {"maxpool", maxpool},
                    {"layer1", layer1},
                    {"layer2", layer2},
                    {"layer3", layer3},
                    {"layer4", layer4},
                    {"avgpool", avgpool},
                    {"fc", fc}});
  // torchvision's initialisation (BatchNorm's weight 1 and bias 0 are already the defaults).
  apply([](nn::Module& m) {
    if (auto* c = m.as<nn::Conv2d>())
      nn::init::kaiming_normal_(c->weight, 0, nn::init::FanMode::FanOut, "relu");
  });
  if (o.zero_init_residual)
    apply([](nn::Module& m) {
      if (auto* b = m.as<Bottleneck>()) nn::init::zeros_(b->bn3.weight);
      if (auto* b = m.as<BasicBlock>()) nn::init::zeros_(b->bn2.weight);
    });
}

Tensor ResNet::forward(Tensor x) {
  x = maxpool(bn1.forward_relu(conv1(detail::channels_last(x)), &relu));
  x = layer4(layer3(layer2(layer1(detail::channels_last(x)))));
  return fc(avgpool(x).flatten(1));
}

namespace {
std::shared_ptr<ResNet> make(std::string_view name, ResNetOptions o) {
  for (const auto& spec : detail::kResNets)
    if (spec.name == name)
      return std::make_shared<ResNet>(spec.bottleneck ? ResNetBlock::Bottleneck : ResNetBlock::Basic,
                                      spec.layers, o);
  throw ValueError("unknown ResNet");  // unreachable: the names below are the table's
}
}  // namespace

std::shared_ptr<ResNet> resnet18(ResNetOptions o) { return make("resnet18", o); }
std::shared_ptr<ResNet> resnet34(ResNetOptions o) { return make("resnet34", o); }
std::shared_ptr<ResNet> resnet50(ResNetOptions o) { return make("resnet50", o); }
std::shared_ptr<ResNet> resnet101(ResNetOptions o) { return make("resnet101", o); }
std::shared_ptr<ResNet> resnet152(ResNetOptions o) { return make("resnet152", o); }

}  // namespace nabla::vision::models
