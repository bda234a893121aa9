// run_state.cpp — the checkpoint layout described in run_state.h (the metadata's parsing and
// validation is run_metadata.cpp).
#include "nabla/train/run_state.h"

#include <nlohmann/json.hpp>

#include "nabla/io/checkpoint.h"
#include "train/json_number.h"
#include "train/run_metadata.h"
#include "util/check.h"

namespace nabla::training {

namespace {
constexpr const char* kRunFormat = "nabla-run-1";  // "nabla.format": the layout of run_state.h
}

static_assert(std::is_same_v<RandomGenerator::State, decltype(detail::TrainingMeta::rng)>);

void save_run(const std::string& path, const RunConfig& config, const nn::Module& model,
              const TrainingState* t) {
  nn::NamedTensors tensors = model.state_dict();
  io::Metadata meta = {{"nabla.run", config.to_json()}, {"nabla.format", kRunFormat}};
  if (t) {
    nlohmann::json optim_names = nlohmann::json::array();
    for (auto& [k, v] : t->optimizer.tensors) {
      tensors.emplace_back(detail::kOptimPrefix + k, v);
      optim_names.push_back(k);
    }
    nlohmann::json hist = nlohmann::json::array();
    for (auto& m : t->history) hist.push_back(detail::metrics_to_json(m));  // NaN-safe
    nlohmann::json rng = nlohmann::json::array();
    for (uint64_t w : t->rng) rng.push_back(std::to_string(w));  // strings: JSON numbers lose 64-bit ints
    meta["nabla.epoch"] = std::to_string(t->epoch);
    meta["nabla.global_step"] = std::to_string(t->global_step);
    meta["nabla.history"] = hist.dump();
    meta["nabla.optimizer"] = t->optimizer.json;
    meta["nabla.optimizer_tensors"] = optim_names.dump();  // a resume refuses a file missing one
    meta["nabla.scheduler"] = t->scheduler;
    meta["nabla.callbacks"] = t->callbacks;
    meta["nabla.rng"] = rng.dump();
  }
  io::save_checkpoint(path, tensors, meta);
}

LoadedRun load_run(const std::string& path) {
  io::SafetensorsFile f = io::load_checkpoint(path);
  NABLA_CHECK(f.metadata.contains("nabla.run"), IOError,
              "{}: not a nabla run checkpoint (no 'nabla.run' metadata; was it written by `nabla train`?)",
              path);
  // Other tools' safetensors load unverified (load_checkpoint), but nabla always writes the checksum of
  // its run files: one without it was edited, or damaged in the checksum's key.
  NABLA_CHECK(f.checksum_verified, IOError,
              "{}: this nabla run checkpoint has no '{}' entry (nabla always writes one): it was modified "
              "after it was written; refusing to load it",
              path, io::kChecksumKey);
  const auto format = f.metadata.find("nabla.format");
  NABLA_CHECK(format != f.metadata.end() && format->second == kRunFormat, IOError,
              "{}: run checkpoint format '{}' is not {} (the only one this nabla reads)", path,
              format == f.metadata.end() ? "<missing>" : format->second.substr(0, 40), kRunFormat);
  detail::TensorShapes shapes;
  for (const auto& [name, t] : f.tensors) {
    shapes[name] = t.sizes().vec();
    // nabla writes floating-point weights and state, int64 batch counters: an I32 weight would be
    // converted value by value into garbage by load_state_dict.
    const bool counter = name.ends_with("num_batches_tracked");
    NABLA_CHECK(counter ? t.dtype() == kInt64 : t.is_floating_point(), IOError,
                "{}: tensor '{}' has dtype {}, but nabla writes {} for it", path, name.substr(0, 80),
                dtype_name(t.dtype()), counter ? "int64" : "a floating-point dtype");
  }
  detail::RunMeta meta;
  try {
    meta = detail::parse_run_metadata(f.metadata, shapes);
  } catch (const ValueError& e) {
    throw IOError(fmt::format("{}: {}", path, e.what()));
  }
  LoadedRun r;
  r.config = std::move(meta.config);
  std::optional<TrainingState> ts;
  if (meta.training) {
    ts.emplace();
    ts->epoch = meta.training->epoch;
    ts->global_step = meta.training->global_step;
    ts->history = std::move(meta.training->history);
    ts->optimizer.json = std::move(meta.training->optimizer);
    ts->scheduler = std::move(meta.training->scheduler);
    ts->callbacks = std::move(meta.training->callbacks);
    ts->rng = meta.training->rng;
  }
  const std::string prefix = detail::kOptimPrefix;
  for (auto& [k, v] : f.tensors) {
    if (k.rfind(prefix, 0) == 0) {
      if (ts) ts->optimizer.tensors[k.substr(prefix.size())] = v;
    } else {
      r.model.emplace_back(k, v);
    }
  }
  r.training = std::move(ts);
  return r;
}

}  // namespace nabla::training
