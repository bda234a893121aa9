// generator.cpp — xoshiro256++ seeded through splitmix64; Box-Muller normals.
#include <cmath>

#include "nabla/tensor/options.h"

namespace nabla {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

void RandomGenerator::manual_seed(uint64_t seed) {
  seed_ = seed;
  uint64_t x = seed;
  for (auto& w : s_) w = splitmix64(x);
  has_cached_normal_ = false;
}

uint64_t RandomGenerator::next_u64() {
  uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double RandomGenerator::next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
float RandomGenerator::next_float() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }

namespace {
// xoshiro256++ over a local copy of the state (next_u64's steps), converting each draw with `convert`.
template <typename T, typename Convert>
void fill_xoshiro(uint64_t (&state)[4], T* out, int64_t n, Convert convert) {
  uint64_t s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t result = rotl(s0 + s3, 23) + s0, t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 45);
    out[i] = convert(result);
  }
  state[0] = s0, state[1] = s1, state[2] = s2, state[3] = s3;
}
}  // namespace

void RandomGenerator::fill_uniform(float* out, int64_t n) {
  fill_xoshiro(s_, out, n, [](uint64_t r) { return static_cast<float>(r >> 40) * 0x1.0p-24f; });
}
void RandomGenerator::fill_uniform(double* out, int64_t n) {
  fill_xoshiro(s_, out, n, [](uint64_t r) { return static_cast<double>(r >> 11) * 0x1.0p-53; });
}

double RandomGenerator::next_normal() {
  if (has_cached_normal_) {
    has_cached_normal_ = false;
    return cached_normal_;
  }
  double u1 = 1.0 - next_double();  // (0, 1]: log is finite
  double u2 = next_double();
  double r = std::sqrt(-2.0 * std::log(u1));
  cached_normal_ = r * std::sin(2.0 * M_PI * u2);
  has_cached_normal_ = true;
  return r * std::cos(2.0 * M_PI * u2);
}

RandomGenerator::State RandomGenerator::state() const {
  uint64_t cached;
  static_assert(sizeof(cached) == sizeof(cached_normal_));
  __builtin_memcpy(&cached, &cached_normal_, sizeof(cached));
  return {s_[0], s_[1], s_[2], s_[3], seed_, has_cached_normal_ ? cached : ~0ull};
}

void RandomGenerator::set_state(const State& st) {
  for (int i = 0; i < 4; ++i) s_[i] = st[i];
  seed_ = st[4];
  has_cached_normal_ = st[5] != ~0ull;
  if (has_cached_normal_) __builtin_memcpy(&cached_normal_, &st[5], sizeof(cached_normal_));
}

RandomGenerator& default_generator() {
  static RandomGenerator gen;
  return gen;
}
void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace nabla
