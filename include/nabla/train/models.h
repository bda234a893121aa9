// models.h — the curriculum's models, built by name from a config that checkpoints store, so
// `nabla eval/predict` can rebuild the architecture a checkpoint was trained with.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::training {

struct ModelConfig {
  std::string name = "mlp";  // mlp | fashion_cnn | resnet
  int64_t in_channels = 1, height = 28, width = 28, num_classes = 10;
  int64_t n_layers = 5;  // mlp: hidden blocks
  std::string to_json() const;
  static ModelConfig from_json(const std::string& json);  // ValueError on a malformed config
};

// Limits of a model config (a checkpoint's sizes multiply into allocations): images of 1-4 channels
// and sides up to 4096, 2 to 2^20 classes, an mlp of 1 to 1000 hidden blocks.
inline constexpr int64_t kMaxModelChannels = 4, kMaxModelSide = 4096, kMaxModelClasses = int64_t{1} << 20,
                         kMaxMlpLayers = 1000;
// ValueError naming the field out of range, or the unknown model and the known ones.
void check_model_config(const ModelConfig& config);
// ValueError from check_model_config, then the model.
std::shared_ptr<nn::Module> build_model(const ModelConfig& config);

// The names and shapes of build_model(config)'s parameters (in parameters() order) and buffers,
// computed without building it (tensor-free: a checkpoint is checked against them first).
struct ModelShapes {
  std::vector<std::pair<std::string, std::vector<int64_t>>> parameters, buffers;
};
ModelShapes model_state_shapes(const ModelConfig& config);
// Widths of the mlp's hidden blocks: n_layers sizes stepping evenly from the input size down
// towards num_classes (e.g. 784 -> 10 with 5 layers: 655, 526, 397, 268, 139).
std::vector<int64_t> mlp_hidden_sizes(int64_t input_size, int64_t num_classes, int64_t n_layers);

}  // namespace nabla::training
