// pt_test_util.h — helpers for the .pt suites: comparing a PtValue with tests/golden/pt/expected.json
// (encoding in tests/golden/gen_pt_golden.py), and hand-made .pt files (a pickle plus storage records).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "golden/golden_json.h"
#include "io/pickle.h"
#include "io/pt_archive.h"
#include "nabla/io/pt.h"
#include "nabla/ops/ops.h"

namespace nabla::io::test {

inline std::string pt_golden(const std::string& name) { return NABLA_SOURCE_DIR "/tests/golden/pt/" + name; }

inline const nlohmann::json& pt_expected() {
  static const nlohmann::json j = golden_io::load_json("pt/expected.json");
  return j;
}

inline double json_number(const nlohmann::json& x) {
  if (x.is_string()) return x == "nan" ? NAN : x == "inf" ? INFINITY : -INFINITY;
  return x.get<double>();
}

// An expected tensor ({"dtype", "shape", "data"}) as a nabla tensor of that dtype.
inline Tensor json_tensor(const nlohmann::json& e) {
  const auto& data = e.at("data");
  Tensor t = empty({static_cast<int64_t>(data.size())}, {.dtype = kFloat64});
  for (size_t i = 0; i < data.size(); ++i) t.data_ptr<double>()[i] = json_number(data[i]);
  const std::string name = e.at("dtype");
  DType dtype = kFloat32;
  for (DType d : {kBool, kUInt8, kInt32, kInt64, kFloat16, kBFloat16, kFloat32, kFloat64})
    if (dtype_name(d) == name) dtype = d;
  return t.to(dtype).reshape(e.at("shape").get<std::vector<int64_t>>());
}

// nabla widens int8 and int16 to int32.
inline std::string nabla_dtype_name(const std::string& torch_name) {
  return torch_name == "int8" || torch_name == "int16" ? "int32" : torch_name;
}

inline ::testing::AssertionResult tensor_matches(const Tensor& t, const nlohmann::json& e,
                                                 const std::string& at) {
  const std::string dtype = std::string(dtype_name(t.dtype()));
  if (dtype != nabla_dtype_name(e.at("dtype")))
    return ::testing::AssertionFailure() << at << ": dtype " << dtype << ", expected " << e.at("dtype");
  if (t.sizes().vec() != e.at("shape").get<std::vector<int64_t>>())
    return ::testing::AssertionFailure()
           << at << ": shape " << shape_str(t.sizes()) << ", expected " << e.at("shape");
  if (t.requires_grad() != e.at("requires_grad").get<bool>())
    return ::testing::AssertionFailure() << at << ": requires_grad " << t.requires_grad();
  const Tensor flat = t.detach().to(kFloat64).contiguous().reshape({-1});
  const auto& data = e.at("data");
  for (size_t i = 0; i < data.size(); ++i) {
    const double got = flat.data_ptr<double>()[i], want = json_number(data[i]);
    if (!(got == want || (std::isnan(got) && std::isnan(want))))
      return ::testing::AssertionFailure() << at << "[" << i << "]: " << got << ", expected " << want;
  }
  return ::testing::AssertionSuccess();
}

// `v` is what `e` encodes (exactly: numbers, strings, kinds, dict order, tensor values).
inline ::testing::AssertionResult matches(const PtValue& v, const nlohmann::json& e,
                                          const std::string& at = "") {
  using Kind = PtValue::Kind;
  const auto fail = [&](const std::string& what) {
    return ::testing::AssertionFailure()
           << (at.empty() ? "<root>" : at) << ": " << what << " (got a " << kind_name(v.kind())
           << ", expected " << e.dump().substr(0, 120) << ")";
  };
  if (e.is_null()) return v.is_none() ? ::testing::AssertionSuccess() : fail("not None");
  if (e.is_boolean())
    return v.kind() == Kind::Bool && v.to_bool() == e.get<bool>() ? ::testing::AssertionSuccess()
                                                                  : fail("bool");
  if (e.is_string())
    return v.kind() == Kind::String && v.to_string() == e.get<std::string>() ? ::testing::AssertionSuccess()
                                                                             : fail("str");
  if (e.contains("int"))
    return v.kind() == Kind::Int && v.to_int() == e["int"].get<int64_t>() ? ::testing::AssertionSuccess()
                                                                          : fail("int");
  if (e.contains("float")) {
    if (v.kind() != Kind::Float) return fail("float");
    const double want = json_number(e["float"]), got = v.to_double();
    return got == want || (std::isnan(got) && std::isnan(want)) ? ::testing::AssertionSuccess()
                                                                : fail("float value");
  }
  if (e.contains("tensor"))
    return v.is_tensor() ? tensor_matches(v.to_tensor(), e["tensor"], at) : fail("tensor");
  if (e.contains("list") || e.contains("tuple")) {
    const bool list = e.contains("list");
    const auto& items = list ? e["list"] : e["tuple"];
    if (v.kind() != (list ? Kind::List : Kind::Tuple) || v.items().size() != items.size())
      return fail("sequence");
    for (size_t i = 0; i < items.size(); ++i)
      if (auto r = matches(v.items()[i], items[i], at + "[" + std::to_string(i) + "]"); !r) return r;
    return ::testing::AssertionSuccess();
  }
  const auto& entries = e.at("dict");
  if (!v.is_dict() || v.entries().size() != entries.size() ||
      v.is_ordered_dict() != e.at("ordered").get<bool>())
    return fail("dict");
  for (size_t i = 0; i < entries.size(); ++i) {
    const PtValue& k = v.entries()[i].first;
    const auto& ek = entries[i][0];
    const bool same_key = ek.is_string() ? k.kind() == Kind::String && k.to_string() == ek.get<std::string>()
                                         : k.kind() == Kind::Int && k.to_int() == ek.get<int64_t>();
    if (!same_key) return fail("key " + ek.dump());
    if (auto r = matches(v.entries()[i].second, entries[i][1], at + "." + ek.dump()); !r) return r;
  }
  return ::testing::AssertionSuccess();
}

// A .pt file holding `pickle` as archive/data.pkl plus the given records ("archive/data/0", ...).
inline void write_pt(const std::string& path, const std::string& pickle,
                     const std::vector<std::pair<std::string, std::string>>& records = {},
                     bool with_version = true) {
  std::vector<detail::ZipRecord> zip{{"archive/data.pkl", pickle.data(), pickle.size()}};
  for (const auto& [name, bytes] : records) zip.push_back({name, bytes.data(), bytes.size()});
  static const std::string kVersion = "3\n";
  if (with_version) zip.push_back({"archive/version", kVersion.data(), kVersion.size()});
  detail::write_pt_zip(path, zip);
}

// The pickle of `_rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, sizes, strides,
// False, OrderedDict())` (what torch.save writes for one tensor).
inline std::string tensor_pickle(const std::string& type, const std::string& key, int64_t numel,
                                 int64_t offset, const std::vector<int64_t>& sizes,
                                 const std::vector<int64_t>& strides) {
  detail::PickleWriter w;
  w.global("torch._utils", "_rebuild_tensor_v2");
  w.mark();
  w.mark();
  w.string("storage");
  w.global("torch", type);
  w.string(key);
  w.string("cpu");
  w.integer(numel);
  w.tuple(5);
  w.persistent_id();
  w.integer(offset);
  for (const auto* list : {&sizes, &strides}) {
    w.mark();
    for (int64_t x : *list) w.integer(x);
    w.tuple(99);
  }
  w.boolean(false);
  w.global("collections", "OrderedDict");
  w.tuple(0);
  w.reduce();
  w.tuple(6);
  w.reduce();
  return w.finish();
}

}  // namespace nabla::io::test
