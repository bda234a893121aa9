// pt_convert.cpp — .pt values <-> nabla's optimizer state and safetensors files; `nabla convert`.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "io/pickle.h"
#include "nabla/io/pt.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::io {

namespace {
using Json = nlohmann::ordered_json;
using Kind = PtValue::Kind;

// ---- optimizer state ----
Json group_value(const PtValue& v, const std::string& key) {
  switch (v.kind()) {
    case Kind::Bool:
      return v.to_bool();
    case Kind::Int:
      return v.to_int();
    case Kind::Float: {  // non-finite as nabla's state dicts write them
      const double d = v.to_double();
      return std::isfinite(d) ? Json(d) : Json(std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf");
    }
    case Kind::String:
      return v.to_string();
    case Kind::List:
    case Kind::Tuple: {
      Json a = Json::array();
      for (const auto& item : v.items()) a.push_back(group_value(item, key));
      return a;
    }
    default:
      throw IOError(fmt::format("optimizer state_dict: param_groups' '{}' is a {}, expected numbers", key,
                                kind_name(v.kind())));
  }
}

PtValue group_entry(const Json& j, const std::string& key) {
  if (j.is_boolean()) return PtValue(j.get<bool>());
  if (j.is_number_integer()) return PtValue(j.get<int64_t>());
  if (j.is_number()) return PtValue(j.get<double>());
  if (j.is_null()) return {};
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "inf" || s == "-inf" || s == "nan") return PtValue(std::stod(s));
    return PtValue(s);
  }
  NABLA_CHECK(j.is_array(), ValueError, "optimizer_state_to_pt: param_groups' '{}' is {}", key, j.dump());
  PtValue::Items items;
  for (const auto& x : j) items.push_back(group_entry(x, key));
  // PyTorch keeps `params` as a list and pairs such as `betas` as tuples.
  return key == "params" ? PtValue::list(std::move(items)) : PtValue::tuple(std::move(items));
}

// ---- safetensors: the structure of a value that is not a plain state_dict, as JSON ----
class Flattener {
 public:
  Json value(const PtValue& v, const std::string& path) {
    switch (v.kind()) {
      case Kind::None:
        return nullptr;
      case Kind::Bool:
        return v.to_bool();
      case Kind::Int:
        return v.to_int();
      case Kind::Float: {
        const double d = v.to_double();
        return std::isfinite(d) ? Json(d) : Json{{"float", std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf"}};
      }
      case Kind::String:
        return v.to_string();
      case Kind::Tensor:
        return Json{{"tensor", tensor(v.to_tensor(), path)}};
      case Kind::List:
      case Kind::Tuple: {
        Json a = Json::array();
        for (size_t i = 0; i < v.items().size(); ++i)
          a.push_back(value(v.items()[i], join(path, std::to_string(i))));
        return v.kind() == Kind::List ? a : Json{{"tuple", a}};
      }
      case Kind::Dict: {
        Json a = Json::array();
        for (const auto& [k, x] : v.entries()) {
          const bool str = k.kind() == Kind::String;
          const std::string name = str ? k.to_string() : std::to_string(k.to_int());
          a.push_back(Json::array({str ? Json(name) : Json(k.to_int()), value(x, join(path, name))}));
        }
        return Json{{"dict", a}, {"ordered", v.is_ordered_dict()}};
      }
    }
    return nullptr;
  }
  NamedTensors tensors;

 private:
  static std::string join(const std::string& path, const std::string& part) {
    return path.empty() ? part : path + "." + part;
  }
  std::string tensor(const Tensor& t, const std::string& path) {
    NABLA_CHECK(t.defined(), ValueError, "pt_to_safetensors: the tensor at '{}' is undefined", path);
    if (auto it = names_.find(t.impl()); it != names_.end()) return it->second;  // one tensor, one name
    NABLA_CHECK(used_.insert(path).second, ValueError,
                "pt_to_safetensors: two tensors would both be named '{}' (keys containing dots?)", path);
    names_.emplace(t.impl(), path);
    tensors.emplace_back(path, t);
    return path;
  }
  std::unordered_map<const TensorImpl*, std::string> names_;
  std::set<std::string> used_;
};

// Refuses JSON nested deeper than `limit` before parsing it (no deep recursion on hostile metadata).
void check_json_depth(const std::string& text, uint32_t limit) {
  uint32_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      NABLA_CHECK(++depth <= limit, IOError, "the 'nabla.pt' metadata nests deeper than {} levels", limit);
    } else if (c == ']' || c == '}') {
      depth -= depth > 0;
    }
  }
}

