// optimizer.cpp — the Optimizer base: parameter groups, step / zero_grad, and state dicts.
#include "nabla/optim/optimizer.h"

#include <cmath>
#include <cstdlib>

#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "optim/json_fields.h"
#include "util/check.h"

namespace nabla::optim {

using detail::Json;

// ---- OptimizerOptions / OptimizerParamGroup ----
double OptimizerOptions::get_momentum() const {
  throw ValueError("get_momentum: these optimizer options have no momentum (and no betas)");
}
void OptimizerOptions::set_momentum(double) {
  throw ValueError("set_momentum: these optimizer options have no momentum (and no betas)");
}
std::string OptimizerOptions::to_json() const {
  Json j = Json::object();
  detail::JsonWriter writer(j);
  clone()->visit(writer);  // visit() reads and writes; the clone keeps this object const
  return j.dump();
}

OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}
OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params,
                                         std::unique_ptr<OptimizerOptions> options)
    : params_(std::move(params)), options_(std::move(options)) {}
OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup& other)
    : params_(other.params_),
      options_(other.options_ ? other.options_->clone() : nullptr),
      initial_lr_(other.initial_lr_) {}
OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& other) {
  if (this != &other) {
    params_ = other.params_;
    options_ = other.options_ ? other.options_->clone() : nullptr;
    initial_lr_ = other.initial_lr_;
  }
  return *this;
}
OptimizerOptions& OptimizerParamGroup::options() {
  NABLA_CHECK(options_ != nullptr, ValueError,
              "param group has no options (it takes the optimizer's defaults "
              "once added to an optimizer)");
  return *options_;
}
const OptimizerOptions& OptimizerParamGroup::options() const {
  return const_cast<OptimizerParamGroup*>(this)->options();
}

// ---- Optimizer: groups, step, zero_grad ----
Optimizer::Optimizer(std::unique_ptr<OptimizerOptions> defaults) : defaults_(std::move(defaults)) {}

void Optimizer::init_groups(std::vector<OptimizerParamGroup> groups) {
  validate(*defaults_);
  NABLA_CHECK(!groups.empty(), ValueError, "optimizer got an empty parameter list");
  for (auto& g : groups) add_param_group(std::move(g));
}

std::vector<OptimizerParamGroup> Optimizer::single_group(std::vector<Tensor> params) {
  NABLA_CHECK(!params.empty(), ValueError, "optimizer got an empty parameter list");
  std::vector<OptimizerParamGroup> groups;
  groups.emplace_back(std::move(params));
  return groups;
}

void Optimizer::add_param_group(OptimizerParamGroup group) {
  const auto& params = group.params();
  for (size_t i = 0; i < params.size(); ++i) {
    NABLA_CHECK(params[i].defined(), ValueError,
                "optimizer can only optimize Tensors, but parameter {} of the group is undefined", i);
    NABLA_CHECK(params[i].is_leaf() || params[i].retains_grad(), ValueError,
                "can't optimize a non-leaf Tensor");
    for (size_t j = 0; j < i; ++j)
      NABLA_CHECK(!params[j].is_same(params[i]), ValueError,
                  "optimizer contains a parameter group with duplicate parameters");
    NABLA_CHECK(state(params[i]) == nullptr, ValueError,
                "some parameters appear in more than one parameter group");
  }
  if (!group.has_options()) {
    group.set_options(defaults_->clone());
  } else {
    NABLA_CHECK(options_match(group.options()), ValueError,
                "{}: a parameter group has the options of another optimizer (expected {}Options)", name(),
                name());
    validate(group.options());
  }
  state_.emplace_back(group.params().size());
  groups_.push_back(std::move(group));
}

Tensor Optimizer::step(const LossClosure& closure) {
  Tensor loss;
  if (closure) {
    EnableGradGuard enable;
    loss = closure();
  }
  NoGradGuard no_grad;
  update();
  return loss;
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& group : groups_) {
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (set_to_none) {
        p.set_grad(Tensor());
        continue;
      }
      Tensor& g = p.mutable_grad();
      if (g.grad_fn())
        g.detach_();
      else
        g.requires_grad_(false);
      NoGradGuard no_grad;
      g.zero_();
    }
  }
}

