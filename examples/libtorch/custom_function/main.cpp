// Custom autograd functions, written as LibTorch's "Autograd in C++ frontend" tutorial writes them.
// Builds unchanged against LibTorch and nabla; prints `check` lines that tools/libtorch-compat compares.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

using torch::autograd::AutogradContext;
using torch::autograd::Function;
using torch::autograd::variable_list;

// y = x W^T + b, with a hand-written backward.
class LinearFunction : public Function<LinearFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor input, torch::Tensor weight,
                               torch::Tensor bias = torch::Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    auto output = input.mm(weight.t());
    if (bias.defined()) output += bias.unsqueeze(0).expand_as(output);
    return output;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto input = saved[0];
    auto weight = saved[1];
    auto bias = saved[2];
    auto grad_output = grad_outputs[0];
    auto grad_input = grad_output.mm(weight);
    auto grad_weight = grad_output.t().mm(input);
    auto grad_bias = torch::Tensor();
    if (bias.defined()) grad_bias = grad_output.sum(0);
    return {grad_input, grad_weight, grad_bias};
  }
};

// y = x * c for a constant c kept in saved_data.
class MulConstant : public Function<MulConstant> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor tensor, double constant) {
    ctx->saved_data["constant"] = constant;
    return tensor * constant;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    return {grad_outputs[0] * ctx->saved_data["constant"].toDouble(), torch::Tensor()};
  }
};

// Prints a tensor's values for the cross-implementation comparison.
static void check(const char* name, const torch::Tensor& t) {
  auto flat = t.detach().to(torch::kFloat64).contiguous().view({-1});
  std::printf("check %s %lld", name, static_cast<long long>(flat.numel()));
  for (int64_t i = 0; i < flat.numel(); ++i) std::printf(" %.9g", flat[i].item<double>());
  std::printf("\n");
}

// Deterministic, implementation-independent values.
static torch::Tensor values(std::vector<int64_t> shape, double phase) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  return torch::arange(n, torch::kFloat64).mul(0.37).add(phase).sin().reshape(shape).to(torch::kFloat32);
}

int main() {
  auto x = values({2, 3}, 0.1).requires_grad_();
  auto weight = values({4, 3}, 0.7).requires_grad_();
  auto bias = values({4}, 1.3).requires_grad_();
  auto y = LinearFunction::apply(x, weight, bias);
  y.sum().backward();
  check("linear.forward", y);
  check("linear.grad_x", x.grad());
  check("linear.grad_w", weight.grad());
  check("linear.grad_b", bias.grad());

  // The same through built-in ops: the custom backward must agree with autograd's.
  auto x2 = x.detach().clone().requires_grad_();
  auto w2 = weight.detach().clone().requires_grad_();
  auto y2 = torch::matmul(x2, w2.t()) + bias.detach();
  y2.sum().backward();
  bool same = torch::allclose(y, y2) && torch::allclose(x.grad(), x2.grad()) &&
              torch::allclose(weight.grad(), w2.grad());

  auto a = values({3}, 2.1).requires_grad_();
  auto b = MulConstant::apply(a, 5.5);
  b.sum().backward();
  check("mul_constant.forward", b);
  check("mul_constant.grad", a.grad());
  same = same && torch::allclose(a.grad(), torch::full({3}, 5.5));

  std::cout << (same ? "custom functions agree with autograd" : "MISMATCH with autograd") << std::endl;
  return same ? 0 : 1;
}
