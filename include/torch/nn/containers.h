// torch/nn/containers.h — LibTorch's Sequential, ModuleList, ModuleDict, Functional and AnyModule.
// Each is an Impl class plus its holder, as in LibTorch: `torch::nn::Sequential seq(a, b);
// seq->push_back(c)`. Elements are shared (holders and shared_ptrs) or moved in (module values), named "0",
// "1", ...
#pragma once
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/any_module.h"
#include "nabla/tensor/std_function.h"
#include "torch/nn/pimpl.h"
#include "torch/types.h"

namespace torch::nn {

using nabla::nn::AnyModule;
using nabla::nn::AnyValue;

namespace detail {
template <typename M>
AnyModule to_any(M&& m) {
  if constexpr (std::is_same_v<std::decay_t<M>, AnyModule>)
    return std::forward<M>(m);
  else
    return AnyModule(std::forward<M>(m));
}
// The i-th of `size` elements, or an IndexError naming the container.
void check_index(const char* container, size_t i, size_t size);
// `module` as T (a module class or holder type); a ValueError naming where it came from if it is not one.
template <typename T>
auto& checked_as(const std::shared_ptr<Module>& module, const std::string& where) {
  auto* m = module->template as<T>();
  if (!m) throw nabla::ValueError(where + ": the module is a " + module->name());
  return *m;
}
}  // namespace detail

// A name and a module, for Sequential({{"conv", Conv2d(...)}, {"relu", ReLU()}}).
class NamedAnyModule {
 public:
  template <typename M>
  NamedAnyModule(std::string name, M&& module)
      : name_(std::move(name)), module_(detail::to_any(std::forward<M>(module))) {}
  const std::string& name() const { return name_; }
  const AnyModule& module() const { return module_; }

 private:
  std::string name_;
  AnyModule module_;
};

// Chains its modules: the first gets forward's arguments, each next one the previous result.
class SequentialImpl : public Module {
 public:
  SequentialImpl() = default;
  template <typename... Ms>
  requires(sizeof...(Ms) > 0) explicit SequentialImpl(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  explicit SequentialImpl(std::initializer_list<NamedAnyModule> named);
  template <typename M>
  void push_back(M&& module) {
    push_back(std::to_string(modules_.size()), std::forward<M>(module));
  }
  template <typename M>
  void push_back(std::string name, M&& module) {
    AnyModule any = detail::to_any(std::forward<M>(module));
    register_module(name, any.ptr());
    modules_.push_back(std::move(any));
  }
  template <typename Container>
  void extend(const Container& modules) {
    for (const auto& m : modules) push_back(m);
  }

  // Out of line (src/torch/containers.cpp), the key function: the vtable is compiled once, there.
  Tensor forward(Tensor x) override;
  template <typename R = Tensor, typename... Args>
  R forward(Args&&... args) {
    if (modules_.empty()) throw nabla::ValueError("Sequential::forward: the Sequential is empty");
    AnyValue v = modules_[0].any_forward(std::forward<Args>(args)...);
    for (size_t i = 1; i < modules_.size(); ++i) v = modules_[i].any_forward(std::move(v));
    return v.template get<R>();
  }

  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  std::shared_ptr<Module> operator[](size_t i) const { return ptr(i); }
  std::shared_ptr<Module> ptr(size_t i) const { return at_any(i).ptr(); }
  template <typename T>  // a module class: its shared_ptr
  std::shared_ptr<T> ptr(size_t i) const {
    return std::dynamic_pointer_cast<T>(ptr(i));
  }
  template <typename T>  // a module class (or holder type): a reference to it; ValueError if it is not one
  auto& at(size_t i) const {
    return detail::checked_as<T>(ptr(i), "Sequential::at<T>(" + std::to_string(i) + ")");
  }
  std::vector<AnyModule>::const_iterator begin() const { return modules_.begin(); }
  std::vector<AnyModule>::const_iterator end() const { return modules_.end(); }

 private:
  const AnyModule& at_any(size_t i) const {
    detail::check_index("Sequential", i, modules_.size());
    return modules_[i];
  }
  std::vector<AnyModule> modules_;
};
TORCH_MODULE(Sequential);

class ModuleListImpl : public Module {
 public:
  ModuleListImpl() = default;
  template <typename... Ms>
  requires(sizeof...(Ms) > 0) explicit ModuleListImpl(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  template <typename M>
  void push_back(M&& module) {
    std::shared_ptr<Module> m = detail::to_any(std::forward<M>(module)).ptr();
    register_module(std::to_string(modules_.size()), m);
    modules_.push_back(std::move(m));
  }
  template <typename Container>
  void extend(const Container& modules) {
    for (const auto& m : modules) push_back(m);
  }
  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  std::shared_ptr<Module> operator[](size_t i) const { return ptr(i); }
  std::shared_ptr<Module> ptr(size_t i) const {
    detail::check_index("ModuleList", i, modules_.size());
    return modules_[i];
  }
  template <typename T>
  std::shared_ptr<T> ptr(size_t i) const {
    return std::dynamic_pointer_cast<T>(ptr(i));
  }
  template <typename T>
  auto& at(size_t i) const {
    return detail::checked_as<T>(ptr(i), "ModuleList::at<T>(" + std::to_string(i) + ")");
  }
  std::vector<std::shared_ptr<Module>>::const_iterator begin() const { return modules_.begin(); }
  std::vector<std::shared_ptr<Module>>::const_iterator end() const { return modules_.end(); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};
TORCH_MODULE(ModuleList);

class ModuleDictImpl : public Module {
 public:
  ModuleDictImpl() = default;
  explicit ModuleDictImpl(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  void update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  // A new key is appended; an existing key's module is replaced in place (PyTorch's ModuleDict.update).
  template <typename M>
  std::shared_ptr<Module> insert(const std::string& key, M&& module) {
    std::shared_ptr<Module> m = detail::to_any(std::forward<M>(module)).ptr();
    if (contains(key)) {
      replace_module(key, m);
      modules_[key] = m;
    } else {
      register_module(key, m);
      modules_.insert(key, m);
    }
    return m;
  }
  bool contains(const std::string& key) const { return modules_.contains(key); }
  std::shared_ptr<Module> operator[](const std::string& key) const;
  template <typename T>
  auto& at(const std::string& key) const {
    return detail::checked_as<T>((*this)[key], "ModuleDict::at<T>('" + key + "')");
  }
  size_t size() const { return modules_.size(); }
  bool empty() const { return modules_.empty(); }
  std::vector<std::string> keys() const { return modules_.keys(); }
  std::vector<std::shared_ptr<Module>> values() const { return modules_.values(); }
  const nabla::OrderedDict<std::string, std::shared_ptr<Module>>& items() const { return modules_; }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 private:
  nabla::OrderedDict<std::string, std::shared_ptr<Module>> modules_;
};
TORCH_MODULE(ModuleDict);

// A function as a module: Functional(torch::relu), Functional(torch::leaky_relu, 0.2) (extra
// arguments are bound after the input).
class FunctionalImpl : public Module {
 public:
  using Function = std::function<Tensor(Tensor)>;
  explicit FunctionalImpl(Function f);
  template <typename F, typename... Bound>
  requires(sizeof...(Bound) > 0) FunctionalImpl(F f, Bound... bound)
      : f_([f, bound...](Tensor x) { return f(std::move(x), bound...); }) {}
  Tensor forward(Tensor x) override;  // out of line: the key function

 private:
  Function f_;
};
TORCH_MODULE(Functional);

}  // namespace torch::nn
