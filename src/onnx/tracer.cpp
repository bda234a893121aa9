// tracer.cpp — the value table and the hooks of Note [Tracing a forward] (tracer.h).
#include "onnx/tracer.h"

#include <fmt/format.h>

#include "nabla/autograd/grad_mode.h"
#include "onnx/op_util.h"
#include "util/check.h"

namespace nabla::onnx::detail {

void unmapped(std::string_view what, std::string_view hint) {
  throw NotImplementedError(
      fmt::format("export_model: {} has no ONNX mapping{}{} (docs/onnx.md lists what exports)", what,
                  hint.empty() ? "" : "; ", hint));
}

Tracer::Tracer(Graph& graph, nn::Module& root, const ExportOptions& options)
    : graph_(graph), root_(root), options_(options) {
  // Parameters and buffers become initializers under their state_dict names; reserving the names
  // keeps values from taking them first.
  for (const auto& item : root.state_dict()) {
    params_.emplace(item.value().impl(), item.key());
    graph_.reserve(item.key());
  }
  for (const auto& item : root.named_modules()) module_names_.emplace(item.value(), item.key());
}

Tracer::~Tracer() {
  for (auto& h : hooks_) h.remove();
  if (installed_) autograd::set_op_observer(previous_);
}

void Tracer::add_input(const Tensor& t, const std::string& name) {
  const int64_t bd = t.dim() > options_.batch_dim ? options_.batch_dim : -1;
  if (bd >= 0 && batch_size_ < 0) batch_size_ = t.size(bd);
  graph_.add_input(name, t.dtype(), t.sizes(), options_.dynamic_batch ? bd : -1);
  bind(t, name, bd);
}

TensorList Tracer::run(const std::function<TensorList(const TensorList&)>& forward,
                       const TensorList& inputs) {
  for (const auto& item : root_.named_modules()) {
    nn::Module* m = item.value();
    hooks_.push_back(m->register_forward_pre_hook(
        nn::Module::ForwardPreHookAll([this](nn::Module& mod, const TensorList& in) { pre_hook(mod, in); })));
    hooks_.push_back(m->register_forward_hook(nn::Module::ForwardHookAll(
        [this](nn::Module& mod, const TensorList& in, const TensorList& out) { post_hook(mod, in, out); })));
  }
  NoGradGuard no_grad;  // the observer sees every op anyway; no graph is built
  previous_ = autograd::set_op_observer(this);
  installed_ = true;
  TensorList outputs = forward(inputs);
  autograd::set_op_observer(previous_);
  installed_ = false;
  for (auto& h : hooks_) h.remove();
  hooks_.clear();
  return outputs;
}

// A mapped module is written whole when its call returns; inside it (and inside modules it calls)
// nothing else is looked at.
void Tracer::pre_hook(nn::Module& m, const TensorList&) {
  const bool inside = !mapped_stack_.empty() && mapped_stack_.back() != nullptr;
  mapped_stack_.push_back(!inside && is_mapped_module(m) ? &m : (inside ? mapped_stack_.back() : nullptr));
}

void Tracer::post_hook(nn::Module& m, const TensorList& inputs, const TensorList& outputs) {
  NABLA_ASSERT(!mapped_stack_.empty(), "onnx tracer: module call stack underflow");
  const nn::Module* owner = mapped_stack_.back();
  mapped_stack_.pop_back();
  const bool outer_is_same = !mapped_stack_.empty() && mapped_stack_.back() == owner;
  if (owner == &m && !outer_is_same) {
    Untraced untraced;  // tensors a mapping computes (reordered weights) are not part of the forward
    map_module(*this, m, inputs, outputs);
  }
}

void Tracer::on_op(OpId op, const TensorList& inputs, const TensorList& outputs) {
  if (!mapped_stack_.empty() && mapped_stack_.back() != nullptr) return;  // inside a mapped module
  map_op(*this, op, inputs, outputs);
}

void Tracer::on_custom(const std::string& name, const TensorList&, const TensorList&) {
  if (!mapped_stack_.empty() && mapped_stack_.back() != nullptr) return;
  unmapped(fmt::format("the custom autograd Function '{}'", name),
           "recurrent layers export when called as modules (nn::GRU, nn::LSTM, nn::RNN)");
}

const Tracer::Value* Tracer::find(const Tensor& t, std::string_view op) const {
  auto it = values_.find(t.impl());
  if (it == values_.end()) return nullptr;
  NABLA_CHECK(it->second.version == t.version(), NotImplementedError,
              "export_model: an input of {} (value '{}') was modified in place after it was computed; the "
              "export cannot see in-place writes: use the out-of-place op (x = x + y, not x += y)",
              op, it->second.name);
  return &it->second;
}

std::string Tracer::value(const Tensor& t, std::string_view op) {
  if (!t.defined()) return "";  // an absent optional input
  if (const Value* v = find(t, op)) return v->name;
  if (auto it = params_.find(t.impl()); it != params_.end()) return graph_.initializer(it->second, t);
  // Anything else is a constant of this trace. One whose leading dim is the batch size was most
  // likely computed from the input by an op the observer cannot see (Note [Observing ops]).
  NABLA_CHECK(!options_.dynamic_batch || batch_size_ < 2 || t.dim() == 0 || t.size(0) != batch_size_,
              NotImplementedError,
              "export_model: an input of {} (shape {}) was not computed by an op the export can see, yet "
              "its first dim is the batch size ({}): it was probably made from the input by an op without "
              "an ONNX mapping (a comparison, argmax, a creation op). If it is a true constant, export with "
              "a batch size no constant has",
              op, shape_str(t.sizes()), batch_size_);
  std::string name = graph_.constant(t, "const");
  values_.insert_or_assign(t.impl(), Value{name, t, t.version(), -1, /*constant=*/true});
  return name;
}

bool Tracer::is_constant(const Tensor& t) const {
  if (params_.count(t.impl())) return false;
  auto it = values_.find(t.impl());
  return it == values_.end() || it->second.constant;
}

int64_t Tracer::batch_dim(const Tensor& t) const {
  auto it = values_.find(t.impl());
  return it == values_.end() ? -1 : it->second.batch_dim;
}

void Tracer::bind(const Tensor& t, const std::string& name, int64_t batch_dim) {
  values_.insert_or_assign(t.impl(), Value{name, t, t.version(), batch_dim});
}

void Tracer::alias(const Tensor& out, const Tensor& in, std::string_view op) {
  std::string name = value(in, op);
  bind(out, name, batch_dim(in));
}

std::string Tracer::param(const Tensor& t, std::string_view what, const Tensor& as) {
  const Tensor& data = as.defined() ? as : t;
  if (auto it = params_.find(t.impl()); it != params_.end()) return graph_.initializer(it->second, data);
  return graph_.constant(data, what);  // a module outside the exported tree: its weights are constants
}

std::string Tracer::prefix(const nn::Module& m) const {
  auto it = module_names_.find(&m);
  return it == module_names_.end() || it->second.empty() ? m.name() : it->second;
}

}  // namespace nabla::onnx::detail
