// module.cpp — registration, traversal, state_dict, hooks and printing of nn::Module.
#include "nabla/nn/module.h"

#include <cxxabi.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <sstream>
#include <typeinfo>

#include "autograd/functions/common.h"
#include "nabla/autograd/autograd.h"

namespace nabla::nn {

struct Module::Hooks {
  int next_id = 0;
  std::vector<std::pair<int, ForwardPreHook>> pre;
  std::vector<std::pair<int, ForwardHook>> post;
  std::vector<std::pair<int, BackwardHook>> backward;
  std::vector<std::pair<int, ForwardPreHookAll>> pre_all;
  std::vector<std::pair<int, ForwardHookAll>> post_all;
  std::shared_ptr<std::function<void(int)>> remover;

  // Appends `hook` to `list` under a fresh id; the handle removes it.
  template <typename Hook>
  RemovableHandle add(std::vector<std::pair<int, Hook>>& list, Hook hook) {
    int id = next_id++;
    list.emplace_back(id, std::move(hook));
    return {remover, id};
  }
};

void RemovableHandle::remove() {
  if (auto r = remover_.lock()) (*r)(id_);
}

namespace {
// Every live module, for the unregistered-member check (warn_unregistered_members).
std::mutex live_mutex;
std::set<const Module*>& live_modules() {
  static std::set<const Module*> live;
  return live;
}
void track(const Module* m) {
  std::lock_guard lock(live_mutex);
  live_modules().insert(m);
}
void untrack(const Module* m) {
  std::lock_guard lock(live_mutex);
  live_modules().erase(m);
}
// register_module(name, Module&) takes a member: a subobject after the Module base, within this bound,
// and constructed after it.
constexpr ptrdiff_t kMaxMemberOffset = ptrdiff_t{1} << 20;
std::atomic<uint64_t> next_serial{0};
}  // namespace

Module::Module() : hooks_(std::make_shared<Hooks>()), serial_(next_serial++) {
  std::weak_ptr<Hooks> weak = hooks_;
  hooks_->remover = std::make_shared<std::function<void(int)>>([weak](int id) {
    auto h = weak.lock();
    if (!h) return;
    auto erase = [id](auto& list) { std::erase_if(list, [id](auto& p) { return p.first == id; }); };
    erase(h->pre);
    erase(h->post);
    erase(h->backward);
    erase(h->pre_all);
    erase(h->post_all);
  });
  track(this);
}

Module::~Module() { untrack(this); }

// Note [Moving modules]
// A member submodule is registered by address. The moved-to object has the same class as the moved-from
// one, so each member sits at the same offset from the Module base in both: the move re-points member
// children by that offset (the derived class's own move then moves the members themselves). Children
// registered by shared_ptr keep their address.
void Module::take_state(Module&& o) {
  training_ = o.training_;
  params_ = std::move(o.params_);
  buffers_ = std::move(o.buffers_);
  hooks_ = std::move(o.hooks_);
  children_ = std::move(o.children_);
  for (auto& [n, c] : children_) {
    bool shared = std::any_of(o.owned_.begin(), o.owned_.end(), [c = c](auto& p) { return p.first == c; });
    if (!shared)
      c = reinterpret_cast<Module*>(reinterpret_cast<char*>(this) +
                                    (reinterpret_cast<char*>(c) - reinterpret_cast<char*>(&o)));
  }
  owned_ = std::move(o.owned_);
  o.children_.clear();
  o.owned_.clear();
  o.hooks_ = std::make_shared<Hooks>();
}

Module::Module(Module&& o) noexcept : serial_(next_serial++) {
  track(this);
  take_state(std::move(o));
}

Module& Module::operator=(Module&& o) noexcept {
  if (this != &o) take_state(std::move(o));
  return *this;
}

Tensor Module::forward(Tensor) {
  throw NotImplementedError(fmt::format("{}: forward(Tensor) is not implemented for this module", name()));
}

// Note [Module call path]
// Each module call pushes a CallFrame on a thread-local stack. When a nabla::Error leaves a call, the
// innermost frame records the stack (outermost module first) together with the exception's address; the
// frames above it see the same exception object (rethrown by `throw;`) and leave it alone, and the
// outermost frame prefixes the path, named as named_modules() names it: "layer2.0.conv1 (Conv2d): ".
// The exception keeps its type (ShapeError stays ShapeError), so catch clauses and tests are unchanged,
// and an uncaught one shows the path in what(). Without an error the cost is a pointer push and pop.
namespace detail {
namespace {
thread_local CallFrame* t_top = nullptr;
struct Failure {
  const void* exception = nullptr;
  std::vector<Module*> path;  // outermost first
};
thread_local Failure t_failure;

std::string describe(const std::vector<Module*>& path) {
  if (path.size() == 1) return path[0]->name();
  std::string dotted;
  for (size_t i = 1; i < path.size(); ++i) {
    std::string part = path[i]->name();  // a module its caller did not register
    for (auto& [n, m] : path[i - 1]->named_modules())
      if (m == path[i] && !n.empty()) {
        part = n;
        break;
      }
    dotted += (dotted.empty() ? "" : ".") + part;
  }
  return fmt::format("{} ({})", dotted, path.back()->name());
}
}  // namespace

CallFrame::CallFrame(Module* module) : module_(module), parent_(t_top) {
  if (!parent_ && t_failure.exception) t_failure = {};  // a new outermost call: drop a caught error's
  t_top = this;
}

CallFrame::~CallFrame() { t_top = parent_; }

void CallFrame::on_error(Error& e) {
  std::vector<Module*> chain;
  for (CallFrame* f = this; f; f = f->parent_) chain.insert(chain.begin(), f->module_);
  Failure& failure = t_failure;
  const bool seen = failure.exception == &e && failure.path.size() >= chain.size() &&
                    std::equal(chain.begin(), chain.end(), failure.path.begin());
  if (!seen) failure = {&e, chain};  // the innermost call of this error
  if (parent_) return;
  e.add_context(describe(failure.path) + ": ");
  failure = {};
}
}  // namespace detail

Tensor Module::operator()(Tensor input) {
  return traced([&] { return call(std::move(input)); });
}

Tensor Module::call(Tensor input) {
  for (auto& [id, hook] : hooks_->pre) {
    Tensor r = hook(*this, input);
    if (r.defined()) input = r;
  }
  if (!hooks_->pre_all.empty() || !hooks_->post_all.empty()) {
    TensorList inputs{input};
    run_pre_hooks_all(inputs);
    Tensor output = call_hooked(input);
    run_hooks_all(inputs, {output});
    return output;
  }
  return call_hooked(std::move(input));
}

Tensor Module::call_hooked(Tensor input) {
  // Without backward hooks (inference, most training) a module call is forward plus forward hooks:
  // no shared state to allocate per call.
  if (hooks_->backward.empty() || !is_grad_enabled()) return run_forward_hooks(input, forward(input));
  auto grad_output = std::make_shared<Tensor>();
  std::weak_ptr<Hooks> weak = hooks_;
  // Runs the backward hooks; a defined result replaces grad_input.
  auto fire = [this, weak, grad_output](const Tensor& grad_input) {
    Tensor result;
    if (auto h = weak.lock())
      for (auto& [id, hook] : h->backward) {
        Tensor r = hook(*this, result.defined() ? result : grad_input, *grad_output);
        if (r.defined()) result = r;
      }
    return result;
  };
  Tensor x = input;
  if (input.requires_grad()) {
    x = input.view(input.sizes());  // a node of our own: the gradient reaching it is grad_input
    x.register_hook(fire);
  }
  Tensor output = run_forward_hooks(input, forward(x));
  if (output.requires_grad()) {
    const bool input_tracked = input.requires_grad();
    output.register_hook([grad_output, fire, input_tracked](const Tensor& g) {
      *grad_output = g;
      if (!input_tracked) fire(Tensor());  // like PyTorch: grad_input is None for a non-grad input
      return Tensor();
    });
  }
  return output;
}

void Module::run_pre_hooks_all(const TensorList& inputs) {
  for (auto& [id, hook] : hooks_->pre_all) hook(*this, inputs);
}
bool Module::has_hooks() const {
  const Hooks& h = *hooks_;
  return !h.pre.empty() || !h.post.empty() || !h.backward.empty() || !h.pre_all.empty() ||
         !h.post_all.empty();
}
bool Module::has_hooks_all() const { return !hooks_->post_all.empty(); }
void Module::run_hooks_all(const TensorList& inputs, const TensorList& outputs) {
  for (auto& [id, hook] : hooks_->post_all) hook(*this, inputs, outputs);
}

Tensor Module::run_forward_hooks(const Tensor& input, Tensor output) {
  for (auto& [id, hook] : hooks_->post) {
    Tensor r = hook(*this, input, output);
    if (r.defined()) output = r;
  }
  return output;
}

// ---- registration ----
Tensor Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  NABLA_CHECK(name.find('.') == std::string::npos && !name.empty(), ValueError,
              "register_parameter: parameter name can't contain \".\" or be empty, got '{}'", name);
  if (t.defined() && requires_grad && !t.requires_grad()) t.requires_grad_(true);
  params_.emplace_back(name, t);
  return t;
}

