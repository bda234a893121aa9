// op_table.h — the one list of nabla's ops. Everything about an op that is not its forward, its
// derivative or its kernel lambda is derived from its row here; see Note [Op table rows].
#pragma once
#include <cstdint>
#include <string_view>

// Note [Op table rows]
// A row is X(name, arity, diff, dbl, forms, kernel, params...):
//   name    the op's name (OpId::name, op_info().name, the grad_fn name "NameBackward0", the
//           golden-file key).
//   arity   number of tensor inputs (-1: a list). The first one is `self`; the others are in params.
//   diff    differentiable: backward exists and every golden gradient case is gradchecked.
//   dbl     double backward is tested (gradgradcheck in tests/autograd/gradcheck_test.cpp).
//   forms   which declarations the row generates, from params:
//             F    free function `Tensor name(const Tensor& self, params)` in nabla/ops/ops.h
//             M    method `Tensor Tensor::name(params) const` in nabla/tensor/tensor.h, defined by
//                  hand next to the op (views, indexing)
//             FM   both; the method is a one-line forwarder to the function (tensor_methods.cpp)
//             FMI / MI  and an in-place method `Tensor& name_(params)` (Note [In-place ops and
//                  autograd]), generated in tensor_methods.cpp
//             custom  irregular signature (overload sets, list inputs or outputs, nn::functional):
//                  declared and invoked by hand; the trailing comment says where.
//           Generated rows also get their test invoker (tests/support/op_registry.cpp), which reads
//           each param from the golden case's args by its name, or uses its default.
//   kernel  the elementwise kernel enumerator this op adds (src/ops/kernels.h):
//             U(E) kernels::Unary::E, UF(E) the same computed in floating point for integer inputs,
//             B(E) kernels::Binary::E, BC(E) a comparison (bool output), none.
//   params  (type, name[, default]) per parameter after self, in signature order. Names are the
//           golden-file vocabulary (tests/golden/gen_golden.py's args).
// Example: X(leaky_relu, 1, true, true, FM, UF(LeakyRelu), (double, negative_slope, 0.01)) gives
//   Tensor leaky_relu(const Tensor& self, double negative_slope = 0.01);          (ops.h)
//   Tensor Tensor::leaky_relu(double negative_slope = 0.01) const;                (tensor.h, forwarder)
//   kernels::Unary::LeakyRelu, floating compute;  invoker: a.d("negative_slope", 0.01).
// So a new elementwise unary op is: its row, forward + derivative in src/autograd/functions/unary.cpp,
// its kernel lambda in src/ops/cpu/elementwise.cpp, and its cases in tests/golden/gen_golden.py.

// ---- preprocessor helpers (C++20 __VA_OPT__) ----------------------------------------------------
#define NABLA_PP_E1(...) __VA_ARGS__
#define NABLA_PP_E2(...) NABLA_PP_E1(NABLA_PP_E1(__VA_ARGS__))
#define NABLA_PP_E4(...) NABLA_PP_E2(NABLA_PP_E2(__VA_ARGS__))
#define NABLA_PP_PARENS ()
// NABLA_PP_FOR_EACH(M, (a, b), (c, d)) -> M(a, b) M(c, d); up to 8 tuples (more: a compile error).
#define NABLA_PP_FOR_EACH(M, ...) __VA_OPT__(NABLA_PP_E4(NABLA_PP_FOR_EACH_I(M, __VA_ARGS__)))
#define NABLA_PP_FOR_EACH_I(M, p, ...) M p __VA_OPT__(NABLA_PP_FOR_EACH_AGAIN NABLA_PP_PARENS(M, __VA_ARGS__))
#define NABLA_PP_FOR_EACH_AGAIN() NABLA_PP_FOR_EACH_I
// Drops the first element: NABLA_PP_TAIL(_ , a, b) -> a, b (turns ", x, y" lists into "x, y").
#define NABLA_PP_TAIL(...) NABLA_PP_TAIL_I(__VA_ARGS__)
#define NABLA_PP_TAIL_I(first, ...) __VA_ARGS__

