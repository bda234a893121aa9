// linalg.cpp — mm/bmm on the matmul kernel with derivatives; matmul, dot,
// outer and addmm are compositions, so their derivatives (and double backward) follow.
#include "autograd/functions/common.h"

namespace nabla {

namespace {
void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.dtype() == b.dtype(), DTypeError,
              "{}: expected both operands to have the same dtype, but got {} and {}", op,
              dtype_name(a.dtype()), dtype_name(b.dtype()));
}
// Runs the kernel on rank-3 views: [B, M, K] @ [B, K, N] -> [B, M, N].
Tensor batched_product(const Tensor& a3, const Tensor& b3) {
  Tensor out = raw::empty({a3.size(0), a3.size(1), b3.size(2)}, a3.dtype());
  kernels::matmul(out, a3, b3);
  return out;
}
// The gradient of an mm operand, `lhs @ rhs`, laid out like the operand: for a column-major operand (the
// w.t() of nn.Linear) it is computed as (rhs^T @ lhs^T)^T, so the transpose's backward hands the leaf a
// contiguous gradient that AccumulateGrad can keep instead of copying (PyTorch's mm_mat1/mat2_backward).
Tensor mm_operand_grad(const Tensor& lhs, const Tensor& rhs, const Tensor& operand) {
  const bool column_major = operand.stride(0) == 1 && operand.stride(1) == operand.size(0) &&
                            operand.size(0) > 1 && operand.size(1) > 1;
  return column_major ? mm(rhs.t(), lhs.t()).t() : mm(lhs, rhs);
}
}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_defined("mm", a, b);
  NABLA_CHECK(a.dim() == 2 && b.dim() == 2, ShapeError, "mm: expected 2-D tensors, got shapes {} and {}",
              shape_str(a.sizes()), shape_str(b.sizes()));
  NABLA_CHECK(a.size(1) == b.size(0), ShapeError,
              "mm: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})", a.size(0), a.size(1),
              b.size(0), b.size(1));
  check_same_dtype("mm", a, b);
  Tensor out = raw::empty({a.size(0), b.size(1)}, a.dtype());
  kernels::matmul(out, a, b);
  if (should_record({&a, &b}))
    record(OpId::mm, {a, b}, {out}, {.inputs = {0, 1}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor &a = ctx.input(0), &b = ctx.input(1);
             return {ctx.needs_grad[0] ? mm_operand_grad(g[0], b.t(), a) : Tensor(),
                     ctx.needs_grad[1] ? mm_operand_grad(a.t(), g[0], b) : Tensor()};
           });
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_defined("bmm", a, b);
  NABLA_CHECK(a.dim() == 3 && b.dim() == 3, ShapeError, "bmm: expected 3-D tensors, got shapes {} and {}",
              shape_str(a.sizes()), shape_str(b.sizes()));
  NABLA_CHECK(a.size(0) == b.size(0) && a.size(2) == b.size(1), ShapeError,
              "bmm: shapes {} and {} cannot be multiplied (batch sizes and inner dimensions must match)",
              shape_str(a.sizes()), shape_str(b.sizes()));
  check_same_dtype("bmm", a, b);
  Tensor out = batched_product(a, b);
  if (should_record({&a, &b}))
    record(OpId::bmm, {a, b}, {out}, {.inputs = {0, 1}},
           [](const BackwardContext& ctx, const TensorList& g) -> TensorList {
             const Tensor &a = ctx.input(0), &b = ctx.input(1);
             return {ctx.needs_grad[0] ? bmm(g[0], b.transpose(1, 2)) : Tensor(),
                     ctx.needs_grad[1] ? bmm(a.transpose(1, 2), g[0]) : Tensor()};
           });
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  check_defined("dot", a, b);
  NABLA_CHECK(a.dim() == 1 && b.dim() == 1, ShapeError,
              "dot: 1D tensors expected, but got {}D and {}D tensors", a.dim(), b.dim());
  NABLA_CHECK(
      a.size(0) == b.size(0), ShapeError,
      "dot: inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements",
      a.size(0), b.size(0));
  check_same_dtype("dot", a, b);
  return mm(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
}

