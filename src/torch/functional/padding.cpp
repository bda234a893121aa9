// padding.cpp — the bodies of torch/nn/functional/padding.h's wrappers, compiled once here rather than in
// every program that includes <torch/torch.h> (docs/libtorch.md, "Compile time").
#include "torch/nn/functional/padding.h"

namespace torch::nn::functional::impl {

int64_t pad_source(int64_t j, int64_t n, const std::string& mode) {
  if (mode == "replicate") return j < 0 ? 0 : (j >= n ? n - 1 : j);
  if (mode == "circular") return ((j % n) + n) % n;
  // reflect: mirror about the first and last element (not repeating them)
  if (j < 0) return -j;
  if (j >= n) return 2 * (n - 1) - j;
  return j;
}

Tensor pad_by_index(Tensor x, const std::vector<int64_t>& pad, const std::string& mode) {
  check(pad.size() % 2 == 0 && static_cast<int64_t>(pad.size()) / 2 <= x.dim(),
        "pad: padding length must be even and at most twice the input's dims, got " + str(pad.size()));
  for (size_t k = 0; k < pad.size() / 2; ++k) {
    const int64_t dim = x.dim() - 1 - static_cast<int64_t>(k), n = x.size(dim);
    const int64_t left = pad[2 * k], right = pad[2 * k + 1];
    check(mode != "reflect" || (left < n && right < n),
          "pad: reflect padding must be smaller than the dim's size " + str(n));
    check(mode != "circular" || (left <= n && right <= n),
          "pad: circular padding may not exceed the dim's size " + str(n));
    std::vector<int64_t> src;
    for (int64_t i = -left; i < n + right; ++i) src.push_back(pad_source(i, n, mode));
    x = x.index_select(dim, torch::tensor(src));
  }
  return x;
}

}  // namespace torch::nn::functional::impl

namespace torch::nn::functional {

Tensor pad(const Tensor& input, const PadFuncOptions& options) {
  const std::string mode = impl::tag_name(options.mode());
  if (mode == "constant") return nabla::nn::functional::pad(input, options.pad(), options.value());
  return impl::pad_by_index(input, options.pad(), mode);
}

}  // namespace torch::nn::functional
