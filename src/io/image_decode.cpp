// image_decode.cpp — PNG/JPEG/BMP bytes -> pixels through stb_image (tensor-free: fuzz/ builds it alone).
#include <stb/stb_image.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>

#include "io/formats.h"
#include "util/check.h"

namespace nabla::io::detail {

namespace {
const char* image_format(ByteSpan b) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  if (b.size() >= 8 && std::memcmp(b.data(), kPng, 8) == 0) return "PNG";
  if (b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return "JPEG";
  if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') return "BMP";
  return nullptr;
}
// Note [stb JPEG Huffman tables]
// Debian 12's stb_image (2.27 era) trusts the code counts of a JPEG DHT table: counts summing to more
// than 256 make stbi__build_huffman and the value loop write past the table's arrays (fuzz/fuzz_image
// found it within seconds). We reject such tables before stb sees the file. Rather than re-implementing
// stb's marker walk (a walk that disagrees with stb's in any corner would leave a hole), every 0xFF 0xC4
// in the file is checked as if it were a DHT segment, read the way stb reads it: tables of (class/id
// byte, 16 counts, sum(counts) values) while the segment length lasts, bytes past the end counting as 0.
// Entropy-coded data cannot contain 0xFF 0xC4 (0xFF is always followed by 0x00 or RSTn there), so only
// metadata holding those two bytes followed by implausible counts could be refused needlessly.
void check_jpeg_huffman_tables(ByteSpan b, const std::string& name) {
  for (size_t pos = 2; pos + 1 < b.size(); ++pos) {
    if (b[pos] != 0xff || b[pos + 1] != 0xc4) continue;
    const size_t len = pos + 3 < b.size() ? (size_t{b[pos + 2]} << 8) | b[pos + 3] : 0;
    int64_t left = static_cast<int64_t>(len) - 2;
    for (size_t table = pos + 4; left > 0 && table < b.size();) {
      size_t n = 0;
      for (size_t i = table + 1; i <= table + 16 && i < b.size(); ++i) n += b[i];
      NABLA_CHECK(n <= 256, IOError,
                  "{}: byte {}: corrupt JPEG: Huffman table declares {} codes (at most 256)", name, table + 1,
                  n);
      left -= static_cast<int64_t>(17 + n);
      table += 17 + n;
    }
  }
}

uint32_t le(ByteSpan b, size_t at, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n && at + i < b.size(); ++i) v |= uint32_t{b[at + i]} << (8 * i);
  return v;
}

// stb decodes a BMP whose pixel array is cut short as if the rest were black (a 54-byte header alone
// "decoded"), so an uncompressed BMP must hold all the rows its header declares. `w` and `h` come from
// stbi_info and are already bounded by the decoded-size cap.
void check_bmp_size(ByteSpan b, int w, int h, const std::string& name) {
  const uint32_t offset = le(b, 10, 4), info_size = le(b, 14, 4);
  const bool core = info_size == 12;  // OS/2 BITMAPCOREHEADER: no compression field
  const uint32_t bpp = le(b, core ? 24 : 28, 2), compression = core ? 0 : le(b, 30, 4);
  if (compression != 0 && compression != 3) return;  // RLE & co: stb refuses or checks as it goes
  const uint64_t stride = (static_cast<uint64_t>(w) * bpp + 31) / 32 * 4;
  const uint64_t need = offset + stride * static_cast<uint64_t>(h);
  NABLA_CHECK(b.size() >= need, IOError,
              "{}: byte {}: truncated BMP: its {}x{} pixels at {} bits from byte {} need {} bytes", name,
              b.size(), h, w, bpp, offset, need);
}
}  // namespace

ImageHeader read_image_header(ByteSpan bytes, const std::string& name, bool verify) {
  NABLA_CHECK(!bytes.empty(), IOError, "{}: byte 0: empty image file", name);
  const char* format = image_format(bytes);
  NABLA_CHECK(format != nullptr, IOError,
              "{}: byte 0: not a PNG, JPEG or BMP image (unrecognised signature 0x{:02x}{:02x})", name,
              bytes[0], bytes.size() > 1 ? bytes[1] : 0);
  NABLA_CHECK(bytes.size() <= static_cast<size_t>(INT_MAX), IOError, "{}: image file too large", name);
  // stbi_info walks a JPEG's markers up to the frame header, DHT segments included (Note [stb JPEG
  // Huffman tables]).
  if (format[0] == 'J') check_jpeg_huffman_tables(bytes, name);
  if (format[0] == 'P' && verify) verify_png(bytes, name);
  ImageHeader h{format, 0, 0, 0};
  NABLA_CHECK(
      stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &h.width, &h.height, &h.channels),
      IOError, "{}: byte 0: cannot read the {} header ({})", name, format, stbi_failure_reason());
  return h;
}

DecodedImage decode_image_bytes(ByteSpan bytes, int channels, const std::string& name, size_t max_bytes,
                                bool verify) {
  NABLA_CHECK(channels >= 0 && channels <= 4, ValueError, "decode_image: channels must be 0..4, got {}",
              channels);
  const ImageHeader header = read_image_header(bytes, name, verify);
  const char* format = header.format;
  int len = static_cast<int>(bytes.size());
  const int w = header.width, h = header.height, c = header.channels;
  int out_c = channels == 0 ? c : channels;
  NABLA_CHECK(w > 0 && h > 0 && static_cast<size_t>(w) * h * out_c <= max_bytes, IOError,
              "{}: byte 0: {} header declares an unsupported size {}x{}x{}", name, format, h, w, out_c);
  if (format[0] == 'B') check_bmp_size(bytes, w, h, name);
  int w2 = 0, h2 = 0, c2 = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data(), len, &w2, &h2, &c2, out_c), stbi_image_free);
  NABLA_CHECK(pixels != nullptr, IOError,
              "{}: cannot decode {} data ({}; header at byte 0 declares {}x{}x{})", name, format,
              stbi_failure_reason(), h, w, c);
  NABLA_CHECK(w2 == w && h2 == h, IOError, "{}: byte 0: {} size changed while decoding", name, format);
  DecodedImage img;
  img.height = h;
  img.width = w;
  img.channels = out_c;
  img.pixels.assign(pixels.get(), pixels.get() + static_cast<size_t>(w) * h * out_c);
  return img;
}

}  // namespace nabla::io::detail
