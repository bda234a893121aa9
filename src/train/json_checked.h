// json_checked.h — reading the run checkpoint's JSON with every field's type and range checked: a
// ValueError naming the field, never an nlohmann exception or a silent float-to-int conversion.
// Tensor-free (the run-state fuzz target compiles it).
#pragma once
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/check.h"

namespace nabla::training::detail {

// ValueError "<what>: not a JSON object" for malformed or non-object text.
inline nlohmann::json parse_json_object(const std::string& text, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  NABLA_CHECK(j.is_object(), ValueError, "{}: not a JSON object", what);
  return j;
}

// The fields of one JSON object; `what` names it in messages ("run config").
class JsonFields {
 public:
  JsonFields(const nlohmann::json& j, std::string what) : j_(j), what_(std::move(what)) {}

  const nlohmann::json& at(const char* key) const {
    auto it = j_.find(key);
    NABLA_CHECK(it != j_.end(), ValueError, "{}: field '{}' is missing", what_, key);
    return *it;
  }
  bool has(const char* key) const { return j_.contains(key); }
  std::string string(const char* key) const {
    const auto& v = at(key);
    NABLA_CHECK(v.is_string(), ValueError, "{}: field '{}' must be a string, got {}", what_, key, shown(v));
    return v.get<std::string>();
  }
  // An integer (not a float: 1e9 or 2.5 is refused) in [lo, hi].
  int64_t integer(const char* key, int64_t lo, int64_t hi) const {
    const auto& v = at(key);
    const bool fits = v.is_number_integer() && !(v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX);
    NABLA_CHECK(fits && v.get<int64_t>() >= lo && v.get<int64_t>() <= hi, ValueError,
                "{}: field '{}' must be an integer from {} to {}, got {}", what_, key, lo, hi, shown(v));
    return v.get<int64_t>();
  }
  uint64_t uint64(const char* key) const {
    const auto& v = at(key);
    NABLA_CHECK(v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0), ValueError,
                "{}: field '{}' must be an integer from 0 to 2^64-1, got {}", what_, key, shown(v));
    return v.get<uint64_t>();
  }
  // A finite number in (lo, hi] (open below when `open_low`) or [lo, hi].
  double real(const char* key, double lo, double hi, bool open_low) const {
    return real_value(at(key), key, lo, hi, open_low);
  }
  std::vector<double> reals(const char* key, double lo, double hi, bool open_low, size_t max_size) const {
    const auto& v = at(key);
    NABLA_CHECK(v.is_array() && !v.empty() && v.size() <= max_size, ValueError,
                "{}: field '{}' must be a list of 1 to {} numbers, got {}", what_, key, max_size, shown(v));
    std::vector<double> out;
    for (const auto& x : v) out.push_back(real_value(x, key, lo, hi, open_low));
    return out;
  }
  std::vector<std::string> strings(const char* key) const {
    const auto& v = at(key);
    NABLA_CHECK(v.is_array(), ValueError, "{}: field '{}' must be a list of strings, got {}", what_, key,
                shown(v));
    std::vector<std::string> out;
    for (const auto& x : v) {
      NABLA_CHECK(x.is_string(), ValueError, "{}: field '{}' must be a list of strings, got {}", what_, key,
                  shown(x));
      out.push_back(x.get<std::string>());
    }
    return out;
  }

 private:
  double real_value(const nlohmann::json& v, const char* key, double lo, double hi, bool open_low) const {
    const double x = v.is_number() ? v.get<double>() : std::nan("");
    const bool ok = std::isfinite(x) && (open_low ? x > lo : x >= lo) && x <= hi;
    NABLA_CHECK(ok, ValueError, "{}: field '{}' must be a finite number in {}{}, {}], got {}", what_, key,
                open_low ? "(" : "[", lo, hi, shown(v));
    return x;
  }
  // At most 40 characters of the offending value.
  static std::string shown(const nlohmann::json& v) {
    std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return s.size() > 40 ? s.substr(0, 40) + "..." : s;
  }
  const nlohmann::json& j_;
  std::string what_;
};

}  // namespace nabla::training::detail
