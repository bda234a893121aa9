// golden_cases.h — reading tests/golden/ops.json (written by gen_golden.py) for the golden and gradcheck
// sweeps: tensors with their layouts, op arguments, and comparison against PyTorch's values.
#pragma once
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "golden/golden_json.h"
#include "nabla/ops/ops.h"
#include "support/op_registry.h"

namespace nabla::golden {

using json = nlohmann::json;

inline const json& all_cases() {
  static const json cases = golden_io::load_json("ops.json")["cases"];
  return cases;
}

inline std::vector<const json*> cases_of(std::string_view op) {
  std::vector<const json*> out;
  for (const json& c : all_cases())
    if (c["op"].get<std::string>() == op) out.push_back(&c);
  return out;
}

inline bool has_grads(const json& c) { return c.contains("grads") && !c["grads"].is_null(); }

inline DType dtype_from_name(const std::string& name) {
  for (int t = 0; t < kNumDTypes; ++t)
    if (dtype_name(static_cast<DType>(t)) == name) return static_cast<DType>(t);
  throw ValueError("golden: unknown dtype " + name);
}

namespace detail {
template <typename T>
Tensor make_contiguous(const json& data, const std::vector<int64_t>& shape, DType dtype) {
  std::vector<T> v;
  v.reserve(data.size());
  for (const json& x : data) {
    if (x.is_boolean())
      v.push_back(static_cast<T>(x.get<bool>()));
    else if (x.is_number_integer())
      v.push_back(static_cast<T>(x.get<int64_t>()));
    else if (x.is_string())  // "nan", "inf", "-inf": JSON has no such numbers
      v.push_back(static_cast<T>(std::stod(x.get<std::string>())));
    else
      v.push_back(static_cast<T>(x.get<double>()));
  }
  return from_buffer(v.data(), shape, dtype);
}
}  // namespace detail

// A tensor from its JSON form. Layout "transposed": `data` holds the contiguous tensor with the last two
// dims swapped, and we transpose it back (a non-contiguous view). Layout "strided": `data` has the last
// dim doubled and we take every other element. Layout "expanded": `data` has shape `base_shape` (1
// where the input broadcasts) and we expand it (stride 0 in those dims). `as` converts the values to another
// dtype first (the layout is kept, so non-contiguous inputs stay non-contiguous).
inline Tensor tensor_from_json(const json& j, std::optional<DType> as = std::nullopt) {
  if (j.is_null()) return Tensor();  // an absent optional input (bias, weight...)
  const auto shape = j["shape"].get<std::vector<int64_t>>();
  const std::string layout = j.value("layout", "contiguous");
  std::vector<int64_t> data_shape = shape;
  if (layout == "transposed") {
    if (shape.size() < 2) throw ValueError("golden: transposed layout needs 2 dims");
    std::swap(data_shape[shape.size() - 1], data_shape[shape.size() - 2]);
  } else if (layout == "strided") {
    if (shape.empty()) throw ValueError("golden: strided layout needs 1 dim");
    data_shape.back() *= 2;
  } else if (layout == "expanded") {
    data_shape = j["base_shape"].get<std::vector<int64_t>>();
  } else if (layout != "contiguous") {
    throw ValueError("golden: unknown layout " + layout);
  }
  const DType dtype = as.value_or(dtype_from_name(j["dtype"].get<std::string>()));
  const json& data = j["data"];
  int64_t numel = 1;
  for (int64_t s : data_shape) numel *= s;
  if (static_cast<int64_t>(data.size()) != numel) throw ValueError("golden: data size does not match shape");
  Tensor base;
  switch (dtype) {
    case DType::Bool:
      base = detail::make_contiguous<uint8_t>(data, data_shape, dtype);
      break;
    case DType::UInt8:
      base = detail::make_contiguous<uint8_t>(data, data_shape, dtype);
      break;
    case DType::Int32:
      base = detail::make_contiguous<int32_t>(data, data_shape, dtype);
      break;
    case DType::Int64:
      base = detail::make_contiguous<int64_t>(data, data_shape, dtype);
      break;
    case DType::Float32:
      base = detail::make_contiguous<float>(data, data_shape, dtype);
      break;
    case DType::Float64:
      base = detail::make_contiguous<double>(data, data_shape, dtype);
      break;
    case DType::Float16:
      base = detail::make_contiguous<Half>(data, data_shape, dtype);
      break;
    case DType::BFloat16:
      base = detail::make_contiguous<BFloat16>(data, data_shape, dtype);
      break;
  }
  if (layout == "transposed") return base.transpose(-2, -1).detach();
  if (layout == "strided") return base.slice(-1, 0, None, 2).detach();
  if (layout == "expanded") return base.expand(shape).detach();
  return base;
}

inline OpArgs args_from_json(const json& j) {
  OpArgs args;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const json& v = it.value();
    if (v.is_null()) continue;
    if (v.is_boolean())
      args.values[it.key()] = v.get<bool>();
    else if (v.is_number_integer())
      args.values[it.key()] = v.get<int64_t>();
    else if (v.is_number_float())
      args.values[it.key()] = v.get<double>();
    else if (v.is_string())
      args.values[it.key()] = v.get<std::string>();
    else if (v.is_array())
      args.values[it.key()] = v.get<std::vector<int64_t>>();
    else
      throw ValueError("golden: unsupported argument " + it.key());
  }
  return args;
}

