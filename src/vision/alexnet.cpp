// alexnet.cpp — torchvision's AlexNet (see nabla/vision/models/alexnet.h). torchvision keeps the
// layers' default initialisation, and so does this.
#include "nabla/vision/models/alexnet.h"

#include "vision/layout.h"

namespace nabla::vision::models {

AlexNet::AlexNet(AlexNetOptions o)
    : features(nn::Conv2d(3, 64, 11, {.stride = 4, .padding = 2}), nn::ReLU(),
               nn::MaxPool2d(3, {.stride = 2}), nn::Conv2d(64, 192, 5, {.padding = 2}), nn::ReLU(),
               nn::MaxPool2d(3, {.stride = 2}), nn::Conv2d(192, 384, 3, {.padding = 1}), nn::ReLU(),
               nn::Conv2d(384, 256, 3, {.padding = 1}), nn::ReLU(), nn::Conv2d(256, 256, 3, {.padding = 1}),
               nn::ReLU(), nn::MaxPool2d(3, {.stride = 2})),
      classifier(nn::Dropout(o.dropout), nn::Linear(256 * 6 * 6, 4096), nn::ReLU(), nn::Dropout(o.dropout),
                 nn::Linear(4096, 4096), nn::ReLU(), nn::Linear(4096, o.num_classes)) {
  register_modules({{"features", features}, {"avgpool", avgpool}, {"classifier", classifier}});
}

Tensor AlexNet::forward(Tensor x) {
  x = avgpool(features(detail::channels_last(x)));
  return classifier(x.flatten(1));
}

std::shared_ptr<AlexNet> alexnet(AlexNetOptions o) { return std::make_shared<AlexNet>(o); }

}  // namespace nabla::vision::models
