// fuzz_cifar — CIFAR-10 and CIFAR-100 binary batch parsing.
#include "io/formats.h"
#include "nabla/tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla::io::detail;
  for (int label_bytes : {1, 2}) {
    try {
      CifarBatch b =
          parse_cifar_batch(ByteSpan(data, size), "fuzz", label_bytes, label_bytes == 1 ? 10 : 100);
      if (b.images.size() != b.labels.size() * kCifarImageBytes) __builtin_trap();
    } catch (const nabla::Error&) {
    }
  }
  return 0;
}