PtValue unflatten(const Json& j, const SafetensorsFile& file, uint32_t depth) {
  NABLA_CHECK(depth <= detail::kMaxPickleDepth, IOError, "the 'nabla.pt' metadata nests too deep");
  if (j.is_null()) return {};
  if (j.is_boolean()) return PtValue(j.get<bool>());
  if (j.is_number_integer()) return PtValue(j.get<int64_t>());
  if (j.is_number()) return PtValue(j.get<double>());
  if (j.is_string()) return PtValue(j.get<std::string>());
  PtValue::Items items;
  const Json* list = j.is_array() ? &j : j.is_object() && j.contains("tuple") ? &j.at("tuple") : nullptr;
  if (list != nullptr && list->is_array()) {
    for (const auto& x : *list) items.push_back(unflatten(x, file, depth + 1));
    return j.is_array() ? PtValue::list(std::move(items)) : PtValue::tuple(std::move(items));
  }
  NABLA_CHECK(j.is_object(), IOError, "the 'nabla.pt' metadata holds {}", j.dump().substr(0, 80));
  if (j.contains("tensor") && j.at("tensor").is_string()) {
    const std::string& name = j.at("tensor").get_ref<const std::string&>();
    NABLA_CHECK(file.contains(name), IOError, "the 'nabla.pt' metadata names a tensor '{}' the file lacks",
                name);
    return PtValue(file.at(name));
  }
  if (j.contains("float") && j.at("float").is_string()) {
    const auto& s = j.at("float").get_ref<const std::string&>();
    NABLA_CHECK(s == "inf" || s == "-inf" || s == "nan", IOError, "the 'nabla.pt' metadata: float '{}'", s);
    return PtValue(std::stod(s));
  }
  NABLA_CHECK(j.contains("dict") && j.at("dict").is_array(), IOError, "the 'nabla.pt' metadata holds {}",
              j.dump().substr(0, 80));
  PtValue::Entries entries;
  for (const auto& pair : j.at("dict")) {
    NABLA_CHECK(pair.is_array() && pair.size() == 2 && (pair[0].is_string() || pair[0].is_number_integer()),
                IOError, "the 'nabla.pt' metadata: a dict item is {}", pair.dump().substr(0, 80));
    entries.emplace_back(unflatten(pair[0], file, depth + 1), unflatten(pair[1], file, depth + 1));
  }
  const bool ordered = j.contains("ordered") && j.at("ordered").is_boolean() && j.at("ordered").get<bool>();
  try {
    return PtValue::dict(std::move(entries), ordered);
  } catch (const ValueError& e) {
    throw IOError(fmt::format("the 'nabla.pt' metadata: {}", e.what()));
  }
}
}  // namespace

PtOptimizerState optimizer_state_from_pt(const PtValue& v, const std::string& optimizer_name) {
  NABLA_CHECK(
      v.is_dict() && v.contains("state") && v.contains("param_groups") && v.at("state").is_dict() &&
          v.at("param_groups").kind() == Kind::List,
      IOError,
      "not an optimizer state_dict: expected a dict with 'state' (a dict) and 'param_groups' (a list)");
  Json groups = Json::array();
  for (const PtValue& g : v.at("param_groups").items()) {
    NABLA_CHECK(g.is_dict(), IOError, "optimizer state_dict: a param group is a {}", kind_name(g.kind()));
    Json jg = Json::object();
    for (const auto& [k, x] : g.entries()) {
      NABLA_CHECK(k.kind() == Kind::String, IOError, "optimizer state_dict: a param group key is not a str");
      if (!x.is_none()) jg[k.to_string()] = group_value(x, k.to_string());  // e.g. foreach=None: the default
    }
    groups.push_back(std::move(jg));
  }
  PtOptimizerState out;
  for (const auto& [index, state] : v.at("state").entries()) {
    NABLA_CHECK(index.kind() == Kind::Int && state.is_dict(), IOError,
                "optimizer state_dict: 'state' should map parameter indices to dicts");
    for (const auto& [k, x] : state.entries()) {
      NABLA_CHECK(k.kind() == Kind::String, IOError, "optimizer state_dict: a state key is not a str");
      const std::string name = fmt::format("state.{}.{}", index.to_int(), k.to_string());
      if (x.is_tensor())
        out.tensors[name] = x.to_tensor();
      else if (x.kind() == Kind::Int || x.kind() == Kind::Float)  // `step` before torch 1.12
        out.tensors[name] = full({}, x.to_double(), {.dtype = kFloat32});
      else
        NABLA_CHECK(x.is_none(), IOError, "optimizer state_dict: '{}' is a {}", name, kind_name(x.kind()));
    }
  }
  out.json = Json{{"optimizer", optimizer_name}, {"param_groups", std::move(groups)}}.dump();
  return out;
}