// Inputs of case `c`; floating inputs are converted to `float_as` when given.
inline TensorList inputs_of(const json& c, std::optional<DType> float_as = std::nullopt) {
  TensorList in;
  for (const json& j : c["inputs"]) {
    if (j.is_null()) {
      in.emplace_back();
      continue;
    }
    const bool floating = is_floating(dtype_from_name(j["dtype"].get<std::string>()));
    in.push_back(tensor_from_json(j, floating ? float_as : std::nullopt));
  }
  return in;
}

// Marks the inputs PyTorch differentiated (those with a golden gradient) as requiring grad.
inline void require_grads(const json& c, TensorList& in) {
  const json& grads = c["grads"];
  for (size_t k = 0; k < in.size(); ++k)
    if (in[k].defined() && !grads[k].is_null()) in[k].requires_grad_(true);
}

inline TensorList invoke(const json& c, const TensorList& inputs) {
  return op_invoker(op_from_name(c["op"].get<std::string>()))(inputs, args_from_json(c["args"]));
}

inline std::string layouts_str(const json& c) {
  std::string s;
  for (const json& j : c["inputs"]) {
    if (!s.empty()) s += ", ";
    s += j.is_null()
             ? std::string("null")
             : j["dtype"].get<std::string>() + j["shape"].dump() + " " + j.value("layout", "contiguous");
  }
  return "[" + s + "]";
}

struct Tolerance {
  double rtol, atol;
};

// Compares `got` with the JSON tensor `expected`: dtype and shape exactly, values within tol for
// floating dtypes and exactly otherwise. Returns "" when they match, else a description of the diff.
inline std::string compare(const Tensor& got, const json& expected, Tolerance tol) {
  std::ostringstream os;
  if (!got.defined()) return "undefined tensor, expected " + expected["dtype"].get<std::string>();
  const std::string want_dtype = expected["dtype"].get<std::string>();
  if (std::string(dtype_name(got.dtype())) != want_dtype)
    os << "dtype " << dtype_name(got.dtype()) << " != expected " << want_dtype << "; ";
  const auto want_shape = expected["shape"].get<std::vector<int64_t>>();
  if (got.sizes().vec() != want_shape) {
    os << "shape " << shape_str(got.sizes()) << " != expected " << shape_str(want_shape);
    return os.str();
  }
  const std::vector<double> g = got.to_vector();
  const json& e = expected["data"];
  const bool floating = is_floating(dtype_from_name(want_dtype)) || is_floating(got.dtype());
  int bad = 0;
  double worst = 0;
  for (size_t k = 0; k < g.size(); ++k) {
    const double want = e[k].is_boolean()  ? (e[k].get<bool>() ? 1.0 : 0.0)
                        : e[k].is_string() ? std::stod(e[k].get<std::string>())  // "nan", "inf", "-inf"
                                           : e[k].get<double>();
    const double diff = std::abs(g[k] - want);
    const bool ok = g[k] == want || (floating && (diff <= tol.atol + tol.rtol * std::abs(want) ||
                                                  (std::isnan(g[k]) && std::isnan(want))));
    if (!ok || std::isnan(g[k]) != std::isnan(want)) {
      if (bad < 4) os << "[" << k << "] got " << g[k] << " expected " << want << "; ";
      ++bad;
      worst = std::max(worst, std::isnan(diff) ? INFINITY : diff);
    }
  }
  if (bad > 0) os << bad << " of " << g.size() << " elements differ (max abs diff " << worst << ")";
  return os.str();
}

}  // namespace nabla::golden