const ParamState* Optimizer::state(const Tensor& param) const {
  for (size_t g = 0; g < groups_.size(); ++g)
    for (size_t i = 0; i < groups_[g].params().size(); ++i)
      if (groups_[g].params()[i].is_same(param)) return &state_[g][i];
  return nullptr;
}

void Optimizer::check_grad(const Tensor& param, const Tensor& grad) const {
  NABLA_CHECK(grad.dtype() == param.dtype(), DTypeError,
              "{}.step: a parameter of dtype {} has a gradient of dtype {}", name(),
              dtype_name(param.dtype()), dtype_name(grad.dtype()));
  NABLA_CHECK(grad.sizes() == param.sizes(), ShapeError,
              "{}.step: a parameter of shape {} has a gradient of shape {}", name(), shape_str(param.sizes()),
              shape_str(grad.sizes()));
}

void Optimizer::finish_update(const Tensor& param, const Tensor& updated) {
  if (!updated.is_same(param)) Tensor(param).copy_(updated);  // param was not contiguous
  param.impl()->storage()->bump_version();
}

Tensor Optimizer::zeros_state(const Tensor& param) {
  return zeros(param.sizes(), {.dtype = param.dtype(), .device = param.device()});
}

Tensor& Optimizer::state_tensor(ParamState& state, const std::string& name, const Tensor& param) {
  auto it = state.find(name);
  if (it == state.end()) it = state.emplace(name, zeros_state(param)).first;
  return it->second;
}

Tensor& Optimizer::step_counter(ParamState& state) {
  auto it = state.find("step");
  if (it == state.end()) it = state.emplace("step", zeros({}, {.dtype = kFloat32})).first;
  Tensor& step = it->second;
  if (step.dtype() != kFloat32 || step.dim() != 0 || !step.device().is_cpu())  // e.g. loaded from elsewhere
    step = step.reshape({}).to(kCPU).to(kFloat32, /*copy=*/true);
  return step;
}

// ---- state dicts ----
OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict sd;
  Json groups = Json::array();
  int64_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    Json jg = Json::parse(groups_[g].options().to_json());
    std::vector<int64_t> ids;
    for (size_t i = 0; i < groups_[g].params().size(); ++i, ++index) {
      ids.push_back(index);
      for (const auto& [key, t] : state_[g][i]) sd.tensors[fmt::format("state.{}.{}", index, key)] = t;
    }
    jg["params"] = ids;
    if (groups_[g].initial_lr()) jg["initial_lr"] = detail::encode(*groups_[g].initial_lr());
    groups.push_back(std::move(jg));
  }
  sd.json = Json{{"optimizer", name()}, {"param_groups", std::move(groups)}}.dump();
  return sd;
}

