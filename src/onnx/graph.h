// graph.h — builds one ONNX ModelProto (Debian's onnx.proto, compiled by protoc; docs/onnx.md).
// The protobuf classes stay inside graph.cpp: the tracer and the op mappings speak in value names,
// attributes and Tensors.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::onnx::detail {

// One node attribute (AttributeProto): an int, a float, a string, or a list of ints, floats or strings.
struct Attr {
  std::string name;
  std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
               std::vector<std::string>>
      value;
};
inline Attr attr_i(std::string name, int64_t v) { return {std::move(name), v}; }
inline Attr attr_f(std::string name, double v) { return {std::move(name), static_cast<float>(v)}; }
inline Attr attr_s(std::string name, std::string v) { return {std::move(name), std::move(v)}; }
inline Attr attr_ints(std::string name, std::vector<int64_t> v) { return {std::move(name), std::move(v)}; }
inline Attr attr_floats(std::string name, std::vector<float> v) { return {std::move(name), std::move(v)}; }
inline Attr attr_strings(std::string name, std::vector<std::string> v) {
  return {std::move(name), std::move(v)};
}

// ONNX TensorProto.DataType of a nabla dtype.
int32_t onnx_dtype(DType dtype);

class Graph {
 public:
  Graph();
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // Keeps `name` from being handed out by fresh() (state_dict names, taken by initializers later).
  void reserve(const std::string& name);
  // A value name not used yet, built from `hint` ("layer1.0.conv1", "relu").
  std::string fresh(std::string_view hint);
  // Appends a node (nodes are kept in execution order, as ONNX requires).
  void node(std::string_view op_type, std::vector<std::string> inputs, std::vector<std::string> outputs,
            std::vector<Attr> attrs = {}, std::string_view name = {});
  // A node with one output named fresh(hint or op_type); returns that name.
  std::string op(std::string_view op_type, std::vector<std::string> inputs, std::vector<Attr> attrs = {},
                 std::string_view hint = {});

  // An initializer holding `t`'s values under `name` (a state_dict name); adding one name twice keeps
  // the first. Returns name.
  std::string initializer(const std::string& name, const Tensor& t);
  // Constants made by the export (shapes, axes, scales, converted weights), under fresh names.
  std::string constant(const Tensor& t, std::string_view hint);
  std::string constant_ints(const std::vector<int64_t>& values, std::string_view hint);
  std::string constant_floats(const std::vector<float>& values, std::string_view hint);
  std::string scalar_int(int64_t value, std::string_view hint);  // 0-d int64
  bool has_initializer(const std::string& name) const;
  std::vector<std::string> initializer_names() const;

  // Graph inputs and outputs: dtype and shape, with dim `batch_dim` symbolic ("batch") when >= 0.
  void add_input(const std::string& name, DType dtype, IntArrayRef shape, int64_t batch_dim);
  void add_output(const std::string& name, DType dtype, IntArrayRef shape, int64_t batch_dim);
  bool is_input(const std::string& name) const;
  // Renames a value produced by a node everywhere it appears (graph output names).
  void rename(const std::string& from, const std::string& to);
  bool produced_by_node(const std::string& name) const;

  // Drops nodes none of whose outputs reach a graph output (e.g. an RNN's h_n the forward ignored)
  // and initializers no remaining node reads.
  void prune();

  struct ModelInfo {
    int64_t opset = 13;
    std::string producer_version, doc_string;
    std::vector<std::pair<std::string, std::string>> metadata;
  };
  // The serialized ModelProto; ValueError when it would pass protobuf's 2 GiB limit.
  std::string serialize(const ModelInfo& info) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nabla::onnx::detail
