// sample_rng.h — sets the generator that sample_generator() returns on this thread (DataLoader internals).
#pragma once
#include "nabla/tensor/options.h"

namespace nabla::data::detail {

class SampleGeneratorScope {
 public:
  explicit SampleGeneratorScope(RandomGenerator* gen);
  ~SampleGeneratorScope();
  SampleGeneratorScope(const SampleGeneratorScope&) = delete;
  SampleGeneratorScope& operator=(const SampleGeneratorScope&) = delete;

 private:
  RandomGenerator* prev_;
};

}  // namespace nabla::data::detail