Tensor Module::register_buffer(const std::string& name, Tensor t) {
  NABLA_CHECK(name.find('.') == std::string::npos && !name.empty(), ValueError,
              "register_buffer: buffer name can't contain \".\" or be empty, got '{}'", name);
  buffers_.emplace_back(name, t);
  return t;
}

void Module::add_child(const std::string& name, Module* child, std::shared_ptr<Module> owner,
                       size_t child_size) {
  NABLA_CHECK(name.find('.') == std::string::npos && !name.empty(), ValueError,
              "register_module: module name can't contain \".\" or be empty, got '{}'", name);
  NABLA_CHECK(child != nullptr, ValueError, "register_module('{}'): the module is null (an empty holder?)",
              name);
  for (auto& [n, c] : children_)
    NABLA_CHECK(n != name, ValueError,
                "register_module: a submodule named '{}' is already registered (replace_module swaps it)",
                name);
  children_.emplace_back(name, child);
  if (owner) owned_.emplace_back(child, std::move(owner));
  if (child_size) detail::warn_unregistered_members(*child, child_size);
}

void Module::replace_child(const std::string& name, Module* child, std::shared_ptr<Module> owner) {
  NABLA_CHECK(child != nullptr, ValueError, "replace_module('{}'): the module is null (an empty holder?)",
              name);
  for (auto& [n, c] : children_) {
    if (n != name) continue;
    std::erase_if(owned_, [old = c](auto& p) { return p.first == old; });
    c = child;
    owned_.emplace_back(child, std::move(owner));
    return;
  }
  throw ValueError(fmt::format("replace_module: {} has no submodule named '{}'", this->name(), name));
}

