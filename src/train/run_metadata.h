// run_metadata.h — a run checkpoint's metadata (run_state.h), parsed and validated against the
// tensors the file holds, before anything is built. Tensor-free: fuzz/fuzz_run_state compiles it alone.
//
// Note [Trust nothing a checkpoint says]
// A run config's sizes multiply into allocations when the model is built (2^62 classes overflowed,
// 1e9 layers allocated without bound), and a resume takes the epoch counter and optimizer state as
// given. So every field is checked for its type and range, then for consistency with the others
// (classes listed == num_classes, mean/std per channel, history length == epoch), and the model
// tensors present must have exactly the names and shapes of the model the config builds
// (model_state_shapes). Only then is a model built: it allocates no more than the file already holds.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nabla/train/run_state.h"

namespace nabla::training::detail {

using TensorShapes = std::map<std::string, std::vector<int64_t>>;

struct TrainingMeta {
  int64_t epoch = 0, global_step = 0;
  std::vector<std::map<std::string, double>> history;
  std::string optimizer, scheduler, callbacks;
  std::array<uint64_t, 6> rng{};
};

struct RunMeta {
  RunConfig config;
  std::optional<TrainingMeta> training;
};

// The optimizer's tensors are stored under this prefix; "nabla.optimizer_tensors" lists their names.
inline constexpr const char* kOptimPrefix = "_optim.";

// ValueError naming the metadata key or tensor at fault.
RunMeta parse_run_metadata(const std::map<std::string, std::string>& metadata, const TensorShapes& tensors);

}  // namespace nabla::training::detail