// Param tuple -> text. Each starts with a comma (self or a dummy comes first).
#define NABLA_P_DECL(type, name, ...) , type name __VA_OPT__(= __VA_ARGS__)
#define NABLA_P_DEF(type, name, ...) , type name
#define NABLA_P_NAME(type, name, ...) , name
#define NABLA_PARAMS_DECL(...) NABLA_PP_FOR_EACH(NABLA_P_DECL, __VA_ARGS__)
#define NABLA_PARAMS_DEF(...) NABLA_PP_FOR_EACH(NABLA_P_DEF, __VA_ARGS__)
#define NABLA_PARAMS_NAMES(...) NABLA_PP_FOR_EACH(NABLA_P_NAME, __VA_ARGS__)

// forms -> the pieces a use site asks for: NABLA_FORM_<forms>(fn, method, forwarder, method_only, inplace).
#define NABLA_FORM_F(fn, method, fwd, monly, inplace) fn
#define NABLA_FORM_FM(fn, method, fwd, monly, inplace) fn method fwd
#define NABLA_FORM_FMI(fn, method, fwd, monly, inplace) fn method fwd inplace
#define NABLA_FORM_M(fn, method, fwd, monly, inplace) method monly
#define NABLA_FORM_MI(fn, method, fwd, monly, inplace) method monly inplace
#define NABLA_FORM_custom(fn, method, fwd, monly, inplace)

// Declarations (expanded in ops.h at namespace scope and in tensor.h inside class Tensor).
#define NABLA_OP_FN_DECL(name, arity, diff, dbl, forms, kernel, ...) \
  NABLA_FORM_##forms(Tensor name(const Tensor& self NABLA_PARAMS_DECL(__VA_ARGS__));, , , , )
#define NABLA_OP_METHOD_DECL(name, arity, diff, dbl, forms, kernel, ...)                   \
  NABLA_FORM_##forms(, Tensor name(NABLA_PP_TAIL(_ NABLA_PARAMS_DECL(__VA_ARGS__))) const; \
                     , , , Tensor & name##_(NABLA_PP_TAIL(_ NABLA_PARAMS_DECL(__VA_ARGS__)));)

