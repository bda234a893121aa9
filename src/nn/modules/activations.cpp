// activations.cpp — constructors and reprs of the activations with options (Hardtanh, CELU, PReLU)
// and of the resampling layers (PixelShuffle, PixelUnshuffle, Upsample); their forwards are inline.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nabla/nn/layers.h"
#include "util/check.h"

namespace nabla::nn {

Hardtanh::Hardtanh(double min_val, double max_val) : min_val(min_val), max_val(max_val) {
  NABLA_CHECK(max_val > min_val, ValueError, "Hardtanh: max_val ({}) must be greater than min_val ({})",
              max_val, min_val);
}
std::string Hardtanh::extra_repr() const { return fmt::format("min_val={}, max_val={}", min_val, max_val); }

std::string CELU::extra_repr() const { return fmt::format("alpha={}", alpha); }

PReLU::PReLU(int64_t n, double init) : num_parameters(n) {
  NABLA_CHECK(n > 0, ValueError, "PReLU: num_parameters must be positive, got {}", n);
  weight = register_parameter("weight", full({n}, init, {.dtype = kFloat32}));
}
std::string PReLU::extra_repr() const { return fmt::format("num_parameters={}", num_parameters); }

std::string PixelShuffle::extra_repr() const { return fmt::format("upscale_factor={}", upscale_factor); }
std::string PixelUnshuffle::extra_repr() const {
  return fmt::format("downscale_factor={}", downscale_factor);
}

Upsample::Upsample(UpsampleOptions o) : options(std::move(o)) {
  NABLA_CHECK(options.size.empty() != options.scale_factor.empty(), ValueError,
              "Upsample: exactly one of size and scale_factor must be given");
}
std::string Upsample::extra_repr() const {
  auto list = [](const auto& v) {
    return v.size() == 1 ? fmt::format("{}", v[0]) : fmt::format("({})", fmt::join(v, ", "));
  };
  const std::string what = options.scale_factor.empty() ? "size=" + list(options.size)
                                                        : "scale_factor=" + list(options.scale_factor);
  return fmt::format("{}, mode='{}'", what, options.mode);
}

}  // namespace nabla::nn
