// safetensors.cpp — save_safetensors / load_safetensors (header rules in safetensors_format.cpp).
#include "nabla/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <set>

#include "io/atomic_file.h"
#include "io/crc32c.h"
#include "io/read_file.h"
#include "io/safetensors_io.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace nabla::io {

namespace detail {
namespace {
size_t byte_size(const Tensor& t) {
  return static_cast<size_t>(t.numel()) * safetensors_dtype_size(t.dtype());
}

void check_names(const NamedTensors& tensors, const std::string& path) {
  std::set<std::string_view> seen;
  for (const auto& [name, t] : tensors) {
    NABLA_CHECK(!name.empty(), ValueError, "save_safetensors: {}: a tensor has an empty name", path);
    NABLA_CHECK(name != "__metadata__", ValueError,
                "save_safetensors: {}: \"__metadata__\" is a reserved name", path);
    NABLA_CHECK(seen.insert(name).second, ValueError, "save_safetensors: {}: the name \"{}\" appears twice",
                path, name);
    NABLA_CHECK(t.defined(), ValueError, "save_safetensors: {}: tensor \"{}\" is undefined", path, name);
    NABLA_CHECK(t.device().is_cpu(), DeviceError, "save_safetensors: {}: tensor \"{}\" is not on the CPU",
                path, name);
  }
}
}  // namespace

PreparedTensors prepare_tensors(const NamedTensors& tensors, const std::string& path) {
  check_names(tensors, path);
  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    int ra = safetensors_layout_rank(tensors[a].second.dtype()),
        rb = safetensors_layout_rank(tensors[b].second.dtype());
    return ra != rb ? ra > rb : tensors[a].first < tensors[b].first;
  });
  PreparedTensors out;
  uint64_t pos = 0;
  for (size_t i : order) {
    const auto& [name, t] = tensors[i];
    Tensor c = t.detach().contiguous();
    uint64_t bytes = byte_size(c);
    out.entries.push_back({name, c.dtype(), c.sizes().vec(), pos, pos + bytes});
    out.data.push_back(std::move(c));
    pos += bytes;
  }
  return out;
}

uint32_t data_crc32c(const PreparedTensors& prepared) {
  uint32_t crc = 0;
  for (const auto& t : prepared.data) crc = crc32c_extend(crc, t.data_ptr(), byte_size(t));
  return crc;
}

void write_safetensors_file(const std::string& path, const PreparedTensors& prepared,
                            const Metadata& metadata) {
  std::string header = pad_safetensors_header(safetensors_header_json(prepared.entries, metadata, path));
  uint8_t prefix[8];
  for (size_t i = 0; i < 8; ++i)
    prefix[i] = static_cast<uint8_t>(static_cast<uint64_t>(header.size()) >> (8 * i));
  AtomicFile file(path);
  file.write(prefix, sizeof prefix);
  file.write(header.data(), header.size());
  for (const auto& t : prepared.data)
    if (t.numel() > 0) file.write(t.data_ptr(), byte_size(t));
  file.commit();
}

SafetensorsRead read_safetensors_file(const std::string& path, bool with_crc) {
  ReadFile file(path);
  uint8_t prefix[8] = {};
  file.read_at(prefix, std::min<uint64_t>(8, file.size()), 0, "the header length");
  uint64_t n = parse_safetensors_prefix({prefix, static_cast<size_t>(std::min<uint64_t>(8, file.size()))},
                                        file.size(), path);
  std::vector<uint8_t> header_bytes(n);
  file.read_at(header_bytes.data(), n, 8, "the header");
  SafetensorsRead out;
  out.header = parse_safetensors_header(header_bytes, file.size(), path);
  header_bytes = {};
  out.file.metadata = out.header.metadata;
  // Only now, with every offset and size validated against the file size, are tensors allocated.
  for (const auto& e : out.header.entries) {
    Tensor t = empty(e.shape, {e.dtype});
    uint64_t bytes = e.end - e.begin;
    if (bytes > 0) {
      file.read_at(t.data_ptr(), bytes, out.header.data_start() + e.begin,
                   fmt::format("tensor \"{}\"", e.name));
      if (with_crc) out.data_crc = crc32c_extend(out.data_crc, t.data_ptr(), bytes);
    }
    if (e.dtype == DType::Bool) {  // any non-zero byte is true; nabla's bools must be 0 or 1
      auto* p = static_cast<uint8_t*>(t.data_ptr());
      for (uint64_t i = 0; i < bytes; ++i) p[i] = p[i] != 0;
    }
    out.file.tensors.emplace_back(e.name, std::move(t));
  }
  return out;
}

}  // namespace detail

bool SafetensorsFile::contains(const std::string& name) const {
  return std::any_of(tensors.begin(), tensors.end(), [&](const auto& p) { return p.first == name; });
}

const Tensor& SafetensorsFile::at(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  throw IndexError(fmt::format("SafetensorsFile::at: no tensor named \"{}\" (the file has {} tensors)", name,
                               tensors.size()));
}

void save_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata) {
  detail::write_safetensors_file(path, detail::prepare_tensors(tensors, path), metadata);
}

SafetensorsFile load_safetensors(const std::string& path) {
  return std::move(detail::read_safetensors_file(path, false).file);
}

}  // namespace nabla::io
