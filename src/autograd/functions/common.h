// common.h — helpers shared by the op definitions in src/autograd/functions/.
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "autograd/record.h"
#include "nabla/ops/ops.h"
#include "ops/kernels.h"
#include "tensor/raw.h"
#include "util/check.h"

namespace nabla {

using autograd::BackwardContext;
using autograd::record;
using autograd::should_record;
using autograd::sum_to;

// ValueError naming `op` and the argument's position when a required tensor argument is undefined
// (a default-constructed Tensor). Optional arguments (bias, weight) are not passed here.
[[noreturn]] void throw_undefined_argument(const char* op, size_t position);
template <typename... Ts>
inline void check_defined(const char* op, const Ts&... ts) {
  size_t i = 0;
  ((NABLA_UNLIKELY(!ts.defined()) ? throw_undefined_argument(op, i) : void(), ++i), ...);
}
inline void check_defined_list(const char* op, const TensorList& ts) {
  for (size_t i = 0; i < ts.size(); ++i)
    if (NABLA_UNLIKELY(!ts[i].defined())) throw_undefined_argument(op, i);
}

// A Scalar as a 0-d tensor marked as a wrapped number (lowest priority in type promotion).
Tensor wrap_scalar(Scalar s);
bool is_wrapped_number(const Tensor& t);
// Copy of `t` converted to `dtype`, without autograd (returns t itself when already that dtype).
Tensor convert(const Tensor& t, DType dtype);
// PyTorch's can_cast: may a value of type `from` be stored in `to` by an in-place op?
bool can_cast(DType from, DType to);
// Throws unless an in-place result of (shape, dtype) can be written into `self`; marks the write.
void check_inplace(const char* op, const Tensor& self, IntArrayRef result_shape, DType result_dtype);
// Three-operand promotion (addcmul, addcdiv), PyTorch's tiers as for two.
DType result_type(const Tensor& a, const Tensor& b, const Tensor& c);
// zeros(sizes) with g copied into view(zeros); records the derivative view(gg) (gradient of a view op).
Tensor scatter_into_view(OpId id, const Tensor& g, IntArrayRef sizes,
                         std::function<Tensor(const Tensor&)> view);
// Reduction helpers
std::vector<int64_t> normalize_dims(IntArrayRef dims, int64_t ndim, const char* op);  // all dims when empty
std::vector<int64_t> keepdim_shape(IntArrayRef sizes, const std::vector<int64_t>& dims);
// Re-inserts reduced dims (size 1) into a gradient computed without keepdim.
Tensor unsqueeze_dims(const Tensor& g, const std::vector<int64_t>& dims, int64_t ndim);
// Floating dtype an op on `t` computes in (int -> float32).
inline DType floating_of(DType t) { return is_floating(t) ? t : DType::Float32; }
// `t` converted to float32 when it is float16/bfloat16, with autograd: the nn ops whose kernels have no
// reduced-precision path run on these and convert the result back (Note [float16 and bfloat16]).
Tensor float32_if_reduced(const Tensor& t);

}  // namespace nabla
