// pt_value.cpp — PtValue, the Python objects of a .pt file (pt.h).
#include <set>

#include "nabla/io/pt.h"
#include "util/check.h"

namespace nabla::io {

namespace {
std::string key_text(const PtValue& key) {
  return key.kind() == PtValue::Kind::String ? "'" + key.to_string() + "'" : std::to_string(key.to_int());
}
}  // namespace

std::string_view kind_name(PtValue::Kind kind) {
  static constexpr std::string_view names[] = {"None",   "bool", "int",   "float", "str",
                                               "tensor", "list", "tuple", "dict"};
  return names[static_cast<int>(kind)];
}

PtValue PtValue::list(Items items) {
  PtValue v;
  v.v_ = std::make_shared<const Items>(std::move(items));
  return v;
}

PtValue PtValue::tuple(Items items) {
  PtValue v = list(std::move(items));
  v.tuple_ = true;
  return v;
}

PtValue PtValue::dict(Entries entries, bool ordered) {
  std::set<std::pair<int, std::string>> seen;
  for (const auto& [k, value] : entries) {
    NABLA_CHECK(k.kind() == Kind::String || k.kind() == Kind::Int, ValueError,
                "PtValue::dict: a key is a {}; keys must be str or int", kind_name(k.kind()));
    const bool is_str = k.kind() == Kind::String;
    NABLA_CHECK(seen.emplace(is_str, is_str ? k.to_string() : std::to_string(k.to_int())).second, ValueError,
                "PtValue::dict: the key {} appears twice", key_text(k));
  }
  PtValue v;
  v.v_ = std::make_shared<const Entries>(std::move(entries));
  v.ordered_ = ordered;
  return v;
}

PtValue::Kind PtValue::kind() const {
  switch (v_.index()) {
    case 0:
      return Kind::None;
    case 1:
      return Kind::Bool;
    case 2:
      return Kind::Int;
    case 3:
      return Kind::Float;
    case 4:
      return Kind::String;
    case 5:
      return Kind::Tensor;
    case 6:
      return tuple_ ? Kind::Tuple : Kind::List;
    default:
      return Kind::Dict;
  }
}

#define NABLA_PT_EXPECT(cond, expected) \
  NABLA_CHECK(cond, ValueError, "PtValue: expected {}, got {}", expected, kind_name(kind()))

bool PtValue::to_bool() const {
  NABLA_PT_EXPECT(kind() == Kind::Bool, "a bool");
  return std::get<bool>(v_);
}
int64_t PtValue::to_int() const {
  NABLA_PT_EXPECT(kind() == Kind::Int, "an int");
  return std::get<int64_t>(v_);
}
double PtValue::to_double() const {
  NABLA_PT_EXPECT(kind() == Kind::Float || kind() == Kind::Int, "a float");
  return kind() == Kind::Int ? static_cast<double>(std::get<int64_t>(v_)) : std::get<double>(v_);
}
const std::string& PtValue::to_string() const {
  NABLA_PT_EXPECT(kind() == Kind::String, "a str");
  return std::get<std::string>(v_);
}
const Tensor& PtValue::to_tensor() const {
  NABLA_PT_EXPECT(kind() == Kind::Tensor, "a tensor");
  return std::get<Tensor>(v_);
}
const PtValue::Items& PtValue::items() const {
  NABLA_PT_EXPECT(kind() == Kind::List || kind() == Kind::Tuple, "a list or tuple");
  return *std::get<std::shared_ptr<const Items>>(v_);
}
const PtValue::Entries& PtValue::entries() const {
  NABLA_PT_EXPECT(kind() == Kind::Dict, "a dict");
  return *std::get<std::shared_ptr<const Entries>>(v_);
}
size_t PtValue::size() const { return is_dict() ? entries().size() : items().size(); }

bool PtValue::contains(std::string_view key) const {
  for (const auto& [k, v] : entries())
    if (k.kind() == Kind::String && k.to_string() == key) return true;
  return false;
}

const PtValue& PtValue::at(std::string_view key) const {
  for (const auto& [k, v] : entries())
    if (k.kind() == Kind::String && k.to_string() == key) return v;
  throw IndexError(fmt::format("PtValue::at: the dict has no key '{}'", key));
}

const PtValue& PtValue::at(int64_t key) const {
  for (const auto& [k, v] : entries())
    if (k.kind() == Kind::Int && k.to_int() == key) return v;
  throw IndexError(fmt::format("PtValue::at: the dict has no key {}", key));
}

PtValue to_pt(const NamedTensors& state_dict) {
  PtValue::Entries entries;
  for (const auto& [name, t] : state_dict) entries.emplace_back(name, t);
  return PtValue::dict(std::move(entries), /*ordered=*/true);
}

}  // namespace nabla::io
