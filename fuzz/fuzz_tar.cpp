// fuzz_tar — tar archive listing (used to unpack the CIFAR-10 download).
#include "io/formats.h"
#include "nabla/tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla::io::detail;
  try {
    for (const TarEntry& e : parse_tar(ByteSpan(data, size), "fuzz"))
      if (e.offset + e.size > size) __builtin_trap();
  } catch (const nabla::Error&) {
  }
  return 0;
}
