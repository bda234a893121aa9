// serialize.cpp — torch::save / torch::load and the archives (torch/serialize.h).
#include "torch/serialize.h"

#include "nabla/io/pt.h"

namespace torch {
namespace serialize {

void OutputArchive::write(const std::string& key, const Tensor& tensor, bool /*is_buffer*/) {
  tensors_.emplace_back(key, tensor.detach());
}
void OutputArchive::write(const std::string& key, const OutputArchive& nested) {
  for (const auto& [k, t] : nested.tensors_) tensors_.emplace_back(key + "." + k, t);
}
void OutputArchive::save_to(const std::string& path, const std::string& kind) const {
  nabla::io::save_safetensors(path, tensors_, {{"nabla.torch", kind}});
}

void InputArchive::load_from(const std::string& path, const std::string& kind) {
  auto file = nabla::io::load_safetensors(path);
  auto it = file.metadata.find("nabla.torch");
  std::string found = it == file.metadata.end() ? "" : it->second;
  // A module also loads from a safetensors state_dict written by other tools (no "nabla.torch").
  if (!kind.empty() && found != kind && !(kind == "archive" && !found.empty()) &&
      !(kind == "module" && found.empty()))
    throw nabla::ValueError("torch::load: " + path + " holds " +
                            (found.empty() ? "no torch::save data" : found) + ", expected " + kind);
  path_ = path;
  file_ = std::move(file);
}
bool InputArchive::try_read(const std::string& key, Tensor& tensor) const {
  if (!file_.contains(key)) return false;
  const Tensor& stored = file_.at(key);
  if (tensor.defined() && tensor.sizes() == stored.sizes()) {
    nabla::NoGradGuard no_grad;
    tensor.copy_(stored);
  } else {
    tensor = stored.clone();
  }
  return true;
}
void InputArchive::read(const std::string& key, Tensor& tensor, bool /*is_buffer*/) const {
  if (!try_read(key, tensor))
    throw nabla::ValueError("torch::load: " + path_ + " has no tensor '" + key + "'");
}

}  // namespace serialize

namespace {
// Python's torch.save (zip or legacy), as opposed to nabla's safetensors files.
bool is_python_pt(const std::string& path) {
  const auto f = nabla::io::detect_format(path);
  return f == nabla::io::FileFormat::PtZip || f == nabla::io::FileFormat::PtLegacy;
}
}  // namespace

void detail::save_module(const nabla::nn::Module& module, const std::string& path) {
  nabla::io::save_safetensors(path, module.state_dict(), {{"nabla.torch", "module"}});
}
void detail::load_module(nabla::nn::Module& module, const std::string& path) {
  if (is_python_pt(path)) {  // torch.save(model.state_dict(), path)
    module.load_state_dict(nabla::io::load_state_dict(path), /*strict=*/true);
    return;
  }
  serialize::InputArchive a;
  a.load_from(path, "module");
  module.load_state_dict(a.file().tensors, /*strict=*/true);
}

void save(const Tensor& tensor, const std::string& path) {
  serialize::OutputArchive a;
  a.write("tensor", tensor);
  a.save_to(path, "tensor");
}
void save(const std::vector<Tensor>& tensors, const std::string& path) {
  serialize::OutputArchive a;
  for (size_t i = 0; i < tensors.size(); ++i) a.write(std::to_string(i), tensors[i]);
  a.save_to(path, "tensors");
}
void save(const nabla::optim::Optimizer& optimizer, const std::string& path) {
  auto sd = optimizer.state_dict();
  nabla::io::NamedTensors tensors;
  for (const auto& [k, t] : sd.tensors) tensors.emplace_back(k, t);
  nabla::io::save_safetensors(path, tensors, {{"nabla.torch", "optimizer"}, {"optimizer", sd.json}});
}
void save(const serialize::OutputArchive& archive, const std::string& path) { archive.save_to(path); }

void load(Tensor& tensor, const std::string& path) {
  if (is_python_pt(path)) {
    const nabla::io::PtValue v = nabla::io::load_pt(path);
    if (!v.is_tensor())
      throw nabla::ValueError("torch::load: " + path + " holds a " +
                              std::string(nabla::io::kind_name(v.kind())) + ", expected a tensor");
    tensor = v.to_tensor().detach().clone();
    return;
  }
  serialize::InputArchive a;
  a.load_from(path, "tensor");
  a.read("tensor", tensor);
}
void load(std::vector<Tensor>& tensors, const std::string& path) {
  serialize::InputArchive a;
  a.load_from(path, "tensors");
  tensors.assign(a.file().tensors.size(), Tensor());
  for (size_t i = 0; i < tensors.size(); ++i) a.read(std::to_string(i), tensors[i]);
}
void load(nabla::optim::Optimizer& optimizer, const std::string& path) {
  if (is_python_pt(path)) {  // torch.save(optimizer.state_dict(), path)
    const auto s = nabla::io::optimizer_state_from_pt(nabla::io::load_pt(path), optimizer.name());
    optimizer.load_state_dict({s.tensors, s.json});
    return;
  }
  serialize::InputArchive a;
  a.load_from(path, "optimizer");
  nabla::optim::OptimizerStateDict sd;
  for (const auto& [k, t] : a.file().tensors) sd.tensors[k] = t;
  sd.json = a.file().metadata.at("optimizer");
  optimizer.load_state_dict(sd);
}
void load(serialize::InputArchive& archive, const std::string& path) { archive.load_from(path, "archive"); }

}  // namespace torch
