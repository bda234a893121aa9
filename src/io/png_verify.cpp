// png_verify.cpp — checks a PNG's chunk CRCs and its zlib stream (Adler-32 included) before stb decodes
// it: stb_image skips both, so a flipped bit used to decode into wrong pixels (issue #18).
// Tensor-free, like formats.cpp (fuzz/ compiles it).
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "io/formats.h"
#include "util/check.h"

namespace nabla::io::detail {

namespace {
uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Where the zlib stream's bytes sit in the file: the data of each IDAT chunk, in order.
struct IdatPiece {
  size_t file_offset, size;
};

size_t file_offset_of(const std::vector<IdatPiece>& pieces, size_t stream_pos) {
  for (const auto& p : pieces) {
    if (stream_pos < p.size) return p.file_offset + stream_pos;
    stream_pos -= p.size;
  }
  return pieces.empty() ? 0 : pieces.back().file_offset + pieces.back().size;
}

// Inflates the IDAT data into a scratch buffer (output discarded) so that zlib checks the stream and its
// Adler-32 trailer. More than `max_output` bytes is refused (a decompression bomb).
void verify_zlib(ByteSpan bytes, const std::vector<IdatPiece>& pieces, size_t max_output,
                 const std::string& name) {
  z_stream zs{};
  NABLA_CHECK(inflateInit(&zs) == Z_OK, IOError, "{}: zlib init failed", name);
  std::vector<uint8_t> scratch(64 * 1024);
  size_t consumed = 0, produced = 0;
  int rc = Z_OK;
  for (size_t i = 0; i < pieces.size() && rc != Z_STREAM_END; ++i) {
    zs.next_in = const_cast<Bytef*>(bytes.data() + pieces[i].file_offset);
    zs.avail_in = static_cast<uInt>(pieces[i].size);
    while (zs.avail_in > 0 && rc != Z_STREAM_END) {
      zs.next_out = scratch.data();
      zs.avail_out = static_cast<uInt>(scratch.size());
      const uInt in_before = zs.avail_in;
      rc = inflate(&zs, Z_NO_FLUSH);
      consumed += in_before - zs.avail_in;
      produced += scratch.size() - zs.avail_out;
      if (rc == Z_OK && produced <= max_output) continue;
      if (rc == Z_STREAM_END || rc == Z_BUF_ERROR) break;
      const std::string what = produced > max_output ? "inflates beyond the image's size"
                               : zs.msg              ? zs.msg
                                                     : "zlib error";
      inflateEnd(&zs);
      throw IOError(fmt::format("{}: byte {}: corrupt PNG image data ({})", name,
                                file_offset_of(pieces, consumed), what));
    }
  }
  inflateEnd(&zs);
  NABLA_CHECK(rc == Z_STREAM_END, IOError, "{}: byte {}: corrupt PNG image data (the zlib stream ends early)",
              name, file_offset_of(pieces, consumed));
}
}  // namespace

// Note [PNG checksums]
// Every chunk (length, type, data, CRC-32 of type + data) is walked from byte 8 to IEND: its length must
// fit in the file and its CRC must match. The IDAT chunks' data, concatenated, is one zlib stream whose
// trailer is the Adler-32 of the decompressed bytes; inflating it once (into a scratch buffer) checks
// that, capped at twice the raw size the header implies. Apple's CgBI PNGs (raw deflate, no Adler-32) are
// checked for CRCs only.
void verify_png(ByteSpan b, const std::string& name) {
  size_t pos = 8, raw_size = 0;
  bool cgbi = false, seen_iend = false;
  std::vector<IdatPiece> idat;
  while (!seen_iend) {
    NABLA_CHECK(pos + 12 <= b.size(), IOError, "{}: byte {}: truncated PNG (the file ends {})", name, pos,
                pos == b.size() ? "before the IEND chunk" : "inside a chunk header");
    const uint32_t len = be32(&b[pos]);
    NABLA_CHECK(len <= 0x7fffffffu && len <= b.size() - pos - 12, IOError,
                "{}: byte {}: PNG chunk length {} runs past the end of the file ({} bytes)", name, pos, len,
                b.size());
    const char type[5] = {static_cast<char>(b[pos + 4]), static_cast<char>(b[pos + 5]),
                          static_cast<char>(b[pos + 6]), static_cast<char>(b[pos + 7]), 0};
    const uint32_t stored = be32(&b[pos + 8 + len]);
    const uint32_t actual = static_cast<uint32_t>(crc32(crc32(0, nullptr, 0), &b[pos + 4], len + 4));
    NABLA_CHECK(
        stored == actual, IOError,
        "{}: byte {}: PNG chunk '{}' fails its CRC check (stored 0x{:08x}, computed 0x{:08x}): the file is "
        "corrupted",
        name, pos, std::string(type, std::strlen(type)), stored, actual);
    if (std::memcmp(type, "IHDR", 4) == 0 && len >= 13) {
      static constexpr int kSamples[7] = {1, 0, 3, 1, 2, 0, 4};  // by colour type
      const uint64_t w = be32(&b[pos + 8]), h = be32(&b[pos + 12]), depth = b[pos + 16], color = b[pos + 17];
      const uint64_t bits = depth * (color < 7 ? kSamples[color] : 4);
      raw_size =
          static_cast<size_t>(std::min<uint64_t>(h * ((w * bits + 7) / 8 + 1) + 15 * h, uint64_t{1} << 40));
    }
    if (std::memcmp(type, "CgBI", 4) == 0) cgbi = true;
    if (std::memcmp(type, "IDAT", 4) == 0) idat.push_back({pos + 8, len});
    seen_iend = std::memcmp(type, "IEND", 4) == 0;
    pos += 12 + static_cast<size_t>(len);
  }
  if (!cgbi && !idat.empty()) verify_zlib(b, idat, 2 * raw_size + (size_t{1} << 20), name);
}

}  // namespace nabla::io::detail
