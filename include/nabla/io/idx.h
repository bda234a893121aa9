// idx.h — the IDX format of the MNIST files (optionally gzip-compressed, detected by magic).
#pragma once
#include <string>

#include "nabla/tensor/tensor.h"

namespace nabla::io {

// Reads an IDX file (.gz or plain) into a tensor of its dims. Types: u8 -> uint8, i8/i16/i32 -> int32,
// f32 -> float32, f64 -> float64. Bad input -> IOError naming the file and byte offset.
Tensor read_idx(const std::string& path);
// Writes an IDX file (uint8 -> type 0x08, int32 -> 0x0C, float32 -> 0x0D, float64 -> 0x0E); `gzip`
// compresses it.
void write_idx(const std::string& path, const Tensor& t, bool gzip = false);

}  // namespace nabla::io
