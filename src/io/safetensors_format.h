// safetensors_format.h — the safetensors header: validation of what a file declares, and the JSON that
// nabla writes. Tensor-free (standard library, fmt, nlohmann::json and nabla/tensor/{dtype,error}.h),
// like formats.h, so a fuzz target can build it alone. See docs/io.md for the rules enforced.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/tensor/dtype.h"

namespace nabla::io::detail {

// Largest JSON header accepted: 100 MB, the reference implementation's limit.
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;
inline constexpr int kMaxSafetensorsRank = 8;  // nabla's tensor rank limit (kMaxDims)

struct SafetensorsEntry {
  std::string name;
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte offsets in the data buffer
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> entries;  // sorted by data offset (file order)
  std::map<std::string, std::string> metadata;
  uint64_t header_size = 0;  // N, the JSON byte count (padding included)
  uint64_t data_size = 0;    // bytes after the header
  uint64_t data_start() const { return 8 + header_size; }
};

// "F32" etc.; nullopt for a dtype safetensors names but nabla does not hold (F16, BF16, I8, ...).
std::optional<DType> safetensors_dtype(std::string_view name);
std::string_view safetensors_dtype_name(DType dtype);
size_t safetensors_dtype_size(DType dtype);
// Writers lay tensors out by this rank, descending (I64, F64, F32, I32, U8, BOOL), then by name — the
// reference implementation's order, which keeps every tensor aligned to its element size.
int safetensors_layout_rank(DType dtype);

// Reads N from the 8-byte prefix and checks it against the cap and `file_size`.
// `name` names the file in IOError messages.
uint64_t parse_safetensors_prefix(std::span<const uint8_t> prefix, uint64_t file_size,
                                  const std::string& name);
// Parses the N header bytes of a file of `file_size` bytes and validates every entry: known dtype,
// shape * element size == end - begin without overflow, offsets sorted, non-overlapping and covering
// the data buffer exactly. IOError naming the file and the byte offset or tensor at fault.
SafetensorsHeader parse_safetensors_header(std::span<const uint8_t> header, uint64_t file_size,
                                           const std::string& name);

// The compact JSON header for `entries` (in the given order) and `metadata` ("__metadata__" first,
// omitted when empty), without padding — the form nabla writes and the canonical form the checkpoint
// checksum covers. ValueError naming the file `name` for strings that are not valid UTF-8.
std::string safetensors_header_json(const std::vector<SafetensorsEntry>& entries,
                                    const std::map<std::string, std::string>& metadata,
                                    const std::string& name);
// The JSON padded with spaces to a multiple of 8 bytes, as the reference implementation writes it.
std::string pad_safetensors_header(std::string json);

}  // namespace nabla::io::detail
