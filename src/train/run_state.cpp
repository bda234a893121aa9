// run_state.cpp — RunConfig JSON and the checkpoint layout described in run_state.h.
#include "nabla/train/run_state.h"

#include <nlohmann/json.hpp>

#include "nabla/io/checkpoint.h"
#include "train/json_number.h"
#include "util/check.h"

namespace nabla::training {

namespace {
constexpr const char* kOptimPrefix = "_optim.";
}

std::string RunConfig::to_json() const {
  nlohmann::json j = {{"model", nlohmann::json::parse(model.to_json())},
                      {"data", data},
                      {"classes", classes},
                      {"mean", mean},
                      {"std", std},
                      {"optimizer", optimizer},
                      {"lr", lr},
                      {"scheduler", scheduler},
                      {"batch_size", batch_size},
                      {"epochs", epochs},
                      {"train_ratio", train_ratio},
                      {"seed", seed},
                      {"threads", threads}};
  return j.dump();
}

RunConfig RunConfig::from_json(const std::string& text) {
  try {
    auto j = nlohmann::json::parse(text);
    RunConfig c;
    c.model = ModelConfig::from_json(j.at("model").dump());
    c.data = j.at("data").get<std::string>();
    c.classes = j.at("classes").get<std::vector<std::string>>();
    c.mean = j.at("mean").get<std::vector<double>>();
    c.std = j.at("std").get<std::vector<double>>();
    c.optimizer = j.value("optimizer", c.optimizer);
    c.lr = j.value("lr", c.lr);
    c.scheduler = j.value("scheduler", c.scheduler);
    c.batch_size = j.value("batch_size", c.batch_size);
    c.epochs = j.value("epochs", c.epochs);
    c.train_ratio = j.value("train_ratio", c.train_ratio);
    c.seed = j.value("seed", c.seed);
    c.threads = j.value("threads", c.threads);
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(fmt::format("run config: malformed JSON ({})", e.what()));
  }
}

void save_run(const std::string& path, const RunConfig& config, const nn::Module& model,
              const TrainingState* t) {
  nn::NamedTensors tensors = model.state_dict();
  io::Metadata meta = {{"nabla.run", config.to_json()}, {"nabla.format", "nabla-run-1"}};
  if (t) {
    for (auto& [k, v] : t->optimizer.tensors) tensors.emplace_back(kOptimPrefix + k, v);
    nlohmann::json hist = nlohmann::json::array();
    for (auto& m : t->history) hist.push_back(detail::metrics_to_json(m));  // NaN-safe
    nlohmann::json rng = nlohmann::json::array();
    for (uint64_t w : t->rng) rng.push_back(std::to_string(w));  // strings: JSON numbers lose 64-bit ints
    meta["nabla.epoch"] = std::to_string(t->epoch);
    meta["nabla.global_step"] = std::to_string(t->global_step);
    meta["nabla.history"] = hist.dump();
    meta["nabla.optimizer"] = t->optimizer.json;
    meta["nabla.scheduler"] = t->scheduler;
    meta["nabla.callbacks"] = t->callbacks;
    meta["nabla.rng"] = rng.dump();
  }
  io::save_checkpoint(path, tensors, meta);
}

LoadedRun load_run(const std::string& path) {
  io::SafetensorsFile f = io::load_checkpoint(path);
  auto get = [&](const std::string& key) -> const std::string* {
    auto it = f.metadata.find(key);
    return it == f.metadata.end() ? nullptr : &it->second;
  };
  const std::string* run = get("nabla.run");
  NABLA_CHECK(run != nullptr, IOError,
              "{}: not a nabla run checkpoint (no 'nabla.run' metadata; was it written by `nabla train`?)",
              path);
  LoadedRun r;
  try {
    r.config = RunConfig::from_json(*run);
  } catch (const ValueError& e) {
    throw IOError(fmt::format("{}: {}", path, e.what()));
  }
  std::optional<TrainingState> ts;
  if (get("nabla.epoch")) ts.emplace();
  const std::string prefix = kOptimPrefix;
  for (auto& [k, v] : f.tensors) {
    if (k.rfind(prefix, 0) == 0) {
      if (ts) ts->optimizer.tensors[k.substr(prefix.size())] = v;
    } else {
      r.model.emplace_back(k, v);
    }
  }
  if (ts) {
    try {
      ts->epoch = std::stoll(*get("nabla.epoch"));
      ts->global_step = std::stoll(*get("nabla.global_step"));
      for (auto& m : nlohmann::json::parse(*get("nabla.history")))
        ts->history.push_back(detail::metrics_from_json(m));
      ts->optimizer.json = *get("nabla.optimizer");
      ts->scheduler = get("nabla.scheduler") ? *get("nabla.scheduler") : "";
      ts->callbacks = get("nabla.callbacks") ? *get("nabla.callbacks") : "";
      auto rng = nlohmann::json::parse(*get("nabla.rng"));
      for (size_t i = 0; i < ts->rng.size(); ++i) ts->rng[i] = std::stoull(rng.at(i).get<std::string>());
    } catch (const std::exception& e) {
      throw IOError(fmt::format("{}: malformed training state in metadata ({})", path, e.what()));
    }
    r.training = std::move(ts);
  }
  return r;
}

}  // namespace nabla::training
