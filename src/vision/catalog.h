// catalog.h — what the vision models are, without building them (tensor-free: the training layer
// validates a checkpoint against these shapes before it builds anything, and fuzz/ compiles this file
// alone): their names, the state_dict names and shapes, the smallest input each accepts, and the
// name of the final classifier layer.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nabla::vision::models::detail {

const std::vector<std::string>& model_names();
bool is_model(const std::string& name);
// ValueError naming an unknown model and the known ones.
void check_known(const std::string& name);

struct StateShapes {
  using List = std::vector<std::pair<std::string, std::vector<int64_t>>>;
  List parameters, buffers;  // in named_parameters() / named_buffers() order
};
// get_model(name, num_classes)'s parameters and buffers (ValueError for an unknown name).
StateShapes state_shapes(const std::string& name, int64_t num_classes);

// The smallest height and width the forward accepts: 63 for alexnet (three 3x3 max pools after a
// stride-4 conv), 32 for VGG (five 2x2 max pools), 1 otherwise.
int64_t min_input_side(const std::string& name);

// The final Linear layer, the one fine-tuning replaces: "fc" (ResNet), "classifier.6" (VGG, AlexNet),
// "classifier.1" (MobileNetV2).
std::string classifier_name(const std::string& name);

}  // namespace nabla::vision::models::detail
