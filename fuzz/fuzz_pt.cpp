// fuzz_pt — a whole .pt file: the zip reader (libzip through PtArchive's read callback) or the legacy
// reader, the restricted unpickler, and every storage's bytes (what load_pt validates and reads).
#include <vector>

#include "io/pt_archive.h"
#include "nabla/tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla::io::detail;
  try {
    PtArchive archive(ByteSource::memory({data, size}, "fuzz"));
    std::vector<uint8_t> buffer;
    for (size_t i = 0; i < archive.storages().size(); ++i) {
      buffer.resize(archive.storages()[i].bytes());  // bounded: the storages fit in the input together
      archive.read_storage(i, buffer.data());
    }
  } catch (const nabla::Error&) {
  }
  return 0;
}
