// image.h — reading and writing images (like torchvision.io), via stb. Images are uint8 tensors laid
// out [H, W, C] (HWC, like a PIL image / numpy array) — the layout nabla's transforms take for uint8.
// Errors: nabla::IOError naming the file (and the byte offset where one is known).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::io {

// Channels to decode to, like torchvision.io.ImageReadMode.
enum class ImageReadMode { Unchanged = 0, Gray = 1, GrayAlpha = 2, RGB = 3, RGBA = 4 };

// Decodes PNG, JPEG or BMP bytes (format from the signature). Returns uint8 [H, W, C].
// `name` is used in error messages.
Tensor decode_image(const uint8_t* data, size_t size, ImageReadMode mode = ImageReadMode::Unchanged,
                    const std::string& name = "<memory>");
Tensor read_image(const std::string& path, ImageReadMode mode = ImageReadMode::Unchanged);

// What an image's header declares, read without decoding the pixels (like PIL's lazy Image.open):
// a server checks the size against its own limit before a small file decodes to gigabytes.
struct ImageInfo {
  std::string format;  // "PNG", "JPEG" or "BMP"
  int64_t height = 0, width = 0, channels = 0;
};
// IOError for bytes that decode_image would refuse before decoding (signature, header, PNG checksums).
ImageInfo image_info(const uint8_t* data, size_t size, const std::string& name = "<memory>");

// Encoders take uint8 [H, W, C] (C in 1..4) or [H, W] (gray).
std::vector<uint8_t> encode_png(const Tensor& image);
void write_png(const std::string& path, const Tensor& image);
void write_jpeg(const std::string& path, const Tensor& image, int quality = 90);
void write_bmp(const std::string& path, const Tensor& image);

}  // namespace nabla::io
