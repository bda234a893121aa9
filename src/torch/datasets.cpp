// datasets.cpp — torch::data's TensorDataset and MNIST (torch/data/datasets.h): their get() and size() and
// the Dataset/BatchDataset instantiations they derive from, compiled once here rather than in every
// program that includes <torch/torch.h>. MNIST's file reading is in mnist.cpp.
#include "torch/data/datasets.h"

namespace torch::data::datasets {

template class BatchDataset<TensorDataset, std::vector<TensorExample>>;
template class BatchDataset<MNIST, std::vector<Example<>>>;
template class Dataset<TensorDataset, TensorExample>;
template class Dataset<MNIST>;

TensorExample TensorDataset::get(size_t index) { return tensor[static_cast<int64_t>(index)]; }
optional<size_t> TensorDataset::size() const { return static_cast<size_t>(tensor.size(0)); }

Example<> MNIST::get(size_t index) {
  const auto i = static_cast<int64_t>(index);
  return {images_[i], targets_[i]};
}
optional<size_t> MNIST::size() const { return static_cast<size_t>(images_.size(0)); }

}  // namespace torch::data::datasets
