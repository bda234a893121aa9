// safetensors_format.cpp — safetensors header parsing/validation and serialization (tensor-free).
#include "io/safetensors_format.h"

#include <algorithm>
#include <array>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "util/check.h"

namespace nabla::io::detail {

namespace {
// ordered_json keeps the header's key order (the reference writes keys in data-offset order).
using Json = nlohmann::ordered_json;

// `rank`: position in the reference implementation's Dtype enum (BOOL, U8, ..., F16, BF16, I32, ..., F32,
// F64, I64, ...), by which its writer orders tensors (descending) so that each stays aligned to its element
// size.
struct DTypeInfo {
  DType dtype;
  std::string_view name;
  size_t size;
  int rank;
};
constexpr std::array<DTypeInfo, 8> kDTypes = {{{DType::Bool, "BOOL", 1, 0},
                                               {DType::UInt8, "U8", 1, 1},
                                               {DType::Float16, "F16", 2, 2},
                                               {DType::BFloat16, "BF16", 2, 3},
                                               {DType::Int32, "I32", 4, 4},
                                               {DType::Float32, "F32", 4, 5},
                                               {DType::Float64, "F64", 8, 6},
                                               {DType::Int64, "I64", 8, 7}}};
static_assert(kDTypes.size() == kNumDTypes, "every nabla dtype has a safetensors name");

const DTypeInfo& info(DType dtype) {
  const auto* it =
      std::find_if(kDTypes.begin(), kDTypes.end(), [&](const auto& d) { return d.dtype == dtype; });
  NABLA_ASSERT(it != kDTypes.end(), "unknown dtype {}", static_cast<int>(dtype));
  return *it;
}

// Parses the header JSON. The callback refuses duplicate keys (which nlohmann would silently merge) and
// nesting deeper than a valid header has (top object 0, tensor/metadata object 1, shape array 2), so a
// header of a million '[' costs nothing.
Json parse_json(std::span<const uint8_t> header, const std::string& name) {
  std::array<std::set<std::string>, 4> keys;
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) {
      NABLA_CHECK(depth <= 2, IOError, "{}: the header nests deeper than a safetensors header can", name);
      if (event == Json::parse_event_t::object_start) keys[static_cast<size_t>(depth) + 1].clear();
    } else if (event == Json::parse_event_t::key && depth >= 0 && depth < 4) {
      const auto& key = parsed.get_ref<const std::string&>();
      NABLA_CHECK(keys[static_cast<size_t>(depth)].insert(key).second, IOError,
                  "{}: the header has the key \"{}\" twice", name, key);
    }
    return true;
  };
  try {
    return Json::parse(header.begin(), header.end(), callback);
  } catch (const Json::parse_error& e) {
    throw IOError(fmt::format("{}: byte {}: the safetensors header is not valid JSON ({})", name,
                              8 + (e.byte > 0 ? e.byte - 1 : 0), e.what()));
  } catch (const Json::exception& e) {
    throw IOError(fmt::format("{}: the safetensors header is not valid JSON ({})", name, e.what()));
  }
}

std::map<std::string, std::string> parse_metadata(const Json& value, const std::string& name) {
  NABLA_CHECK(value.is_object(), IOError, "{}: \"__metadata__\" is not an object of strings", name);
  std::map<std::string, std::string> out;
  for (const auto& item : value.items()) {
    NABLA_CHECK(item.value().is_string(), IOError, "{}: \"__metadata__\" value of \"{}\" is not a string",
                name, item.key());
    out.emplace(item.key(), item.value().get<std::string>());
  }
  return out;
}

uint64_t unsigned_field(const Json& v, const std::string& name, const std::string& tensor,
                        const char* field) {
  NABLA_CHECK(v.is_number_unsigned(), IOError,
              "{}: tensor \"{}\": \"{}\" holds {}, not a non-negative integer", name, tensor, field,
              v.dump());
  return v.get<uint64_t>();
}

