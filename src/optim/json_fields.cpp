// json_fields.cpp — JSON field visitors for optimizer and scheduler state dicts.
#include "optim/json_fields.h"

#include <cmath>
#include <limits>

#include "util/check.h"

namespace nabla::optim::detail {

Json encode(double v) {
  if (std::isfinite(v)) return v;
  if (std::isnan(v)) return "nan";
  return v > 0 ? "inf" : "-inf";
}

double decode_double(const Json& j, const std::string& key) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  }
  throw ValueError(fmt::format("state dict: '{}' should be a number, got {}", key, j.dump()));
}

std::string string_or_unknown(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "?";
}

Json parse_object(const std::string& text, const char* what) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  NABLA_CHECK(j.is_object(), ValueError, "{}: expected a JSON object, got '{}'", what,
              text.size() > 80 ? text.substr(0, 80) + "..." : text);
  return j;
}

void JsonWriter::field(const char* name, std::pair<double, double>& v) {
  out_[name] = Json::array({encode(v.first), encode(v.second)});
}
void JsonWriter::field(const char* name, std::vector<double>& v) {
  Json a = Json::array();
  for (double x : v) a.push_back(encode(x));
  out_[name] = std::move(a);
}

template <typename F>
void JsonReader::read(const char* name, F&& f) {
  auto it = in_.find(name);
  if (it == in_.end()) return;
  try {
    f(*it);
  } catch (const nlohmann::json::exception&) {
    throw ValueError(
        fmt::format("{}: state dict field '{}' has the wrong type: {}", what_, name, it->dump()));
  }
}

void JsonReader::field(const char* name, double& v) {
  read(name, [&](const Json& j) { v = decode_double(j, name); });
}
void JsonReader::field(const char* name, int64_t& v) {
  read(name, [&](const Json& j) { v = j.get<int64_t>(); });
}
void JsonReader::field(const char* name, bool& v) {
  read(name, [&](const Json& j) { v = j.get<bool>(); });
}
void JsonReader::field(const char* name, std::string& v) {
  read(name, [&](const Json& j) { v = j.get<std::string>(); });
}
void JsonReader::field(const char* name, std::pair<double, double>& v) {
  read(name, [&](const Json& j) {
    NABLA_CHECK(j.is_array() && j.size() == 2, ValueError,
                "{}: state dict field '{}' should be a pair, got {}", what_, name, j.dump());
    v = {decode_double(j[0], name), decode_double(j[1], name)};
  });
}
void JsonReader::field(const char* name, std::vector<double>& v) {
  read(name, [&](const Json& j) {
    std::vector<double> out;
    for (const auto& x : j.get_ref<const Json::array_t&>()) out.push_back(decode_double(x, name));
    v = std::move(out);
  });
}
void JsonReader::field(const char* name, std::vector<int64_t>& v) {
  read(name, [&](const Json& j) { v = j.get<std::vector<int64_t>>(); });
}

}  // namespace nabla::optim::detail