// clang-format off
#define NABLA_FOREACH_OP(X)                                                                        \
  /* elementwise binary (broadcasting, type promotion); Scalar overloads are hand-written */      \
  X(add, 2, true, true, FMI, B(Add), (const Tensor&, other), (Scalar, alpha, 1))                  \
  X(sub, 2, true, true, FMI, B(Sub), (const Tensor&, other), (Scalar, alpha, 1))                  \
  X(mul, 2, true, true, FMI, B(Mul), (const Tensor&, other))                                      \
  X(div, 2, true, true, FMI, B(Div), (const Tensor&, other))                                      \
  X(pow, 2, true, true, FM, B(Pow), (const Tensor&, exponent))                                    \
  X(pow_scalar, 1, true, true, custom, U(PowScalar)) /* pow(Tensor, Scalar): overload of pow */   \
  X(minimum, 2, true, true, FM, B(Minimum), (const Tensor&, other))                               \
  X(maximum, 2, true, true, FM, B(Maximum), (const Tensor&, other))                               \
  X(where, 3, true, true, F, none, (const Tensor&, input), (const Tensor&, other))                \
  X(eq, 2, false, false, FM, BC(Eq), (const Tensor&, other))                                      \
  X(ne, 2, false, false, FM, BC(Ne), (const Tensor&, other))                                      \
  X(lt, 2, false, false, FM, BC(Lt), (const Tensor&, other))                                      \
  X(le, 2, false, false, FM, BC(Le), (const Tensor&, other))                                      \
  X(gt, 2, false, false, FM, BC(Gt), (const Tensor&, other))                                      \
  X(ge, 2, false, false, FM, BC(Ge), (const Tensor&, other))                                      \
  X(logical_and, 2, false, false, FM, BC(LogicalAnd), (const Tensor&, other))                     \
  X(logical_or, 2, false, false, FM, BC(LogicalOr), (const Tensor&, other))                       \
  X(logical_xor, 2, false, false, FM, BC(LogicalXor), (const Tensor&, other))                     \
  /* elementwise unary */                                                                          \
  X(neg, 1, true, true, FMI, U(Neg))                                                               \
  X(exp, 1, true, true, FMI, UF(Exp))                                                              \
  X(log, 1, true, true, FMI, UF(Log))                                                              \
  X(log1p, 1, true, true, FMI, UF(Log1p))                                                          \
  X(sqrt, 1, true, true, FMI, UF(Sqrt))                                                            \
  X(rsqrt, 1, true, true, FMI, UF(Rsqrt))                                                          \
  X(abs, 1, true, true, FMI, U(Abs))                                                               \
  X(sign, 1, true, true, FMI, U(Sign))                                                             \
  X(sin, 1, true, true, FMI, UF(Sin))                                                              \
  X(cos, 1, true, true, FMI, UF(Cos))                                                              \
  X(tanh, 1, true, true, FMI, UF(Tanh))                                                            \
  X(sigmoid, 1, true, true, FMI, UF(Sigmoid))                                                      \
  X(relu, 1, true, true, FM, U(Relu)) /* relu_: unary.cpp */                                       \
  X(leaky_relu, 1, true, true, FM, UF(LeakyRelu), (double, negative_slope, 0.01))                  \
  X(gelu, 1, true, true, FM, UF(Gelu), (const std::string&, approximate, "none"))                  \
  X(softplus, 1, true, true, FM, UF(Softplus), (double, beta, 1), (double, threshold, 20))         \
  X(clamp, 1, true, true, FMI, U(Clamp), (std::optional<Scalar>, min),                             \
    (std::optional<Scalar>, max, std::nullopt))                                                    \
  X(floor, 1, true, true, FMI, U(Floor))                                                           \
  X(ceil, 1, true, true, FMI, U(Ceil))                                                             \
  X(round, 1, true, true, FMI, U(Round))                                                           \
  X(logical_not, 1, false, false, FMI, U(LogicalNot))                                              \
  X(to_dtype, 1, true, true, F, none, (DType, dtype))                                              \
  X(erf, 1, true, true, FMI, UF(Erf))                                                              \
  X(expm1, 1, true, true, FMI, UF(Expm1))                                                          \
  /* reductions and scans */                                                                       \
  X(sum, 1, true, true, custom, none) /* overloads: all elements | dims (ops.h, tensor.h) */      \
  X(mean, 1, true, true, custom, none) /* overloads */                                             \
  X(prod, 1, true, false, custom, none) /* overloads */                                            \
  X(max, 1, true, false, custom, none) /* overloads; (values, indices) along a dim */              \
  X(min, 1, true, false, custom, none) /* overloads; (values, indices) along a dim */              \
  X(argmax, 1, false, false, FM, none, (std::optional<int64_t>, dim, std::nullopt), (bool, keepdim, false)) \
  X(argmin, 1, false, false, FM, none, (std::optional<int64_t>, dim, std::nullopt), (bool, keepdim, false)) \
  X(var, 1, true, false, FM, none, (std::optional<std::vector<int64_t>>, dims, std::nullopt),      \
    (int64_t, correction, 1), (bool, keepdim, false))                                              \
  X(std, 1, true, false, FM, none, (std::optional<std::vector<int64_t>>, dims, std::nullopt),      \
    (int64_t, correction, 1), (bool, keepdim, false))                                              \
  X(norm, 1, true, false, FM, none, (double, p, 2),                                                \
    (std::optional<std::vector<int64_t>>, dims, std::nullopt), (bool, keepdim, false))             \
  X(logsumexp, 1, true, false, FM, none, (IntArrayRef, dims), (bool, keepdim, false))              \
  X(softmax, 1, true, false, FM, none, (int64_t, dim))                                             \
  X(log_softmax, 1, true, false, FM, none, (int64_t, dim))                                         \
  X(cumsum, 1, true, false, FM, none, (int64_t, dim))                                              \
  X(all, 1, false, false, custom, none) /* overloads */                                            \
  X(any, 1, false, false, custom, none) /* overloads */                                            \
  X(topk, 1, true, false, custom, none) /* returns (values, indices) */                            \
  X(sort, 1, true, false, custom, none) /* returns (values, indices) */                            \
  /* shape and views (methods defined in src/autograd/functions/views.cpp) */                     \
  X(view, 1, true, false, M, none, (IntArrayRef, shape))                                           \
  X(reshape, 1, true, false, M, none, (IntArrayRef, shape))                                        \
  X(flatten, 1, true, false, M, none, (int64_t, start_dim, 0), (int64_t, end_dim, -1))             \
  X(unflatten, 1, true, false, M, none, (int64_t, dim), (IntArrayRef, sizes))                      \
  X(transpose, 1, true, false, M, none, (int64_t, dim0), (int64_t, dim1))                          \
  X(permute, 1, true, false, M, none, (IntArrayRef, dims))                                         \
  X(squeeze, 1, true, false, custom, none) /* overloads: all size-1 dims | one dim */             \
  X(unsqueeze, 1, true, false, M, none, (int64_t, dim))                                            \
  X(expand, 1, true, false, M, none, (IntArrayRef, sizes))                                         \
  X(narrow, 1, true, false, M, none, (int64_t, dim), (int64_t, start), (int64_t, length))          \
  X(select, 1, true, false, M, none, (int64_t, dim), (int64_t, index))                             \
  X(slice, 1, true, false, M, none, (int64_t, dim), (Slice::Bound, start, None),                   \
    (Slice::Bound, end, None), (int64_t, step, 1))                                                 \
  X(cat, -1, true, false, custom, none) /* list input */                                           \
  X(stack, -1, true, false, custom, none) /* list input */                                         \
  X(split, 1, true, false, custom, none) /* list output */                                         \
  X(chunk, 1, true, false, custom, none) /* list output */                                         \
  X(clone, 1, true, false, M, none)                                                                \
  X(contiguous, 1, true, false, custom, none) /* overloads: MemoryFormat */                        \
  /* indexing (methods defined in src/autograd/functions/indexing.cpp) */                          \
  X(index_select, 2, true, false, M, none, (int64_t, dim), (const Tensor&, index))                 \
  X(gather, 2, true, false, M, none, (int64_t, dim), (const Tensor&, index))                       \
  X(scatter, 3, true, false, M, none, (int64_t, dim), (const Tensor&, index), (const Tensor&, src)) \
  X(scatter_add, 3, true, false, M, none, (int64_t, dim), (const Tensor&, index), (const Tensor&, src)) \
  X(masked_fill, 2, true, false, MI, none, (const Tensor&, mask), (Scalar, value))                 \
  X(masked_select, 2, true, false, M, none, (const Tensor&, mask))                                 \
  X(index, -1, true, false, custom, none) /* TensorIndex lists (tensor_index.cpp) */              \
  X(nonzero, 1, false, false, M, none)                                                             \
  X(one_hot, 1, false, false, F, none, (int64_t, num_classes, -1))                                 \
  /* tensor ops of issue #17 item 9 (shape_ops.cpp, scan_sort.cpp, pointwise.cpp, einsum.cpp) */    \
  X(cumprod, 1, true, false, FM, none, (int64_t, dim), (std::optional<DType>, dtype, std::nullopt))  \
  X(amax, 1, true, true, FM, none, (IntArrayRef, dim, IntArrayRef{}), (bool, keepdim, false))        \
  X(amin, 1, true, true, FM, none, (IntArrayRef, dim, IntArrayRef{}), (bool, keepdim, false))        \
  X(flip, 1, true, true, FM, none, (IntArrayRef, dims))                                              \
  X(roll, 1, true, true, FM, none, (IntArrayRef, shifts), (IntArrayRef, dims, IntArrayRef{}))        \
  X(repeat, 1, true, true, M, none, (IntArrayRef, repeats))                                          \
  X(tril, 1, true, true, FMI, none, (int64_t, diagonal, 0))                                          \
  X(triu, 1, true, true, FMI, none, (int64_t, diagonal, 0))                                          \
  X(diag, 1, true, true, FM, none, (int64_t, diagonal, 0))                                           \
  X(diagonal, 1, true, true, FM, none, (int64_t, offset, 0), (int64_t, dim1, 0), (int64_t, dim2, 1)) \
  X(split_with_sizes, 1, true, false, custom, none) /* list output (ops.h, tensor.h) */             \
  X(view_as, 2, true, false, M, none, (const Tensor&, other))                                        \
  X(new_empty, 1, false, false, custom, none) /* methods with TensorOptions (tensor.h) */           \
  X(new_zeros, 1, false, false, custom, none) X(new_ones, 1, false, false, custom, none)            \
  X(new_full, 1, false, false, custom, none)                                                        \
  X(new_tensor, 2, false, false, custom, none) /* data: a Tensor (or a NestedList) */               \
  X(allclose, 2, false, false, custom, none) /* bool result (ops.h, tensor.h) */                    \
  X(equal, 2, false, false, custom, none) /* bool result (ops.h, tensor.h) */                       \
  X(isnan, 1, false, false, FM, none)                                                                \
  X(isinf, 1, false, false, FM, none)                                                                \
  X(isfinite, 1, false, false, FM, none)                                                             \
  X(nan_to_num, 1, true, true, FMI, none, (double, nan, 0.0), (std::optional<double>, posinf, std::nullopt), \
    (std::optional<double>, neginf, std::nullopt))                                                   \
  X(meshgrid, -1, true, false, custom, none) /* list input and output (ops.h) */                    \
  X(bucketize, 2, false, false, F, none, (const Tensor&, boundaries), (bool, out_int32, false),      \
    (bool, right, false))                                                                            \
  X(searchsorted, 2, false, false, F, none, (const Tensor&, input), (bool, out_int32, false),        \
    (bool, right, false), (std::optional<std::string>, side, std::nullopt)) /* self: sorted_sequence */ \
  X(argsort, 1, false, false, FM, none, (int64_t, dim, -1), (bool, descending, false), (bool, stable, false)) \
  X(unique, 1, false, false, custom, none) /* tuple result (ops.h, tensor.h) */                     \
  X(masked_scatter, 3, true, false, FMI, none, (const Tensor&, mask), (const Tensor&, source))       \
  X(lerp, 3, true, true, FMI, none, (const Tensor&, end), (const Tensor&, weight))                   \
  X(lerp_scalar, 2, true, true, custom, none) /* lerp(Tensor, Tensor, Scalar): overload of lerp */  \
  X(addcmul, 3, true, true, FMI, none, (const Tensor&, tensor1), (const Tensor&, tensor2), (Scalar, value, 1)) \
  X(addcdiv, 3, true, true, FMI, none, (const Tensor&, tensor1), (const Tensor&, tensor2), (Scalar, value, 1)) \
  X(einsum, -1, true, false, custom, none) /* equation + list input (ops.h) */                      \
  /* linear algebra (oneDNN) */                                                                    \
  X(matmul, 2, true, true, FM, none, (const Tensor&, other))                                       \
  X(mm, 2, true, true, FM, none, (const Tensor&, other))                                           \
  X(bmm, 2, true, false, FM, none, (const Tensor&, other))                                         \
  X(addmm, 3, true, false, F, none, (const Tensor&, mat1), (const Tensor&, mat2), (Scalar, beta, 1), \
    (Scalar, alpha, 1))                                                                            \
  X(dot, 2, true, false, FM, none, (const Tensor&, other))                                         \
  X(outer, 2, true, false, FM, none, (const Tensor&, other))                                       \
  /* creation (ops.h: overloads and TensorOptions) */                                              \
  X(arange, 0, false, false, custom, none) X(linspace, 0, false, false, custom, none)              \
  X(eye, 0, false, false, custom, none)                                                            \
  /* nn (declared in nabla/nn/functional.h: option structs) */                                     \
  X(linear, 3, true, false, custom, none) X(conv1d, 3, true, false, custom, none)                  \
  X(conv2d, 3, true, false, custom, none) X(conv_transpose2d, 3, true, false, custom, none)        \
  X(max_pool2d, 1, true, false, custom, none) X(avg_pool2d, 1, true, false, custom, none)          \
  X(adaptive_avg_pool2d, 1, true, false, custom, none) X(batch_norm, 5, true, false, custom, none) \
  X(batch_norm_relu, 5, true, false, custom, none) /* relu(batch_norm): one pass less each way */  \
  X(layer_norm, 3, true, false, custom, none) X(group_norm, 3, true, false, custom, none)          \
  X(dropout, 1, true, false, custom, none) X(embedding, 2, true, false, custom, none)              \
  X(elu, 1, true, true, custom, none) X(silu, 1, true, true, custom, none)                         \
  /* torch.nn.functional activations and layers (ops-nn block; prelu, pixel_shuffle: nn_ops.cpp) */  \
  X(hardtanh, 1, true, true, F, none, (double, min_val, -1), (double, max_val, 1))                 \
  X(selu, 1, true, true, F, UF(Selu))                                                              \
  X(celu, 1, true, true, F, UF(Celu), (double, alpha, 1))                                          \
  X(mish, 1, true, true, F, UF(Mish))                                                              \
  X(hardswish, 1, true, true, F, UF(Hardswish))                                                    \
  X(hardsigmoid, 1, true, true, F, UF(Hardsigmoid))                                                \
  X(logsigmoid, 1, true, true, F, UF(LogSigmoid))                                                  \
  X(softsign, 1, true, true, F, UF(Softsign))                                                      \
  X(prelu, 2, true, true, F, none, (const Tensor&, weight))                                        \
  X(pixel_shuffle, 1, true, false, F, none, (int64_t, upscale_factor))                             \
  X(pixel_unshuffle, 1, true, false, F, none, (int64_t, downscale_factor))                         \
  X(interpolate, 1, true, false, custom, none) /* nabla/nn/functional.h: InterpolateOptions */    \
  /* losses (nabla/nn/functional.h) */                                                             \
  X(mse_loss, 2, true, false, custom, none) X(l1_loss, 2, true, false, custom, none)               \
  X(smooth_l1_loss, 2, true, false, custom, none) X(huber_loss, 2, true, false, custom, none)      \
  X(binary_cross_entropy, 3, true, false, custom, none)                                            \
  X(binary_cross_entropy_with_logits, 4, true, false, custom, none)                                \
  X(cross_entropy, 3, true, false, custom, none) X(nll_loss, 3, true, false, custom, none)         \
  X(kl_div, 2, true, false, custom, none)
