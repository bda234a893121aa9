// torch/nn/options/pooling.h — LibTorch's MaxPoolOptions<D>, AvgPoolOptions<D> and
// AdaptiveAvgPoolOptions: MaxPool2dOptions(3).stride(2).padding(1). The stride defaults to the kernel size.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "torch/arg.h"

namespace torch {
// An adaptive pool's output size: `7`, `{7, 7}`, or `{std::nullopt, 7}` (nullopt keeps the input's size
// in that dimension). LibTorch's torch::ExpandingArrayWithOptionalElem.
template <size_t D>
class ExpandingArrayWithOptionalElem : public ExpandingArray<D, std::optional<int64_t>> {
  using Base = ExpandingArray<D, std::optional<int64_t>>;

 public:
  ExpandingArrayWithOptionalElem(int64_t single) : Base(std::optional<int64_t>(single)) {}  // NOLINT
  ExpandingArrayWithOptionalElem(std::initializer_list<std::optional<int64_t>> list)
      : Base(std::vector<std::optional<int64_t>>(list)) {}
  ExpandingArrayWithOptionalElem(const std::vector<std::optional<int64_t>>& list) : Base(list) {}  // NOLINT
  ExpandingArrayWithOptionalElem(const ExpandingArray<D>& values)                                  // NOLINT
      : Base(std::vector<std::optional<int64_t>>(values->begin(), values->end())) {}
};
}  // namespace torch

namespace torch::nn {

template <size_t D>
struct MaxPoolOptions {
  MaxPoolOptions(ExpandingArray<D> kernel_size)
      : kernel_size_(kernel_size), stride_(kernel_size) {}  // NOLINT
  TORCH_ARG(ExpandingArray<D>, kernel_size);
  TORCH_ARG(ExpandingArray<D>, stride);
  TORCH_ARG(ExpandingArray<D>, padding) = 0;
  TORCH_ARG(ExpandingArray<D>, dilation) = 1;
  TORCH_ARG(bool, ceil_mode) = false;
};
using MaxPool2dOptions = MaxPoolOptions<2>;

template <size_t D>
struct AvgPoolOptions {
  AvgPoolOptions(ExpandingArray<D> kernel_size)
      : kernel_size_(kernel_size), stride_(kernel_size) {}  // NOLINT
  TORCH_ARG(ExpandingArray<D>, kernel_size);
  TORCH_ARG(ExpandingArray<D>, stride);
  TORCH_ARG(ExpandingArray<D>, padding) = 0;
  TORCH_ARG(bool, ceil_mode) = false;
  TORCH_ARG(bool, count_include_pad) = true;
  TORCH_ARG(std::optional<int64_t>, divisor_override) = std::nullopt;
};
using AvgPool2dOptions = AvgPoolOptions<2>;

template <typename output_size_t>
struct AdaptiveAvgPoolOptions {
  AdaptiveAvgPoolOptions(output_size_t output_size) : output_size_(output_size) {}  // NOLINT
  TORCH_ARG(output_size_t, output_size);
};
using AdaptiveAvgPool2dOptions = AdaptiveAvgPoolOptions<ExpandingArrayWithOptionalElem<2>>;

}  // namespace torch::nn
