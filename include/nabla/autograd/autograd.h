// autograd.h — nabla::autograd::grad/backward, gradcheck, and custom Functions.
#pragma once
#include <any>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/autograd/grad_mode.h"
#include "nabla/autograd/node.h"
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
class AutogradContext {
 public:
  void save_for_backward(const TensorList& tensors);
  TensorList get_saved_variables() const;
  std::map<std::string, std::any> saved_data;  // non-tensor values
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
  template <typename... Args>
  static Tensor apply(Args&&... args) {
    TensorList inputs;
    (collect(inputs, args), ...);
    auto outs = detail::apply_custom(
        typeid(Derived).name(), inputs,
        [&](AutogradContext* ctx) { return TensorList{Derived::forward(ctx, std::forward<Args>(args)...)}; },
        [](AutogradContext* ctx, TensorList g) { return Derived::backward(ctx, std::move(g)); });
    return outs[0];
  }

 private:
  static void collect(TensorList& list, const Tensor& t) { list.push_back(t); }
  template <typename T>
  static void collect(TensorList&, const T&) {}
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
