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

#include "nabla/io/safetensors.h"
#include "nabla/io/state_dict.h"
#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"
#include "torch/types.h"

namespace torch {
namespace serialize {

// Named tensors (nested archives prefix their keys with "<key>."), saved as one file.
class OutputArchive {
 public:
  void write(const std::string& key, const Tensor& tensor, bool is_buffer = false);
  void write(const std::string& key, const OutputArchive& nested);
  void save_to(const std::string& path, const std::string& kind = "archive") const;
  const nabla::io::NamedTensors& tensors() const { return tensors_; }

 private:
  nabla::io::NamedTensors tensors_;
};

class InputArchive {
 public:
  // `kind`: what the caller expects the file to hold; another kind is a ValueError naming both.
  void load_from(const std::string& path, const std::string& kind = "");
  // Copies the stored tensor into `tensor` (resized and retyped like LibTorch's read); false when absent.
  bool try_read(const std::string& key, Tensor& tensor) const;
  void read(const std::string& key, Tensor& tensor, bool is_buffer = false) const;
  const nabla::io::SafetensorsFile& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  nabla::io::SafetensorsFile file_;
};

}  // namespace serialize

// The bodies are in src/torch/serialize.cpp (compile time: Python's .pt reader stays out of the header).
namespace detail {
template <typename T>
constexpr bool kIsModule = requires(T& v) {
  static_cast<nabla::nn::Module&>(*v);
}
&&!std::is_base_of_v<nabla::optim::Optimizer, T>;
void save_module(const nabla::nn::Module& module, const std::string& path);
void load_module(nabla::nn::Module& module, const std::string& path);
}  // namespace detail

void save(const Tensor& tensor, const std::string& path);
void save(const std::vector<Tensor>& tensors, const std::string& path);
// A module (holder or shared_ptr): its parameters and buffers by dotted name.
template <typename M>
requires detail::kIsModule<M>
void save(const M& module, const std::string& path) {
  detail::save_module(*module, path);  // a holder or a shared_ptr
}
void save(const nabla::optim::Optimizer& optimizer, const std::string& path);
void save(const serialize::OutputArchive& archive, const std::string& path);

void load(Tensor& tensor, const std::string& path);
void load(std::vector<Tensor>& tensors, const std::string& path);
// Copies every parameter and buffer in place; a missing, unexpected or misshapen one is a ValueError.
template <typename M>
requires detail::kIsModule<M>
void load(M& module, const std::string& path) {
  detail::load_module(*module, path);  // a holder or a shared_ptr
}
void load(nabla::optim::Optimizer& optimizer, const std::string& path);
void load(serialize::InputArchive& archive, const std::string& path);

}  // namespace torch
