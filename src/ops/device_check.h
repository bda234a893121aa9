// device_check.h — the one device check every kernel entry point runs (Note [Kernel routing]).
#pragma once
#include "nabla/tensor/tensor.h"
#include "util/check.h"

namespace nabla::kernels {

// Note [Kernel routing]
// Op definitions (src/autograd, src/nn) call the backend-neutral entry points of src/ops/*_kernels.h
// and never learn which backend or variant ran. Each entry point first checks that its operands'
// device has kernels in this build (check_device), then picks the implementation — oneDNN, nabla's
// own loops, or "no kernel, compose it" — from dtype, layout and shape, in src/ops/dispatch.cpp,
// nn_dispatch.cpp and optim_dispatch.cpp. A CUDA backend adds its case to check_device's callers.
[[noreturn]] void no_kernel_for_device(const char* op, const Tensor& t);

// DeviceError naming `op` unless every defined operand is on the CPU (the only compiled-in backend).
template <typename... Ts>
inline void check_device(const char* op, const Ts&... ts) {
  auto check = [op](const Tensor& t) {
    if (NABLA_UNLIKELY(t.defined() && !t.device().is_cpu())) no_kernel_for_device(op, t);
  };
  (check(ts), ...);
}
inline void check_device_list(const char* op, const TensorList& ts) {
  for (const Tensor& t : ts) check_device(op, t);
}

}  // namespace nabla::kernels
