// formats.h — tensor-free parsers for the binary formats the data layer reads: IDX (MNIST), gzip,
// CIFAR "binary version" batches and images (stb). They depend only on the standard library, fmt and
// nabla/tensor/error.h, so the fuzz targets in fuzz/ compile them alone (see Note [Parsers and fuzzing]).
//
// Note [Parsers and fuzzing]
// Every parser takes the whole file as bytes plus a name for messages, validates every header field
// against the byte count before touching data, and reports a problem as nabla::IOError
// "<name>: byte <offset>: <what>". Nothing here may crash, read out of bounds or allocate more than the
// input justifies (the gzip inflater has an explicit output cap), because fuzz/ runs them under
// ASan+UBSan on arbitrary bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nabla::io::detail {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

// Whole file; IOError naming the path when it is missing or unreadable. (Writers use
// io::atomic_write_file, the one checked write path: Note [Atomic replacement].)
Bytes read_file_bytes(const std::string& path);

// gzip (RFC 1952, concatenated members allowed). Output larger than max_output -> IOError.
bool is_gzip(ByteSpan bytes);
Bytes gunzip(ByteSpan bytes, const std::string& name, size_t max_output = size_t{1} << 32);
Bytes gzip_compress(ByteSpan bytes);

// IDX: magic 0x00 0x00 <type> <ndim>, ndim big-endian int32 dims, then the data, big-endian.
// Type codes: 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64.
struct IdxHeader {
  uint8_t type_code = 0;
  std::vector<int64_t> dims;
  size_t elem_size = 0;
  size_t data_offset = 0;  // first data byte
  size_t numel = 0;
};
// Validates the magic, type, rank and that the data size matches the file size exactly.
IdxHeader parse_idx_header(ByteSpan bytes, const std::string& name);
// Decodes the data of a parsed IDX file into native-endian values of the element type.
Bytes idx_native_data(ByteSpan bytes, const IdxHeader& h);

// CIFAR binary version: records of <label_bytes> label bytes then 3072 pixel bytes (R, G, B planes
// of 32x32). CIFAR-10 has one label byte; CIFAR-100 has two (coarse, fine) and uses the last.
inline constexpr size_t kCifarImageBytes = 3 * 32 * 32;
struct CifarBatch {
  Bytes images;                 // N x 3 x 32 x 32 (planar, as in the file)
  std::vector<int64_t> labels;  // N
};
CifarBatch parse_cifar_batch(ByteSpan bytes, const std::string& name, int label_bytes, int num_classes);

// ustar/GNU tar: the regular files (name, data offset, size). Rejects absolute names and "..".
struct TarEntry {
  std::string name;
  size_t offset = 0, size = 0;
};
std::vector<TarEntry> parse_tar(ByteSpan bytes, const std::string& name);

// Image decode (PNG, JPEG, BMP by signature). channels 0 keeps the file's channel count.
struct DecodedImage {
  int height = 0, width = 0, channels = 0;
  Bytes pixels;  // H x W x C, row-major
};
// The format ("PNG", "JPEG", "BMP") and the size a header declares, without decoding the pixels. IOError
// for an unknown signature, an unreadable header or (with `verify`) a damaged PNG.
struct ImageHeader {
  const char* format;
  int height, width, channels;
};
ImageHeader read_image_header(ByteSpan bytes, const std::string& name, bool verify = true);
// Images whose decoded size (H * W * C bytes) would exceed max_bytes are refused before decoding.
inline constexpr size_t kMaxImageBytes = size_t{1} << 29;  // 512 MiB
// PNG chunk CRCs and the zlib stream's Adler-32 are verified first (verify_png) unless `verify` is false
// (the fuzz target's way past them to stb).
DecodedImage decode_image_bytes(ByteSpan bytes, int channels, const std::string& name,
                                size_t max_bytes = kMaxImageBytes, bool verify = true);
// IOError naming the file and the byte offset of a bad chunk CRC, a truncated file or a corrupt zlib
// stream (Note [PNG checksums], png_verify.cpp). `bytes` starts with the PNG signature.
void verify_png(ByteSpan bytes, const std::string& name);

}  // namespace nabla::io::detail
