// torch/data/datasets.h — LibTorch's dataset classes: BatchDataset (get_batch over a request of indices),
// Dataset (get one example; get_batch collects them), MapDataset (dataset.map(transform)), TensorDataset
// and MNIST. Stateful/chunk/stream/shared datasets are not provided.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "nabla/tensor/error.h"
#include "torch/data/check.h"
#include "torch/data/example.h"
#include "torch/data/transforms.h"
#include "torch/types.h"

namespace torch::data::datasets {

template <typename S, typename T>
class MapDataset;
template <typename D, typename T>
MapDataset<D, T> map(D, T);  // NOLINT

namespace detail {
template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace detail

// A dataset that answers a whole batch request at once. c10::ArrayRef<size_t> is std::vector<size_t> here.
template <typename Self, typename Batch = std::vector<Example<>>,
          typename BatchRequest = c10::ArrayRef<size_t>>
class BatchDataset {
 public:
  using SelfType = Self;
  using BatchType = Batch;
  using BatchRequestType = BatchRequest;
  constexpr static bool is_stateful = detail::is_optional<BatchType>::value;

  virtual ~BatchDataset() = default;
  virtual Batch get_batch(BatchRequest request) = 0;
  virtual optional<size_t> size() const = 0;

  // A new dataset whose batches are transform.apply_batch(this dataset's batches).
  template <typename TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) & {
    return datasets::map(static_cast<Self&>(*this), std::move(transform));
  }
  template <typename TransformType>
  MapDataset<Self, TransformType> map(TransformType transform) && {
    return datasets::map(std::move(static_cast<Self&>(*this)), std::move(transform));
  }
};

// A dataset of single examples: override get(index) and size(); batches are std::vector<SingleExample>.
template <typename Self, typename SingleExample = Example<>>
class Dataset : public BatchDataset<Self, std::vector<SingleExample>> {
 public:
  using ExampleType = SingleExample;
  virtual ExampleType get(size_t index) = 0;
  std::vector<ExampleType> get_batch(c10::ArrayRef<size_t> indices) override {
    std::vector<ExampleType> batch;
    batch.reserve(indices.size());
    for (const auto i : indices) batch.push_back(get(i));
    return batch;
  }
};

template <typename SourceDataset, typename AppliedTransform>
class MapDataset : public BatchDataset<MapDataset<SourceDataset, AppliedTransform>,
                                       typename AppliedTransform::OutputBatchType,
                                       typename SourceDataset::BatchRequestType> {
  static_assert(!SourceDataset::is_stateful, "torch::data (nabla): stateful datasets are not supported");

 public:
  using DatasetType = SourceDataset;
  using TransformType = AppliedTransform;
  using BatchRequestType = typename SourceDataset::BatchRequestType;
  using OutputBatchType = typename AppliedTransform::OutputBatchType;

  MapDataset(DatasetType dataset, TransformType transform)
      : dataset_(std::move(dataset)), transform_(std::move(transform)) {}
  OutputBatchType get_batch(BatchRequestType indices) override {
    return transform_.apply_batch(dataset_.get_batch(std::move(indices)));
  }
  optional<size_t> size() const noexcept override { return dataset_.size(); }
  const SourceDataset& dataset() noexcept { return dataset_; }
  const AppliedTransform& transform() noexcept { return transform_; }

 private:
  SourceDataset dataset_;
  AppliedTransform transform_;
};

template <typename DatasetType, typename TransformType>
MapDataset<DatasetType, TransformType> map(DatasetType dataset, TransformType transform) {
  static_assert(std::is_same_v<typename DatasetType::BatchType, typename TransformType::InputBatchType>,
                "BatchType type of dataset does not match input type of transform");
  return {std::move(dataset), std::move(transform)};
}

// The two datasets below are instantiated once, in the library (src/torch/datasets.cpp), with their
// get() and size() (docs/libtorch.md, "Compile time").
struct TensorDataset;
class MNIST;
extern template class Dataset<TensorDataset, TensorExample>;
extern template class Dataset<MNIST>;
extern template class BatchDataset<TensorDataset, std::vector<TensorExample>>;
extern template class BatchDataset<MNIST, std::vector<Example<>>>;
// Example i is row i of one tensor (data only: TensorExample).
struct TensorDataset : public Dataset<TensorDataset, TensorExample> {
  explicit TensorDataset(const std::vector<Tensor>& tensors) : TensorDataset(nabla::stack(tensors)) {}
  explicit TensorDataset(Tensor tensor) : tensor(std::move(tensor)) {}
  TensorExample get(size_t index) override;
  optional<size_t> size() const override;
  Tensor tensor;
};

// MNIST from the four IDX files (see Note [torch MNIST files]): images float32 [N, 1, H, W] in [0, 1],
// targets int64 [N]; get(i) is {image [1, H, W], target scalar}.
class MNIST : public Dataset<MNIST> {
 public:
  enum class Mode { kTrain, kTest };
  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);
  Example<> get(size_t index) override;
  optional<size_t> size() const override;
  bool is_train() const noexcept { return mode_ == Mode::kTrain; }
  const Tensor& images() const { return images_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor images_, targets_;
  Mode mode_;
};

// Note [torch MNIST files]
// LibTorch reads root/{train,t10k}-{images-idx3,labels-idx1}-ubyte. nabla additionally accepts each
// file gzip-compressed (<name>.gz) and torchvision's layout root/MNIST/raw/<name>[.gz], which is where
// nabla's tools/fetch-data puts them (so both "data/MNIST/raw" and "data" work). Unlike LibTorch, any
// image count and size is accepted (LibTorch insists on 60000/10000 images of 28x28). A missing file
// raises nabla::IOError naming the path; a malformed one, IOError naming the file and byte offset.
}  // namespace torch::data::datasets