Tensor outer(const Tensor& a, const Tensor& b) {
  check_defined("outer", a, b);
  NABLA_CHECK(a.dim() == 1 && b.dim() == 1, ShapeError, "outer: 1D tensors expected, got shapes {} and {}",
              shape_str(a.sizes()), shape_str(b.sizes()));
  return a.unsqueeze(1) * b.unsqueeze(0);
}

Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {
  check_defined("addmm", input, a, b);
  // nn.Linear's case without autograd (inference): the bias row is added inside the product's kernel,
  // which saves a pass and an allocation; the result equals `input + mm(a, b)` bit for bit.
  if (beta.to_double() == 1 && alpha.to_double() == 1 && input.dim() == 1 && a.dim() == 2 && b.dim() == 2 &&
      a.size(1) == b.size(0) && input.size(0) == b.size(1) && input.dtype() == a.dtype() &&
      a.dtype() == b.dtype() && !should_record({&input, &a, &b})) {
    Tensor out = raw::empty({a.size(0), b.size(1)}, a.dtype());
    kernels::matmul(out, a, b, input.contiguous());
    return out;
  }
  // PyTorch converts beta and alpha to the tensors' dtype: an integer addmm truncates 1.5 to 1 (and
  // stays integer; a floating Scalar promoted it to float32).
  if (!is_floating(a.dtype()) && a.dtype() != DType::Bool) {
    beta = Scalar(beta.to_int());
    alpha = Scalar(alpha.to_int());
  }
  Tensor p = mm(a, b);
  if (alpha.to_double() != 1) p = p * alpha;
  if (beta.to_double() == 0) return p;  // PyTorch: beta=0 ignores input entirely (even NaN/inf)
  return beta.to_double() == 1 ? input + p : input * beta + p;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_defined("matmul", a, b);
  NABLA_CHECK(a.dim() > 0 && b.dim() > 0, ShapeError,
              "matmul: both arguments need to be at least 1D, but they are {}D and {}D", a.dim(), b.dim());
  const int64_t da = a.dim(), db = b.dim();
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mm(a, b.unsqueeze(1)).squeeze(1);
  if (da == 1 && db == 2) return mm(a.unsqueeze(0), b).squeeze(0);
  if (da == 2 && db == 2) return mm(a, b);
  // Batched: broadcast the batch dims, fold them into one, bmm, unfold.
  Tensor a2 = da == 1 ? a.unsqueeze(0) : a, b2 = db == 1 ? b.unsqueeze(1) : b;
  const int64_t M = a2.size(-2), K = a2.size(-1), K2 = b2.size(-2), N = b2.size(-1);
  NABLA_CHECK(K == K2, ShapeError, "matmul: shapes {} and {} cannot be multiplied ({}x{} and {}x{})",
              shape_str(a.sizes()), shape_str(b.sizes()), M, K, K2, N);
  std::vector<int64_t> ba(a2.sizes().begin(), a2.sizes().end() - 2),
      bb(b2.sizes().begin(), b2.sizes().end() - 2);
  std::vector<int64_t> batch;
  try {
    batch = broadcast_shapes(ba, bb);
  } catch (const ShapeError&) {
    throw ShapeError(fmt::format("matmul: batch dimensions of {} and {} are not broadcastable",
                                 shape_str(a.sizes()), shape_str(b.sizes())));
  }
  int64_t B = shape_numel(batch);
  auto full = [&](std::vector<int64_t> s, int64_t r, int64_t c) {
    s.push_back(r);
    s.push_back(c);
    return s;
  };
  Tensor a3 = a2.expand(full(batch, M, K)).reshape({B, M, K});
  Tensor b3 = b2.expand(full(batch, K, N)).reshape({B, K, N});
  Tensor out = bmm(a3, b3).reshape(full(batch, M, N));
  if (da == 1) out = out.squeeze(-2);
  if (db == 1) out = out.squeeze(-1);
  return out;
}

}  // namespace nabla
