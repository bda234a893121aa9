// autograd.h — nabla::autograd::grad/backward, gradcheck, and custom Functions.
#pragma once
#include <any>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "nabla/autograd/grad_mode.h"
#include "nabla/autograd/node.h"
#include "nabla/tensor/std_function.h"
#include "nabla/tensor/tensor.h"

namespace nabla::autograd {

// Like torch.autograd.backward: accumulates into the leaves' .grad.
void backward(const TensorList& tensors, const TensorList& grad_tensors = {}, bool retain_graph = false,
              bool create_graph = false);

// Like torch.autograd.grad: returns d(outputs)/d(inputs) without touching .grad.
// retain_graph defaults to create_graph. allow_unused: an input the outputs do not depend on gets an
// undefined Tensor instead of an error.
TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs = {},
                std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
                bool allow_unused = false);

// ---- custom functions ----
// struct MyExp : Function<MyExp> {
//   static Tensor forward(AutogradContext* ctx, Tensor x) { auto y = x.exp(); ctx->save_for_backward({y});
//   return y; } static TensorList backward(AutogradContext* ctx, TensorList g) { return {g[0] *
//   ctx->get_saved_variables()[0]}; }
// };
// Tensor y = MyExp::apply(x);
// A non-tensor value kept in AutogradContext::saved_data: any copyable value, read back with
// LibTorch's IValue accessors (a number converts between double and integer as in LibTorch) or to<T>().
class IValue {
 public:
  IValue() = default;
  template <typename T>
  requires(!std::is_same_v<std::decay_t<T>, IValue>) IValue(T&& v) : v_(std::forward<T>(v)) {}  // NOLINT
  IValue(const char* s) : v_(std::string(s)) {}                                                 // NOLINT
  bool isNone() const { return !v_.has_value(); }
  bool isTensor() const { return is<Tensor>(); }
  bool isDouble() const { return is<double>() || is<float>(); }
  bool isInt() const { return is<int64_t>() || is<int>(); }
  bool isBool() const { return is<bool>(); }
  bool isString() const { return is<std::string>(); }
  double toDouble() const {
    if (is<double>()) return std::any_cast<double>(v_);
    if (is<float>()) return std::any_cast<float>(v_);
    return static_cast<double>(toInt());
  }
  int64_t toInt() const {
    if (is<int64_t>()) return std::any_cast<int64_t>(v_);
    if (is<int>()) return std::any_cast<int>(v_);
    if (is<bool>()) return std::any_cast<bool>(v_);
    return to<int64_t>();  // a ValueError naming the held type
  }
  bool toBool() const { return to<bool>(); }
  Tensor toTensor() const { return to<Tensor>(); }
  const std::string& toStringRef() const { return ref<std::string>(); }
  template <typename T>
  T to() const {
    return ref<T>();
  }
  const std::any& any() const { return v_; }

 private:
  template <typename T>
  bool is() const {
    return v_.type() == typeid(T);
  }
  template <typename T>
  const T& ref() const {
    if (const T* p = std::any_cast<T>(&v_)) return *p;
    throw ValueError(std::string("IValue holds ") + (v_.has_value() ? v_.type().name() : "nothing") +
                     ", not " + typeid(T).name());
  }
  std::any v_;
};

class AutogradContext {
 public:
  void save_for_backward(const TensorList& tensors);
  TensorList get_saved_variables() const;
  std::map<std::string, IValue> saved_data;  // non-tensor values
  // internal
  TensorList to_save_;
  std::shared_ptr<Node> node_;
  std::function<TensorList()> unpack_;
};

namespace detail {
using CustomBackward = std::function<TensorList(AutogradContext*, TensorList)>;
TensorList apply_custom(const std::string& name, const TensorList& inputs,
                        const std::function<TensorList(AutogradContext*)>& forward, CustomBackward backward);
}  // namespace detail

template <typename Derived>
struct Function {
  // backward returns one gradient per tensor input, or (LibTorch's convention) one per forward argument,
  // with undefined Tensors for the non-tensor ones.
  template <typename... Args>
  static Tensor apply(Args&&... args) {
    TensorList inputs;
    std::vector<bool> is_tensor;
    (collect(inputs, is_tensor, args), ...);
    auto outs = detail::apply_custom(
        typeid(Derived).name(), inputs,
        [&](AutogradContext* ctx) { return TensorList{Derived::forward(ctx, std::forward<Args>(args)...)}; },
        [is_tensor](AutogradContext* ctx, TensorList g) {
          TensorList grads = Derived::backward(ctx, std::move(g));
          if (grads.size() != is_tensor.size()) return grads;  // one per tensor input (checked by the caller)
          TensorList per_tensor;
          for (size_t i = 0; i < grads.size(); ++i)
            if (is_tensor[i]) per_tensor.push_back(std::move(grads[i]));
          return per_tensor;
        });
    return outs[0];
  }

 private:
  static void collect(TensorList& list, std::vector<bool>& is_tensor, const Tensor& t) {
    list.push_back(t);
    is_tensor.push_back(true);
  }
  template <typename T>
  static void collect(TensorList&, std::vector<bool>& is_tensor, const T&) {
    is_tensor.push_back(false);
  }
};

}  // namespace nabla::autograd

namespace nabla {

struct GradcheckOptions {
  double eps = 1e-6, atol = 1e-5, rtol = 1e-3;
  bool raise_exception = true;  // throw AutogradError naming the mismatch; false: return false
};
// Compares the analytical gradient (backward of sum(out * random cotangent)) with float64 central
// differences, for every floating input that requires grad. Inputs must be float64.
bool gradcheck(const std::function<TensorList(const TensorList&)>& fn, const TensorList& inputs,
               const GradcheckOptions& opts = {});
// Same for the gradient of the gradient (create_graph=true backward), i.e. double backward.
bool gradgradcheck(const std::function<TensorList(const TensorList&)>& fn, const TensorList& inputs,
                   const GradcheckOptions& opts = {});

}  // namespace nabla
