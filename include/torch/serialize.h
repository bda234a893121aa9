// torch/serialize.h — torch::save / torch::load for tensors, tensor lists, modules and optimizers, and
// LibTorch's OutputArchive / InputArchive.
//
// Files are safetensors (written atomically) with "nabla.torch" metadata naming what they hold, so
// loading a module file into a tensor (or another nabla file) is a clear ValueError. They are not
// LibTorch's TorchScript zip archives: a file written by LibTorch's torch::save is not read here, and
// the other way round (docs/libtorch.md). torch::load also reads what Python's torch.save writes (a
// tensor, a state_dict, an optimizer state_dict: nabla/io/pt.h), and a plain safetensors state_dict into
// a module; the format is read from the file's content.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "nabla/io/pt.h"
#include "nabla/io/safetensors.h"
#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"
#include "torch/types.h"

namespace torch {
namespace serialize {

// Named tensors (nested archives prefix their keys with "<key>."), saved as one file.
class OutputArchive {
 public:
  void write(const std::string& key, const Tensor& tensor, bool /*is_buffer*/ = false) {
    tensors_.emplace_back(key, tensor.detach());
  }
  void write(const std::string& key, const OutputArchive& nested) {
    for (const auto& [k, t] : nested.tensors_) tensors_.emplace_back(key + "." + k, t);
  }
  void save_to(const std::string& path, const std::string& kind = "archive") const {
    nabla::io::save_safetensors(path, tensors_, {{"nabla.torch", kind}});
  }
  const nabla::io::NamedTensors& tensors() const { return tensors_; }

 private:
  nabla::io::NamedTensors tensors_;
};

class InputArchive {
 public:
  // `kind`: what the caller expects the file to hold; another kind is a ValueError naming both.
  void load_from(const std::string& path, const std::string& kind = "") {
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
  // Copies the stored tensor into `tensor` (resized and retyped like LibTorch's read); false when absent.
  bool try_read(const std::string& key, Tensor& tensor) const {
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
  void read(const std::string& key, Tensor& tensor, bool /*is_buffer*/ = false) const {
    if (!try_read(key, tensor))
      throw nabla::ValueError("torch::load: " + path_ + " has no tensor '" + key + "'");
  }
  const nabla::io::SafetensorsFile& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  nabla::io::SafetensorsFile file_;
};

}  // namespace serialize

namespace detail {
// Python's torch.save (zip or legacy), as opposed to nabla's safetensors files.
inline bool is_python_pt(const std::string& path) {
  const auto f = nabla::io::detect_format(path);
  return f == nabla::io::FileFormat::PtZip || f == nabla::io::FileFormat::PtLegacy;
}
template <typename T>
constexpr bool kIsModule = requires(T& v) {
  static_cast<nabla::nn::Module&>(*v);
}
&&!std::is_base_of_v<nabla::optim::Optimizer, T>;
}  // namespace detail

inline void save(const Tensor& tensor, const std::string& path) {
  serialize::OutputArchive a;
  a.write("tensor", tensor);
  a.save_to(path, "tensor");
}
inline void save(const std::vector<Tensor>& tensors, const std::string& path) {
  serialize::OutputArchive a;
  for (size_t i = 0; i < tensors.size(); ++i) a.write(std::to_string(i), tensors[i]);
  a.save_to(path, "tensors");
}
// A module (holder or shared_ptr): its parameters and buffers by dotted name.
template <typename M>
requires detail::kIsModule<M>
void save(const M& module, const std::string& path) {
  const nabla::nn::Module& m = *module;  // a holder or a shared_ptr
  nabla::io::save_safetensors(path, m.state_dict(), {{"nabla.torch", "module"}});
}
inline void save(const nabla::optim::Optimizer& optimizer, const std::string& path) {
  auto sd = optimizer.state_dict();
  nabla::io::NamedTensors tensors;
  for (const auto& [k, t] : sd.tensors) tensors.emplace_back(k, t);
  nabla::io::save_safetensors(path, tensors, {{"nabla.torch", "optimizer"}, {"optimizer", sd.json}});
}
inline void save(const serialize::OutputArchive& archive, const std::string& path) { archive.save_to(path); }

inline void load(Tensor& tensor, const std::string& path) {
  if (detail::is_python_pt(path)) {
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
inline void load(std::vector<Tensor>& tensors, const std::string& path) {
  serialize::InputArchive a;
  a.load_from(path, "tensors");
  tensors.assign(a.file().tensors.size(), Tensor());
  for (size_t i = 0; i < tensors.size(); ++i) a.read(std::to_string(i), tensors[i]);
}
// Copies every parameter and buffer in place; a missing, unexpected or misshapen one is a ValueError.
template <typename M>
requires detail::kIsModule<M>
void load(M& module, const std::string& path) {
  nabla::nn::Module& m = *module;    // a holder or a shared_ptr
  if (detail::is_python_pt(path)) {  // torch.save(model.state_dict(), path)
    m.load_state_dict(nabla::io::load_state_dict(path), /*strict=*/true);
    return;
  }
  serialize::InputArchive a;
  a.load_from(path, "module");
  m.load_state_dict(a.file().tensors, /*strict=*/true);
}
inline void load(nabla::optim::Optimizer& optimizer, const std::string& path) {
  if (detail::is_python_pt(path)) {  // torch.save(optimizer.state_dict(), path)
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
inline void load(serialize::InputArchive& archive, const std::string& path) {
  archive.load_from(path, "archive");
}

}  // namespace torch
