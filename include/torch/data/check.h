// torch/data/check.h — the check torch::data's headers use for user errors: a typed nabla error whose
// message is the streamed parts (public headers cannot use nabla's fmt-based NABLA_CHECK).
#pragma once
#include <sstream>
#include <string>
#include <utility>

#include "nabla/tensor/error.h"

namespace torch::data::detail {

// check<nabla::IOError>(file_ok, "MNIST: cannot open ", path);
template <typename E, typename... Parts>
void check(bool ok, Parts&&... parts) {
  if (ok) return;
  std::ostringstream message;
  (message << ... << std::forward<Parts>(parts));
  throw E(message.str());
}

}  // namespace torch::data::detail
