// checkpoint.h — crash-safe, checksummed checkpoint files, and atomic file replacement.
//
// A checkpoint is an ordinary safetensors file (any safetensors reader opens it) whose "__metadata__"
// also holds `nabla.checksum`: "crc32c:<8 hex digits>", the CRC-32C of the data buffer followed by the
// header's canonical JSON without that key (docs/io.md, "Checksum"). load_checkpoint() recomputes it and
// refuses a truncated or corrupted file with a nabla::IOError; files without the key (written by other
// tools) load unverified.
//
// Writes are atomic: the bytes go to "<path>.tmp.<pid>.<n>" in the same directory, which is fsynced,
// renamed over `path`, and the directory is fsynced. A process killed at any moment leaves either the
// previous file or the new one at `path`, never a mix; at worst a temporary file stays behind, which
// the next successful write to the same path removes once its writer process is gone.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "nabla/io/safetensors.h"

namespace nabla::io {

// The metadata key holding the checksum; reserved (save_checkpoint refuses it in `metadata`).
inline constexpr const char* kChecksumKey = "nabla.checksum";

void save_checkpoint(const std::string& path, const NamedTensors& tensors, const Metadata& metadata = {});
// Loads and verifies; the returned metadata no longer contains kChecksumKey.
SafetensorsFile load_checkpoint(const std::string& path);

// Replaces `path` with `bytes` atomically (temporary file, fsync, rename, fsync of the directory).
// IOError naming the path on any failure; the temporary file is removed then.
void atomic_write_file(const std::string& path, std::string_view bytes);
void atomic_write_file(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace nabla::io