Module& Module::register_module(const std::string& name, Module& member) {
  ptrdiff_t offset = reinterpret_cast<const char*>(&member) - reinterpret_cast<const char*>(this);
  NABLA_CHECK(offset > 0 && offset < kMaxMemberOffset && member.serial_ > serial_, ValueError,
              "register_module('{}', Module&) registers a member of this {}; register a module that lives "
              "elsewhere by std::shared_ptr or ModuleHolder",
              name, this->name());
  add_child(name, &member, nullptr);
  return member;
}

namespace detail {
void warn_unregistered_members(const Module& root, size_t object_size) {
  std::set<const Module*> reachable;
  for (auto* m : const_cast<Module&>(root).modules()) reachable.insert(m);
  std::vector<const Module*> inside;
  {
    std::lock_guard lock(live_mutex);
    auto* begin = reinterpret_cast<const char*>(&root);
    for (auto it = live_modules().upper_bound(&root); it != live_modules().end(); ++it) {
      if (reinterpret_cast<const char*>(*it) >= begin + object_size) break;
      inside.push_back(*it);
    }
  }
  for (const Module* m : inside) {
    if (reachable.count(m) || m->parameters().empty()) continue;
    std::cerr << fmt::format(
        "nabla: warning: {} has a member {} (at byte {}) holding parameters that was never registered: its "
        "parameters are missing from parameters() and state_dict(); call register_module\n",
        root.name(), m->name(), reinterpret_cast<const char*>(m) - reinterpret_cast<const char*>(&root));
  }
}
}  // namespace detail

