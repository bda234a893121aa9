// torch/data/example.h — torch::data::Example<Data, Target>: one sample (or one stacked batch) as LibTorch
// spells it; Example<Tensor, NoTarget> (TensorExample) has data only and converts to its tensor.
#pragma once
#include <utility>

#include "torch/types.h"

namespace torch::data {

template <typename Data = Tensor, typename Target = Tensor>
struct Example {
  using DataType = Data;
  using TargetType = Target;
  Example() = default;
  Example(Data data, Target target) : data(std::move(data)), target(std::move(target)) {}
  Data data;
  Target target;
};

namespace example {
using NoTarget = void;
}  // namespace example

template <typename Data>
struct Example<Data, example::NoTarget> {
  using DataType = Data;
  using TargetType = example::NoTarget;
  Example() = default;
  Example(Data data) : data(std::move(data)) {}  // NOLINT: implicit, as LibTorch
  operator Data&() { return data; }              // NOLINT
  operator const Data&() const { return data; }  // NOLINT
  Data data;
};

using TensorExample = Example<Tensor, example::NoTarget>;

}  // namespace torch::data
