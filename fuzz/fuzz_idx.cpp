// fuzz_idx — IDX header/data parsing, through gunzip when the input is gzip (as read_idx does).
#include "io/formats.h"
#include "nabla/tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla::io::detail;
  try {
    ByteSpan in(data, size);
    Bytes inflated;
    if (is_gzip(in)) {
      inflated = gunzip(in, "fuzz.gz", size_t{64} << 20);
      in = inflated;
    }
    IdxHeader h = parse_idx_header(in, "fuzz");
    Bytes native = idx_native_data(in, h);
    if (native.size() != h.numel * h.elem_size) __builtin_trap();
  } catch (const nabla::Error&) {
  }
  return 0;
}
