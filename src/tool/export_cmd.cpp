// export_cmd.cpp — `nabla export --model_fn run.safetensors --format onnx -o model.onnx`: the checkpoint's
// model as an ONNX file (nabla::onnx::export_model; docs/onnx.md), with the run's preprocessing in
// its metadata.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "nabla/nabla.h"
#include "nabla/onnx/onnx.h"
#include "nabla/train/inference.h"
#include "tool/commands.h"

namespace nabla::tool {

namespace {
std::string list(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + fmt::format("{}", v[i]);
  return s + "]";
}
}  // namespace

int run_export(const ExportArgs& a) {
  training::InferenceModel loaded = training::load_inference_model(a.model_fn);
  const training::RunConfig& cfg = loaded.config;
  auto& model = loaded.model;
  const std::string out =
      a.output.empty() ? std::filesystem::path(a.model_fn).replace_extension(".onnx").string() : a.output;
  const auto& m = cfg.model;
  // Traced at batch 2 (a batch of one hides which dim is the batch); the file takes any batch size.
  Tensor example = randn({2, m.in_channels, m.height, m.width});
  onnx::ExportOptions options{.opset_version = a.opset,
                              .metadata = {{"nabla.run", cfg.to_json()},
                                           {"nabla.normalize.mean", list(cfg.mean)},
                                           {"nabla.normalize.std", list(cfg.std)}},
                              .doc_string = "nabla " + m.name + " from " + a.model_fn};
  onnx::export_model(*model, {example}, out, options);
  std::cout << "wrote " << out << " (ONNX opset " << a.opset << "): input 'input' [batch, " << m.in_channels
            << ", " << m.height << ", " << m.width
            << "] float32, images scaled to [0, 1] then normalised with mean " << list(cfg.mean)
            << " and std " << list(cfg.std) << "; output 'output' [batch, " << m.num_classes << "] logits\n";
  return 0;
}

}  // namespace nabla::tool
