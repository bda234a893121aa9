// export.cpp — export_model: options, eval mode for the trace, graph inputs and outputs, the file.
#include <fmt/format.h>

#include <map>
#include <set>

#include "nabla/io/checkpoint.h"
#include "nabla/onnx/onnx.h"
#include "onnx/tracer.h"
#include "util/check.h"

namespace nabla::onnx {

namespace {

// The given names, or base / base0, base1, ... ; ValueError for a wrong count, an empty or a repeated name.
std::vector<std::string> value_names(const std::vector<std::string>& given, size_t n, const std::string& base,
                                     const char* field) {
  std::vector<std::string> names = given;
  if (names.empty())
    for (size_t i = 0; i < n; ++i) names.push_back(n == 1 ? base : base + std::to_string(i));
  NABLA_CHECK(names.size() == n, ValueError, "export_model: {} has {} names for {} {}s", field, names.size(),
              n, base);
  std::set<std::string> seen;
  for (const auto& s : names)
    NABLA_CHECK(!s.empty() && seen.insert(s).second, ValueError,
                "export_model: {} must be distinct and non-empty, got '{}' twice or empty", field, s);
  return names;
}

void check_options(const ExportOptions& o, const TensorList& inputs) {
  NABLA_CHECK(o.opset_version >= kMinOpset && o.opset_version <= kMaxOpset, ValueError,
              "export_model: opset_version {} is not supported (from {} to {})", o.opset_version, kMinOpset,
              kMaxOpset);
  NABLA_CHECK(o.batch_dim >= 0, ValueError, "export_model: batch_dim must be >= 0, got {}", o.batch_dim);
  NABLA_CHECK(!inputs.empty(), ValueError, "export_model: no example inputs");
  for (size_t i = 0; i < inputs.size(); ++i)
    NABLA_CHECK(inputs[i].defined(), ValueError, "export_model: example input {} is undefined", i);
}

// The trace runs in eval mode (dropout off, batch norm on running statistics, as torch.onnx.export);
// every module gets its own mode back, parents first so each one's own setting wins.
class EvalModes {
 public:
  explicit EvalModes(nn::Module& root) {
    for (const auto& item : root.named_modules())
      modes_.emplace_back(item.value(), item.value()->is_training());
    root.eval();
  }
  ~EvalModes() {
    for (auto& [m, on] : modes_) m->train(on);
  }
  EvalModes(const EvalModes&) = delete;
  EvalModes& operator=(const EvalModes&) = delete;

 private:
  std::vector<std::pair<nn::Module*, bool>> modes_;
};

// Names the traced outputs. A value the graph does not compute (an input, an initializer) or one
// already named as an earlier output is passed through an Identity node.
void add_outputs(detail::Graph& g, detail::Tracer& t, const TensorList& outputs,
                 const std::vector<std::string>& names) {
  std::map<std::string, std::string> renamed;  // value -> the output name it took
  for (size_t i = 0; i < outputs.size(); ++i) {
    NABLA_CHECK(outputs[i].defined(), ValueError, "export_model: output {} of the forward is undefined", i);
    const std::string v = t.value(outputs[i], "the graph outputs");
    if (auto it = renamed.find(v); it != renamed.end()) {
      g.node("Identity", {it->second}, {names[i]});
    } else if (g.produced_by_node(v)) {
      g.rename(v, names[i]);
      renamed.emplace(v, names[i]);
    } else {
      g.node("Identity", {v}, {names[i]});
    }
    g.add_output(names[i], outputs[i].dtype(), outputs[i].sizes(),
                 t.dynamic() ? t.batch_dim(outputs[i]) : -1);
  }
}

}  // namespace

std::string export_to_string(nn::Module& module, const std::function<TensorList(const TensorList&)>& forward,
                             const TensorList& example_inputs, const ExportOptions& options) {
  check_options(options, example_inputs);
  const auto in_names = value_names(options.input_names, example_inputs.size(), "input", "input_names");
  EvalModes eval(module);
  detail::Graph graph;
  detail::Tracer tracer(graph, module, options);
  for (size_t i = 0; i < example_inputs.size(); ++i) tracer.add_input(example_inputs[i], in_names[i]);
  const TensorList outputs = tracer.run(forward, example_inputs);
  NABLA_CHECK(!outputs.empty(), ValueError, "export_model: the forward returned no tensors");
  add_outputs(graph, tracer, outputs,
              value_names(options.output_names, outputs.size(), "output", "output_names"));
  graph.prune();
  detail::Graph::ModelInfo info{.opset = options.opset_version,
                                .producer_version = NABLA_VERSION,
                                .doc_string = options.doc_string,
                                .metadata = options.metadata};
  return graph.serialize(info);
}

void export_model(nn::Module& module, const std::function<TensorList(const TensorList&)>& forward,
                  const TensorList& example_inputs, const std::string& path, const ExportOptions& options) {
  io::atomic_write_file(path, export_to_string(module, forward, example_inputs, options));
}

void export_model(nn::Module& module, const TensorList& example_inputs, const std::string& path,
                  const ExportOptions& options) {
  NABLA_CHECK(example_inputs.size() == 1, ValueError,
              "export_model: module(input) takes one example input, got {}; pass a forward function for "
              "several",
              example_inputs.size());
  export_model(
      module, [&](const TensorList& in) { return TensorList{module(in[0])}; }, example_inputs, path, options);
}

}  // namespace nabla::onnx
