// fuzz_pickle — the restricted unpickler alone (the data.pkl of a .pt file): any storage it names
// exists, with the element count it claims, so the fuzzer reaches the tensor checks quickly. Each input
// also runs with the numpy allow-list (Note [Numpy pickles]).
#include "io/pickle.h"
#include "nabla/tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla::io::detail;
  const StorageResolver any = [](const std::string&, const StorageType&, int64_t, uint64_t) -> int64_t {
    return 0;
  };
  try {
    unpickle({data, size}, "fuzz", 0, any);
  } catch (const nabla::Error&) {
  }
  try {
    unpickle_numpy({data, size}, "fuzz");
  } catch (const nabla::Error&) {
  }
  return 0;
}
