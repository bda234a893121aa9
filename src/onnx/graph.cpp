// graph.cpp — the ONNX protobuf side of the export: nodes, initializers, inputs/outputs, serialization.
#include "onnx/graph.h"

#include <cstring>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "nabla/ops/ops.h"
#include "onnx/onnx.pb.h"  // generated from Debian's onnx/onnx.proto (package onnx)
#include "util/check.h"

namespace nabla::onnx::detail {

int32_t onnx_dtype(DType dtype) {
  switch (dtype) {
    case DType::Bool:
      return ::onnx::TensorProto::BOOL;
    case DType::UInt8:
      return ::onnx::TensorProto::UINT8;
    case DType::Int32:
      return ::onnx::TensorProto::INT32;
    case DType::Int64:
      return ::onnx::TensorProto::INT64;
    case DType::Float16:
      return ::onnx::TensorProto::FLOAT16;
    case DType::BFloat16:
      return ::onnx::TensorProto::BFLOAT16;
    case DType::Float32:
      return ::onnx::TensorProto::FLOAT;
    case DType::Float64:
      return ::onnx::TensorProto::DOUBLE;
  }
  NABLA_ASSERT(false, "onnx_dtype: unknown dtype {}", static_cast<int>(dtype));
  return 0;
}

struct Graph::Impl {
  ::onnx::GraphProto graph;
  std::unordered_set<std::string> used;  // every value name handed out or registered
  std::unordered_map<std::string, int> next_suffix;
  std::unordered_set<std::string> initializers, inputs;
};

Graph::Graph() : impl_(std::make_unique<Impl>()) { impl_->graph.set_name("nabla"); }
Graph::~Graph() = default;

void Graph::reserve(const std::string& name) { impl_->used.insert(name); }

std::string Graph::fresh(std::string_view hint) {
  std::string base(hint.empty() ? "v" : hint);
  std::string name = base;
  int& n = impl_->next_suffix[base];
  while (impl_->used.count(name)) name = base + "_" + std::to_string(++n);
  impl_->used.insert(name);
  return name;
}

void Graph::node(std::string_view op_type, std::vector<std::string> inputs, std::vector<std::string> outputs,
                 std::vector<Attr> attrs, std::string_view name) {
  ::onnx::NodeProto* n = impl_->graph.add_node();
  n->set_op_type(std::string(op_type));
  n->set_name(name.empty() ? (outputs.empty() ? std::string(op_type) : outputs[0]) : std::string(name));
  for (auto& i : inputs) n->add_input(std::move(i));
  for (auto& o : outputs) {
    impl_->used.insert(o);
    n->add_output(std::move(o));
  }
  for (auto& a : attrs) {
    ::onnx::AttributeProto* p = n->add_attribute();
    p->set_name(a.name);
    if (auto* i = std::get_if<int64_t>(&a.value)) {
      p->set_type(::onnx::AttributeProto::INT);
      p->set_i(*i);
    } else if (auto* f = std::get_if<float>(&a.value)) {
      p->set_type(::onnx::AttributeProto::FLOAT);
      p->set_f(*f);
    } else if (auto* s = std::get_if<std::string>(&a.value)) {
      p->set_type(::onnx::AttributeProto::STRING);
      p->set_s(*s);
    } else if (auto* is = std::get_if<std::vector<int64_t>>(&a.value)) {
      p->set_type(::onnx::AttributeProto::INTS);
      for (int64_t v : *is) p->add_ints(v);
    } else if (auto* fs = std::get_if<std::vector<float>>(&a.value)) {
      p->set_type(::onnx::AttributeProto::FLOATS);
      for (float v : *fs) p->add_floats(v);
    } else {
      p->set_type(::onnx::AttributeProto::STRINGS);
      for (const auto& v : std::get<std::vector<std::string>>(a.value)) p->add_strings(v);
    }
  }
}

std::string Graph::op(std::string_view op_type, std::vector<std::string> inputs, std::vector<Attr> attrs,
                      std::string_view hint) {
  std::string out = fresh(hint.empty() ? op_type : hint);
  node(op_type, std::move(inputs), {out}, std::move(attrs));
  return out;
}

std::string Graph::initializer(const std::string& name, const Tensor& t) {
  if (impl_->initializers.count(name)) return name;
  impl_->initializers.insert(name);
  impl_->used.insert(name);
  ::onnx::TensorProto* p = impl_->graph.add_initializer();
  p->set_name(name);
  p->set_data_type(onnx_dtype(t.dtype()));
  for (int64_t d : t.sizes()) p->add_dims(d);
  // Raw little-endian bytes in row-major order (ONNX's layout), whatever the tensor's memory format.
  Tensor c = t.detach().contiguous();
  p->set_raw_data(std::string(static_cast<const char*>(c.data_ptr()), c.numel() * dtype_size(c.dtype())));
  return name;
}

std::string Graph::constant(const Tensor& t, std::string_view hint) { return initializer(fresh(hint), t); }

namespace {
// A 1-D (or, for one value with `scalar`, 0-d) tensor holding `values`.
template <typename T>
Tensor from_values(const std::vector<T>& values, DType dtype, bool scalar = false) {
  std::vector<int64_t> shape;
  if (!scalar) shape.push_back(static_cast<int64_t>(values.size()));
  Tensor t = empty(shape, {.dtype = dtype});
  if (!values.empty()) std::memcpy(t.data_ptr(), values.data(), values.size() * sizeof(T));
  return t;
}
}  // namespace

std::string Graph::constant_ints(const std::vector<int64_t>& values, std::string_view hint) {
  return constant(from_values(values, kInt64), hint);
}
std::string Graph::constant_floats(const std::vector<float>& values, std::string_view hint) {
  return constant(from_values(values, kFloat32), hint);
}
std::string Graph::scalar_int(int64_t value, std::string_view hint) {
  return constant(from_values(std::vector<int64_t>{value}, kInt64, /*scalar=*/true), hint);
}

bool Graph::has_initializer(const std::string& name) const { return impl_->initializers.count(name) > 0; }
std::vector<std::string> Graph::initializer_names() const {
  std::vector<std::string> names;
  for (const auto& t : impl_->graph.initializer()) names.push_back(t.name());
  return names;
}

namespace {
void fill_value_info(::onnx::ValueInfoProto* v, const std::string& name, DType dtype, IntArrayRef shape,
                     int64_t batch_dim) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx_dtype(dtype));
  auto* s = tt->mutable_shape();
  for (size_t d = 0; d < shape.size(); ++d) {
    auto* dim = s->add_dim();
    if (static_cast<int64_t>(d) == batch_dim)
      dim->set_dim_param("batch");
    else
      dim->set_dim_value(shape[d]);
  }
}
}  // namespace

