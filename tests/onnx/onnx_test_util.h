// onnx_test_util.h — reading an exported model back with the ModelProto classes compiled from
// Debian's onnx.proto (the same schema the exporter writes with), for the structure tests.
#pragma once
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "nabla/nabla.h"
#include "nabla/onnx/onnx.h"
#include "onnx/onnx.pb.h"

namespace nabla::onnx_test {

inline ::onnx::ModelProto parse(const std::string& bytes) {
  ::onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes)) << "not a ModelProto";
  return m;
}

// Exports `model` called on `input` and parses the result.
inline ::onnx::ModelProto export_parsed(nn::Module& model, const Tensor& input,
                                        const onnx::ExportOptions& o = {}) {
  return parse(onnx::export_to_string(
      model, [&](const TensorList& in) { return TensorList{model(in[0])}; }, {input}, o));
}

inline std::vector<std::string> op_types(const ::onnx::ModelProto& m) {
  std::vector<std::string> ops;
  for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
  return ops;
}

inline int count(const ::onnx::ModelProto& m, const std::string& op_type) {
  int n = 0;
  for (const auto& node : m.graph().node()) n += node.op_type() == op_type;
  return n;
}

// The node named `name` (nodes are named after their first output, which for a module is its path).
inline const ::onnx::NodeProto& node_named(const ::onnx::ModelProto& m, const std::string& name) {
  for (const auto& n : m.graph().node())
    if (n.name() == name) return n;
  ADD_FAILURE() << "no node named " << name;
  static ::onnx::NodeProto none;
  return none;
}
inline const ::onnx::NodeProto& first_of(const ::onnx::ModelProto& m, const std::string& op_type) {
  for (const auto& n : m.graph().node())
    if (n.op_type() == op_type) return n;
  ADD_FAILURE() << "no " << op_type << " node";
  static ::onnx::NodeProto none;
  return none;
}

inline const ::onnx::AttributeProto* attr(const ::onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
inline std::vector<int64_t> ints(const ::onnx::NodeProto& n, const std::string& name) {
  const auto* a = attr(n, name);
  EXPECT_NE(a, nullptr) << n.op_type() << " has no attribute " << name;
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}
inline int64_t int_attr(const ::onnx::NodeProto& n, const std::string& name) {
  const auto* a = attr(n, name);
  EXPECT_NE(a, nullptr) << n.op_type() << " has no attribute " << name;
  return a ? a->i() : -1;
}

inline const ::onnx::TensorProto* initializer(const ::onnx::ModelProto& m, const std::string& name) {
  for (const auto& t : m.graph().initializer())
    if (t.name() == name) return &t;
  return nullptr;
}
inline std::set<std::string> initializer_names(const ::onnx::ModelProto& m) {
  std::set<std::string> names;
  for (const auto& t : m.graph().initializer()) names.insert(t.name());
  return names;
}
// An initializer's float32 values as a nabla tensor.
inline Tensor initializer_tensor(const ::onnx::TensorProto& t) {
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  Tensor r = empty(dims, {.dtype = kFloat32});
  EXPECT_EQ(t.raw_data().size(), static_cast<size_t>(r.numel()) * 4);
  std::memcpy(r.data_ptr(), t.raw_data().data(), t.raw_data().size());
  return r;
}

inline std::vector<int64_t> initializer_ints(const ::onnx::ModelProto& m, const std::string& name) {
  const auto* t = initializer(m, name);
  EXPECT_NE(t, nullptr) << name;
  std::vector<int64_t> v(t ? t->raw_data().size() / 8 : 0);
  if (t) std::memcpy(v.data(), t->raw_data().data(), t->raw_data().size());
  return v;
}

// "batch" or the number, per dim of a graph input/output.
inline std::vector<std::string> dims(const ::onnx::ValueInfoProto& v) {
  std::vector<std::string> r;
  for (const auto& d : v.type().tensor_type().shape().dim())
    r.push_back(d.has_dim_param() ? d.dim_param() : std::to_string(d.dim_value()));
  return r;
}

}  // namespace nabla::onnx_test
