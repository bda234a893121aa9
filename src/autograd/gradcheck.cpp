// gradcheck.cpp — analytical vs numerical (float64 central differences) Jacobians.
#include <cmath>

#include "autograd/record.h"
#include "nabla/autograd/autograd.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla {

namespace {

// Storage offsets (in elements) of each element of t, in row-major order.
std::vector<int64_t> element_offsets(const Tensor& t) {
  std::vector<int64_t> out;
  out.reserve(t.numel());
  std::vector<int64_t> idx(t.dim(), 0);
  for (int64_t n = 0; n < t.numel(); ++n) {
    int64_t off = 0;
    for (int64_t d = 0; d < t.dim(); ++d) off += idx[d] * t.stride(d);
    out.push_back(off);
    for (int64_t d = t.dim() - 1; d >= 0; --d) {
      if (++idx[d] < t.size(d)) break;
      idx[d] = 0;
    }
  }
  return out;
}

TensorList floating_outputs(const TensorList& outs) {
  TensorList r;
  for (auto& o : outs)
    if (o.defined() && o.is_floating_point()) r.push_back(o);
  return r;
}

}  // namespace

bool gradcheck(const std::function<TensorList(const TensorList&)>& fn, const TensorList& inputs,
               const GradcheckOptions& opts) {
  std::vector<size_t> diff;  // inputs we differentiate
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || !inputs[i].requires_grad()) continue;
    NABLA_CHECK(inputs[i].dtype() == DType::Float64, DTypeError,
                "gradcheck: input {} requires grad but is {}; gradcheck needs float64 inputs", i,
                dtype_name(inputs[i].dtype()));
    diff.push_back(i);
  }
  NABLA_CHECK(!diff.empty(), ValueError, "gradcheck: no input requires grad");
  TensorList outs = floating_outputs(fn(inputs));
  TensorList diff_inputs;
  for (size_t i : diff) diff_inputs.push_back(inputs[i]);
  for (size_t oi = 0; oi < outs.size(); ++oi) {
    const Tensor out = outs[oi];
    if (!out.requires_grad()) continue;
    const int64_t n_out = out.numel();
    // Analytical Jacobian rows: one vector-Jacobian product per output element.
    std::vector<std::vector<std::vector<double>>> analytic(diff.size(),
                                                           std::vector<std::vector<double>>(n_out));
    for (int64_t j = 0; j < n_out; ++j) {
      Tensor onehot = zeros(out.sizes(), {.dtype = out.dtype()});
      onehot.reshape({-1}).index_put_({j}, 1.0);
      TensorList g = autograd::grad({out}, diff_inputs, {onehot}, true, false, true);
      for (size_t k = 0; k < diff.size(); ++k)
        analytic[k][j] =
            g[k].defined() ? g[k].to_vector() : std::vector<double>(inputs[diff[k]].numel(), 0.0);
    }
    // Numerical Jacobian columns: perturb each input element by +-eps.
    for (size_t k = 0; k < diff.size(); ++k) {
      const Tensor& x = inputs[diff[k]];
      double* base = static_cast<double*>(x.impl()->storage()->data());
      auto offs = element_offsets(x);
      for (size_t e = 0; e < offs.size(); ++e) {
        const int64_t off = x.storage_offset() + offs[e];
        const double orig = base[off];
        std::vector<double> plus, minus;
        {
          // Grad mode stays on: fn may itself differentiate (gradgradcheck's inner function does).
          base[off] = orig + opts.eps;
          plus = floating_outputs(fn(inputs))[oi].to_vector();
          base[off] = orig - opts.eps;
          minus = floating_outputs(fn(inputs))[oi].to_vector();
          base[off] = orig;
        }
        for (int64_t j = 0; j < n_out; ++j) {
          const double num = (plus[j] - minus[j]) / (2 * opts.eps);
          const double ana = analytic[k][j][e];
          if (std::abs(ana - num) > opts.atol + opts.rtol * std::abs(num)) {
            if (!opts.raise_exception) return false;
            throw AutogradError(
                fmt::format("gradcheck: Jacobian mismatch for output {} with respect to input {}: element "
                            "[{}] of d(output)/d(input "
                            "element {}): numerical {} vs analytical {}",
                            oi, diff[k], j, e, num, ana));
          }
        }
      }
    }
  }
  return true;
}

bool gradgradcheck(const std::function<TensorList(const TensorList&)>& fn, const TensorList& inputs,
                   const GradcheckOptions& opts) {
  TensorList diff_inputs;
  for (auto& t : inputs)
    if (t.defined() && t.requires_grad()) diff_inputs.push_back(t);
  TensorList outs = floating_outputs(fn(inputs));
  RandomGenerator gen(1234);
  TensorList grad_outs;
  for (auto& o : outs)
    grad_outs.push_back(randn(o.sizes(), {.dtype = kFloat64, .requires_grad = true}, &gen));
  const size_t n_in = inputs.size();
  auto second = [&](const TensorList& all) {
    TensorList ins(all.begin(), all.begin() + static_cast<int64_t>(n_in));
    TensorList gos(all.begin() + static_cast<int64_t>(n_in), all.end());
    TensorList d_ins;
    for (auto& t : ins)
      if (t.defined() && t.requires_grad()) d_ins.push_back(t);
    TensorList os = floating_outputs(fn(ins));
    TensorList gs = autograd::grad(os, d_ins, gos, true, true, true);
    TensorList defined;
    for (auto& g : gs)
      if (g.defined()) defined.push_back(g);
    return defined;
  };
  TensorList all = inputs;
  all.insert(all.end(), grad_outs.begin(), grad_outs.end());
  return gradcheck(second, all, opts);
}

}  // namespace nabla
