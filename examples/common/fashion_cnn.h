// fashion_cnn.h — the FashionCNN of chapter 3 (which trains it and saves its weights) and chapter 7 (which
// loads them to judge the conditional GAN's samples): one definition, so the saved state_dict always fits.
//
// It is the curriculum's (and `nabla train --model fashion_cnn`'s) model, layer for layer and name for name,
// so its state_dict keys are PyTorch's ("layer1.0.weight", "layer1.1.running_mean", "fc1.weight", ...).
// Shapes for a batch of N FashionMNIST images:
//
//   input                                   [N,  1, 28, 28]  pixels normalised by normalize_pixels()
//   layer1: Conv2d(1, 32, 3, padding 1)     [N, 32, 28, 28]  padding 1 keeps 28x28
//           BatchNorm2d(32), ReLU
//           MaxPool2d(2)                    [N, 32, 14, 14]
//   layer2: Conv2d(32, 64, 3)               [N, 64, 12, 12]  no padding: 14 - 3 + 1 = 12
//           BatchNorm2d(64), ReLU
//           MaxPool2d(2)                    [N, 64,  6,  6]
//   flatten                                 [N, 2304]        64 * 6 * 6
//   fc1: Linear(2304, 600), Dropout(0.25)   [N, 600]         dropout only in train mode
//   fc2: Linear(600, 120)                   [N, 120]
//   fc3: Linear(120, 10)                    [N, 10]          logits, one per class
//
// As in the seed, there is no activation between the linear layers (so fc1..fc3 compose to one linear map
// at inference; dropout makes them train differently). 1,475,338 parameters, most of them in fc1.
#pragma once
#include <nabla/nabla.h>

// FashionMNIST's pixel mean and standard deviation over the training set (the seed's Normalize).
constexpr double kFashionMean = 0.2860, kFashionStd = 0.3530;

// Pixels in [0, 1] -> the classifier's input (roughly zero mean, unit variance).
inline nabla::Tensor normalize_pixels(const nabla::Tensor& pixels) {
  return (pixels - kFashionMean) / kFashionStd;
}

struct FashionCNN : nabla::nn::Module {
  nabla::nn::Sequential layer1{nabla::nn::Conv2d(1, 32, 3, {.padding = 1}), nabla::nn::BatchNorm2d(32),
                               nabla::nn::ReLU(), nabla::nn::MaxPool2d(2)};
  nabla::nn::Sequential layer2{nabla::nn::Conv2d(32, 64, 3), nabla::nn::BatchNorm2d(64), nabla::nn::ReLU(),
                               nabla::nn::MaxPool2d(2)};
  nabla::nn::Linear fc1{64 * 6 * 6, 600}, fc2{600, 120}, fc3{120, 10};
  nabla::nn::Dropout drop{0.25};

  FashionCNN() {
    register_modules(
        {{"layer1", layer1}, {"layer2", layer2}, {"fc1", fc1}, {"drop", drop}, {"fc2", fc2}, {"fc3", fc3}});
  }
  // x: normalised images [N, 1, 28, 28] -> logits [N, 10].
  nabla::Tensor forward(nabla::Tensor x) override {
    x = layer2(layer1(x)).flatten(1);
    return fc3(fc2(drop(fc1(x))));
  }
  std::string name() const override { return "FashionCNN"; }
};
