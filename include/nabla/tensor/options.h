// options.h — TensorOptions (a factory's dtype, device, requires_grad) and the random RandomGenerator.
#pragma once
#include <array>
#include <cstdint>
#include <optional>

#include "nabla/tensor/device.h"
#include "nabla/tensor/dtype.h"

namespace nabla {

// A factory's keyword arguments, as in PyTorch: zeros({2, 3}, {.dtype = kFloat64, .requires_grad = true}).
// Name the fields: positional {kInt64} trips -Wmissing-field-initializers. A field left unset takes the
// factory's own default, like PyTorch's dtype=None: float32 for zeros/rand/..., inferred from the values for
// tensor/arange/full, the source tensor's for *_like. (LibTorch's chained TensorOptions().dtype(..) lives in
// the torch/ compatibility layer.)
struct TensorOptions {
  std::optional<DType> dtype = std::nullopt;
  std::optional<Device> device = std::nullopt;
  bool requires_grad = false;

  DType dtype_or(DType fallback) const { return dtype.value_or(fallback); }
  Device device_or(Device fallback) const { return device.value_or(fallback); }
};

// xoshiro256++ : small state (serialisable into checkpoints), fast, good statistical quality.
// Streams differ from PyTorch's mt19937; distributions match PyTorch's definitions.
class RandomGenerator {
 public:
  explicit RandomGenerator(uint64_t seed = 67280421310721ull) { manual_seed(seed); }
  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }
  uint64_t next_u64();
  double next_double();  // uniform in [0, 1)
  float next_float();    // uniform in [0, 1)
  double next_normal();  // standard normal (Box-Muller, caches the second value)
  // The next n draws of next_float() / next_double(), in order, with the state kept in registers.
  void fill_uniform(float* out, int64_t n);
  void fill_uniform(double* out, int64_t n);
  using State = std::array<uint64_t, 6>;  // 4 words of state, seed, cached normal
  State state() const;
  void set_state(const State& s);

 private:
  uint64_t s_[4] = {};
  uint64_t seed_ = 0;
  double cached_normal_ = 0;
  bool has_cached_normal_ = false;
};

RandomGenerator& default_generator();
void manual_seed(uint64_t seed);  // seeds the default generator

}  // namespace nabla
