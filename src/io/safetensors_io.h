// safetensors_io.h — the tensor side of safetensors files, shared by safetensors.cpp and checkpoint.cpp:
// laying tensors out for writing, writing atomically, reading with an optional data checksum.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/safetensors_format.h"
#include "nabla/io/safetensors.h"

namespace nabla::io::detail {

struct PreparedTensors {
  std::vector<SafetensorsEntry> entries;  // in file order, offsets assigned
  std::vector<Tensor> data;               // contiguous CPU tensors, parallel to entries
};

// Validates names and tensors and lays them out like the reference implementation: by dtype (widest
// first: I64, F64, F32, I32, U8, BOOL) and then by name. ValueError naming `path` and the tensor.
PreparedTensors prepare_tensors(const NamedTensors& tensors, const std::string& path);
// CRC-32C of the data buffer the prepared tensors make (their bytes in file order).
uint32_t data_crc32c(const PreparedTensors& prepared);
// Writes the file atomically (AtomicFile).
void write_safetensors_file(const std::string& path, const PreparedTensors& prepared,
                            const Metadata& metadata);

struct SafetensorsRead {
  SafetensorsFile file;
  SafetensorsHeader header;
  uint32_t data_crc = 0;  // CRC-32C of the data buffer, when asked for
};
// Reads and validates a file: the header is checked completely before any tensor is allocated.
SafetensorsRead read_safetensors_file(const std::string& path, bool with_crc);

}  // namespace nabla::io::detail
