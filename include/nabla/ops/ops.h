// ops.h — nabla's tensor functions (torch.* equivalents). Tensor methods call these.
#pragma once
#include <concepts>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "nabla/ops/op_table.h"
#include "nabla/tensor/tensor.h"

namespace nabla {

// ---- creation ----
// tensor(NestedList): nested initializer lists (nabla/tensor/nested_list.h), tensor({{1., 2.}, {3., 4.}}).
Tensor tensor(NestedList data, TensorOptions options = {});  // dtype inferred unless given
Tensor scalar_tensor(Scalar v, TensorOptions options = {});
// Copies `data` (laid out row-major with `sizes`).
Tensor from_buffer(const void* data, IntArrayRef sizes, DType dtype);
// Wraps `data` without copying; `deleter` runs when the last view is gone (may be null: caller owns).
Tensor from_blob(void* data, IntArrayRef sizes, DType dtype, void (*deleter)(void*, void*) = nullptr,
                 void* deleter_ctx = nullptr);
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, DType dtype);
Tensor empty(IntArrayRef sizes, TensorOptions options = {});
Tensor empty_strided(IntArrayRef sizes, IntArrayRef strides, TensorOptions options = {});
Tensor zeros(IntArrayRef sizes, TensorOptions options = {});
Tensor ones(IntArrayRef sizes, TensorOptions options = {});
Tensor full(IntArrayRef sizes, Scalar value,
            TensorOptions options = {});  // dtype from the value unless given
Tensor arange(Scalar end, TensorOptions options = {});
Tensor arange(Scalar start, Scalar end, Scalar step = 1, TensorOptions options = {});
Tensor linspace(double start, double end, int64_t steps, TensorOptions options = {});
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt, TensorOptions options = {});
Tensor rand(IntArrayRef sizes, TensorOptions options = {}, RandomGenerator* gen = nullptr);
Tensor randn(IntArrayRef sizes, TensorOptions options = {}, RandomGenerator* gen = nullptr);
Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, TensorOptions options = {},
               RandomGenerator* gen = nullptr);
Tensor randperm(int64_t n, TensorOptions options = {}, RandomGenerator* gen = nullptr);
Tensor bernoulli(const Tensor& p, RandomGenerator* gen = nullptr);
Tensor empty_like(const Tensor& t, TensorOptions options = {});
Tensor zeros_like(const Tensor& t, TensorOptions options = {});
Tensor ones_like(const Tensor& t, TensorOptions options = {});
Tensor full_like(const Tensor& t, Scalar v, TensorOptions options = {});
Tensor rand_like(const Tensor& t, TensorOptions options = {});
Tensor randn_like(const Tensor& t, TensorOptions options = {});

// Result dtype of combining these operands under PyTorch's promotion rules.
DType result_type(const Tensor& a, const Tensor& b);
DType result_type(const Tensor& a, Scalar b);
std::vector<int64_t> broadcast_shapes(IntArrayRef a, IntArrayRef b);

// ---- ops declared by their op-table row ----
// Every row of nabla/ops/op_table.h with a function form (F, FM, FMI) declares
// `Tensor name(const Tensor& self, params...)` here, with the row's parameter names and defaults
// (Note [Op table rows]). What follows by hand are the rows marked `custom` and extra overloads.
NABLA_FOREACH_OP(NABLA_OP_FN_DECL)

// ---- elementwise: overloads of generated rows ----
Tensor pow(const Tensor& a, Scalar exponent);  // row pow_scalar
Tensor pow(Scalar a, const Tensor& exponent);
// Scalar-operand forms (the scalar is a wrapped number for promotion).
Tensor add(const Tensor& a, Scalar b);
Tensor sub(const Tensor& a, Scalar b);
Tensor mul(const Tensor& a, Scalar b);
Tensor div(const Tensor& a, Scalar b);

