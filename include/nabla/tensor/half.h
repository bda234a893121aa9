// half.h — the 16-bit floating storage types behind kFloat16 and kBFloat16 (PyTorch's c10::Half and
// c10::BFloat16). They convert to and from float; arithmetic happens in float (Note [float16 and
// bfloat16] in src/ops/reduced_staging.h), so these types carry no operators of their own.
#pragma once
#include <bit>
#include <cstdint>
#include <type_traits>

namespace nabla {

namespace half_detail {
// IEEE binary16 from float, rounding to nearest even; NaN stays NaN (quiet), overflow gives inf.
constexpr uint16_t float_to_half_bits(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) return static_cast<uint16_t>(sign | (abs > 0x7f800000u ? 0x7e00u : 0x7c00u));
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 65520: inf
  if (abs < 0x38800000u) {  // below 2^-14: a subnormal half (or zero)
    // Adding 0.5 (2^-1) aligns the half subnormal's bits to the float's low mantissa bits; the float
    // addition rounds to nearest even for us.
    const float shifted = std::bit_cast<float>(abs) + 0.5f;
    return static_cast<uint16_t>(sign | (std::bit_cast<uint32_t>(shifted) - 0x3f000000u));
  }
  const uint32_t odd = (abs >> 13) & 1u;
  const uint32_t rounded = abs + 0xc8000fffu + odd;  // rebias exponent (-112 << 23) and round half-even
  return static_cast<uint16_t>(sign | (rounded >> 13));
}
constexpr float half_bits_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));  // inf, NaN
  if (exp == 0) {  // zero or subnormal: mant * 2^-24
    const float v = static_cast<float>(mant) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
}
// bfloat16 is float's upper half: round to nearest even on the dropped 16 bits; NaN stays quiet NaN.
constexpr uint16_t float_to_bfloat16_bits(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x0040u);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}
constexpr float bfloat16_bits_to_float(uint16_t b) {
  return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}
}  // namespace half_detail

// A 16-bit float in storage: its bits, and conversions through float by the two functions given.
template <uint16_t (*kToBits)(float), float (*kToFloat)(uint16_t)>
struct Float16Storage {
  uint16_t bits = 0;
  Float16Storage() = default;
  // From any arithmetic value through float, as c10::Half does (a double rounds twice, like PyTorch).
  template <typename T>
  requires std::is_convertible_v<T, float>
  constexpr Float16Storage(T v) : bits(kToBits(static_cast<float>(v))) {}  // NOLINT
  constexpr operator float() const { return kToFloat(bits); }              // NOLINT
  static constexpr Float16Storage from_bits(uint16_t b) {
    Float16Storage h;
    h.bits = b;
    return h;
  }
};

using Half = Float16Storage<half_detail::float_to_half_bits, half_detail::half_bits_to_float>;
using BFloat16 = Float16Storage<half_detail::float_to_bfloat16_bits, half_detail::bfloat16_bits_to_float>;

}  // namespace nabla
