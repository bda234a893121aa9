// idx.cpp — nabla::io::read_idx / write_idx over the tensor-free IDX parser in formats.cpp.
#include "nabla/io/idx.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "io/formats.h"
#include "nabla/io/checkpoint.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::io {

namespace {
// IDX element type -> the dtype it loads as (signed 8/16-bit widen to int32, nabla has no int8/int16).
Tensor idx_to_tensor(const detail::Bytes& native, const detail::IdxHeader& h) {
  std::vector<int64_t> dims(h.dims.begin(), h.dims.end());
  switch (h.type_code) {
    case 0x08:
      return from_buffer(native.data(), dims, kUInt8);
    case 0x0C:
      return from_buffer(native.data(), dims, kInt32);
    case 0x0D:
      return from_buffer(native.data(), dims, kFloat32);
    case 0x0E:
      return from_buffer(native.data(), dims, kFloat64);
    default:
      break;
  }
  std::vector<int32_t> wide(h.numel);
  for (size_t i = 0; i < h.numel; ++i) {
    if (h.type_code == 0x09) {
      wide[i] = static_cast<int8_t>(native[i]);
    } else {
      int16_t v;
      std::memcpy(&v, native.data() + 2 * i, 2);
      wide[i] = v;
    }
  }
  return from_buffer(wide.data(), dims, kInt32);
}
}  // namespace

Tensor read_idx(const std::string& path) {
  detail::Bytes bytes = detail::read_file_bytes(path);
  if (detail::is_gzip(bytes)) bytes = detail::gunzip(bytes, path);
  detail::IdxHeader h = detail::parse_idx_header(bytes, path);
  return idx_to_tensor(detail::idx_native_data(bytes, h), h);
}

void write_idx(const std::string& path, const Tensor& t, bool gzip) {
  NABLA_CHECK(t.defined() && t.dim() >= 1 && t.dim() <= 255, ShapeError,
              "write_idx: expected a tensor of rank 1..255, got {}",
              t.defined() ? t.toString() : "undefined");
  uint8_t code = 0;
  switch (t.dtype()) {
    case kUInt8:
      code = 0x08;
      break;
    case kInt32:
      code = 0x0C;
      break;
    case kFloat32:
      code = 0x0D;
      break;
    case kFloat64:
      code = 0x0E;
      break;
    default:
      NABLA_CHECK(false, DTypeError, "write_idx: unsupported dtype {} (uint8, int32, float32, float64)",
                  dtype_name(t.dtype()));
  }
  Tensor c = t.contiguous();
  size_t elem = dtype_size(t.dtype());
  detail::Bytes out = {0, 0, code, static_cast<uint8_t>(t.dim())};
  for (int64_t d : t.sizes()) {
    NABLA_CHECK(d <= 0x7fffffff, ShapeError, "write_idx: dimension {} too large for IDX", d);
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(d >> s));
  }
  size_t header = out.size();
  out.resize(header + static_cast<size_t>(c.numel()) * elem);
  if (c.numel() > 0) std::memcpy(out.data() + header, c.data_ptr(), static_cast<size_t>(c.numel()) * elem);
  if (elem > 1 && std::endian::native == std::endian::little) {
    for (size_t i = header; i < out.size(); i += elem) std::reverse(out.begin() + i, out.begin() + i + elem);
  }
  atomic_write_file(path, gzip ? detail::gzip_compress(out) : out);
}

}  // namespace nabla::io
