// config.h — turning nabla's aggregate optimizer options (SGDConfig, ...) into the LibTorch-style
// options objects the Optimizer base stores, validates and saves.
#pragma once
#include <utility>
#include <vector>

#include "nabla/optim/optimizer.h"

namespace nabla::optim::detail {

// A group with unset options keeps them unset (it takes the optimizer's defaults in add_param_group).
template <typename Config, typename ToOptions>
OptimizerParamGroup libtorch_group(ParamGroup<Config>&& group, ToOptions to_options) {
  return {std::move(group.params), group.options ? to_options(*group.options).clone() : nullptr};
}

template <typename Config, typename ToOptions>
std::vector<OptimizerParamGroup> libtorch_groups(std::vector<ParamGroup<Config>>& groups,
                                                 ToOptions to_options) {
  std::vector<OptimizerParamGroup> out;
  out.reserve(groups.size());
  for (auto& g : groups) out.push_back(libtorch_group(std::move(g), to_options));
  return out;
}

}  // namespace nabla::optim::detail
