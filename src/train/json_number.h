// json_number.h — doubles in JSON that survive NaN and infinities. nlohmann-json writes a non-finite
// number as `null`, which then fails to read back as a double; the run state (history, callback
// state) stores them as the strings "NaN", "Infinity" and "-Infinity" (Python json's spelling) and
// reads `null` (written by older versions) back as NaN.
#pragma once
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "util/check.h"

namespace nabla::training::detail {

inline nlohmann::json number_to_json(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

inline double number_from_json(const nlohmann::json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  throw ValueError(fmt::format("expected a number, got {}", j.dump()));
}

inline nlohmann::json metrics_to_json(const std::map<std::string, double>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = number_to_json(v);
  return j;
}

inline std::map<std::string, double> metrics_from_json(const nlohmann::json& j) {
  std::map<std::string, double> m;
  for (auto it = j.begin(); it != j.end(); ++it) m[it.key()] = number_from_json(it.value());
  return m;
}

}  // namespace nabla::training::detail