void Graph::add_input(const std::string& name, DType dtype, IntArrayRef shape, int64_t batch_dim) {
  impl_->used.insert(name);
  impl_->inputs.insert(name);
  fill_value_info(impl_->graph.add_input(), name, dtype, shape, batch_dim);
}
void Graph::add_output(const std::string& name, DType dtype, IntArrayRef shape, int64_t batch_dim) {
  fill_value_info(impl_->graph.add_output(), name, dtype, shape, batch_dim);
}
bool Graph::is_input(const std::string& name) const { return impl_->inputs.count(name) > 0; }

void Graph::rename(const std::string& from, const std::string& to) {
  impl_->used.insert(to);
  for (auto& n : *impl_->graph.mutable_node()) {
    for (auto& i : *n.mutable_input())
      if (i == from) i = to;
    for (auto& o : *n.mutable_output())
      if (o == from) o = to;
    if (n.name() == from) n.set_name(to);
  }
}

bool Graph::produced_by_node(const std::string& name) const {
  for (const auto& n : impl_->graph.node())
    for (const auto& o : n.output())
      if (o == name) return true;
  return false;
}

void Graph::prune() {
  auto& g = impl_->graph;
  std::unordered_set<std::string> needed;
  for (const auto& o : g.output()) needed.insert(o.name());
  std::vector<bool> keep(g.node_size(), false);
  for (int i = g.node_size() - 1; i >= 0; --i) {
    for (const auto& o : g.node(i).output()) keep[i] = keep[i] || needed.count(o);
    if (keep[i])
      for (const auto& in : g.node(i).input()) needed.insert(in);
  }
  ::onnx::GraphProto pruned;
  for (int i = 0; i < g.node_size(); ++i)
    if (keep[i]) *pruned.add_node() = g.node(i);
  for (const auto& t : g.initializer())
    if (needed.count(t.name())) *pruned.add_initializer() = t;
  g.mutable_node()->Swap(pruned.mutable_node());
  g.mutable_initializer()->Swap(pruned.mutable_initializer());
}

std::string Graph::serialize(const ModelInfo& info) const {
  ::onnx::ModelProto model;
  // IR version 7 is the one of opsets 13-14; 15 and later came with IR 8.
  model.set_ir_version(info.opset <= 14 ? 7 : 8);
  model.set_producer_name("nabla");
  model.set_producer_version(info.producer_version);
  if (!info.doc_string.empty()) model.set_doc_string(info.doc_string);
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(info.opset);
  for (const auto& [k, v] : info.metadata) {
    auto* p = model.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  *model.mutable_graph() = impl_->graph;
  const size_t bytes = model.ByteSizeLong();
  NABLA_CHECK(bytes <= static_cast<size_t>(std::numeric_limits<int32_t>::max()), ValueError,
              "export_model: the model is {} bytes, past protobuf's 2 GiB limit for one ONNX file (external "
              "data files are not supported)",
              bytes);
  return model.SerializeAsString();
}

}  // namespace nabla::onnx::detail
