// crc32c.h — CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), the checksum of TFRecord framing
// (TensorBoard event files) and of nabla checkpoints. crc32c("123456789") == 0xE3069283.
#pragma once
#include <cstddef>
#include <cstdint>

namespace nabla::io::detail {

// Continues a CRC: crc32c_extend(crc32c(a), b) == crc32c(a followed by b).
// Uses the SSE4.2 crc32 instruction when the library is built for a CPU that has it.
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t size);
// The portable table-driven version (slicing-by-8); same results. Exposed for tests.
uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t size);

inline uint32_t crc32c(const void* data, size_t size) { return crc32c_extend(0, data, size); }

// TFRecord's masked CRC: a CRC of data that itself contains CRCs is weak, so the stored value is
// rotated right by 15 bits and offset by a constant.
inline uint32_t mask_crc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

}  // namespace nabla::io::detail
