// models.h — the curriculum's models, built by name from a config that checkpoints store, so
// `nabla eval/predict` can rebuild the architecture a checkpoint was trained with.
#pragma once
#include <memory>
#include <string>

#include "nabla/nn/module.h"

namespace nabla::training {

struct ModelConfig {
  std::string name = "mlp";  // mlp | fashion_cnn | resnet
  int64_t in_channels = 1, height = 28, width = 28, num_classes = 10;
  int64_t n_layers = 5;  // mlp: hidden blocks
  std::string to_json() const;
  static ModelConfig from_json(const std::string& json);  // ValueError on a malformed config
};

// ValueError naming the unknown model and the known ones.
std::shared_ptr<nn::Module> build_model(const ModelConfig& config);
// Widths of the mlp's hidden blocks: n_layers sizes stepping evenly from the input size down
// towards num_classes (e.g. 784 -> 10 with 5 layers: 655, 526, 397, 268, 139).
std::vector<int64_t> mlp_hidden_sizes(int64_t input_size, int64_t num_classes, int64_t n_layers);

}  // namespace nabla::training