void Module::register_modules(std::initializer_list<std::pair<std::string, Module&>> members) {
  for (auto& [n, m] : members) register_module(n, m);
}

// ---- traversal ----
void Module::collect(const std::string& prefix, bool recurse, bool params, NamedTensors& out) const {
  for (auto& [n, t] : params ? params_ : buffers_)
    if (t.defined()) out.emplace_back(prefix + n, t);
  if (recurse)
    for (auto& [n, c] : children_) c->collect(prefix + n + ".", true, params, out);
}
NamedTensors Module::named_parameters(bool recurse) const {
  NamedTensors out;
  collect("", recurse, true, out);
  return out;
}
NamedTensors Module::named_buffers(bool recurse) const {
  NamedTensors out;
  collect("", recurse, false, out);
  return out;
}
std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}
std::vector<Tensor> Module::trainable_parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse))
    if (t.requires_grad()) out.push_back(t);
  return out;
}
std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}
std::vector<Module*> Module::children() const {
  std::vector<Module*> out;
  for (auto& [n, c] : children_) out.push_back(c);
  return out;
}
OrderedDict<std::string, Module*> Module::named_children() const { return children_; }
OrderedDict<std::string, Module*> Module::named_modules(const std::string& prefix) {
  OrderedDict<std::string, Module*> out = {{prefix, this}};
  for (auto& [n, c] : children_) {
    auto sub = c->named_modules(prefix.empty() ? n : prefix + "." + n);
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}
std::vector<Module*> Module::modules() {
  std::vector<Module*> out;
  for (auto& [n, m] : named_modules()) out.push_back(m);
  return out;
}

// ---- state ----
Module& Module::train(bool on) {
  training_ = on;
  for (auto& [n, c] : children_) c->train(on);
  return *this;
}

Module& Module::to(DType dtype) {
  NABLA_CHECK(is_floating(dtype), DTypeError, "Module.to only accepts floating point dtypes, got {}",
              dtype_name(dtype));
  NoGradGuard ng;
  for (auto* m : modules())
    for (auto* list : {&m->params_, &m->buffers_})
      for (auto& [n, t] : *list)
        if (t.defined() && t.is_floating_point() && t.dtype() != dtype) {
          if (t.grad().defined()) t.mutable_grad().set_data(t.grad().to(dtype));
          t.set_data(t.to(dtype));
        }
  return *this;
}

Module& Module::to(Device device) {
  NABLA_CHECK(device.is_cpu(), DeviceError, "Module.to: device '{}' is not available in this build",
              device.str());
  return *this;
}

void Module::zero_grad(bool set_to_none) {
  for (auto& p : parameters()) {
    if (!p.grad().defined()) continue;
    if (set_to_none)
      p.set_grad(Tensor());
    else
      p.mutable_grad().zero_();
  }
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& [n, c] : children_) c->apply(fn);
  fn(*this);
  return *this;
}

Module& Module::requires_grad_(bool r) {
  for (auto& p : parameters()) p.requires_grad_(r);
  return *this;
}

NamedTensors Module::state_dict() const {
  // PyTorch orders each module's parameters, then its buffers, then recurses into children.
  NamedTensors out;
  std::function<void(const Module&, const std::string&)> walk = [&](const Module& m,
                                                                    const std::string& prefix) {
    for (auto& [n, t] : m.params_)
      if (t.defined()) out.emplace_back(prefix + n, t);
    for (auto& [n, t] : m.buffers_)
      if (t.defined()) out.emplace_back(prefix + n, t);
    for (auto& [n, c] : m.children_) walk(*c, prefix + n + ".");
  };
  walk(*this, "");
  return out;
}

