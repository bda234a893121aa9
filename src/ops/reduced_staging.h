// reduced_staging.h — runs a float32 kernel on float16/bfloat16 operands (Note [float16 and bfloat16]).
#pragma once
#include <array>
#include <utility>
#include <vector>

#include "nabla/tensor/tensor.h"
#include "ops/cpu/cpu_kernels.h"
#include "tensor/raw.h"

namespace nabla::kernels {

// Note [float16 and bfloat16]
// float16 and bfloat16 are storage dtypes. copy and fill convert to and from them directly; every other
// kernel entry point stages its reduced-precision operands through float32: inputs are converted, the
// float32 kernel runs, and outputs are rounded back once. That is what PyTorch's CPU kernels do for
// these dtypes (they compute in float, their "opmath" type, and round the result), so elementwise ops
// and reductions match PyTorch to the last bit; matmul and convolution accumulate in float32 as
// PyTorch's do. The fast path — no reduced operand — costs one dtype compare per operand.
//   ReducedStaging s;
//   cpu::binary(op, s.out(out), s.in(a), s.in(b), alpha);
//   s.finish();  // copies staged outputs back; skipped when the kernel throws
class ReducedStaging {
 public:
  // `t` itself, or a float32 copy when it is float16/bfloat16.
  const Tensor& in(const Tensor& t) {
    if (!t.defined() || !is_reduced_floating(t.dtype())) return t;
    return hold(to_float32(t));
  }
  // `t` itself, or a float32 buffer holding its values that finish() rounds back into it (outputs may
  // also be read: accumulating kernels, in-place ops).
  const Tensor& out(const Tensor& t) {
    if (!t.defined() || !is_reduced_floating(t.dtype())) return t;
    const Tensor& staged = hold(to_float32(t));
    outputs_[n_outputs_++] = {&t, &staged};
    return staged;
  }
  void finish() {
    for (int i = 0; i < n_outputs_; ++i) cpu::copy(*outputs_[i].first, *outputs_[i].second);
  }

 private:
  static Tensor to_float32(const Tensor& t) {
    Tensor f = raw::empty(t.sizes(), DType::Float32, t.device());
    cpu::copy(f, t);
    return f;
  }
  // Staged tensors live until the staging object dies; reserved once so references stay valid.
  const Tensor& hold(Tensor t) {
    if (held_.empty()) held_.reserve(kMaxOperands);
    NABLA_CHECK(held_.size() < kMaxOperands, NotImplementedError, "float16 staging: more than {} operands",
                kMaxOperands);
    return held_.emplace_back(std::move(t));
  }

  static constexpr size_t kMaxOperands = 8;
  std::vector<Tensor> held_;  // empty (no allocation) unless an operand is float16/bfloat16
  std::array<std::pair<const Tensor*, const Tensor*>, kMaxOperands> outputs_{};
  int n_outputs_ = 0;
};

}  // namespace nabla::kernels
