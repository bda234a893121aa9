// torch/data.h — LibTorch's torch::data on nabla: datasets (Dataset, BatchDataset, MapDataset,
// TensorDataset, MNIST), transforms (Stack, Normalize, Lambda, TensorLambda, ...), samplers (Random,
// Sequential, Distributed*) and make_data_loader, which runs on nabla's DataLoader and worker threads.
#pragma once

#include "torch/data/dataloader.h"
#include "torch/data/datasets.h"
#include "torch/data/example.h"
#include "torch/data/samplers.h"
#include "torch/data/transforms.h"

namespace torch::data {
using datasets::BatchDataset;
using datasets::Dataset;
}  // namespace torch::data
