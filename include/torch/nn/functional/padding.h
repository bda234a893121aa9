// torch/nn/functional/padding.h — F::pad with LibTorch's PadFuncOptions: constant, reflect, replicate
// and circular modes. nabla pads with a constant itself; the other modes gather along each padded dim
// with index_select (differentiable), the indices computed here.
#pragma once
#include <variant>
#include <vector>

#include "torch/nn/functional/impl.h"

namespace torch::nn::functional {

struct PadFuncOptions {
  using mode_t =
      std::variant<enumtype::kConstant, enumtype::kReflect, enumtype::kReplicate, enumtype::kCircular>;
  /* implicit */ PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}  // NOLINT
  // pad = {last_left, last_right, second_last_left, second_last_right, ...}
  TORCH_ARG(std::vector<int64_t>, pad);
  TORCH_ARG(mode_t, mode) = torch::kConstant;
  TORCH_ARG(double, value) = 0;
};

namespace impl {
// Source index along a dim of size n for output position i - left (i in [0, n + left + right)).
int64_t pad_source(int64_t j, int64_t n, const std::string& mode);
Tensor pad_by_index(Tensor x, const std::vector<int64_t>& pad, const std::string& mode);
}  // namespace impl

Tensor pad(const Tensor& input, const PadFuncOptions& options);

}  // namespace torch::nn::functional
