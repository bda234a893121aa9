// dataloader.h — DataLoader like torch.utils.data.DataLoader:
//
//   DataLoader loader(MNIST("data", {.transform = ...}),
//                     {.batch_size = 64, .shuffle = true, .num_workers = 2, .seed = 0});
//   for (Batch& b : loader) { ... b.data ... b.target ... }
//
// Each range-for (each begin()) is one epoch; with shuffle the order differs between epochs and is
// reproducible from the seed. Workers are threads that prefetch whole batches, delivered in order
// (see Note [DataLoader workers] in src/data/dataloader.cpp). An exception while loading reaches the
// caller as the same nabla error type with "DataLoader: sample <i> (batch <b>)" prefixed to its message.
// Leaving the loop early stops the workers (the iterator's destructor joins them).
#pragma once
#include <concepts>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/data/samplers.h"

namespace nabla::data {

struct Batch {
  Tensor data;    // collated samples, e.g. [B, C, H, W]
  Tensor target;  // e.g. [B]; undefined when the samples have no target
};

using CollateFn = std::function<Batch(std::vector<Example>& samples)>;
// Stacks data and targets along a new dim 0 (ShapeError naming the first mismatch otherwise).
Batch default_collate(std::vector<Example>& samples);

// Aggregate options, PyTorch's keyword arguments as designated initializers:
//   DataLoader(ds, {.batch_size = 64, .shuffle = true, .num_workers = 2})
// Checked when the DataLoader is constructed (ValueError naming the field).
struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  SamplerPtr sampler = nullptr;             // mutually exclusive with shuffle
  BatchSamplerPtr batch_sampler = nullptr;  // mutually exclusive with batch_size, shuffle, sampler, drop_last
  int num_workers = 0;                      // worker threads; 0 loads in the calling thread
  CollateFn collate = nullptr;              // default_collate when empty (PyTorch's collate_fn)
  bool drop_last = false;
  int prefetch_factor = 2;  // batches each worker may have ready ahead of the consumer
  std::optional<uint64_t> seed =
      std::nullopt;  // unset: drawn from the default generator when the loader is made
};

namespace detail {
class Epoch;
}

class DataLoader {
 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = Batch*;
    using reference = Batch&;
    Iterator() = default;  // the end
    Batch& operator*() { return current_; }
    Batch* operator->() { return &current_; }
    Iterator& operator++();
    bool operator==(const Iterator& o) const { return done() == o.done(); }

   private:
    friend class DataLoader;
    explicit Iterator(std::shared_ptr<detail::Epoch> epoch);
    bool done() const { return epoch_ == nullptr; }
    std::shared_ptr<detail::Epoch> epoch_;
    Batch current_;
  };

  DataLoader(DatasetPtr dataset, DataLoaderOptions options = {});
  template <typename D>
  requires std::derived_from<std::remove_cvref_t<D>, Dataset> DataLoader(
      D&& dataset, DataLoaderOptions options = {})  // NOLINT: takes a dataset value
      : DataLoader(share(std::forward<D>(dataset)), std::move(options)) {}

  // Starts the next epoch: draws its order, launches the workers, loads the first batch.
  Iterator begin();
  Iterator end() { return Iterator(); }
  int64_t size() const;  // batches per epoch, like len(loader)
  const DatasetPtr& dataset() const { return dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  int64_t epoch() const { return epoch_; }  // the epoch the next begin() starts
  void set_epoch(int64_t epoch) { epoch_ = epoch; }

 private:
  DatasetPtr dataset_;
  DataLoaderOptions options_;
  SamplerPtr sampler_;
  uint64_t seed_;
  int64_t epoch_ = 0;
};

// Inside a DataLoader worker thread: which worker this is (like torch.utils.data.get_worker_info());
// std::nullopt on other threads, including the caller's when num_workers == 0.
struct WorkerInfo {
  int id;
  int num_workers;
  uint64_t seed;  // the loader's seed mixed with the epoch
};
std::optional<WorkerInfo> get_worker_info();

// The generator random transforms draw from by default. Inside a DataLoader it is a per-sample
// generator seeded from (loader seed, epoch, sample index), so augmentations are reproducible and do
// not depend on num_workers or thread timing; elsewhere it is nabla::default_generator() (not
// thread-safe: give transforms their own RandomGenerator when calling them from your own threads).
RandomGenerator& sample_generator();

}  // namespace nabla::data
