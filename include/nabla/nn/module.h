// module.h — nn::Module: parameters, buffers, submodules, train/eval, state_dict and hooks.
//
// A model is a struct deriving from Module whose layers are members, registered once by name:
//   struct Net : nn::Module {
//     nn::Linear fc1{784, 128}, fc2{128, 10};
//     Net() { register_modules({{"fc1", fc1}, {"fc2", fc2}}); }
//     Tensor forward(Tensor x) override { return fc2(fc1(x).relu()); }
//   };
// Members registered this way are referenced, not owned: a Module with member submodules cannot be
// moved (the move constructor throws) — construct it where it lives, or hold it by shared_ptr.
#pragma once
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

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
}  // namespace detail
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

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
  Module(Module&& other) noexcept(false);
  Module& operator=(Module&&) = delete;

  // The computation. Modules with other signatures (RNNs, losses) define their own operator().
  virtual Tensor forward(Tensor input);
  // Runs forward pre-hooks, forward, forward hooks, and arms full backward hooks.
  Tensor operator()(Tensor input);

  // ---- registration ----
  Tensor register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor t);  // an undefined buffer is skipped in state_dict
  Module& register_module(const std::string& name, Module& member);  // not owned (a member)
  template <typename M>
  M& register_module(const std::string& name, std::shared_ptr<M> child) {  // owned
    M& ref = *child;
    add_child(name, &ref, std::shared_ptr<Module>(std::move(child)));
    return ref;
  }
  void register_modules(std::initializer_list<std::pair<std::string, Module&>> members);

  // ---- traversal (registration order, like PyTorch) ----
  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  std::vector<Module*> children() const;
  std::vector<std::pair<std::string, Module*>> named_children() const;
  std::vector<Module*> modules();  // self first, then descendants depth-first
  std::vector<std::pair<std::string, Module*>> named_modules(const std::string& prefix = "");

  // ---- state ----
  virtual Module& train(bool on = true);
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }
  Module& to(DType dtype);  // floating parameters and buffers
  Module& to(Device device);
  void zero_grad(bool set_to_none = true);
  Module& apply(const std::function<void(Module&)>& fn);
  Module& requires_grad_(bool requires_grad = true);

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

  // ---- printing ----
  virtual std::string name() const;        // "Linear"
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
  void add_child(const std::string& name, Module* child, std::shared_ptr<Module> owner);
  void collect(const std::string& prefix, bool recurse, bool params, NamedTensors& out) const;
  Tensor call(Tensor input);                                     // operator() inside traced()
  Tensor run_forward_hooks(const Tensor& input, Tensor output);  // the post hooks, in order
  NamedTensors params_, buffers_;
  std::vector<std::pair<std::string, Module*>> children_;
  std::vector<std::shared_ptr<Module>> owned_;
  std::shared_ptr<Hooks> hooks_;
  bool has_member_children_ = false;
};

std::ostream& operator<<(std::ostream& os, const Module& m);

}  // namespace nabla::nn
