// json_fields.h — FieldVisitor over nlohmann::json: how optimizer options and LR scheduler state
// become the JSON strings of state dicts. Internal to src/optim (no JSON type in public headers).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "nabla/optim/optimizer.h"

namespace nabla::optim::detail {

using Json = nlohmann::json;

// Doubles round-trip exactly as JSON numbers; the non-finite values JSON cannot hold are written as
// the strings "inf", "-inf" and "nan".
Json encode(double v);
double decode_double(const Json& j, const std::string& key);
// ValueError naming `what` when `text` is not a JSON object.
Json parse_object(const std::string& text, const char* what);
// The string j[key], or "?" when it is missing or not a string (j.value() would throw json's own
// type_error, which escaped as an "unexpected error").
std::string string_or_unknown(const Json& j, const char* key);

// Writes every visited field into `out` (a JSON object).
class JsonWriter final : public FieldVisitor {
 public:
  explicit JsonWriter(Json& out) : out_(out) {}
  void field(const char* name, double& v) override { out_[name] = encode(v); }
  void field(const char* name, int64_t& v) override { out_[name] = v; }
  void field(const char* name, bool& v) override { out_[name] = v; }
  void field(const char* name, std::string& v) override { out_[name] = v; }
  void field(const char* name, std::pair<double, double>& v) override;
  void field(const char* name, std::vector<double>& v) override;
  void field(const char* name, std::vector<int64_t>& v) override { out_[name] = v; }

 private:
  Json& out_;
};

// Reads visited fields back from `in`; a missing key leaves the field unchanged (like PyTorch's dict
// update), a value of the wrong type is a ValueError naming `what` and the key.
class JsonReader final : public FieldVisitor {
 public:
  JsonReader(const Json& in, std::string what) : in_(in), what_(std::move(what)) {}
  void field(const char* name, double& v) override;
  void field(const char* name, int64_t& v) override;
  void field(const char* name, bool& v) override;
  void field(const char* name, std::string& v) override;
  void field(const char* name, std::pair<double, double>& v) override;
  void field(const char* name, std::vector<double>& v) override;
  void field(const char* name, std::vector<int64_t>& v) override;

 private:
  template <typename F>
  void read(const char* name, F&& f);
  const Json& in_;
  std::string what_;
};

}  // namespace nabla::optim::detail