LoadResult Module::load_state_dict(const NamedTensors& state, bool strict) {
  std::map<std::string, Tensor> incoming(state.begin(), state.end());
  LoadResult result;
  std::vector<std::string> mismatches;
  std::vector<std::pair<Tensor, Tensor>> copies;
  for (auto& [name, t] : state_dict()) {
    auto it = incoming.find(name);
    if (it == incoming.end()) {
      result.missing_keys.push_back(name);
      continue;
    }
    NABLA_CHECK(it->second.defined(), ValueError, "load_state_dict: the tensor for key '{}' is undefined",
                name);
    if (it->second.sizes() != t.sizes())
      mismatches.push_back(
          fmt::format("size mismatch for {}: copying a param with shape {} from checkpoint, the shape "
                      "in current model is {}",
                      name, shape_str(it->second.sizes()), shape_str(t.sizes())));
    else
      copies.emplace_back(t, it->second);
    incoming.erase(it);
  }
  for (auto& [name, t] : incoming) result.unexpected_keys.push_back(name);
  std::string problems;
  if (strict && !result.missing_keys.empty())
    problems += "\n\tMissing key(s) in state_dict: \"" +
                fmt::format("{}", fmt::join(result.missing_keys, "\", \"")) + "\".";
  if (strict && !result.unexpected_keys.empty())
    problems += "\n\tUnexpected key(s) in state_dict: \"" +
                fmt::format("{}", fmt::join(result.unexpected_keys, "\", \"")) + "\".";
  for (auto& m : mismatches) problems += "\n\t" + m + ".";
  NABLA_CHECK(problems.empty(), ValueError, "Error(s) in loading state_dict for {}:{}", name(), problems);
  NoGradGuard ng;
  for (auto& [dst, src] : copies) dst.copy_(src);
  return result;
}

// ---- hooks ----
RemovableHandle Module::register_forward_pre_hook(ForwardPreHook hook) {
  return hooks_->add(hooks_->pre, std::move(hook));
}
RemovableHandle Module::register_forward_hook(ForwardHook hook) {
  return hooks_->add(hooks_->post, std::move(hook));
}
RemovableHandle Module::register_forward_pre_hook(ForwardPreHookAll hook) {
  return hooks_->add(hooks_->pre_all, std::move(hook));
}
RemovableHandle Module::register_forward_hook(ForwardHookAll hook) {
  return hooks_->add(hooks_->post_all, std::move(hook));
}
RemovableHandle Module::register_full_backward_hook(BackwardHook hook) {
  return hooks_->add(hooks_->backward, std::move(hook));
}

// ---- printing ----
// The class name without namespaces or LibTorch's "Impl" suffix: "Net" for struct NetImpl.
std::string Module::name() const {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(typeid(*this).name(), nullptr, nullptr, &status), std::free);
  std::string n = status == 0 && demangled ? demangled.get() : typeid(*this).name();
  if (auto template_start = n.find('<'); template_start != std::string::npos) n.resize(template_start);
  if (auto colon = n.rfind("::"); colon != std::string::npos) n = n.substr(colon + 2);
  if (n.size() > 4 && n.ends_with("Impl")) n.resize(n.size() - 4);
  return n;
}
std::string Module::extra_repr() const { return ""; }

std::string Module::repr() const {
  std::string out = name() + "(";
  std::string extra = extra_repr();
  if (children_.empty()) return out + extra + ")";
  if (!extra.empty()) out += "\n  " + extra;
  for (auto& [n, c] : children_) {
    std::string child = c->repr();
    std::string indented;
    for (char ch : child) {
      indented += ch;
      if (ch == '\n') indented += "  ";
    }
    out += "\n  (" + n + "): " + indented;
  }
  return out + "\n)";
}

std::ostream& operator<<(std::ostream& os, const Module& m) { return os << m.repr(); }

}  // namespace nabla::nn