// clang-format on

namespace nabla {

enum class OpId : int16_t {
#define NABLA_OP_ENUM(name, ...) name,
  NABLA_FOREACH_OP(NABLA_OP_ENUM)
#undef NABLA_OP_ENUM
};

inline constexpr int kNumOps = 0
#define NABLA_OP_COUNT(name, ...) +1
    NABLA_FOREACH_OP(NABLA_OP_COUNT)
#undef NABLA_OP_COUNT
    ;

struct OpInfo {
  std::string_view name;
  int arity;
  bool differentiable;
  bool double_backward;  // gradgradcheck runs on its golden cases
  bool generated;        // declarations and test invoker come from the row (forms != custom)
};

inline constexpr OpInfo kOpInfo[] = {
// `false NABLA_FORM_x(|| true, ...)` is true for every form but custom; an unknown form is an
// undeclared identifier here, so every row is either generated or explicitly custom.
#define NABLA_OP_INFO(name, arity, diff, dbl, forms, ...) \
  {#name, arity, diff, dbl, false NABLA_FORM_##forms(|| true, , , || true, )},
    NABLA_FOREACH_OP(NABLA_OP_INFO)
#undef NABLA_OP_INFO
};
static_assert(sizeof(kOpInfo) / sizeof(kOpInfo[0]) == kNumOps, "op table and info out of sync");

// Only differentiable ops may claim a double-backward test.
static_assert(
    [] {
      for (const OpInfo& info : kOpInfo)
        if (info.double_backward && !info.differentiable) return false;
      return true;
    }(),
    "op table: a row with dbl = true must be differentiable");

inline const OpInfo& op_info(OpId op) { return kOpInfo[static_cast<int>(op)]; }

}  // namespace nabla
