// basic.cpp — linear, dropout, embedding and the activations of nn::functional.
#include "autograd/functions/common.h"
#include "nabla/nn/functional.h"

namespace nabla::nn::functional {

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
  check_defined("linear", x, w);
  NABLA_CHECK(w.dim() == 2, ShapeError, "linear: weight must be 2-D [out, in], got {}", shape_str(w.sizes()));
  NABLA_CHECK(x.dim() >= 1 && x.size(-1) == w.size(1), ShapeError,
              "linear: input {} and weight {} cannot be multiplied (last dim {} vs in_features {})",
              shape_str(x.sizes()), shape_str(w.sizes()), x.dim() ? x.size(-1) : 0, w.size(1));
  // Inference (nothing to record): the kernel reads the weight as [in, out] without a transposed view
  // and adds the bias in the product's kernel.
  if (x.dim() == 2 && x.dtype() == w.dtype() &&
      (!b.defined() || (b.dim() == 1 && b.size(0) == w.size(0) && b.dtype() == w.dtype())) &&
      !autograd::should_record({&x, &w, &b})) {
    Tensor out = raw::empty({x.size(0), w.size(0)}, x.dtype());
    kernels::linear(out, x, w, b.defined() ? b.contiguous() : b);
    return out;
  }
  if (x.dim() == 2 && b.defined()) return addmm(b, x, w.t());
  Tensor y = matmul(x, w.t());
  if (!b.defined()) return y;
  // PyTorch adds the bias in place (output.add_(bias)): the result keeps the product's dtype.
  Tensor out = y + b;
  return out.dtype() == y.dtype() ? out : to_dtype(out, y.dtype());
}

Tensor dropout(const Tensor& x, double p, bool training, RandomGenerator* gen) {
  check_defined("dropout", x);
  NABLA_CHECK(p >= 0 && p <= 1, ValueError, "dropout probability has to be between 0 and 1, but got {}", p);
  if (!training || p == 0) return x;
  if (p == 1) return x * 0.0;
  // Keep-mask scaled by 1/(1-p), a constant for autograd.
  const DType mask_dtype = floating_of(x.dtype());
  if (mask_dtype == DType::Float32 || mask_dtype == DType::Float64) {
    Tensor mask = raw::empty(x.sizes(), mask_dtype);
    kernels::dropout_mask(mask, p, gen ? *gen : default_generator());
    return x * mask;
  }
  Tensor mask = rand(x.sizes(), {.dtype = mask_dtype}, gen);  // reduced floats: round as rand() does
  {
    NoGradGuard ng;
    mask = convert(mask >= p, mask.dtype()) * (1.0 / (1.0 - p));
  }
  return x * mask;
}

Tensor dropout2d(const Tensor& x, double p, bool training, RandomGenerator* gen) {
  check_defined("dropout2d", x);
  NABLA_CHECK(x.dim() == 3 || x.dim() == 4, ShapeError, "dropout2d: expected 3-D or 4-D input, got {}",
              shape_str(x.sizes()));
  NABLA_CHECK(p >= 0 && p <= 1, ValueError, "dropout probability has to be between 0 and 1, but got {}", p);
  if (!training || p == 0) return x;
  // One draw per (dim 0, dim 1) entry, like PyTorch's feature_dropout: a 3-D input is (N, C, L), not an
  // unbatched (C, H, W) (PyTorch warns about it but does this).
  std::vector<int64_t> shape = x.sizes().vec();
  for (int64_t d = 2; d < x.dim(); ++d) shape[d] = 1;
  Tensor mask = rand(shape, {.dtype = floating_of(x.dtype())}, gen);
  {
    NoGradGuard ng;
    mask = p == 1 ? zeros_like(mask) : convert(mask >= p, mask.dtype()) * (1.0 / (1.0 - p));
  }
  return x * mask;
}

