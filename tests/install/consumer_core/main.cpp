// A core-only nabla user: the gradient of sum(x * x) at x = [1, 2, 3] is [2, 4, 6].
#include <nabla/autograd/autograd.h>
#include <nabla/ops/ops.h>

#include <iostream>

int main() {
  nabla::Tensor x = nabla::tensor({1.0, 2.0, 3.0}).requires_grad_(true);
  (x * x).sum().backward();
  std::vector<double> g = x.grad().to_vector();
  std::cout << "nabla core consumer: grad = " << g[0] << " " << g[1] << " " << g[2] << "\n";
  return g == std::vector<double>{2, 4, 6} ? 0 : 1;
}