SafetensorsEntry parse_entry(const std::string& key, const Json& v, const std::string& name) {
  NABLA_CHECK(v.is_object(), IOError, "{}: tensor \"{}\": header entry is not an object", name, key);
  SafetensorsEntry e;
  e.name = key;
  auto dtype = v.find("dtype");
  NABLA_CHECK(dtype != v.end() && dtype->is_string(), IOError,
              "{}: tensor \"{}\": missing or non-string \"dtype\"", name, key);
  auto d = safetensors_dtype(dtype->get_ref<const std::string&>());
  NABLA_CHECK(
      d.has_value(), IOError,
      "{}: tensor \"{}\": unsupported dtype {} (nabla reads F64, F32, F16, BF16, I64, I32, U8 and BOOL)",
      name, key, dtype->dump());
  e.dtype = *d;
  auto shape = v.find("shape");
  NABLA_CHECK(shape != v.end() && shape->is_array(), IOError,
              "{}: tensor \"{}\": missing or non-array \"shape\"", name, key);
  NABLA_CHECK(shape->size() <= kMaxSafetensorsRank, IOError,
              "{}: tensor \"{}\": rank {} exceeds nabla's limit of {}", name, key, shape->size(),
              kMaxSafetensorsRank);
  for (const auto& dim : *shape) {
    uint64_t x = unsigned_field(dim, name, key, "shape");
    NABLA_CHECK(x <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), IOError,
                "{}: tensor \"{}\": dimension {} does not fit in int64", name, key, x);
    e.shape.push_back(static_cast<int64_t>(x));
  }
  auto offsets = v.find("data_offsets");
  NABLA_CHECK(offsets != v.end() && offsets->is_array() && offsets->size() == 2, IOError,
              "{}: tensor \"{}\": \"data_offsets\" is missing or not [begin, end]", name, key);
  e.begin = unsigned_field((*offsets)[0], name, key, "data_offsets");
  e.end = unsigned_field((*offsets)[1], name, key, "data_offsets");
  return e;
}

// Bytes the entry's dtype and shape need, overflow-checked. The product of the non-zero dims must also
// fit in int64 so that strides of a zero-size tensor stay representable.
uint64_t needed_bytes(const SafetensorsEntry& e, const std::string& name) {
  uint64_t nonzero = 1, bytes = 0;
  bool has_zero = false;
  for (int64_t d : e.shape) {
    has_zero = has_zero || d == 0;
    NABLA_CHECK(!__builtin_mul_overflow(nonzero, static_cast<uint64_t>(d == 0 ? 1 : d), &nonzero) &&
                    nonzero <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
                IOError, "{}: tensor \"{}\": shape {} has more elements than fit in 64 bits", name, e.name,
                fmt::join(e.shape, ", "));
  }
  uint64_t numel = has_zero ? 0 : nonzero;
  NABLA_CHECK(!__builtin_mul_overflow(numel, safetensors_dtype_size(e.dtype), &bytes), IOError,
              "{}: tensor \"{}\": shape [{}] of {} needs more bytes than fit in 64 bits", name, e.name,
              fmt::join(e.shape, ", "), safetensors_dtype_name(e.dtype));
  return bytes;
}

// Offsets sorted by the caller: each tensor must start where the previous one ended and the last must
// end at the end of the file (the reference implementation's rule).
void check_layout(const SafetensorsHeader& h, const std::string& name) {
  const uint64_t base = h.data_start();
  uint64_t pos = 0;
  for (const auto& e : h.entries) {
    uint64_t bytes = needed_bytes(e, name);
    NABLA_CHECK(e.end >= e.begin, IOError, "{}: tensor \"{}\": data_offsets [{}, {}] end before they begin",
                name, e.name, e.begin, e.end);
    NABLA_CHECK(e.end - e.begin == bytes, IOError,
                "{}: tensor \"{}\": data_offsets [{}, {}] hold {} bytes but shape [{}] of {} needs {}", name,
                e.name, e.begin, e.end, e.end - e.begin, fmt::join(e.shape, ", "),
                safetensors_dtype_name(e.dtype), bytes);
    NABLA_CHECK(
        e.end <= h.data_size, IOError,
        "{}: tensor \"{}\": data_offsets [{}, {}] run past the end of the file (the data buffer holds {} "
        "bytes from byte {}; truncated?)",
        name, e.name, e.begin, e.end, h.data_size, base);
    NABLA_CHECK(
        e.begin == pos, IOError,
        "{}: byte {}: tensor \"{}\" starts at data offset {} but {} at data offset {}", name,
        base + std::min(e.begin, pos), e.name, e.begin,
        e.begin < pos ? "overlaps the previous tensor, which ends" : "leaves a gap after the previous tensor",
        pos);
    pos = e.end;
  }
  NABLA_CHECK(pos == h.data_size, IOError, "{}: byte {}: {} trailing bytes are not part of any tensor", name,
              base + pos, h.data_size - pos);
}
}  // namespace

