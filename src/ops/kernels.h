// kernels.h — the backend-neutral kernel entry points. Op definitions (src/autograd/functions) call
// only these; each routes to the backend of its operands' device (cpu:: and dnnl:: today, a cuda::
// slot tomorrow). Kernels write into outputs the caller has allocated, with shapes and dtypes already
// resolved: inputs are broadcast views of the output's shape and already in the compute dtype.
#pragma once
#include <cstdint>
#include <vector>

#include "nabla/ops/op_table.h"
#include "nabla/tensor/tensor.h"

namespace nabla::kernels {

// The enumerators come from the op table's kernel column (Note [Op table rows]): U(E)/UF(E) give
// Unary::E (UF: integer inputs compute in float32), B(E)/BC(E) give Binary::E (BC: bool output).
// Helpers used only by backward formulas or by overloads are listed here.
#define NABLA_BINARY_HELPERS(K) K(B(ThresholdGrad)) /* g * (y > 0): relu backward on the output */
#define NABLA_UNARY_HELPERS(K) K(UF(GeluTanh)) K(UF(RPowScalar)) /* gelu "tanh"; scalar ** x */
#define NABLA_KERNEL_ROW(name, arity, diff, dbl, forms, kernel, ...) NABLA_KERNEL_ITEM(kernel)
#define NABLA_KERNEL_LIST()          \
  NABLA_FOREACH_OP(NABLA_KERNEL_ROW) \
  NABLA_BINARY_HELPERS(NABLA_KERNEL_ITEM) NABLA_UNARY_HELPERS(NABLA_KERNEL_ITEM)
// One selector per derived list; `kernel` is none, U(E), UF(E), B(E) or BC(E).
#define NABLA_KB_none
#define NABLA_KB_U(e)
#define NABLA_KB_UF(e)
#define NABLA_KB_B(e) e,
#define NABLA_KB_BC(e) e,
#define NABLA_KBC_none
#define NABLA_KBC_U(e)
#define NABLA_KBC_UF(e)
#define NABLA_KBC_B(e) false,
#define NABLA_KBC_BC(e) true,
#define NABLA_KU_none
#define NABLA_KU_U(e) e,
#define NABLA_KU_UF(e) e,
#define NABLA_KU_B(e)
#define NABLA_KU_BC(e)
#define NABLA_KUF_none
#define NABLA_KUF_U(e) false,
#define NABLA_KUF_UF(e) true,
#define NABLA_KUF_B(e)
#define NABLA_KUF_BC(e)

#define NABLA_KERNEL_ITEM(k) NABLA_KB_##k
enum class Binary : int8_t { NABLA_KERNEL_LIST() };
#undef NABLA_KERNEL_ITEM
#define NABLA_KERNEL_ITEM(k) NABLA_KBC_##k
inline constexpr bool kBinaryIsComparison[] = {NABLA_KERNEL_LIST()};  // output dtype bool
#undef NABLA_KERNEL_ITEM
#define NABLA_KERNEL_ITEM(k) NABLA_KU_##k
enum class Unary : int8_t { NABLA_KERNEL_LIST() };
#undef NABLA_KERNEL_ITEM
#define NABLA_KERNEL_ITEM(k) NABLA_KUF_##k
inline constexpr bool kUnaryNeedsFloating[] = {NABLA_KERNEL_LIST()};  // integer inputs -> float32
#undef NABLA_KERNEL_ITEM
struct UnaryArgs {
  double a = 0, b = 0;              // leaky slope | softplus beta, threshold | clamp min, max | pow exponent
  bool has_a = true, has_b = true;  // clamp: which bounds are set
};
bool binary_is_comparison(Binary op);  // output dtype bool
bool unary_needs_floating(Unary op);   // integer inputs compute in float32 (exp, log, ...)

// out = op(a, b), with alpha scaling b for Add/Sub. a, b are broadcast to out's shape.
void binary(Binary op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1);
void unary(Unary op, const Tensor& out, const Tensor& x, const UnaryArgs& args = {});
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
void copy(const Tensor& dst, const Tensor& src);  // src broadcast to dst's shape; converts dtype
void fill(const Tensor& dst, Scalar value);

enum class Reduce : int8_t { Sum, Prod, Max, Min, All, Any };
// out has x's rank with size 1 on the reduced dims (keepdim layout).
void reduce(Reduce op, const Tensor& out, const Tensor& x);
// Along one dim: values and int64 indices (keepdim layout).
void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim);
void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log);
void logsumexp(const Tensor& out, const Tensor& x, int64_t dim);  // one dim, keepdim layout
void cumsum(const Tensor& out, const Tensor& x, int64_t dim);
void cumprod(const Tensor& out, const Tensor& x, int64_t dim);
void sort(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending,
          int64_t k);  // first k of each lane (k = size for a full sort); stable
// out[i] = the insertion point of values[i] in its sorted row: the first boundary >= the value (> when
// right). `sorted` is 1-d, or has one row per row of values; contiguous, one dtype; out int64 or int32.
void searchsorted(const Tensor& out, const Tensor& sorted, const Tensor& values, bool right);

void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index);
void index_add(const Tensor& out, int64_t dim, const Tensor& index,
               const Tensor& src);  // out[.., idx[i], ..] += src
void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index);
void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate);
void masked_select(const Tensor& out, const Tensor& x, const Tensor& mask);     // x, mask broadcast; out 1-d
void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& src);  // inverse of masked_select
int64_t count_nonzero(const Tensor& x);
void nonzero(const Tensor& out, const Tensor& x);  // out: [count, ndim] int64

// out[b] = a[b] @ b[b] (+ bias, a contiguous [N] row added to every output row, when defined) for
// rank-3 operands (batch may be broadcast with stride 0), or all three rank 2; any strides. The bias is added
// after the product, so the result equals a separate `+ bias` bit for bit.
void matmul(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& bias = {});
// out = x @ w^T (+ bias) for 2-D x [M, K] and w [N, K] (nn.Linear's weight), same dtype, without a
// transposed view of w.
void linear(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias = {});

void random_uniform(const Tensor& out, double from, double to, RandomGenerator& gen);
// out (contiguous float32/float64) = 1/(1-p) where a uniform draw >= p, else 0: dropout's keep-mask in
// one pass, the same draws and values as rand(), `>= p`, convert and scale (so seeded runs don't change).
void dropout_mask(const Tensor& out, double p, RandomGenerator& gen);
void random_normal(const Tensor& out, double mean, double std, RandomGenerator& gen);

}  // namespace nabla::kernels
