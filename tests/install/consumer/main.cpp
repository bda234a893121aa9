// An installed-nabla user: ones(2x2) + ones(2x2) sums to 8.
#include <nabla/nabla.h>

#include <iostream>

int main() {
  nabla::Tensor a = nabla::ones({2, 2});
  nabla::Tensor b = a + a;
  float sum = b.sum().item<float>();
  std::cout << "nabla consumer: sum = " << sum << "\n";
  return sum == 8.0f ? 0 : 1;
}
