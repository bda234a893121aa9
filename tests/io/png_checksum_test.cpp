// PNG checksums (issue #18 item 8): stb_image skips the chunk CRCs and the zlib Adler-32, so bit flips
// decoded into wrong pixels. Every single-bit flip of a PNG must now be refused with an IOError naming
// the file and a byte offset, and damage that keeps the chunk CRCs valid is caught by the zlib check.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

#include "io/formats.h"
#include "io/io_test_util.h"
#include "nabla/nabla.h"

using namespace nabla;
using io::test::Bytes;

namespace {
Bytes small_png() {
  Tensor img = (rand({4, 5, 3}) * 255).to(kUInt8);
  return io::encode_png(img);
}

uint32_t be32(const Bytes& b, size_t p) {
  return (uint32_t{b[p]} << 24) | (uint32_t{b[p + 1]} << 16) | (uint32_t{b[p + 2]} << 8) | b[p + 3];
}

size_t find_chunk(const Bytes& b, const char* type) {
  for (size_t pos = 8; pos + 12 <= b.size(); pos += 12 + be32(b, pos))
    if (std::memcmp(&b[pos + 4], type, 4) == 0) return pos;
  return 0;
}

void fix_crc(Bytes& b, size_t pos) {
  const uint32_t len = be32(b, pos);
  const uint32_t crc = static_cast<uint32_t>(crc32(0, &b[pos + 4], len + 4));
  for (int i = 0; i < 4; ++i) b[pos + 8 + len + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
}

std::string decode_error(const Bytes& b) {
  try {
    io::detail::decode_image_bytes(b, 0, "flip.png");
  } catch (const IOError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(PngChecksum, TheUndamagedFileDecodes) {
  const Bytes png = small_png();
  EXPECT_EQ(io::detail::decode_image_bytes(png, 0, "ok.png").pixels.size(), 60u);
}

TEST(PngChecksum, EverySingleBitFlipIsRefused) {
  const Bytes png = small_png();
  int refused = 0, total = 0;
  for (size_t byte = 0; byte < png.size(); ++byte)
    for (int bit = 0; bit < 8; ++bit) {
      Bytes b = png;
      b[byte] ^= static_cast<uint8_t>(1 << bit);
      const std::string msg = decode_error(b);
      ++total;
      if (!msg.empty()) ++refused;
      EXPECT_FALSE(msg.empty()) << "flip of bit " << bit << " of byte " << byte << " decoded";
      if (!msg.empty()) {
        EXPECT_NE(msg.find("flip.png"), std::string::npos) << msg;
        EXPECT_NE(msg.find("byte "), std::string::npos) << msg;
      }
    }
  EXPECT_EQ(refused, total);
}

TEST(PngChecksum, CrcMismatchNamesTheChunkAndItsOffset) {
  Bytes b = small_png();
  const size_t idat = find_chunk(b, "IDAT");
  ASSERT_GT(idat, 0u);
  b[idat + 9] ^= 0x01;
  const std::string msg = decode_error(b);
  EXPECT_NE(msg.find("byte " + std::to_string(idat)), std::string::npos) << msg;
  EXPECT_NE(msg.find("'IDAT' fails its CRC check"), std::string::npos) << msg;
}

TEST(PngChecksum, DamageBehindAValidCrcIsCaughtByTheZlibCheck) {
  // The Adler-32 (the zlib stream's last 4 bytes) flipped and the chunk CRC recomputed: only the zlib
  // check can see it, and stb alone decoded this file.
  Bytes b = small_png();
  const size_t idat = find_chunk(b, "IDAT");
  b[idat + 8 + be32(b, idat) - 1] ^= 0x01;
  fix_crc(b, idat);
  EXPECT_NO_THROW(io::detail::decode_image_bytes(b, 0, "adler.png", io::detail::kMaxImageBytes, false));
  const std::string msg = decode_error(b);
  EXPECT_NE(msg.find("corrupt PNG image data"), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte "), std::string::npos) << msg;
}

TEST(PngChecksum, TruncationAndAMissingIendAreRefused) {
  const Bytes png = small_png();
  for (size_t cut = 8; cut < png.size(); ++cut) {
    const std::string msg = decode_error(Bytes(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(cut)));
    EXPECT_FALSE(msg.empty()) << "cut at " << cut;
  }
}
