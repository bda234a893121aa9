// init.h — nn::init: in-place initialisers (no autograd), with torch.nn.init's definitions.
#pragma once
#include <string>
#include <tuple>

#include "nabla/tensor/tensor.h"

namespace nabla::nn::init {

enum class FanMode { FanIn, FanOut };
// Gain for a nonlinearity: "linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu".
double calculate_gain(const std::string& nonlinearity, double param = 0.01);
std::tuple<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

Tensor& uniform_(Tensor& t, double a = 0, double b = 1, RandomGenerator* gen = nullptr);
Tensor& normal_(Tensor& t, double mean = 0, double std = 1, RandomGenerator* gen = nullptr);
Tensor& constant_(Tensor& t, double value);
Tensor& zeros_(Tensor& t);
Tensor& ones_(Tensor& t);
Tensor& xavier_uniform_(Tensor& t, double gain = 1, RandomGenerator* gen = nullptr);
Tensor& xavier_normal_(Tensor& t, double gain = 1, RandomGenerator* gen = nullptr);
Tensor& kaiming_uniform_(Tensor& t, double a = 0, FanMode mode = FanMode::FanIn,
                         const std::string& nonlinearity = "leaky_relu", RandomGenerator* gen = nullptr);
Tensor& kaiming_normal_(Tensor& t, double a = 0, FanMode mode = FanMode::FanIn,
                        const std::string& nonlinearity = "leaky_relu", RandomGenerator* gen = nullptr);
Tensor& orthogonal_(Tensor& t, double gain = 1, RandomGenerator* gen = nullptr);

}  // namespace nabla::nn::init
