// fuzz_image — PNG/JPEG/BMP decoding through stb_image (the same entry point as io::decode_image), with
// and without the PNG checksum verification (png_verify.cpp).
// Images larger than 4 MiB decoded are refused (by the same check that caps real decodes at 512 MiB):
// decoding huge declared sizes is slow under ASan and exercises allocation, not parsing.
#include "io/formats.h"
#include "nabla/tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla::io::detail;
  for (int channels : {0, 3}) {
    try {
      // With channels 3 the PNG checksums are skipped, so that mutated PNGs still reach stb.
      DecodedImage img =
          decode_image_bytes(ByteSpan(data, size), channels, "fuzz", size_t{1} << 22, channels == 0);
      if (img.pixels.size() != static_cast<size_t>(img.height) * img.width * img.channels) __builtin_trap();
    } catch (const nabla::Error&) {
    }
  }
  return 0;
}
