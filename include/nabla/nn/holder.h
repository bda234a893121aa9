// holder.h — ModuleHolder<Impl>: a module shared by handle, LibTorch's pimpl style.
//
//   struct NetImpl : nn::Module { ... };  NABLA_MODULE(Net);   // Net is a ModuleHolder<NetImpl>
//   Net net(784, 10);  net->fc.weight;  net(x);  auto copy = net;  // copies share one module
// Holders copy and move freely (they share the module), so they go into vectors, containers and
// register_module (which then shares the module). `Net net{nullptr}` is empty until assigned.
#pragma once
#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "nabla/nn/module.h"

namespace nabla::nn {

template <typename Impl>
class ModuleHolder {
 public:
  using ContainedType = Impl;

  // Default: a module built with no arguments (an error at compile time if Impl has no such constructor).
  // A template, so that the constraint is checked when it is used, not for every holder class defined.
  // `new`, not std::make_shared: make_shared's allocator-aware control block is a few dozen functions
  // more per module type for every including program to compile (docs/libtorch.md, "Compile time").
  template <typename I = Impl>
  requires std::is_default_constructible_v<I> ModuleHolder() : impl_(as_module(new Impl())) {
    check_members();
  }
  ModuleHolder(std::nullptr_t) {}                                           // NOLINT: empty
  ModuleHolder(std::shared_ptr<Impl> module) : impl_(std::move(module)) {}  // NOLINT
  template <typename Head, typename... Tail>
  requires(!(std::is_same_v<std::decay_t<Head>, ModuleHolder> && sizeof...(Tail) == 0) &&
           std::is_constructible_v<Impl, Head, Tail...>) explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(as_module(new Impl(std::forward<Head>(head), std::forward<Tail>(tail)...))) {
    check_members();
  }

  bool is_empty() const noexcept { return impl_ == nullptr; }
  explicit operator bool() const noexcept { return impl_ != nullptr; }
  Impl* operator->() const { return get(); }
  Impl& operator*() const { return *get(); }
  Impl* get() const {
    if (!impl_)
      throw ValueError(std::string("ModuleHolder<") + typeid(Impl).name() +
                       "> is empty (built with nullptr): assign a module before using it");
    return static_cast<Impl*>(impl_.get());
  }
  std::shared_ptr<Impl> ptr() const { return std::static_pointer_cast<Impl>(impl_); }
  // The module as a Module: what registration and containers take (no shared_ptr type per Impl).
  const std::shared_ptr<Module>& module_ptr() const noexcept { return impl_; }
  template <typename Arg>  // containers: seq[0], dict["key"]
  decltype(auto) operator[](Arg&& arg) const {
    return (*get())[std::forward<Arg>(arg)];
  }

  // Calls the module. A single-Tensor forward that overrides Module::forward goes through
  // Module::operator(); any other signature through Module::call_forward. Either way the hooks run and
  // an error names the module path.
  template <typename... Args>
  auto operator()(Args&&... args) const {
    if constexpr (sizeof...(Args) == 1 && (std::is_convertible_v<Args, Tensor> && ...) &&
                  requires { static_cast<Tensor (Impl::*)(Tensor)>(&Impl::forward); }) {
      return static_cast<Module&>(*get())(Tensor(std::forward<Args>(args)...));
    } else {
      Impl* m = get();
      return m->call_forward(detail::tensors_of(args...),
                             [&] { return m->forward(std::forward<Args>(args)...); });
    }
  }

 private:
  void check_members() const { detail::warn_unregistered_members(*impl_, sizeof(Impl)); }
  static Module* as_module(Impl* module) { return module; }
  // Held as a Module (Impl derives from it): std::shared_ptr<Module> and its control block are compiled
  // once for all holder types, not once per layer class; get() casts back (docs/libtorch.md, "Compile
  // time").
  std::shared_ptr<Module> impl_;
};

template <typename Impl>
std::ostream& operator<<(std::ostream& os, const ModuleHolder<Impl>& m) {
  return os << *m;
}

}  // namespace nabla::nn

// NABLA_MODULE(Net) declares `class Net`, a ModuleHolder<NetImpl> (LibTorch's TORCH_MODULE).
#define NABLA_MODULE_IMPL(Name, ImplType)                    \
  class Name : public ::nabla::nn::ModuleHolder<ImplType> {  \
   public:                                                   \
    using ::nabla::nn::ModuleHolder<ImplType>::ModuleHolder; \
    using Impl = ImplType;                                   \
  }
#define NABLA_MODULE(Name) NABLA_MODULE_IMPL(Name, Name##Impl)
