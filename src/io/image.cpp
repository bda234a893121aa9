// image.cpp — nabla::io image API: decode (image_decode.cpp) into uint8 HWC tensors, encode with
// stb_image_write.
#include "nabla/io/image.h"

#include <stb/stb_image_write.h>

#include "io/formats.h"
#include "nabla/io/checkpoint.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::io {

namespace {
Tensor to_tensor(detail::DecodedImage&& img) {
  return from_buffer(img.pixels.data(), {img.height, img.width, img.channels}, kUInt8);
}

// Checks an image to encode and returns it contiguous as uint8 [H, W, C].
Tensor encodable(const Tensor& image, const char* op) {
  NABLA_CHECK(image.defined(), ValueError, "{}: undefined tensor", op);
  NABLA_CHECK(image.dtype() == kUInt8, DTypeError, "{}: expected a uint8 image, got {}", op,
              dtype_name(image.dtype()));
  NABLA_CHECK(image.dim() == 2 || image.dim() == 3, ShapeError, "{}: expected [H, W, C] or [H, W], got {}",
              op, image.toString());
  Tensor hwc = image.dim() == 2 ? image.unsqueeze(2) : image;
  NABLA_CHECK(hwc.size(2) >= 1 && hwc.size(2) <= 4, ShapeError, "{}: expected 1 to 4 channels, got {}", op,
              image.toString());
  NABLA_CHECK(hwc.size(0) > 0 && hwc.size(1) > 0, ShapeError, "{}: empty image {}", op, image.toString());
  return hwc.contiguous();
}

void append_bytes(void* ctx, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(ctx);
  auto* p = static_cast<uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}
}  // namespace

Tensor decode_image(const uint8_t* data, size_t size, ImageReadMode mode, const std::string& name) {
  return to_tensor(detail::decode_image_bytes({data, size}, static_cast<int>(mode), name));
}

ImageInfo image_info(const uint8_t* data, size_t size, const std::string& name) {
  const detail::ImageHeader h = detail::read_image_header({data, size}, name);
  return {h.format, h.height, h.width, h.channels};
}

Tensor read_image(const std::string& path, ImageReadMode mode) {
  auto bytes = detail::read_file_bytes(path);
  return to_tensor(detail::decode_image_bytes(bytes, static_cast<int>(mode), path));
}

std::vector<uint8_t> encode_png(const Tensor& image) {
  Tensor img = encodable(image, "encode_png");
  int h = static_cast<int>(img.size(0)), w = static_cast<int>(img.size(1)), c = static_cast<int>(img.size(2));
  std::vector<uint8_t> out;
  int ok = stbi_write_png_to_func(append_bytes, &out, w, h, c, img.data_ptr(), w * c);
  NABLA_CHECK(ok, IOError, "encode_png: stb failed to encode a {}x{}x{} image", h, w, c);
  return out;
}

void write_png(const std::string& path, const Tensor& image) { atomic_write_file(path, encode_png(image)); }

void write_jpeg(const std::string& path, const Tensor& image, int quality) {
  Tensor img = encodable(image, "write_jpeg");
  NABLA_CHECK(quality >= 1 && quality <= 100, ValueError, "write_jpeg: quality must be in [1, 100], got {}",
              quality);
  int h = static_cast<int>(img.size(0)), w = static_cast<int>(img.size(1)), c = static_cast<int>(img.size(2));
  std::vector<uint8_t> out;
  NABLA_CHECK(stbi_write_jpg_to_func(append_bytes, &out, w, h, c, img.data_ptr(), quality), IOError,
              "write_jpeg: {}: stb failed to encode", path);
  atomic_write_file(path, out);
}

void write_bmp(const std::string& path, const Tensor& image) {
  Tensor img = encodable(image, "write_bmp");
  int h = static_cast<int>(img.size(0)), w = static_cast<int>(img.size(1)), c = static_cast<int>(img.size(2));
  std::vector<uint8_t> out;
  NABLA_CHECK(stbi_write_bmp_to_func(append_bytes, &out, w, h, c, img.data_ptr()), IOError,
              "write_bmp: {}: stb failed to encode", path);
  atomic_write_file(path, out);
}

}  // namespace nabla::io