std::optional<DType> safetensors_dtype(std::string_view name) {
  for (const auto& d : kDTypes)
    if (d.name == name) return d.dtype;
  return std::nullopt;
}
std::string_view safetensors_dtype_name(DType dtype) { return info(dtype).name; }
size_t safetensors_dtype_size(DType dtype) { return info(dtype).size; }
int safetensors_layout_rank(DType dtype) { return info(dtype).rank; }

uint64_t parse_safetensors_prefix(std::span<const uint8_t> prefix, uint64_t file_size,
                                  const std::string& name) {
  NABLA_CHECK(
      file_size >= 8 && prefix.size() >= 8, IOError,
      "{}: byte 0: file is {} bytes, too short for a safetensors file (8-byte header length, then the "
      "header)",
      name, file_size);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | prefix[static_cast<size_t>(i)];
  NABLA_CHECK(n <= kMaxSafetensorsHeader, IOError,
              "{}: byte 0: header length {} exceeds the limit of {} bytes (not a safetensors file?)", name, n,
              kMaxSafetensorsHeader);
  NABLA_CHECK(n <= file_size - 8, IOError,
              "{}: byte 0: header length {} runs past the end of the file ({} bytes; truncated?)", name, n,
              file_size);
  NABLA_CHECK(n >= 2, IOError, "{}: byte 0: header length {} is too short for a JSON object", name, n);
  return n;
}

SafetensorsHeader parse_safetensors_header(std::span<const uint8_t> header, uint64_t file_size,
                                           const std::string& name) {
  NABLA_ASSERT(header.size() + 8 <= file_size, "header larger than the file");
  SafetensorsHeader h;
  h.header_size = header.size();
  h.data_size = file_size - 8 - header.size();
  NABLA_CHECK(!header.empty() && header[0] == '{', IOError,
              "{}: byte 8: the header does not start with '{{' (not a safetensors file?)", name);
  // nlohmann::json stops at a NUL byte as if the input ended there; valid JSON has none.
  auto nul = std::find(header.begin(), header.end(), uint8_t{0});
  NABLA_CHECK(nul == header.end(), IOError, "{}: byte {}: NUL byte in the safetensors header", name,
              8 + (nul - header.begin()));
  Json json = parse_json(header, name);
  NABLA_CHECK(json.is_object(), IOError, "{}: byte 8: the header is not a JSON object", name);
  for (const auto& item : json.items()) {
    if (item.key() == "__metadata__")
      h.metadata = parse_metadata(item.value(), name);
    else
      h.entries.push_back(parse_entry(item.key(), item.value(), name));
  }
  std::stable_sort(h.entries.begin(), h.entries.end(), [](const auto& a, const auto& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  check_layout(h, name);
  return h;
}

std::string safetensors_header_json(const std::vector<SafetensorsEntry>& entries,
                                    const std::map<std::string, std::string>& metadata,
                                    const std::string& name) {
  Json j = Json::object();
  if (!metadata.empty()) {
    Json m = Json::object();
    for (const auto& [k, v] : metadata) m[k] = v;
    j["__metadata__"] = std::move(m);
  }
  for (const auto& e : entries) {
    Json t = Json::object();
    t["dtype"] = safetensors_dtype_name(e.dtype);
    t["shape"] = e.shape;
    t["data_offsets"] = {e.begin, e.end};
    j[e.name] = std::move(t);
  }
  try {
    return j.dump();
  } catch (const Json::type_error& e) {
    throw ValueError(
        fmt::format("{}: a tensor name or metadata string is not valid UTF-8 ({})", name, e.what()));
  }
}

std::string pad_safetensors_header(std::string json) {
  json.append((8 - json.size() % 8) % 8, ' ');
  return json;
}

}  // namespace nabla::io::detail
