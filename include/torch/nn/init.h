// torch/nn/init.h — torch::nn::init: LibTorch's in-place initialisers (tensor by value — it is a handle
// — and returned), forwarding to nabla::nn::init. All run without autograd, as LibTorch's do.
#pragma once
#include <tuple>
#include <variant>

#include "torch/enum.h"
#include "torch/types.h"

namespace torch::nn::init {

using NonlinearityType =
    std::variant<enumtype::kLinear, enumtype::kConv1D, enumtype::kConv2D, enumtype::kConv3D,
                 enumtype::kConvTranspose1D, enumtype::kConvTranspose2D, enumtype::kConvTranspose3D,
                 enumtype::kSigmoid, enumtype::kTanh, enumtype::kReLU, enumtype::kLeakyReLU>;
using FanModeType = std::variant<enumtype::kFanIn, enumtype::kFanOut>;

// Declared here, defined in src/torch/init.cpp: the tag variants' holds_alternative and the bodies
// cost every including program compile time (docs/libtorch.md, "Compile time").
// param is leaky_relu's negative slope.
double calculate_gain(NonlinearityType nonlinearity, double param = 0.01);
std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& tensor);

Tensor constant_(Tensor tensor, Scalar value);
Tensor ones_(Tensor tensor);
Tensor zeros_(Tensor tensor);
Tensor uniform_(Tensor tensor, double low = 0, double high = 1);
Tensor normal_(Tensor tensor, double mean = 0, double std = 1);
// A 2-d tensor becomes the identity (ones on the diagonal of a non-square matrix too).
Tensor eye_(Tensor matrix);
// Conv weights [out, in, k...] preserving the input's identity: a 1 at each kernel centre of out == in.
Tensor dirac_(Tensor tensor);
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);
// a: leaky_relu's negative slope (used when nonlinearity is kLeakyReLU).
Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanModeType mode = torch::kFanIn,
                        NonlinearityType nonlinearity = torch::kLeakyReLU);
Tensor kaiming_normal_(Tensor tensor, double a = 0, FanModeType mode = torch::kFanIn,
                       NonlinearityType nonlinearity = torch::kLeakyReLU);
Tensor orthogonal_(Tensor tensor, double gain = 1.0);

}  // namespace torch::nn::init
