// checkpoint.cpp — checksummed safetensors checkpoints and atomic_write_file.
//
// Note [Checkpoint checksum]
// The checksum lives inside the file it protects, so it cannot cover its own bytes. It covers instead
// the data buffer followed by the *canonical* header without the checksum entry: the compact JSON
// nabla writes (safetensors_header_json) for the tensors in file order and the metadata minus
// kChecksumKey. load_checkpoint() re-creates that JSON from what it parsed, so any change to a name,
// dtype, shape, offset, metadata string or data byte changes the CRC; a change the parser cannot see
// (none is possible by flipping bits of a nabla-written header: every single-bit change of a padding
// space is not JSON whitespace) cannot change what is loaded either. Data first, then header, because
// the reader hashes tensors as it reads them and knows the header before that.
// A flip in the key name itself would make the file look like one without a checksum (those load
// unverified), so a "crc32c:<8 hex digits>" value under any other key is refused as a damaged key. Every
// single-bit flip of a checkpoint is therefore detected (tests/io/checkpoint_test.cpp flips each bit).
#include "nabla/io/checkpoint.h"

#include <cstdio>

#include "io/atomic_file.h"
#include "io/crc32c.h"
#include "io/safetensors_io.h"
#include "util/check.h"

namespace nabla::io {

namespace {
constexpr std::string_view kCrcPrefix = "crc32c:";

uint32_t checkpoint_crc(uint32_t data_crc, const std::vector<detail::SafetensorsEntry>& entries,
                        const Metadata& metadata_without_checksum, const std::string& path) {
  std::string canonical = detail::safetensors_header_json(entries, metadata_without_checksum, path);
  return detail::crc32c_extend(data_crc, canonical.data(), canonical.size());
}

// "crc32c:" then exactly 8 lowercase hex digits.
bool parse_crc(const std::string& text, uint32_t* out) {
  if (text.size() != kCrcPrefix.size() + 8 || text.compare(0, kCrcPrefix.size(), kCrcPrefix) != 0)
    return false;
  uint32_t v = 0;
  for (size_t i = kCrcPrefix.size(); i < text.size(); ++i) {
    char c = text[i];
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    v = (v << 4) | static_cast<uint32_t>(digit);
  }
  *out = v;
  return true;
}
}  // namespace

void save_checkpoint(const std::string& path, const NamedTensors& tensors, const Metadata& metadata) {
  NABLA_CHECK(!metadata.contains(kChecksumKey), ValueError,
              "save_checkpoint: {}: the metadata key \"{}\" is reserved for the checksum", path,
              kChecksumKey);
  detail::PreparedTensors prepared = detail::prepare_tensors(tensors, path);
  uint32_t crc = checkpoint_crc(detail::data_crc32c(prepared), prepared.entries, metadata, path);
  Metadata with_checksum = metadata;
  with_checksum[kChecksumKey] = fmt::format("{}{:08x}", kCrcPrefix, crc);
  detail::write_safetensors_file(path, prepared, with_checksum);
}

SafetensorsFile load_checkpoint(const std::string& path) {
  detail::SafetensorsRead read = detail::read_safetensors_file(path, /*with_crc=*/true);
  SafetensorsFile& file = read.file;
  auto it = file.metadata.find(kChecksumKey);
  uint32_t expected = 0;
  if (it == file.metadata.end()) {
    // Written by another tool: nothing to verify — unless a checksum sits under a damaged key name.
    for (const auto& [key, value] : file.metadata)
      NABLA_CHECK(!parse_crc(value, &expected), IOError,
                  "{}: the metadata key \"{}\" holds a checksum but is not \"{}\": the header is corrupted",
                  path, key, kChecksumKey);
    return std::move(file);
  }
  NABLA_CHECK(parse_crc(it->second, &expected), IOError,
              "{}: the checksum \"{}\" in the metadata is not of the form crc32c:<8 hex digits>; the file is "
              "corrupted",
              path, it->second);
  file.metadata.erase(it);
  uint32_t actual = checkpoint_crc(read.data_crc, read.header.entries, file.metadata, path);
  NABLA_CHECK(actual == expected, IOError,
              "{}: checksum mismatch (stored crc32c:{:08x}, contents hash to crc32c:{:08x}): the file is "
              "corrupted or was modified after it was written; refusing to load it",
              path, expected, actual);
  file.checksum_verified = true;
  return std::move(file);
}

void atomic_write_file(const std::string& path, std::string_view bytes) {
  detail::AtomicFile file(path);
  file.write(bytes.data(), bytes.size());
  file.commit();
}

void atomic_write_file(const std::string& path, std::span<const uint8_t> bytes) {
  detail::AtomicFile file(path);
  file.write(bytes.data(), bytes.size());
  file.commit();
}

}  // namespace nabla::io
