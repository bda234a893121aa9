// grad_mode.cpp — thread-local grad mode and inference mode.
#include "nabla/autograd/grad_mode.h"

namespace nabla {

namespace {
// Read by every op (autograd's should_record). initial-exec makes each read one %fs-relative load
// instead of a call through a TLS descriptor; two bytes fit the static TLS surplus glibc keeps for
// libraries that are dlopen()ed.
thread_local bool t_grad_enabled [[gnu::tls_model("initial-exec")]] = true;
thread_local bool t_inference [[gnu::tls_model("initial-exec")]] = false;
}  // namespace

bool is_grad_enabled() { return t_grad_enabled; }
void set_grad_enabled(bool enabled) { t_grad_enabled = enabled; }
bool is_inference_mode_enabled() { return t_inference; }

InferenceMode::InferenceMode(bool enabled) : prev_grad_(t_grad_enabled), prev_inference_(t_inference) {
  if (enabled) {
    t_grad_enabled = false;
    t_inference = true;
  }
}
InferenceMode::~InferenceMode() {
  t_grad_enabled = prev_grad_;
  t_inference = prev_inference_;
}

}  // namespace nabla
