// formats.cpp — file bytes, gzip, IDX and CIFAR parsers (see Note [Parsers and fuzzing] in formats.h).
#include "io/formats.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#include "util/check.h"

namespace nabla::io::detail {

// O_NONBLOCK: opening a FIFO for reading would block until a writer comes (a hang); it is refused like
// any file that is not regular (a device such as /dev/zero never ends).
Bytes read_file_bytes(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  NABLA_CHECK(fd >= 0, IOError, "{}: cannot open file: {}", path, std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  NABLA_CHECK(::fstat(fd, &st) == 0, IOError, "{}: cannot stat file: {}", path, std::strerror(errno));
  NABLA_CHECK(S_ISREG(st.st_mode), IOError, "{}: not a regular file", path);
  Bytes bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    NABLA_CHECK(n >= 0, IOError, "{}: byte {}: read error: {}", path, done, std::strerror(errno));
    if (n == 0) break;  // shrank while being read
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

// ---- gzip ----

bool is_gzip(ByteSpan bytes) { return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b; }

namespace {
struct Inflater {
  z_stream zs{};
  explicit Inflater(const std::string& name) {
    NABLA_CHECK(inflateInit2(&zs, 15 + 16) == Z_OK, IOError, "{}: zlib init failed", name);
  }
  ~Inflater() { inflateEnd(&zs); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};
}  // namespace

Bytes gunzip(ByteSpan bytes, const std::string& name, size_t max_output) {
  NABLA_CHECK(is_gzip(bytes), IOError, "{}: byte 0: not a gzip file (bad magic)", name);
  Inflater inf(name);
  Bytes out;
  out.resize(std::min<size_t>(std::max<size_t>(bytes.size() * 4, 1024), max_output));
  size_t in_pos = 0, out_pos = 0;
  while (true) {
    if (out_pos == out.size()) {
      NABLA_CHECK(out.size() < max_output, IOError, "{}: byte {}: gzip data inflates beyond {} bytes", name,
                  in_pos, max_output);
      out.resize(std::min(out.size() * 2, max_output));
    }
    inf.zs.next_in = const_cast<Bytef*>(bytes.data() + in_pos);
    inf.zs.avail_in = static_cast<uInt>(std::min<size_t>(bytes.size() - in_pos, 1u << 30));
    inf.zs.next_out = out.data() + out_pos;
    inf.zs.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - out_pos, 1u << 30));
    uInt in_before = inf.zs.avail_in, out_before = inf.zs.avail_out;
    int rc = inflate(&inf.zs, Z_NO_FLUSH);
    in_pos += in_before - inf.zs.avail_in;
    out_pos += out_before - inf.zs.avail_out;
    if (rc == Z_STREAM_END) {
      // Another member may follow (gzip allows concatenation); trailing zero padding is ignored.
      if (in_pos == bytes.size() || bytes[in_pos] == 0) break;
      NABLA_CHECK(inflateReset(&inf.zs) == Z_OK, IOError, "{}: byte {}: zlib reset failed", name, in_pos);
      continue;
    }
    NABLA_CHECK(rc == Z_OK || rc == Z_BUF_ERROR, IOError, "{}: byte {}: corrupt gzip data ({})", name, in_pos,
                inf.zs.msg ? inf.zs.msg : "zlib error");
    // No progress with input left to give means the stream ended early.
    NABLA_CHECK(!(in_pos == bytes.size() && out_pos < out.size()), IOError,
                "{}: byte {}: truncated gzip data (stream ends before its trailer)", name, in_pos);
  }
  out.resize(out_pos);
  return out;
}

Bytes gzip_compress(ByteSpan bytes) {
  z_stream zs{};
  NABLA_CHECK(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK,
              IOError, "gzip: zlib init failed");
  Bytes out(deflateBound(&zs, static_cast<uLong>(bytes.size())) + 32);
  zs.next_in = const_cast<Bytef*>(bytes.data());
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  NABLA_CHECK(rc == Z_STREAM_END, IOError, "gzip: compression failed");
  return out;
}

// ---- IDX ----

namespace {
uint32_t read_be32(ByteSpan b, size_t off) {
  return (uint32_t{b[off]} << 24) | (uint32_t{b[off + 1]} << 16) | (uint32_t{b[off + 2]} << 8) | b[off + 3];
}
size_t idx_elem_size(uint8_t code) {
  switch (code) {
    case 0x08:
    case 0x09:
      return 1;
    case 0x0B:
      return 2;
    case 0x0C:
    case 0x0D:
      return 4;
    case 0x0E:
      return 8;
    default:
      return 0;
  }
}
}  // namespace

IdxHeader parse_idx_header(ByteSpan bytes, const std::string& name) {
  NABLA_CHECK(bytes.size() >= 4, IOError, "{}: byte {}: truncated IDX header (file has {} bytes, need 4)",
              name, bytes.size(), bytes.size());
  NABLA_CHECK(bytes[0] == 0 && bytes[1] == 0, IOError,
              "{}: byte 0: wrong magic 0x{:02x}{:02x} (an IDX file starts with 0x0000)", name, bytes[0],
              bytes[1]);
  IdxHeader h;
  h.type_code = bytes[2];
  h.elem_size = idx_elem_size(h.type_code);
  NABLA_CHECK(h.elem_size != 0, IOError, "{}: byte 2: unknown IDX type code 0x{:02x}", name, h.type_code);
  int ndim = bytes[3];
  NABLA_CHECK(ndim >= 1, IOError, "{}: byte 3: IDX rank must be at least 1, got 0", name);
  h.data_offset = 4 + 4 * static_cast<size_t>(ndim);
  NABLA_CHECK(bytes.size() >= h.data_offset, IOError,
              "{}: byte {}: truncated IDX header (rank {} needs {} header bytes)", name, bytes.size(), ndim,
              h.data_offset);
  size_t numel = 1;
  for (int d = 0; d < ndim; ++d) {
    uint32_t v = read_be32(bytes, 4 + 4 * d);
    NABLA_CHECK(v <= 0x7fffffffu, IOError, "{}: byte {}: IDX dimension {} is negative", name, 4 + 4 * d, d);
    h.dims.push_back(v);
    NABLA_CHECK(!__builtin_mul_overflow(numel, size_t{v}, &numel), IOError,
                "{}: byte {}: IDX dimensions overflow", name, 4 + 4 * d);
  }
  size_t data_bytes = 0;
  NABLA_CHECK(!__builtin_mul_overflow(numel, h.elem_size, &data_bytes), IOError,
              "{}: byte 4: IDX dimensions overflow", name);
  size_t have = bytes.size() - h.data_offset;
  NABLA_CHECK(
      have >= data_bytes, IOError,
      "{}: byte {}: truncated IDX data: header declares {} elements ({} bytes) but only {} bytes follow",
      name, bytes.size(), numel, data_bytes, have);
  NABLA_CHECK(
      have == data_bytes, IOError,
      "{}: byte {}: IDX file has {} unexpected trailing bytes after {} elements declared in the header", name,
      h.data_offset + data_bytes, have - data_bytes, numel);
  h.numel = numel;
  return h;
}

Bytes idx_native_data(ByteSpan bytes, const IdxHeader& h) {
  Bytes out(bytes.begin() + static_cast<std::ptrdiff_t>(h.data_offset),
            bytes.begin() + static_cast<std::ptrdiff_t>(h.data_offset + h.numel * h.elem_size));
  if (h.elem_size > 1 && std::endian::native == std::endian::little) {
    for (size_t i = 0; i < h.numel; ++i) {
      uint8_t* p = out.data() + i * h.elem_size;
      for (size_t a = 0, b = h.elem_size - 1; a < b; ++a, --b) std::swap(p[a], p[b]);
    }
  }
  return out;
}

// ---- CIFAR ----

CifarBatch parse_cifar_batch(ByteSpan bytes, const std::string& name, int label_bytes, int num_classes) {
  const size_t record = static_cast<size_t>(label_bytes) + kCifarImageBytes;
  NABLA_CHECK(!bytes.empty(), IOError, "{}: byte 0: empty CIFAR batch file", name);
  NABLA_CHECK(bytes.size() % record == 0, IOError,
              "{}: byte {}: truncated CIFAR batch: {} bytes is not a whole number of {}-byte records", name,
              bytes.size() - bytes.size() % record, bytes.size(), record);
  size_t n = bytes.size() / record;
  CifarBatch batch;
  batch.images.resize(n * kCifarImageBytes);
  batch.labels.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* rec = bytes.data() + i * record;
    int label = rec[label_bytes - 1];
    NABLA_CHECK(label < num_classes, IOError, "{}: byte {}: label {} of record {} is out of range [0, {})",
                name, i * record + static_cast<size_t>(label_bytes - 1), label, i, num_classes);
    batch.labels[i] = label;
    std::memcpy(batch.images.data() + i * kCifarImageBytes, rec + label_bytes, kCifarImageBytes);
  }
  return batch;
}

// ---- tar ----

namespace {
size_t parse_octal(const uint8_t* p, size_t n, const std::string& name, size_t off) {
  size_t v = 0;
  size_t i = 0;
  while (i < n && p[i] == ' ') ++i;
  for (; i < n && p[i] >= '0' && p[i] <= '7'; ++i) {
    NABLA_CHECK(v < (size_t{1} << 60), IOError, "{}: byte {}: tar number overflows", name, off);
    v = v * 8 + (p[i] - '0');
  }
  NABLA_CHECK(i == n || p[i] == 0 || p[i] == ' ', IOError, "{}: byte {}: bad octal number in tar header",
              name, off + i);
  return v;
}
std::string c_string(const uint8_t* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len] != 0) ++len;
  return std::string(reinterpret_cast<const char*>(p), len);
}
}  // namespace

