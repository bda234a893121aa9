// config.h — turning nabla's aggregate optimizer options (SGDConfig, ...) into the LibTorch-style
// options objects the Optimizer base stores, validates and saves.
#pragma once
#include <utility>
#include <vector>

#include "nabla/optim/optimizer.h"

namespace nabla::optim::detail {

// Groups with unset options keep them unset (they take the optimizer's defaults in add_param_group).
template <typename Config, typename ToOptions>
std::vector<OptimizerParamGroup> libtorch_groups(std::vector<ParamGroup<Config>>& groups,
                                                 ToOptions to_options) {
  std::vector<OptimizerParamGroup> out;
  out.reserve(groups.size());
  for (auto& g : groups)
    out.emplace_back(std::move(g.params), g.options ? to_options(*g.options).clone() : nullptr);
  return out;
}

}  // namespace nabla::optim::detail
