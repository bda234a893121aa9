// transforms.cpp — torch::data's transforms of the default Example<>: Stack's collation, Normalize's
// channel tensors (compiled once, here).
#include "torch/data/transforms.h"

#include <utility>
#include <vector>

namespace torch::data::transforms {

Stack<Example<>>::~Stack() = default;
Example<> Stack<Example<>>::apply_batch(std::vector<Example<>> examples) {
  std::vector<Tensor> data, targets;
  data.reserve(examples.size());
  targets.reserve(examples.size());
  for (auto& example : examples) {
    data.push_back(std::move(example.data));
    targets.push_back(std::move(example.target));
  }
  return {nabla::stack(data), nabla::stack(targets)};
}

Stack<TensorExample>::~Stack() = default;
TensorExample Stack<TensorExample>::apply_batch(std::vector<TensorExample> examples) {
  std::vector<Tensor> data;
  data.reserve(examples.size());
  for (auto& example : examples) data.push_back(std::move(example.data));
  return nabla::stack(data);
}

namespace detail {
Tensor channel_tensor(const Doubles& d) {
  return nabla::from_buffer(d.values.data(), {static_cast<int64_t>(d.values.size())}, nabla::kFloat64)
      .to(nabla::kFloat32)
      .unsqueeze(1)
      .unsqueeze(2);
}
}  // namespace detail

}  // namespace torch::data::transforms