std::vector<TarEntry> parse_tar(ByteSpan bytes, const std::string& name) {
  std::vector<TarEntry> entries;
  std::string long_name;
  size_t off = 0;
  while (true) {
    NABLA_CHECK(off + 512 <= bytes.size(), IOError,
                "{}: byte {}: truncated tar archive (no end-of-archive block)", name, off);
    const uint8_t* h = bytes.data() + off;
    if (std::all_of(h, h + 512, [](uint8_t b) { return b == 0; })) break;
    size_t sum = 0;
    for (size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    NABLA_CHECK(parse_octal(h + 148, 8, name, off + 148) == sum, IOError,
                "{}: byte {}: tar header checksum mismatch", name, off + 148);
    size_t size = parse_octal(h + 124, 12, name, off + 124);
    NABLA_CHECK(size <= bytes.size() - off - 512, IOError,
                "{}: byte {}: truncated tar archive: entry declares {} bytes, {} remain", name, off + 124,
                size, bytes.size() - off - 512);
    char type = static_cast<char>(h[156]);
    std::string entry_name = c_string(h, 100);
    if (std::memcmp(h + 257, "ustar", 5) == 0 && h[345] != 0)
      entry_name = c_string(h + 345, 155) + "/" + entry_name;
    if (!long_name.empty()) entry_name = std::move(long_name), long_name.clear();
    if (type == 'L') {
      long_name = c_string(h + 512, size);
    } else if (type == '0' || type == 0) {
      NABLA_CHECK(!entry_name.empty() && entry_name[0] != '/' && entry_name.find("..") == std::string::npos,
                  IOError, "{}: byte {}: unsafe tar entry name '{}'", name, off, entry_name);
      entries.push_back({entry_name, off + 512, size});
    }
    off += 512 + (size + 511) / 512 * 512;
  }
  return entries;
}

}  // namespace nabla::io::detail
