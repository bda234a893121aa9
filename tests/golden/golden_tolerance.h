// golden_tolerance.h — how close nabla must be to PyTorch's values in the golden and sweep tests
// (tests/ops/golden_test.cpp, tests/ops/sweep_test.cpp); gen_sweep.py mirrors the op set.
#pragma once
#include <set>
#include <string>

#include "golden/golden_cases.h"

namespace nabla::golden {

// A case is compared at float32 tolerance when any of its tensors is float32 (a float64 result computed
// from float32 values carries float32 rounding), else at float64 tolerance. float32: rtol 1e-5, atol
// 1e-6 for elementwise ops; rtol 1e-4, atol 1e-5 for the ops that accumulate (reductions, scans,
// matmul, conv, norms, losses), whose float32 summation order differs from PyTorch's (oneDNN blocking,
// OpenMP chunks, pairwise vs sequential sums). Gradients get the accumulating tolerance too when
// inputs broadcast (their gradients are sums), else 2e-5 / 2e-6.
inline const std::set<std::string>& accumulating_ops() {
  static const std::set<std::string> ops = {"sum",
                                            "mean",
                                            "prod",
                                            "var",
                                            "std",
                                            "norm",
                                            "logsumexp",
                                            "softmax",
                                            "log_softmax",
                                            "cumsum",
                                            "cumprod",
                                            "einsum",
                                            "matmul",
                                            "mm",
                                            "bmm",
                                            "addmm",
                                            "dot",
                                            "outer",
                                            "linear",
                                            "conv1d",
                                            "conv2d",
                                            "conv_transpose2d",
                                            "avg_pool2d",
                                            "adaptive_avg_pool2d",
                                            "batch_norm",
                                            "batch_norm_relu",
                                            "layer_norm",
                                            "group_norm",
                                            "mse_loss",
                                            "l1_loss",
                                            "smooth_l1_loss",
                                            "huber_loss",
                                            "binary_cross_entropy",
                                            "binary_cross_entropy_with_logits",
                                            "cross_entropy",
                                            "nll_loss",
                                            "kl_div",
                                            "interpolate"};
  return ops;
}

inline bool case_is_float32(const json& c) {
  for (const char* key : {"inputs", "outputs"})
    for (const json& t : c[key])
      if (!t.is_null() && t["dtype"] == "float32") return true;
  return false;
}

inline Tolerance tolerance_for(const json& c) {
  const bool acc = accumulating_ops().count(c["op"].get<std::string>()) > 0;
  if (!case_is_float32(c)) return acc ? Tolerance{1e-9, 1e-11} : Tolerance{1e-10, 1e-12};
  return acc ? Tolerance{1e-4, 1e-5} : Tolerance{1e-5, 1e-6};
}

inline Tolerance grad_tolerance_for(const json& c) {
  if (!case_is_float32(c)) return Tolerance{1e-9, 1e-11};
  bool broadcast = false;
  for (const json& t : c["inputs"])
    if (!t.is_null() && t["shape"] != c["outputs"][0]["shape"]) broadcast = true;
  const bool acc = accumulating_ops().count(c["op"].get<std::string>()) > 0;
  return acc || broadcast ? Tolerance{1e-4, 1e-5} : Tolerance{2e-5, 2e-6};
}

// A float16 or bfloat16 result (sweep cases): `ulps` units in the last place of the expected tensor's
// dtype (float16 2^-10, bfloat16 2^-7 at 1), relative and absolute, as reduced_precision_test.cpp
// compares (2 forward, 4 for gradients); results of other dtypes keep `tol`.
inline Tolerance reduced_or(const json& expected, int ulps, Tolerance tol) {
  const std::string dt = expected["dtype"].get<std::string>();
  if (dt == "float16") return {ulps * 0x1p-10, ulps * 0x1p-10};
  if (dt == "bfloat16") return {ulps * 0x1p-7, ulps * 0x1p-7};
  return tol;
}

}  // namespace nabla::golden
