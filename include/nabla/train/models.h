// models.h — the curriculum's models and torchvision's (nabla::vision::models), built by name from a
// config that checkpoints store, so `nabla eval/predict` can rebuild the architecture a checkpoint was
// trained with.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::training {

struct ModelConfig {
  // mlp | fashion_cnn | resnet (the curriculum's CIFAR ResNet), or a vision::models name: resnet18 ...
  // resnet152, vgg11 ... vgg19_bn, mobilenet_v2, alexnet (torchvision's architecture and state_dict
  // names; they take RGB images: a 1-channel image is repeated to 3 channels, as torchvision's
  // Grayscale(num_output_channels=3) would).
  std::string name = "mlp";
  int64_t in_channels = 1, height = 28, width = 28, num_classes = 10;
  int64_t n_layers = 5;  // mlp: hidden blocks
  std::string to_json() const;
  static ModelConfig from_json(const std::string& json);  // ValueError on a malformed config
};

// Limits of a model config (a checkpoint's sizes multiply into allocations): images of 1-4 channels
// and sides up to 4096, 2 to 2^20 classes, an mlp of 1 to 1000 hidden blocks.
inline constexpr int64_t kMaxModelChannels = 4, kMaxModelSide = 4096, kMaxModelClasses = int64_t{1} << 20,
                         kMaxMlpLayers = 1000;
// Every model name build_model knows: mlp, fashion_cnn, resnet, then vision::models::list_models().
std::vector<std::string> model_names();
// ValueError naming the field out of range, or the unknown model and the known ones (also: a vision
// model with 2 or 4 channels or images smaller than it accepts: 63x63 for alexnet, 32x32 for VGG).
void check_model_config(const ModelConfig& config);
// ValueError from check_model_config, then the model.
std::shared_ptr<nn::Module> build_model(const ModelConfig& config);

// The names and shapes of build_model(config)'s parameters (in parameters() order) and buffers,
// computed without building it (tensor-free: a checkpoint is checked against them first).
struct ModelShapes {
  std::vector<std::pair<std::string, std::vector<int64_t>>> parameters, buffers;
};
ModelShapes model_state_shapes(const ModelConfig& config);
// The model's final classifier layer, the one fine-tuning retrains (`nabla train --freeze backbone`):
// "fc" for torchvision's ResNets, "classifier.6" for VGG and AlexNet, "classifier.1" for MobileNetV2,
// "linear" for resnet, "fc3" for fashion_cnn, the last "layers.<i>" for mlp.
std::string classifier_name(const ModelConfig& config);
// Widths of the mlp's hidden blocks: n_layers sizes stepping evenly from the input size down
// towards num_classes (e.g. 784 -> 10 with 5 layers: 655, 526, 397, 268, 139).
std::vector<int64_t> mlp_hidden_sizes(int64_t input_size, int64_t num_classes, int64_t n_layers);

}  // namespace nabla::training
