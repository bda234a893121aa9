// data_bench — DataLoader throughput on real MNIST (run tools/fetch-data first): ToTensor + Normalize,
// batch 64, shuffled, 0 and 2 worker threads. Prints `name<TAB>samples/s<TAB>threads=N` like
// bench/torch_dataloader.py, which measures PyTorch's DataLoader on the same files, so the two can be
// divided (DESIGN.md, "Benchmark contract").
//   nabla-bench-data [data_dir] [--epochs N]     (data_dir defaults to $NABLA_DATA_DIR or ./data)
#include <nabla/nabla.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <string>

#include "loader_throughput.h"

using namespace nabla;

int main(int argc, char** argv) {
  std::string root = std::getenv("NABLA_DATA_DIR") ? std::getenv("NABLA_DATA_DIR") : "data";
  int epochs = 3;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) {
      epochs = std::atoi(argv[++i]);
    } else {
      root = argv[i];
    }
  }
  try {
    auto transform = data::Compose({data::ToTensor(), data::Normalize({0.1307}, {0.3081})});
    auto ds = data::share(data::MNIST(root, {.train = true, .transform = transform}));
    for (int workers : {0, 2}) {
      double rate = bench::loader_samples_per_s(ds, workers, epochs, std::numeric_limits<double>::infinity());
      std::cout << "dataloader_mnist_b64_workers" << workers << "_samples_per_s\t"
                << static_cast<int64_t>(rate) << "\tthreads=" << (workers == 0 ? 1 : workers) << "\n";
    }
  } catch (const nabla::Error& e) {
    std::cerr << "nabla-bench-data: " << e.what() << "\n(run tools/fetch-data first)\n";
    return 1;
  }
  return 0;
}
