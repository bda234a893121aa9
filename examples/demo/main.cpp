// nabla-demo — what `make demo` runs until the training tool exists: tensors, broadcasting,
// autograd and a few steps of gradient descent fitting a line.
#include <nabla/nabla.h>

#include <iostream>

int main() {
  using namespace nabla;
  manual_seed(0);
  Tensor a = tensor({{1., 2.}, {3., 4.}});
  std::cout << "a =\n" << a << "\n";
  std::cout << "a + [10, 20] =\n" << a + tensor({10., 20.}) << "\n";
  std::cout << "a @ a.t() =\n" << matmul(a, a.t()) << "\n";

  // Autograd: d/dx sum(x^2 * 3) = 6x
  Tensor x = tensor({1., 2., 3.}, {.requires_grad = true});
  Tensor y = (x * x * 3).sum();
  y.backward();
  std::cout << "x = " << x << "\ny = " << y << "\ndy/dx = " << x.grad() << "\n";

  // Fit y = 2x + 1 with plain gradient descent.
  Tensor xs = linspace(-1, 1, 64).unsqueeze(1);
  Tensor ys = xs * 2 + 1 + randn({64, 1}) * 0.05;
  Tensor w = zeros({1, 1}, {.requires_grad = true});
  Tensor b = zeros({1}, {.requires_grad = true});
  for (int step = 0; step < 200; ++step) {
    Tensor loss = ((matmul(xs, w) + b - ys).pow(2)).mean();
    loss.backward();
    {
      NoGradGuard no_grad;
      w.sub_(w.grad() * 0.1);
      b.sub_(b.grad() * 0.1);
    }
    w.mutable_grad().zero_();
    b.mutable_grad().zero_();
    if (step % 50 == 0 || step == 199)
      std::cout << "step " << step << "  loss " << loss.item<float>() << "\n";
  }
  std::cout << "fitted w = " << w.item<float>() << " (true 2), b = " << b.item<float>() << " (true 1)\n";
  return 0;
}
