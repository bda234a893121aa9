// options.h — TensorOptions (dtype, device, requires_grad) and the random RandomGenerator.
#pragma once
#include <array>
#include <cstdint>

#include "nabla/tensor/device.h"
#include "nabla/tensor/dtype.h"

namespace nabla {

// Like LibTorch: zeros({2, 3}, kInt64) or zeros({2, 3}, TensorOptions().dtype(kFloat64).requires_grad(true)).
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(DType d) : dtype_(d) {}    // NOLINT
  TensorOptions(Device d) : device_(d) {}  // NOLINT
  TensorOptions dtype(DType d) const {
    auto o = *this;
    o.dtype_ = d;
    return o;
  }
  TensorOptions device(Device d) const {
    auto o = *this;
    o.device_ = d;
    return o;
  }
  TensorOptions requires_grad(bool r) const {
    auto o = *this;
    o.requires_grad_ = r;
    return o;
  }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  bool requires_grad() const { return requires_grad_; }

 private:
  DType dtype_ = DType::Float32;
  Device device_ = kCPU;
  bool requires_grad_ = false;
};

// xoshiro256++ : small state (serialisable into checkpoints), fast, good statistical quality.
// Streams differ from PyTorch's mt19937; distributions match PyTorch's definitions.
class RandomGenerator {
 public:
  explicit RandomGenerator(uint64_t seed = 67280421310721ull) { manual_seed(seed); }
  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }
  uint64_t next_u64();
  double next_double();                   // uniform in [0, 1)
  float next_float();                     // uniform in [0, 1)
  double next_normal();                   // standard normal (Box-Muller, caches the second value)
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
