// onnx.h — nabla::onnx::export_model, PyTorch's torch.onnx.export: runs the module once on example
// inputs, records what it computes, and writes an ONNX model (opset 13 by default) whose initializers
// carry the state_dict's names and whose batch dimension is symbolic. docs/onnx.md lists the modules
// and ops it maps and what it refuses.
//
//   nn::Module& model = ...;
//   onnx::export_model(model, {randn({1, 1, 28, 28})}, "model.onnx");
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::onnx {

inline constexpr int64_t kMinOpset = 13, kMaxOpset = 17;

struct ExportOptions {
  int64_t opset_version = 13;  // kMinOpset..kMaxOpset (the nodes written are the same for all of them)
  // Graph input and output names; by default "input"/"output", or "input0", "input1", ... when there
  // are several. ValueError when given with the wrong count.
  std::vector<std::string> input_names = {};
  std::vector<std::string> output_names = {};
  // The batch dim of every input (and of the outputs it flows to) is the symbolic dim "batch", so the
  // model runs on any batch size; false writes the example's sizes.
  bool dynamic_batch = true;
  int64_t batch_dim = 0;  // which dim of the inputs is the batch (1 for RNNs without batch_first)
  // Extra ModelProto metadata_props (e.g. the normalisation the model expects).
  std::vector<std::pair<std::string, std::string>> metadata = {};
  std::string doc_string = "";
};

// Exports `module` by tracing `module(example_inputs[0])` (one Tensor in, one out). The module is put
// in eval mode for the trace (dropout off, batch norm on its running statistics) and given back in the
// modes it had. The file is replaced atomically. NotImplementedError naming the op (and the module it
// ran in) for anything without an ONNX mapping; ValueError for bad options.
void export_model(nn::Module& module, const TensorList& example_inputs, const std::string& path,
                  const ExportOptions& options = {});
// The same for forwards of other signatures (several inputs, tuple results, recurrent states):
// `forward` is called once on the example inputs; `module` names the initializers and is the one
// switched to eval mode. E.g. `[&](const TensorList& in) { auto [y, h] = gru(in[0]); return TensorList{y, h};
// }`.
void export_model(nn::Module& module, const std::function<TensorList(const TensorList&)>& forward,
                  const TensorList& example_inputs, const std::string& path,
                  const ExportOptions& options = {});
// The serialized ModelProto instead of a file.
std::string export_to_string(nn::Module& module, const std::function<TensorList(const TensorList&)>& forward,
                             const TensorList& example_inputs, const ExportOptions& options = {});

}  // namespace nabla::onnx
