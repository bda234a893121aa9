// op_table.h — the one list of nabla's ops. Everything else derives from it:
//   * the OpId enum and op names (below),
//   * grad_fn names ("AddBackward0", derived in autograd),
//   * the generic invokers used by the golden and gradcheck sweeps (tests/support/op_registry.cpp,
//     which static_asserts it covers every row),
//   * the test that fails when an op lacks a golden forward case, golden gradient case or gradcheck.
// Columns: X(name, number of tensor inputs (-1: a list), differentiable).
// The forward and the derivative of each op sit side by side in src/autograd/functions/<family>.cpp.
#pragma once
#include <cstdint>
#include <string_view>

#define NABLA_FOREACH_OP(X)                                                                      \
  /* elementwise binary (broadcasting, type promotion) */                                       \
  X(add, 2, true) X(sub, 2, true) X(mul, 2, true) X(div, 2, true) X(pow, 2, true)                \
  X(pow_scalar, 1, true) X(minimum, 2, true) X(maximum, 2, true) X(where, 3, true)               \
  X(eq, 2, false) X(ne, 2, false) X(lt, 2, false) X(le, 2, false) X(gt, 2, false) X(ge, 2, false) \
  X(logical_and, 2, false) X(logical_or, 2, false) X(logical_xor, 2, false)                      \
  /* elementwise unary */                                                                        \
  X(neg, 1, true) X(exp, 1, true) X(log, 1, true) X(log1p, 1, true) X(sqrt, 1, true)             \
  X(rsqrt, 1, true) X(abs, 1, true) X(sign, 1, true) X(sin, 1, true) X(cos, 1, true)             \
  X(tanh, 1, true) X(sigmoid, 1, true) X(relu, 1, true) X(leaky_relu, 1, true) X(gelu, 1, true)  \
  X(softplus, 1, true) X(clamp, 1, true) X(floor, 1, true) X(ceil, 1, true) X(round, 1, true)    \
  X(logical_not, 1, false) X(to_dtype, 1, true) X(erf, 1, true)                                                  \
  /* reductions and scans */                                                                     \
  X(sum, 1, true) X(mean, 1, true) X(prod, 1, true) X(max, 1, true) X(min, 1, true)              \
  X(argmax, 1, false) X(argmin, 1, false) X(var, 1, true) X(std, 1, true) X(norm, 1, true)       \
  X(logsumexp, 1, true) X(softmax, 1, true) X(log_softmax, 1, true) X(cumsum, 1, true)           \
  X(all, 1, false) X(any, 1, false) X(topk, 1, true) X(sort, 1, true)                            \
  /* shape and views */                                                                          \
  X(view, 1, true) X(reshape, 1, true) X(flatten, 1, true) X(unflatten, 1, true)                 \
  X(transpose, 1, true) X(permute, 1, true) X(squeeze, 1, true) X(unsqueeze, 1, true)            \
  X(expand, 1, true) X(narrow, 1, true) X(select, 1, true) X(slice, 1, true)                     \
  X(cat, -1, true) X(stack, -1, true) X(split, 1, true) X(chunk, 1, true) X(clone, 1, true)      \
  X(contiguous, 1, true)                                                                         \
  /* indexing */                                                                                 \
  X(index_select, 2, true) X(gather, 2, true) X(scatter, 3, true) X(scatter_add, 3, true)        \
  X(masked_fill, 2, true) X(masked_select, 2, true) X(index, -1, true) X(nonzero, 1, false)      \
  X(one_hot, 1, false)                                                                           \
  /* linear algebra (oneDNN) */                                                                  \
  X(matmul, 2, true) X(mm, 2, true) X(bmm, 2, true) X(addmm, 3, true) X(dot, 2, true)            \
  X(outer, 2, true)                                                                              \
  /* creation */                                                                                 \
  X(arange, 0, false) X(linspace, 0, false) X(eye, 0, false)                                     \
  /* nn (nabla::nn::functional) */                                                               \
  X(linear, 3, true) X(conv1d, 3, true) X(conv2d, 3, true) X(conv_transpose2d, 3, true)          \
  X(max_pool2d, 1, true) X(avg_pool2d, 1, true) X(adaptive_avg_pool2d, 1, true)                  \
  X(batch_norm, 5, true) X(layer_norm, 3, true) X(group_norm, 3, true) X(dropout, 1, true)       \
  X(embedding, 2, true) X(elu, 1, true) X(silu, 1, true)                                         \
  /* losses */                                                                                   \
  X(mse_loss, 2, true) X(l1_loss, 2, true) X(smooth_l1_loss, 2, true) X(huber_loss, 2, true)     \
  X(binary_cross_entropy, 3, true) X(binary_cross_entropy_with_logits, 4, true)                  \
  X(cross_entropy, 3, true) X(nll_loss, 3, true) X(kl_div, 2, true)

namespace nabla {

enum class OpId : int16_t {
#define NABLA_OP_ENUM(name, arity, diff) name,
  NABLA_FOREACH_OP(NABLA_OP_ENUM)
#undef NABLA_OP_ENUM
};

inline constexpr int kNumOps = 0
#define NABLA_OP_COUNT(name, arity, diff) +1
    NABLA_FOREACH_OP(NABLA_OP_COUNT)
#undef NABLA_OP_COUNT
    ;

struct OpInfo {
  std::string_view name;
  int arity;
  bool differentiable;
};

inline constexpr OpInfo kOpInfo[] = {
#define NABLA_OP_INFO(name, arity, diff) {#name, arity, diff},
    NABLA_FOREACH_OP(NABLA_OP_INFO)
#undef NABLA_OP_INFO
};
static_assert(sizeof(kOpInfo) / sizeof(kOpInfo[0]) == kNumOps, "op table and info out of sync");

inline const OpInfo& op_info(OpId op) { return kOpInfo[static_cast<int>(op)]; }

}  // namespace nabla