namespace {

struct StateKey {
  int64_t index;
  std::string name;
};
// "state.<index>.<name>"
StateKey parse_state_key(const std::string& key) {
  const std::string prefix = "state.";
  const size_t dot = key.find('.', prefix.size());
  char* end = nullptr;
  const long long index = key.rfind(prefix, 0) == 0 && dot != std::string::npos
                              ? std::strtoll(key.c_str() + prefix.size(), &end, 10)
                              : -1;
  NABLA_CHECK(index >= 0 && end == key.c_str() + dot && dot + 1 < key.size(), ValueError,
              "load_state_dict: unexpected tensor key '{}' (expected 'state.<index>.<name>')", key);
  return {index, key.substr(dot + 1)};
}

// A private contiguous copy of saved state, cast to the parameter's dtype and device (except "step").
Tensor restore_state(const std::string& key, const std::string& name, const Tensor& saved,
                     const Tensor& param) {
  NABLA_CHECK(saved.defined(), ValueError, "load_state_dict: tensor '{}' is undefined", key);
  if (name == "step") {
    // A NaN or negative count made Adam's bias correction NaN: the resumed run diverged at once.
    NABLA_CHECK(saved.numel() == 1, ValueError,
                "load_state_dict: '{}' must hold one step count, got {} values", key, saved.numel());
    const double steps = saved.item<double>();
    NABLA_CHECK(std::isfinite(steps) && steps >= 0 && steps == std::floor(steps), ValueError,
                "load_state_dict: '{}' must be a whole number of steps >= 0, got {}", key, steps);
    return saved.detach().clone().contiguous();
  }
  NABLA_CHECK(saved.sizes() == param.sizes(), ShapeError,
              "load_state_dict: state '{}' has shape {} but its parameter has shape {}", key,
              shape_str(saved.sizes()), shape_str(param.sizes()));
  const DType dtype = param.is_floating_point() ? param.dtype() : saved.dtype();
  Tensor out = empty(param.sizes(), {.dtype = dtype, .device = param.device()});
  out.copy_(saved.detach());
  return out;
}

}  // namespace

void Optimizer::load_state_dict(const OptimizerStateDict& sd) {
  try {
    load_state_dict_impl(sd);
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(fmt::format("load_state_dict: malformed {} state dict: {}", name(), e.what()));
  }
}

void Optimizer::load_state_dict_impl(const OptimizerStateDict& sd) {
  const Json j = detail::parse_object(sd.json, "load_state_dict");
  const std::string saved_name = detail::string_or_unknown(j, "optimizer");
  NABLA_CHECK(saved_name == name(), ValueError,
              "load_state_dict: the state dict is for the {} optimizer, not {}", saved_name, name());
  const Json& saved = j.at("param_groups");
  NABLA_CHECK(saved.is_array() && saved.size() == groups_.size(), ValueError,
              "loaded state dict has a different number of parameter groups");
  std::vector<std::unique_ptr<OptimizerOptions>> options;
  std::vector<std::optional<double>> initial_lrs;
  std::map<int64_t, std::pair<size_t, size_t>> id_map;  // saved index -> (group, position)
  for (size_t g = 0; g < groups_.size(); ++g) {
    const Json& ids = saved[g].at("params");
    if (saved[g].contains("initial_lr"))
      initial_lrs.emplace_back(detail::decode_double(saved[g]["initial_lr"], "initial_lr"));
    else
      initial_lrs.emplace_back(std::nullopt);
    NABLA_CHECK(
        ids.size() == groups_[g].params().size(), ValueError,
        "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    for (size_t i = 0; i < ids.size(); ++i)
      NABLA_CHECK(id_map.emplace(ids[i].get<int64_t>(), std::pair{g, i}).second, ValueError,
                  "load_state_dict: parameter index {} is listed twice", ids[i].dump());
    options.push_back(groups_[g].options().clone());
    detail::JsonReader reader(saved[g], "load_state_dict");
    options.back()->visit(reader);
    validate(*options.back());
  }
  std::vector<std::vector<ParamState>> state;
  for (const auto& group : groups_) state.emplace_back(group.params().size());
  NoGradGuard no_grad;
  for (const auto& [key, saved_tensor] : sd.tensors) {
    const StateKey k = parse_state_key(key);
    auto it = id_map.find(k.index);
    NABLA_CHECK(it != id_map.end(), ValueError,
                "load_state_dict: tensor '{}' refers to parameter {}, which no parameter group lists", key,
                k.index);
    const auto [g, i] = it->second;
    state[g][i][k.name] = restore_state(key, k.name, saved_tensor, groups_[g].params()[i]);
  }
  // Everything is validated: commit.
  for (size_t g = 0; g < groups_.size(); ++g) {
    groups_[g].set_options(std::move(options[g]));
    groups_[g].set_initial_lr(initial_lrs[g]);
  }
  state_ = std::move(state);
}

}  // namespace nabla::optim