// ---- var/std: LibTorch's `unbiased` overloads of the rows ----
// Note [var and std overloads]
// The rows are PyTorch's `var(dims=None, correction=1, keepdim=False)`. LibTorch adds
// `var(bool unbiased)`, `var(dims, bool unbiased, keepdim)` and, because an int converts to bool as
// readily as to a dim list, `var(int dim)` (gh-40287). Here, with the same meaning as LibTorch's:
//   var(x) / x.var()                      all elements, correction 1 (the row)
//   var(x, true | false)                  all elements, unbiased: correction 1 | 0
//   var(x, 1[, unbiased[, keepdim]])      dim 1 (an integer of any type, not bool)
//   var(x, {0, 1}[, unbiased[, keepdim]]) dims as a braced list or an IntArrayRef (x.sizes())
//   var(x, {0, 1}, 2[, keepdim])          a non-bool integer after the dims is a correction
//   var(x, std::vector<int64_t>{0}, 2)    the row itself (dims: std::optional<std::vector<int64_t>>)
// unbiased=b is correction=int64_t{b}, so one template takes either after the dims. The overloads
// are templates (an integer dim, an integral C) so that no call is ambiguous between a bool and
// the row's int64_t correction, and they forward to the row, which stays the op.
Tensor var(const Tensor& x, bool unbiased);
Tensor std(const Tensor& x, bool unbiased);
template <detail::DimInteger I>
Tensor var(const Tensor& x, I dim, bool unbiased = true, bool keepdim = false) {
  return x.var(dim, unbiased, keepdim);
}
template <detail::DimInteger I>
Tensor std(const Tensor& x, I dim, bool unbiased = true, bool keepdim = false) {
  return x.std(dim, unbiased, keepdim);
}
template <std::integral C = bool>  // bool: unbiased; another integer: a correction
Tensor var(const Tensor& x, IntArrayRef dims, C unbiased = true, bool keepdim = false) {
  return x.var(dims, unbiased, keepdim);
}
template <std::integral C = bool>
Tensor std(const Tensor& x, IntArrayRef dims, C unbiased = true, bool keepdim = false) {
  return x.std(dims, unbiased, keepdim);
}

// ---- reductions and scans (custom rows: overload sets, tuple results) ----
Tensor sum(const Tensor& x, std::optional<DType> dtype = std::nullopt);
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim = false,
           std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim = false);
Tensor prod(const Tensor& x);
Tensor prod(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor all(const Tensor& x);
Tensor any(const Tensor& x);
Tensor all(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor any(const Tensor& x, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true,
                                bool sorted = true);
std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false);

// ---- shape (custom rows: list inputs) ----
Tensor cat(const TensorList& tensors, int64_t dim = 0);
Tensor stack(const TensorList& tensors, int64_t dim = 0);

// ---- tensor ops of issue #17 item 9: custom rows and overloads ----
TensorList split(const Tensor& x, int64_t split_size, int64_t dim = 0);
TensorList split(const Tensor& x, IntArrayRef split_sizes, int64_t dim = 0);  // row split_with_sizes
TensorList split_with_sizes(const Tensor& x, IntArrayRef split_sizes, int64_t dim = 0);
// Grids from 0-d or 1-d tensors: "ij" (matrix) or "xy" (Cartesian) indexing, like torch.meshgrid.
TensorList meshgrid(const TensorList& tensors, const std::string& indexing = "ij");
// (values, inverse, counts): inverse and counts are undefined unless asked for. Values always come
// sorted (PyTorch leaves the order unspecified when sorted=false); each NaN is a value of its own.
std::tuple<Tensor, Tensor, Tensor> unique(const Tensor& x, bool sorted = true, bool return_inverse = false,
                                          bool return_counts = false);
Tensor lerp(const Tensor& self, const Tensor& end, Scalar weight);  // row lerp_scalar
// torch.einsum: implicit or explicit ("->") output, repeated subscripts (diagonals, traces), "...".
Tensor einsum(const std::string& equation, const TensorList& operands);

// Threads used by kernels (OpenMP and oneDNN), like torch.set_num_threads / get_num_threads.
// n < 1 is a ValueError; n above 4 x the hardware threads is clamped to that (warned once on stderr).
void set_num_threads(int n);
int get_num_threads();
// Like torch.set_flush_denormal: true makes subnormal floats read and compute as zero (x86 FTZ+DAZ)
// on the calling thread and the kernel threads — much faster where values underflow (e.g. an RNN's
// vanishing gradients on Intel), at the cost of exactness near zero. Off by default, as in PyTorch.
// Returns false, changing nothing, on CPUs without the control.
bool set_flush_denormal(bool mode);

// True when every element of a is within atol + rtol * |b| of b's (broadcast; NaNs equal if equal_nan).
// a and b must have one dtype (DTypeError otherwise, as torch.allclose).
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
bool equal(const Tensor& a, const Tensor& b);  // same shape and exactly equal values (any dtypes)

}  // namespace nabla