namespace {
// PyTorch raises for an index outside [0, num_embeddings), negative ones included ("index out of
// range in self"); checked here so the message names embedding rather than index_select.
void check_embedding_indices(const Tensor& flat, int64_t num_embeddings) {
  Tensor idx = convert(flat, DType::Int64).contiguous();
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i)
    NABLA_CHECK(p[i] >= 0 && p[i] < num_embeddings, IndexError,
                "embedding: index {} is out of range in self: valid indices are [0, {}) for {} embeddings",
                p[i], num_embeddings, num_embeddings);
}
}  // namespace

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx) {
  check_defined("embedding", indices, weight);
  NABLA_CHECK(weight.dim() == 2, ShapeError, "embedding: weight must be 2-D [num_embeddings, dim], got {}",
              shape_str(weight.sizes()));
  NABLA_CHECK(indices.dtype() == DType::Int64 || indices.dtype() == DType::Int32, DTypeError,
              "embedding: expected int64 indices, got {}", dtype_name(indices.dtype()));
  std::vector<int64_t> shape = indices.sizes().vec();
  shape.push_back(weight.size(1));
  Tensor flat = indices.reshape({-1});
  check_embedding_indices(flat, weight.size(0));
  if (!padding_idx) return weight.index_select(0, flat).view(shape);
  // The padding row gets no gradient: its uses come from a detached copy. A select rather than a
  // multiply by a 0/1 mask keeps the weight's dtype and its infinities (inf * 0 would be NaN).
  int64_t pad = *padding_idx < 0 ? *padding_idx + weight.size(0) : *padding_idx;
  Tensor rows = weight.index_select(0, flat);
  return where((flat != pad).unsqueeze(1), rows, rows.detach()).view(shape);
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& amounts, double value) {
  check_defined("pad", x);
  NABLA_CHECK(amounts.size() % 2 == 0 && static_cast<int64_t>(amounts.size()) / 2 <= x.dim(), ValueError,
              "pad: padding length must be even and at most 2 * input dims ({}), got {}", 2 * x.dim(),
              amounts.size());
  Tensor r = x;
  for (size_t i = 0; i < amounts.size() / 2; ++i) {
    const int64_t d = x.dim() - 1 - static_cast<int64_t>(i), left = amounts[2 * i],
                  right = amounts[2 * i + 1];
    if (left < 0) r = r.narrow(d, -left, r.size(d) + left);
    if (right < 0) r = r.narrow(d, 0, r.size(d) + right);
    TensorList parts;
    auto block = [&](int64_t n) {
      std::vector<int64_t> shape = r.sizes().vec();
      shape[d] = n;
      return full(shape, value, {.dtype = r.dtype()});
    };
    if (left > 0) parts.push_back(block(left));
    parts.push_back(r);
    if (right > 0) parts.push_back(block(right));
    if (parts.size() > 1) r = cat(parts, d);
  }
  return r;
}

Tensor relu(const Tensor& x) { return nabla::relu(x); }
Tensor leaky_relu(const Tensor& x, double s) { return nabla::leaky_relu(x, s); }
Tensor elu(const Tensor& x, double alpha) {
  check_defined("elu", x);
  // As PyTorch's elu_backward: only x <= 0 takes the exponential branch (so NaN passes the gradient),
  // and that branch sees x there and 0 elsewhere, so a large x or NaN cannot make a 0 * inf = NaN
  // gradient through the unused branch.
  Tensor neg = x <= 0;
  return where(neg, expm1(where(neg, x, zeros_like(x))) * alpha, x);
}
Tensor gelu(const Tensor& x, const std::string& a) { return nabla::gelu(x, a); }
Tensor silu(const Tensor& x) {
  check_defined("silu", x);
  return x * nabla::sigmoid(x);
}
Tensor sigmoid(const Tensor& x) { return nabla::sigmoid(x); }
Tensor tanh(const Tensor& x) { return nabla::tanh(x); }
Tensor softplus(const Tensor& x, double b, double t) { return nabla::softplus(x, b, t); }
Tensor softmax(const Tensor& x, int64_t d) { return nabla::softmax(x, d); }
Tensor log_softmax(const Tensor& x, int64_t d) { return nabla::log_softmax(x, d); }

// ---- ops-nn block: the op table's activations, prelu and pixel shuffle under their F names ----
Tensor hardtanh(const Tensor& x, double lo, double hi) { return nabla::hardtanh(x, lo, hi); }
Tensor relu6(const Tensor& x) { return nabla::hardtanh(x, 0.0, 6.0); }  // as PyTorch: hardtanh(0, 6)
Tensor selu(const Tensor& x) { return nabla::selu(x); }
Tensor celu(const Tensor& x, double alpha) { return nabla::celu(x, alpha); }
Tensor mish(const Tensor& x) { return nabla::mish(x); }
Tensor hardswish(const Tensor& x) { return nabla::hardswish(x); }
Tensor hardsigmoid(const Tensor& x) { return nabla::hardsigmoid(x); }
Tensor logsigmoid(const Tensor& x) { return nabla::logsigmoid(x); }
Tensor softsign(const Tensor& x) { return nabla::softsign(x); }
Tensor prelu(const Tensor& x, const Tensor& w) { return nabla::prelu(x, w); }
Tensor pixel_shuffle(const Tensor& x, int64_t r) { return nabla::pixel_shuffle(x, r); }
Tensor pixel_unshuffle(const Tensor& x, int64_t r) { return nabla::pixel_unshuffle(x, r); }

}  // namespace nabla::nn::functional
