// module.h — nn::Module: parameters, buffers, submodules, train/eval, state_dict and hooks.
//
// A model is a struct deriving from Module whose layers are members, registered once by name:
//   struct Net : nn::Module {
//     nn::Linear fc1{784, 128}, fc2{128, 10};
//     Net() { register_modules({{"fc1", fc1}, {"fc2", fc2}}); }
//     Tensor forward(Tensor x) override { return fc2(fc1(x).relu()); }
//   };
// Members registered this way are referenced, not owned; moving the module re-points them at the moved
// members, so modules move (into a Sequential, a vector, a replaced member: `model.fc = nn::Linear(512, 2)`).
// Submodules that are not members are registered by std::shared_ptr or by ModuleHolder (nn/holder.h,
// LibTorch's style: `fc = register_module("fc", nn::ModuleHolder<nn::Linear>(4, 2))`).
#pragma once
#include <iosfwd>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "nabla/tensor/ordered_dict.h"
#include "nabla/tensor/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla::nn {

class Module;
namespace detail {
// One module call on this thread's stack of module calls; a nabla::Error leaving the outermost call
// names the path to the module it came from (Note [Module call path], module.cpp).
class CallFrame {
 public:
  explicit CallFrame(Module* module);
  ~CallFrame();
  CallFrame(const CallFrame&) = delete;
  CallFrame& operator=(const CallFrame&) = delete;
  void on_error(Error& e);

 private:
  Module* module_;
  CallFrame* parent_;
};
// The Tensors in a forward's arguments or result: a Tensor, a tuple or a vector of them (others: none).
inline void append_tensors(std::vector<Tensor>& out, const Tensor& t) { out.push_back(t); }
inline void append_tensors(std::vector<Tensor>& out, const std::vector<Tensor>& ts) {
  out.insert(out.end(), ts.begin(), ts.end());
}
template <typename... Ts>
void append_tensors(std::vector<Tensor>& out, const std::tuple<Ts...>& t) {
  std::apply([&](const auto&... e) { (append_tensors(out, e), ...); }, t);
}
template <typename T>
void append_tensors(std::vector<Tensor>&, const T&) {}
template <typename... Ts>
std::vector<Tensor> tensors_of(const Ts&... values) {
  std::vector<Tensor> out;
  (append_tensors(out, values), ...);
  return out;
}
// Warns on stderr about modules inside root's bytes [&root, &root + object_size) that hold parameters but
// are not reachable from root: members the author forgot to register (PyTorch registers them itself).
void warn_unregistered_members(const Module& root, size_t object_size);
}  // namespace detail
using NamedTensors = OrderedDict<std::string, Tensor>;

// Removes a hook when remove() is called (safe after the module is gone).
class RemovableHandle {
 public:
  RemovableHandle() = default;
  RemovableHandle(std::weak_ptr<std::function<void(int)>> remover, int id)
      : remover_(std::move(remover)), id_(id) {}
  void remove();

 private:
  std::weak_ptr<std::function<void(int)>> remover_;
  int id_ = -1;
};

struct LoadResult {
  std::vector<std::string> missing_keys, unexpected_keys;
};

class Module {
 public:
  Module();
  virtual ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  Module(Module&& other) noexcept;
  // Replaces this module's state with other's (PyTorch's `model.fc = nn.Linear(...)`): parameters,
  // buffers, submodules, hooks and mode. The parent keeps this object registered, now with new weights.
  Module& operator=(Module&& other) noexcept;

  // The computation. Modules with other signatures (RNNs, losses) define their own operator().
  virtual Tensor forward(Tensor input);
  // Runs forward pre-hooks, forward, forward hooks, and arms full backward hooks.
  Tensor operator()(Tensor input);