PtValue optimizer_state_to_pt(const PtOptimizerState& s) {
  const Json j = Json::parse(s.json, nullptr, /*allow_exceptions=*/false);
  NABLA_CHECK(j.is_object() && j.contains("param_groups") && j.at("param_groups").is_array(), ValueError,
              "optimizer_state_to_pt: the JSON has no 'param_groups' array");
  PtValue::Items groups;
  for (const Json& g : j.at("param_groups")) {
    NABLA_CHECK(g.is_object(), ValueError, "optimizer_state_to_pt: a param group is {}", g.dump());
    PtValue::Entries entries;
    for (const auto& [k, x] : g.items())
      if (k != "params") entries.emplace_back(k, group_entry(x, k));
    if (g.contains("params")) entries.emplace_back("params", group_entry(g.at("params"), "params"));
    groups.push_back(PtValue::dict(std::move(entries)));
  }
  std::map<int64_t, PtValue::Entries> state;
  for (const auto& [key, t] : s.tensors) {
    const size_t dot = key.find('.', 6);
    int64_t index = -1;
    if (key.rfind("state.", 0) == 0 && dot != std::string::npos) {
      const std::string digits = key.substr(6, dot - 6);
      if (!digits.empty() && digits.size() < 19 && std::all_of(digits.begin(), digits.end(), ::isdigit))
        index = std::stoll(digits);
    }
    NABLA_CHECK(index >= 0 && dot + 1 < key.size(), ValueError,
                "optimizer_state_to_pt: unexpected tensor key '{}' (expected 'state.<index>.<name>')", key);
    state[index].emplace_back(key.substr(dot + 1), t);
  }
  PtValue::Entries state_entries;
  for (auto& [index, entries] : state) state_entries.emplace_back(index, PtValue::dict(std::move(entries)));
  return PtValue::dict({{"state", PtValue::dict(std::move(state_entries))},
                        {"param_groups", PtValue::list(std::move(groups))}});
}

SafetensorsFile pt_to_safetensors(const PtValue& v) {
  SafetensorsFile out;
  if (v.is_tensor()) {
    out.tensors.emplace_back("tensor", v.to_tensor());
    out.metadata["nabla.torch"] = "tensor";  // what torch::save(tensor) writes
    return out;
  }
  bool state_dict = v.is_dict(), tensor_list = v.kind() == Kind::List;
  for (size_t i = 0; state_dict && i < v.entries().size(); ++i)
    state_dict = v.entries()[i].first.kind() == Kind::String && v.entries()[i].second.is_tensor();
  for (size_t i = 0; tensor_list && i < v.items().size(); ++i) tensor_list = v.items()[i].is_tensor();
  if (state_dict) {
    for (const auto& [k, t] : v.entries()) out.tensors.emplace_back(k.to_string(), t.to_tensor());
  } else if (tensor_list) {
    for (size_t i = 0; i < v.items().size(); ++i)
      out.tensors.emplace_back(std::to_string(i), v.items()[i].to_tensor());
    out.metadata["nabla.torch"] = "tensors";  // what torch::save(std::vector<Tensor>) writes
  } else {
    Flattener f;
    out.metadata["nabla.pt"] = f.value(v, "").dump();
    out.tensors = std::move(f.tensors);
  }
  return out;
}

PtValue pt_from_safetensors(const SafetensorsFile& file) {
  if (auto it = file.metadata.find("nabla.pt"); it != file.metadata.end()) {
    check_json_depth(it->second, 2 * detail::kMaxPickleDepth + 2);
    const Json j = Json::parse(it->second, nullptr, /*allow_exceptions=*/false);
    NABLA_CHECK(!j.is_discarded(), IOError, "the 'nabla.pt' metadata is not valid JSON");
    return unflatten(j, file, 0);
  }
  auto kind = file.metadata.find("nabla.torch");
  if (kind != file.metadata.end() && kind->second == "tensor") return PtValue(file.at("tensor"));
  if (kind != file.metadata.end() && kind->second == "tensors") {
    PtValue::Items items;
    for (size_t i = 0; i < file.tensors.size(); ++i) items.emplace_back(file.at(std::to_string(i)));
    return PtValue::list(std::move(items));
  }
  if (kind != file.metadata.end() && kind->second == "optimizer" && file.metadata.contains("optimizer")) {
    PtOptimizerState s{{}, file.metadata.at("optimizer")};
    for (const auto& [k, t] : file.tensors) s.tensors[k] = t;
    return optimizer_state_to_pt(s);
  }
  return to_pt(file.tensors);
}

void convert_file(const std::string& in, const std::string& out) {
  std::string ext = std::filesystem::path(out).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool to_safetensors = ext == ".safetensors";
  NABLA_CHECK(to_safetensors || ext == ".pt" || ext == ".pth" || ext == ".bin", ValueError,
              "convert: {}: name the output .safetensors or .pt (also .pth, .bin) to choose its format", out);
  const FileFormat format = detect_format(in);
  NABLA_CHECK(format != FileFormat::Unknown, IOError,
              "{}: byte 0: neither a safetensors file nor a PyTorch .pt file", in);
  PtValue value;
  if (format == FileFormat::Safetensors) {
    const SafetensorsFile file = load_safetensors(in);
    try {
      value = pt_from_safetensors(file);
    } catch (const IOError& e) {
      throw IOError(fmt::format("{}: {}", in, e.what()));
    }
  } else {
    value = load_pt(in);
  }
  if (!to_safetensors) return save_pt(out, value);
  const SafetensorsFile s = pt_to_safetensors(value);
  save_safetensors(out, s.tensors, s.metadata);
}

}  // namespace nabla::io
