// transpose.h — dst[j * ldd + i] = src[i * lds + j] for a rows x cols float block: 8x8 tiles in AVX
// registers (unpack, shuffle, lane swap), the edges element by element. The scalar tiled loop it
// replaces took a fifth of seq2seq_train's step in the recurrent layers' weight repacking.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace nabla::cpu {

#if defined(__AVX__)
inline void transpose_8x8(float* dst, int64_t ldd, const float* src, int64_t lds) {
  __m256 r[8], t[8], s[8];
  for (int k = 0; k < 8; ++k) r[k] = _mm256_loadu_ps(src + k * lds);
  for (int k = 0; k < 8; k += 2) {
    t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);  // rows k, k+1 interleaved: a0 b0 a1 b1 | a4 b4 a5 b5
    t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
  }
  for (int k = 0; k < 8; k += 4) {  // four rows' elements 0, 1 (s[k]), 2, 3 (s[k+2]) per 128-bit lane
    s[k] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(1, 0, 1, 0));
    s[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(3, 2, 3, 2));
    s[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(1, 0, 1, 0));
    s[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int k = 0; k < 4; ++k) {  // rows 0-3's half and rows 4-7's half of column k and k + 4
    _mm256_storeu_ps(dst + k * ldd, _mm256_permute2f128_ps(s[k], s[k + 4], 0x20));
    _mm256_storeu_ps(dst + (k + 4) * ldd, _mm256_permute2f128_ps(s[k], s[k + 4], 0x31));
  }
}
#endif

inline void transpose(float* dst, int64_t ldd, const float* src, int64_t lds, int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 32;  // 32x32 floats of each side stay in L1
  for (int64_t i0 = 0; i0 < rows; i0 += kTile)
    for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
      const int64_t i1 = std::min(rows, i0 + kTile), j1 = std::min(cols, j0 + kTile);
      int64_t i = i0;
#if defined(__AVX__)
      for (; i + 8 <= i1; i += 8) {
        int64_t j = j0;
        for (; j + 8 <= j1; j += 8) transpose_8x8(dst + j * ldd + i, ldd, src + i * lds + j, lds);
        for (int64_t ii = i; ii < i + 8; ++ii)
          for (int64_t jj = j; jj < j1; ++jj) dst[jj * ldd + ii] = src[ii * lds + jj];
      }
#endif
      for (; i < i1; ++i)
        for (int64_t j = j0; j < j1; ++j) dst[j * ldd + i] = src[i * lds + j];
    }
}

}  // namespace nabla::cpu
