// container.h — Sequential, ModuleList, ModuleDict. They own their elements (moved in or shared).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <type_traits>

#include "nabla/nn/module.h"

namespace nabla::nn {

class ModuleList : public Module {
 public:
  ModuleList() = default;
  template <typename M>
  requires std::is_base_of_v<Module, std::decay_t<M>>
  void push_back(M&& m) { push_back(std::make_shared<std::decay_t<M>>(std::forward<M>(m))); }
  void push_back(std::shared_ptr<Module> m);  // named "0", "1", ... like PyTorch
  template <typename H>                       // a ModuleHolder: shares its module
  requires requires(const H& h) {
    h.module_ptr();
    typename H::ContainedType;
  }
  void push_back(const H& holder) { push_back(holder.module_ptr()); }
  Module& operator[](size_t i) const;
  size_t size() const { return items_.size(); }
  std::vector<Module*>::const_iterator begin() const { return items_.begin(); }
  std::vector<Module*>::const_iterator end() const { return items_.end(); }
  std::string name() const override { return "ModuleList"; }

 private:
  std::vector<Module*> items_;
};

// A ModuleList whose forward chains its modules.
class Sequential : public ModuleList {
 public:
  Sequential() = default;
  // Sequential{nn::Conv2d(1, 32, 3), nn::ReLU(), ...}: each layer is moved in, named "0", "1", ...
  template <typename... Ms>
  requires(sizeof...(Ms) > 0 && (std::is_base_of_v<Module, std::decay_t<Ms>> && ...) &&
           !(sizeof...(Ms) == 1 &&
             (std::is_same_v<std::decay_t<Ms>, Sequential> && ...))) explicit Sequential(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  Tensor forward(Tensor x) override;
  std::string name() const override { return "Sequential"; }
};

class ModuleDict : public Module {
 public:
  ModuleDict() = default;
  template <typename M>
  requires std::is_base_of_v<Module, std::decay_t<M>>
  void insert(const std::string& key, M&& m) {
    insert(key, std::make_shared<std::decay_t<M>>(std::forward<M>(m)));
  }
  void insert(const std::string& key, std::shared_ptr<Module> m);
  Module& operator[](const std::string& key) const;
  bool contains(const std::string& key) const { return items_.count(key) > 0; }
  size_t size() const { return items_.size(); }
  std::string name() const override { return "ModuleDict"; }

 private:
  std::map<std::string, Module*> items_;
};

}  // namespace nabla::nn
