// inference.h — using a run checkpoint (run_state.h) for predictions: the model its config describes
// with its weights, in eval mode, and the preprocessing it was trained with. `nabla predict` and
// `nabla serve` both go through these, so they give the same probabilities for the same image.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/tensor/tensor.h"
#include "nabla/train/run_state.h"

namespace nabla::training {

struct InferenceModel {
  RunConfig config;
  std::shared_ptr<nn::Module> model;  // eval mode
};

// IOError when the file is missing, corrupt, not a run checkpoint, or holds weights that do not fit
// its model or are NaN/inf (the outputs would be meaningless).
InferenceModel load_inference_model(const std::string& path);

// A decoded image, uint8 [H, W, C] with the model's channel count, as the model's input [C, H, W]:
// ToTensor, Resize to the trained size when it differs, Normalize with the run's mean and std.
// ShapeError when the channels differ from the model's.
Tensor preprocess_image(const Tensor& image_hwc, const RunConfig& config);

// Class probabilities of one input: softmax of the model's output row.
struct ClassProbability {
  std::string name;  // the run's class name
  int64_t index = 0;
  double probability = 0;
};
// The k most probable classes of `probabilities` [K], most probable first, ties by lower index (topk's
// order); k above K gives all K. ValueError when a probability is NaN or inf (weights too large?).
std::vector<ClassProbability> top_classes(const Tensor& probabilities, int64_t k, const RunConfig& config);

// The channel count to decode images to for this model (1: gray, else RGB; io::ImageReadMode's values).
int image_read_channels(const RunConfig& config);

}  // namespace nabla::training
