// any_module.h — AnyValue and AnyModule: a module of any forward signature behind one type, so
// containers can chain modules whose forward takes or returns something other than one Tensor
// (LibTorch's torch::nn::AnyModule; torch::nn::Sequential is built on it).
//
//   AnyModule m(std::make_shared<Encoder>());          // Encoder::forward(Tensor, Tensor) -> tuple
//   auto [code, recon] = m.forward<std::tuple<Tensor, Tensor>>(x, mask);
// Arguments are matched to forward's parameter types exactly (after decay); a mismatch is a ValueError
// naming both types. A forward with one Tensor parameter that overrides Module::forward runs through
// Module::operator(), so hooks fire.
#pragma once
#include <any>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/tensor/std_function.h"

namespace nabla::nn {

class AnyValue {
 public:
  template <typename T>
  requires(!std::is_same_v<std::decay_t<T>, AnyValue>) explicit AnyValue(T&& value)
      : value_(std::forward<T>(value)) {}
  template <typename T>
  T* try_get() {
    return std::any_cast<T>(&value_);
  }
  template <typename T>
  T& get() {
    if (T* v = try_get<T>()) return *v;
    throw ValueError(std::string("AnyValue holds ") + value_.type().name() + ", asked for " +
                     typeid(T).name());
  }
  const std::type_info& type_info() const { return value_.type(); }

 private:
  std::any value_;
};

namespace detail {
template <typename F>
struct ForwardTraits;
template <typename C, typename R, typename... A>
struct ForwardTraits<R (C::*)(A...)> {
  using Result = R;
  using Args = std::tuple<std::decay_t<A>...>;
};
template <typename C, typename R, typename... A>
struct ForwardTraits<R (C::*)(A...) const> : ForwardTraits<R (C::*)(A...)> {};

template <typename M>
constexpr bool kTensorForward = requires {
  static_cast<Tensor (M::*)(Tensor)>(&M::forward);
};
}  // namespace detail

class AnyModule {
 public:
  AnyModule() = default;
  template <typename M>
  requires std::is_base_of_v<Module, M>
  explicit AnyModule(std::shared_ptr<M> module)
      : module_(module), forward_(make_forward<M>(std::move(module))) {}
  template <typename H>  // a ModuleHolder
  requires requires(const H& h) {
    h.module_ptr();
    typename H::ContainedType;
  }
  explicit AnyModule(const H& holder)
      : module_(holder.module_ptr()), forward_(make_forward<typename H::ContainedType>(module_)) {}
  template <typename M>  // a module value, moved in
  requires(std::is_base_of_v<Module, std::decay_t<M>> &&
           !std::is_lvalue_reference_v<M>) explicit AnyModule(M&& module)
      : AnyModule(std::make_shared<std::decay_t<M>>(std::forward<M>(module))) {}

  template <typename... Args>
  AnyValue any_forward(Args&&... args) {
    std::vector<AnyValue> values;
    (values.emplace_back(std::decay_t<Args>(std::forward<Args>(args))), ...);
    return call(values);
  }
  AnyValue any_forward(AnyValue value) {  // chaining: the previous module's result
    std::vector<AnyValue> values;
    values.push_back(std::move(value));
    return call(values);
  }
  template <typename R = Tensor, typename... Args>
  R forward(Args&&... args) {
    return any_forward(std::forward<Args>(args)...).template get<R>();
  }

  bool is_empty() const { return module_ == nullptr; }
  const std::shared_ptr<Module>& ptr() const { return module_; }
  template <typename T>  // a module class or a ModuleHolder type
  auto* try_get() const {
    return module_ ? module_->as<T>() : nullptr;
  }

 private:
  using Forward = std::function<AnyValue(std::vector<AnyValue>&)>;
  AnyValue call(std::vector<AnyValue>& values) {
    if (!forward_) throw ValueError("AnyModule is empty: it holds no module");
    return forward_(values);
  }
  // `module` is an M (held as a Module, like a ModuleHolder holds it).
  template <typename M>
  static Forward make_forward(std::shared_ptr<Module> module) {
    if constexpr (detail::kTensorForward<M>) {
      return tensor_forward(std::move(module));
    } else {
      using Traits = detail::ForwardTraits<decltype(&M::forward)>;
      return [module = std::move(module)](std::vector<AnyValue>& args) {
        M* m = static_cast<M*>(module.get());
        constexpr size_t n = std::tuple_size_v<typename Traits::Args>;
        check_arity(*m, args.size(), n);
        return [&]<size_t... I>(std::index_sequence<I...>) {
          auto typed = std::forward_as_tuple(
              args[I].template get<std::tuple_element_t<I, typename Traits::Args>>()...);
          return AnyValue(m->call_forward(
              std::apply([](const auto&... a) { return detail::tensors_of(a...); }, typed),
              [&] { return std::apply([&](auto&... a) { return m->forward(a...); }, typed); }));
        }
        (std::make_index_sequence<n>());
      };
    }
  }
  // One closure type for every module with a one-Tensor forward, whatever its class (compile time:
  // a container of N module types instantiates one std::function target, not N).
  static Forward tensor_forward(std::shared_ptr<Module> m) {
    return [m = std::move(m)](std::vector<AnyValue>& args) {
      check_arity(*m, args.size(), 1);
      return AnyValue((*m)(args[0].get<Tensor>()));
    };
  }
  static void check_arity(const Module& m, size_t given, size_t expected) {
    if (given != expected)
      throw ValueError(m.name() + "::forward takes " + std::to_string(expected) + " argument(s), got " +
                       std::to_string(given));
  }
  std::shared_ptr<Module> module_;
  Forward forward_;
};

}  // namespace nabla::nn
