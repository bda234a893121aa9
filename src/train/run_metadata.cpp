// run_metadata.cpp — RunConfig's JSON and the validation of a run checkpoint's metadata; see
// Note [Trust nothing a checkpoint says] in run_metadata.h.
#include "train/run_metadata.h"

#include <charconv>
#include <set>

#include "train/json_checked.h"
#include "train/json_number.h"
#include "util/check.h"

namespace nabla::training {

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
                      {"threads", threads},
                      {"freeze", freeze}};
  return j.dump();
}

namespace {
// At most 40 characters, control characters escaped: an error stays on one line.
std::string printable(const std::string& v) {
  std::string out;
  for (char ch : v.substr(0, 40))
    out += static_cast<unsigned char>(ch) < 0x20 ? fmt::format("\\x{:02x}", static_cast<int>(ch))
                                                 : std::string(1, ch);
  return out;
}

std::string one_of(const std::string& v, std::initializer_list<const char*> known, const char* field) {
  for (const char* k : known)
    if (v == k) return v;
  throw ValueError(fmt::format("run config: field '{}' has an unknown value '{}'", field, printable(v)));
}
}  // namespace

RunConfig RunConfig::from_json(const std::string& text) {
  const nlohmann::json j = detail::parse_json_object(text, "run config");
  const detail::JsonFields f(j, "run config");
  RunConfig c;
  NABLA_CHECK(f.at("model").is_object(), ValueError, "run config: field 'model' must be an object");
  c.model = ModelConfig::from_json(f.at("model").dump());
  c.data = f.string("data");
  NABLA_CHECK(c.data == "mnist" || c.data == "fashion-mnist" || c.data == "cifar10" ||
                  (c.data.rfind("imagefolder:", 0) == 0 && c.data.size() > 12),
              ValueError, "run config: field 'data' has an unknown value '{}'", printable(c.data));
  c.classes = f.strings("classes");
  NABLA_CHECK(static_cast<int64_t>(c.classes.size()) == c.model.num_classes, ValueError,
              "run config: {} class names for a model of {} classes", c.classes.size(), c.model.num_classes);
  const auto channels = static_cast<size_t>(c.model.in_channels);
  c.mean = f.reals("mean", -1e6, 1e6, false, channels);
  c.std = f.reals("std", 0, 1e6, true, channels);
  NABLA_CHECK(
      (c.mean.size() == 1 || c.mean.size() == channels) && (c.std.size() == 1 || c.std.size() == channels),
      ValueError, "run config: 'mean' and 'std' need 1 or {} values (one per channel)", channels);
  c.optimizer = one_of(f.string("optimizer"), {"sgd", "adam", "adamw", "rmsprop", "adagrad"}, "optimizer");
  c.lr = f.real("lr", 0, 1e300, true);
  c.scheduler = one_of(f.string("scheduler"), {"none", "step", "cosine", "plateau", "onecycle"}, "scheduler");
  c.batch_size = f.integer("batch_size", 1, int64_t{1} << 31);
  c.epochs = f.integer("epochs", 1, 1'000'000'000);
  c.train_ratio = f.real("train_ratio", 0, 1, true);
  c.seed = f.uint64("seed");
  c.threads = static_cast<int>(f.integer("threads", 0, 1024));
  if (j.contains("freeze"))
    c.freeze = one_of(f.string("freeze"), {"none", "backbone"}, "freeze");  // since 0.1
  return c;
}

namespace detail {
namespace {

const std::string* find(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

const std::string& require(const std::map<std::string, std::string>& m, const std::string& key) {
  const std::string* v = find(m, key);
  NABLA_CHECK(v != nullptr, ValueError, "training state: metadata '{}' is missing", key);
  return *v;
}

// A whole decimal number in [lo, hi] ("-1", "3x", "1e3" refused).
template <typename T>
T whole_number(const std::string& s, T lo, T hi, const std::string& key) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  NABLA_CHECK(!s.empty() && ec == std::errc() && end == s.data() + s.size() && v >= lo && v <= hi, ValueError,
              "training state: '{}' must be a whole number from {} to {}, got '{}'", key, lo, hi,
              s.substr(0, 40));
  return v;
}

nlohmann::json parse_json(const std::string& text, const std::string& key) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  NABLA_CHECK(!j.is_discarded(), ValueError, "training state: '{}' is not valid JSON", key);
  return j;
}

TrainingMeta parse_training(const std::map<std::string, std::string>& meta) {
  TrainingMeta t;
  t.epoch = whole_number<int64_t>(require(meta, "nabla.epoch"), 0, 1'000'000'000, "nabla.epoch");
  // Bounded far below INT64_MAX: a resumed run increments it (INT64_MAX wrapped negative, and nabla then
  // refused the checkpoint it had just written).
  t.global_step =
      whole_number<int64_t>(require(meta, "nabla.global_step"), 0, int64_t{1} << 53, "nabla.global_step");
  const nlohmann::json history = parse_json(require(meta, "nabla.history"), "nabla.history");
  NABLA_CHECK(history.is_array() && static_cast<int64_t>(history.size()) == t.epoch, ValueError,
              "training state: 'nabla.history' must list one entry per completed epoch ({})", t.epoch);
  for (const auto& m : history) {
    NABLA_CHECK(m.is_object(), ValueError, "training state: a 'nabla.history' entry is not an object");
    t.history.push_back(metrics_from_json(m));  // ValueError for a value that is not a number
  }
  t.optimizer = require(meta, "nabla.optimizer");
  parse_json_object(t.optimizer, "training state: 'nabla.optimizer'");
  for (auto [key, out] : {std::pair{"nabla.scheduler", &t.scheduler}, {"nabla.callbacks", &t.callbacks}}) {
    const std::string* v = find(meta, key);
    *out = v ? *v : "";
    if (!out->empty()) parse_json_object(*out, fmt::format("training state: '{}'", key));
  }
  const nlohmann::json rng = parse_json(require(meta, "nabla.rng"), "nabla.rng");
  NABLA_CHECK(rng.is_array() && rng.size() == t.rng.size(), ValueError,
              "training state: 'nabla.rng' must be a list of {} strings", t.rng.size());
  for (size_t i = 0; i < t.rng.size(); ++i) {
    NABLA_CHECK(rng[i].is_string(), ValueError, "training state: 'nabla.rng' must be a list of strings");
    t.rng[i] = whole_number<uint64_t>(rng[i].get<std::string>(), 0, UINT64_MAX, "nabla.rng");
  }
  return t;
}

std::string shape_text(const std::vector<int64_t>& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }

// The model tensors must be exactly those of the model the config builds.
void check_model_tensors(const ModelShapes& expected, const TensorShapes& tensors, const std::string& model) {
  TensorShapes want;
  for (const auto* list : {&expected.parameters, &expected.buffers})
    for (const auto& [name, shape] : *list) want[name] = shape;
  for (const auto& [name, shape] : tensors) {
    if (name.rfind(kOptimPrefix, 0) == 0) continue;
    auto it = want.find(name);
    NABLA_CHECK(it != want.end(), ValueError,
                "tensor '{}' is not part of the {} model the run config describes", name.substr(0, 80),
                model);
    NABLA_CHECK(it->second == shape, ValueError,
                "tensor '{}' has shape {}, but the {} model the run config describes has {}", name,
                shape_text(shape), model, shape_text(it->second));
    want.erase(it);
  }
  NABLA_CHECK(want.empty(), ValueError, "tensor '{}' of the {} model is missing ({} missing in all)",
              want.empty() ? "" : want.begin()->first, model, want.size());
}

// "_optim.state.<i>.<name>": i indexes the model's parameters, the shape is that parameter's ("step": 1
// element). With "nabla.optimizer_tensors", the names present must be exactly those it lists.
void check_optimizer_tensors(const ModelShapes& expected, const TensorShapes& tensors,
                             const std::map<std::string, std::string>& meta) {
  std::set<std::string> present;
  const std::string prefix = std::string(kOptimPrefix) + "state.";
  for (const auto& [name, shape] : tensors) {
    if (name.rfind(kOptimPrefix, 0) != 0) continue;
    present.insert(name.substr(std::string(kOptimPrefix).size()));
    const size_t dot = name.find('.', prefix.size());
    NABLA_CHECK(name.rfind(prefix, 0) == 0 && dot != std::string::npos && dot + 1 < name.size(), ValueError,
                "optimizer tensor '{}' is not named '{}<index>.<name>'", name.substr(0, 80), prefix);
    const auto index = whole_number<int64_t>(name.substr(prefix.size(), dot - prefix.size()), 0,
                                             static_cast<int64_t>(expected.parameters.size()) - 1, name);
    const std::vector<int64_t>& param = expected.parameters[static_cast<size_t>(index)].second;
    const bool step = name.compare(dot + 1, std::string::npos, "step") == 0;
    NABLA_CHECK(step ? shape.empty() || shape == std::vector<int64_t>{1} : shape == param, ValueError,
                "optimizer tensor '{}' has shape {}, but its parameter '{}' has {}", name, shape_text(shape),
                expected.parameters[static_cast<size_t>(index)].first, shape_text(param));
  }
  const std::string* listed = find(meta, "nabla.optimizer_tensors");
  if (!listed) return;  // written before the list existed
  const nlohmann::json names = parse_json(*listed, "nabla.optimizer_tensors");
  NABLA_CHECK(names.is_array(), ValueError,
              "training state: 'nabla.optimizer_tensors' must be a list of names");
  std::set<std::string> want;
  for (const auto& n : names) {
    NABLA_CHECK(n.is_string(), ValueError,
                "training state: 'nabla.optimizer_tensors' must be a list of names");
    want.insert(n.get<std::string>());
  }
  for (const auto& n : want)
    NABLA_CHECK(present.count(n), ValueError,
                "optimizer state tensor '{}{}' is missing; refusing to resume from it", kOptimPrefix,
                n.substr(0, 80));
  NABLA_CHECK(present.size() == want.size(), ValueError,
              "the checkpoint holds {} optimizer state tensors, but its metadata lists {}", present.size(),
              want.size());
}

}  // namespace

RunMeta parse_run_metadata(const std::map<std::string, std::string>& metadata, const TensorShapes& tensors) {
  RunMeta r;
  r.config = RunConfig::from_json(require(metadata, "nabla.run"));
  const ModelShapes expected = model_state_shapes(r.config.model);
  check_model_tensors(expected, tensors, r.config.model.name);
  if (find(metadata, "nabla.epoch")) {
    r.training = parse_training(metadata);
    check_optimizer_tensors(expected, tensors, metadata);
  }
  return r;
}

}  // namespace detail
}  // namespace nabla::training
