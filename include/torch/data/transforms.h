// torch/data/transforms.h — LibTorch's dataset transforms: a BatchTransform maps a whole batch, a
// Transform maps each example of a std::vector batch, TensorTransform maps each example's data tensor,
// and a Collation (Stack) turns std::vector<Example> into one stacked Example. Dataset::map applies them.
#pragma once
#include <initializer_list>
#include <utility>
#include <vector>

#include "nabla/tensor/std_function.h"
#include "torch/data/example.h"
#include "torch/types.h"

namespace torch::data::transforms {

template <typename InputBatch, typename OutputBatch>
class BatchTransform {
 public:
  using InputBatchType = InputBatch;
  using OutputBatchType = OutputBatch;
  virtual ~BatchTransform() = default;
  virtual OutputBatch apply_batch(InputBatch input_batch) = 0;
};

template <typename Input, typename Output>
class Transform : public BatchTransform<std::vector<Input>, std::vector<Output>> {
 public:
  using InputType = Input;
  using OutputType = Output;
  virtual OutputType apply(InputType input) = 0;
  std::vector<Output> apply_batch(std::vector<Input> input_batch) override {
    std::vector<Output> output_batch;
    output_batch.reserve(input_batch.size());
    for (auto&& input : input_batch) output_batch.push_back(apply(std::move(input)));
    return output_batch;
  }
};

// A BatchTransform from a function over the whole batch.
template <typename Input, typename Output = Input>
class BatchLambda : public BatchTransform<Input, Output> {
 public:
  using typename BatchTransform<Input, Output>::InputBatchType;
  using typename BatchTransform<Input, Output>::OutputBatchType;
  using FunctionType = std::function<OutputBatchType(InputBatchType)>;
  explicit BatchLambda(FunctionType function) : function_(std::move(function)) {}
  OutputBatchType apply_batch(InputBatchType input_batch) override {
    return function_(std::move(input_batch));
  }

 private:
  FunctionType function_;
};

// A Transform from a function over one example.
template <typename Input, typename Output = Input>
class Lambda : public Transform<Input, Output> {
 public:
  using typename Transform<Input, Output>::InputType;
  using typename Transform<Input, Output>::OutputType;
  using FunctionType = std::function<Output(Input)>;
  explicit Lambda(FunctionType function) : function_(std::move(function)) {}
  OutputType apply(InputType input) override { return function_(std::move(input)); }

 private:
  FunctionType function_;
};

template <typename T, typename BatchType = std::vector<T>>
using Collation = BatchTransform<BatchType, T>;
template <typename T, typename BatchType = std::vector<T>>
using Collate = BatchLambda<BatchType, T>;

// Stacks the examples' data (and targets) along a new dim 0: std::vector<Example<>> -> Example<>.
template <typename T = Example<>>
struct Stack;

template <>
struct Stack<Example<>> : public Collation<Example<>> {
  ~Stack() override;
  Example<> apply_batch(std::vector<Example<>> examples) override;
};

template <>
struct Stack<TensorExample> : public Collation<Example<Tensor, example::NoTarget>> {
  ~Stack() override;
  TensorExample apply_batch(std::vector<TensorExample> examples) override;
};

// Maps each example's data tensor; the target passes through.
template <typename Target = Tensor>
class TensorTransform : public Transform<Example<Tensor, Target>, Example<Tensor, Target>> {
 public:
  using E = Example<Tensor, Target>;
  using typename Transform<E, E>::InputType;
  using typename Transform<E, E>::OutputType;
  virtual Tensor operator()(Tensor input) = 0;
  OutputType apply(InputType input) override {
    input.data = (*this)(std::move(input.data));
    return input;
  }
};

template <typename Target = Tensor>
class TensorLambda : public TensorTransform<Target> {
 public:
  using FunctionType = std::function<Tensor(Tensor)>;
  explicit TensorLambda(FunctionType function) : function_(std::move(function)) {}
  Tensor operator()(Tensor input) override { return function_(std::move(input)); }

 private:
  FunctionType function_;
};

namespace detail {
// What LibTorch's ArrayRef<double> accepts here: one value, a braced list or a vector.
struct Doubles {
  Doubles(double v) : values{v} {}                                // NOLINT: implicit
  Doubles(std::initializer_list<double> list) : values(list) {}   // NOLINT
  Doubles(std::vector<double> list) : values(std::move(list)) {}  // NOLINT
  std::vector<double> values;
};
// A float32 [C, 1, 1] tensor, broadcasting over a [C, H, W] image.
Tensor channel_tensor(const Doubles& d);
}  // namespace detail

// (x - mean) / stddev per channel: Normalize<>(0.1307, 0.3081) or Normalize<>({0.5, 0.5, 0.5}, {...}).
template <typename Target = Tensor>
struct Normalize : public TensorTransform<Target> {
  Normalize(const detail::Doubles& mean, const detail::Doubles& stddev)
      : mean(detail::channel_tensor(mean)), stddev(detail::channel_tensor(stddev)) {}
  Tensor operator()(Tensor input) override { return input.sub(mean).div(stddev); }
  Tensor mean, stddev;
};

}  // namespace torch::data::transforms
