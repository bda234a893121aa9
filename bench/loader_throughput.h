// loader_throughput.h — samples per second through a DataLoader, shared by nabla-bench-data (real MNIST
// files, whole epochs) and nabla-bench's dataloader_fashion (timed like the other workloads).
#pragma once
#include <nabla/nabla.h>

#include <chrono>
#include <iostream>

namespace nabla::bench {

// Batch 64, shuffled, `workers` worker threads; stops after `epochs` full passes or once `seconds`
// have passed, whichever comes first. Worker start-up is included (bench/torch_dataloader.py does the
// same for PyTorch's).
inline double loader_samples_per_s(const data::DatasetPtr& ds, int workers, int epochs, double seconds) {
  data::DataLoader loader(ds, {.batch_size = 64, .shuffle = true, .num_workers = workers, .seed = 0});
  int64_t samples = 0;
  double checksum = 0, elapsed = 0;
  auto start = std::chrono::steady_clock::now();
  for (int e = 0; e < epochs && elapsed < seconds; ++e) {
    for (data::Batch& b : loader) {
      samples += b.data.size(0);
      checksum += b.target.data_ptr<int64_t>()[0];  // touch the batch
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (elapsed >= seconds) break;
    }
  }
  elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (checksum < 0) std::cerr << "impossible\n";
  return static_cast<double>(samples) / elapsed;
}

}  // namespace nabla::bench
