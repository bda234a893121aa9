// fuzz_safetensors — the checkpoint header parser: the 8-byte length prefix, then the JSON header and
// the metadata (what load_checkpoint validates before any tensor is allocated). The input is a whole
// file; its data buffer is whatever follows the header.
#include "io/safetensors_format.h"
#include "nabla/tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla::io::detail;
  try {
    const std::span<const uint8_t> file(data, size);
    if (size < 8) return 0;
    const uint64_t n = parse_safetensors_prefix(file.first(8), size, "fuzz");
    SafetensorsHeader h = parse_safetensors_header(file.subspan(8, n), size, "fuzz");
    // What the parser accepted, nabla can write back (the canonical JSON the checksum covers).
    safetensors_header_json(h.entries, h.metadata, "fuzz");
  } catch (const nabla::Error&) {
  }
  return 0;
}