  // ---- registration ----
  Tensor register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor t);  // an undefined buffer is skipped in state_dict
  // A member of this module (a subobject: anything else is an error, use a shared_ptr).
  Module& register_module(const std::string& name, Module& member);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> child) {  // owned
    add_child(name, child.get(), child, checked_size<M>());
    return child;
  }
  template <typename H>  // a ModuleHolder (nn/holder.h): shares its module, returns the holder
  requires requires(const H& h) {
    h.module_ptr();
    typename H::ContainedType;
  }
  H register_module(const std::string& name, H holder) {
    add_child(name, holder.module_ptr().get(), holder.module_ptr(), sizeof(typename H::ContainedType));
    return holder;
  }
  void register_modules(std::initializer_list<std::pair<std::string, Module&>> members);
  // Swaps the submodule registered as `name` for another (LibTorch's replace_module); the old one is
  // released if nothing else holds it. Unknown name: ValueError.
  template <typename M>
  std::shared_ptr<M> replace_module(const std::string& name, std::shared_ptr<M> child) {
    replace_child(name, child.get(), child);
    return child;
  }
  template <typename H>
  requires requires(const H& h) {
    h.module_ptr();
    typename H::ContainedType;
  }
  H replace_module(const std::string& name, H holder) {
    replace_child(name, holder.module_ptr().get(), holder.module_ptr());
    return holder;
  }

  // This module as T (a module class, or a ModuleHolder type: its contained class); null if it is not one.
  template <typename T>
  auto* as() {
    if constexpr (requires { typename T::ContainedType; })
      return dynamic_cast<typename T::ContainedType*>(this);
    else
      return dynamic_cast<T*>(this);
  }
  template <typename T>
  const auto* as() const {
    return const_cast<Module*>(this)->as<T>();
  }

  // ---- traversal (registration order, like PyTorch) ----
  std::vector<Tensor> parameters(bool recurse = true) const;
  // The parameters that require grad, for an optimizer after freeze(): PyTorch's
  // `filter(lambda p: p.requires_grad, model.parameters())`.
  std::vector<Tensor> trainable_parameters(bool recurse = true) const;
  NamedTensors named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  std::vector<Module*> children() const;
  OrderedDict<std::string, Module*> named_children() const;
  std::vector<Module*> modules();  // self first, then descendants depth-first
  OrderedDict<std::string, Module*> named_modules(const std::string& prefix = "");

  // ---- state ----
  virtual Module& train(bool on = true);
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }
  Module& to(DType dtype);  // floating parameters and buffers
  Module& to(Device device);
  void zero_grad(bool set_to_none = true);
  Module& apply(const std::function<void(Module&)>& fn);
  Module& requires_grad_(bool requires_grad = true);
  // Transfer learning: freeze() is requires_grad_(false) on this module's parameters, recursively (they
  // then get no gradient, and optimizers skip a parameter without one); unfreeze() is requires_grad_(true).
  // As in PyTorch, buffers are not parameters: a frozen BatchNorm in train mode still updates its running
  // statistics (and dropout still drops), so keep a frozen backbone in eval() to leave it exactly as loaded.
  Module& freeze() { return requires_grad_(false); }
  Module& unfreeze() { return requires_grad_(true); }

  // Parameters and buffers by dotted name ("layer1.0.weight"), exactly as PyTorch names them.
  NamedTensors state_dict() const;
  // Copies values in place. strict: missing/unexpected keys are an error; shape mismatches always
  // are. All problems are listed in one ValueError.
  LoadResult load_state_dict(const NamedTensors& state, bool strict = true);

  // ---- hooks ----
  using ForwardPreHook =
      std::function<Tensor(Module&, const Tensor& input)>;  // defined result replaces input
  using ForwardHook =
      std::function<Tensor(Module&, const Tensor& input, const Tensor& output)>;  // ... output
  using BackwardHook = std::function<Tensor(Module&, const Tensor& grad_input, const Tensor& grad_output)>;
  RemovableHandle register_forward_pre_hook(ForwardPreHook hook);
  RemovableHandle register_forward_hook(ForwardHook hook);
  RemovableHandle register_full_backward_hook(BackwardHook hook);
  bool has_hooks() const;  // any hook of any kind is registered on this module
  // Hooks for any forward signature: they see every Tensor argument and every Tensor of the result (a
  // Tensor, a tuple or a vector of them), in order, and observe only. They run on every call made
  // through operator(), a ModuleHolder or an AnyModule, whatever forward's signature.
  using ForwardPreHookAll = std::function<void(Module&, const TensorList& inputs)>;
  using ForwardHookAll = std::function<void(Module&, const TensorList& inputs, const TensorList& outputs)>;
  RemovableHandle register_forward_pre_hook(ForwardPreHookAll hook);
  RemovableHandle register_forward_hook(ForwardHookAll hook);
  // Runs `forward` (any signature) as a call of this module: the all-tensor hooks around it, and an
  // error names the module path. `inputs`: the call's Tensor arguments (detail::tensors_of(args...)).
  template <typename F>
  auto call_forward(const TensorList& inputs, F&& forward) {
    return traced([&] {
      run_pre_hooks_all(inputs);
      auto out = forward();
      if (has_hooks_all()) run_hooks_all(inputs, detail::tensors_of(out));
      return out;
    });
  }
  // Hooks that only observe may return nothing (as PyTorch's returning None).
  template <typename F>
  requires std::is_void_v<std::invoke_result_t<F&, Module&, const Tensor&>> RemovableHandle
  register_forward_pre_hook(F hook) {
    return register_forward_pre_hook(
        ForwardPreHook([h = std::move(hook)](Module& m, const Tensor& in) mutable {
          h(m, in);
          return Tensor();
        }));
  }
  template <typename F>
  requires std::is_void_v<std::invoke_result_t<F&, Module&, const Tensor&, const Tensor&>> RemovableHandle
  register_forward_hook(F hook) {
    return register_forward_hook(
        ForwardHook([h = std::move(hook)](Module& m, const Tensor& in, const Tensor& out) mutable {
          h(m, in, out);
          return Tensor();
        }));
  }
  template <typename F>
  requires std::is_void_v<std::invoke_result_t<F&, Module&, const Tensor&, const Tensor&>> RemovableHandle
  register_full_backward_hook(F hook) {
    return register_full_backward_hook(
        BackwardHook([h = std::move(hook)](Module& m, const Tensor& gi, const Tensor& go) mutable {
          h(m, gi, go);
          return Tensor();
        }));
  }

  // ---- printing ----
  virtual std::string name() const;        // "Linear"; by default the class name, without "Impl"
  virtual std::string extra_repr() const;  // "in_features=784, out_features=128, bias=True"
  std::string repr() const;                // PyTorch-style multi-line repr

 protected:
  bool training_ = true;
  // Runs `call` as a call of this module: a nabla::Error it raises names the module path. operator()
  // uses it; modules defining their own operator() (RNNs, losses) wrap their body in it too.
  template <typename F>
  decltype(auto) traced(F&& call) {
    detail::CallFrame frame(this);
    try {
      return call();
    } catch (Error& e) {
      frame.on_error(e);
      throw;
    }
  }

 private:
  struct Hooks;
  void add_child(const std::string& name, Module* child, std::shared_ptr<Module> owner,
                 size_t child_size = 0);
  void replace_child(const std::string& name, Module* child, std::shared_ptr<Module> owner);
  template <typename M>
  static constexpr size_t checked_size() {
    return sizeof(M);
  }
  void collect(const std::string& prefix, bool recurse, bool params, NamedTensors& out) const;
  Tensor call(Tensor input);         // operator() inside traced()
  Tensor call_hooked(Tensor input);  // the rest of call(): forward with the one-Tensor hooks
  Tensor run_forward_hooks(const Tensor& input, Tensor output);  // the post hooks, in order
  void run_pre_hooks_all(const TensorList& inputs);
  bool has_hooks_all() const;
  void run_hooks_all(const TensorList& inputs, const TensorList& outputs);
  NamedTensors params_, buffers_;
  std::vector<std::pair<std::string, Module*>> children_;
  std::vector<std::pair<Module*, std::shared_ptr<Module>>> owned_;  // children registered by shared_ptr
  std::shared_ptr<Hooks> hooks_;
  uint64_t serial_;                 // construction order: a member is constructed after its module's base
  void take_state(Module&& other);  // the move constructor's and assignment's body
};

std::ostream& operator<<(std::ostream& os, const Module& m);

}  // namespace nabla::nn
