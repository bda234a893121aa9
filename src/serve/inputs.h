// inputs.h — request bodies to model inputs. Every refusal is a RequestError carrying the HTTP status
// the client gets (4xx) and a message saying what was wrong, so bad input never reaches the model.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "nabla/tensor/tensor.h"
#include "nabla/train/run_state.h"

namespace nabla::serve::detail {

struct RequestError : std::runtime_error {
  RequestError(int status, const std::string& message) : std::runtime_error(message), status(status) {}
  int status;
};

struct InputSpec {
  const training::RunConfig* config = nullptr;  // input shape [C, H, W], normalisation
  int64_t max_image_pixels = 0;                 // per image, as its header declares (H x W)
  int64_t max_inputs = 0;                       // inputs in one request
};

// "Image/PNG; charset=x" -> "image/png".
std::string media_type(const std::string& content_type);

// An encoded PNG, JPEG or BMP image -> the model input [C, H, W] (training::preprocess_image).
// 400 for bytes that do not decode, 413 for an image with more than max_image_pixels pixels.
Tensor image_input(const uint8_t* data, size_t size, const std::string& name, const InputSpec& spec);

// {"inputs": <nested arrays of numbers, [C, H, W] or [N, C, H, W]>} -> N model inputs [C, H, W], taken
// as they are (already normalised, like the tensors preprocess_image makes). 400 for text that is not
// JSON, 422 for JSON of another structure or shape, 413 for more than max_inputs inputs.
std::vector<Tensor> json_inputs(const std::string& body, const InputSpec& spec);

}  // namespace nabla::serve::detail
