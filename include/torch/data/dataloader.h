// torch/data/dataloader.h — LibTorch's DataLoader front end on nabla's DataLoader:
//
//   auto loader = torch::data::make_data_loader(std::move(dataset),
//                                               torch::data::DataLoaderOptions().batch_size(64).workers(2));
//   for (auto& batch : *loader) { ... }   // batch is the dataset's BatchType
//
// Note [torch DataLoader on nabla's]
// nabla::data::DataLoader already does epochs, worker threads, in-order delivery, a bounded prefetch
// window, error propagation and joining workers when a loop ends early. It loads samples of a
// nabla::data::Dataset and collates them into a Batch of two tensors, while a LibTorch dataset answers
// get_batch(indices) with any BatchType. So the nabla loader here runs over an index dataset (sample i is
// the int64 scalar i) whose order comes from the LibTorch sampler; its collate function, running on the
// worker thread, turns the indices back into the LibTorch request, calls the dataset's get_batch (each
// worker on its own copy of the dataset, as LibTorch does), parks the result and returns its ticket in
// Batch::data; the iterator redeems the ticket. Batches arrive in sampler order whatever the timing; a
// dataset error reaches the loop as the same nabla error type, prefixed with the batch number.
// All of that is detail::LoaderCore, out of line in src/torch/dataloader.cpp, with the batches and the
// sampler type-erased: what each program instantiates per dataset type is only the fetch function and
// the sampler's wrapper (this header's templates once cost a program 0.3–0.5 s of compile time each).
#pragma once
#include <cstddef>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>
// std::chrono::milliseconds (DataLoaderOptions::timeout). libstdc++'s <chrono> is, in C++20, mostly
// the calendar, time zones and formatting, 8% of what <torch/torch.h> costs to compile; the durations
// and clocks are in <bits/chrono.h> (Note [std::function without <functional>], the same idea).
#if defined(__GLIBCXX__) && __has_include(<bits/chrono.h>)
#include <bits/chrono.h>
#else
#include <chrono>
#endif

#include "nabla/tensor/error.h"
#include "torch/arg.h"
#include "torch/data/check.h"
#include "torch/data/datasets.h"
#include "torch/data/samplers.h"
#include "torch/types.h"

namespace torch::data {

struct DataLoaderOptions {
  DataLoaderOptions() = default;
  DataLoaderOptions(size_t batch_size) : batch_size_(batch_size) {}  // NOLINT: implicit, as LibTorch

  TORCH_ARG(size_t, batch_size) = 1;
  TORCH_ARG(size_t, workers) = 0;                           // worker threads; 0 loads on the iterating thread
  TORCH_ARG(optional<size_t>, max_jobs);                    // batches in flight; default 2 * workers
  TORCH_ARG(optional<std::chrono::milliseconds>, timeout);  // accepted, not enforced
  TORCH_ARG(bool, enforce_ordering) = true;                 // batches always arrive in sampler order here
  TORCH_ARG(bool, drop_last) = false;
};

struct FullDataLoaderOptions {
  explicit FullDataLoaderOptions(DataLoaderOptions options)
      : batch_size(options.batch_size()),
        workers(options.workers()),
        max_jobs(options.max_jobs().value_or(2 * workers)),
        timeout(options.timeout()),
        enforce_ordering(options.enforce_ordering()),
        drop_last(options.drop_last()) {}
  size_t batch_size;
  size_t workers;
  size_t max_jobs;
  optional<std::chrono::milliseconds> timeout;
  bool enforce_ordering;
  bool drop_last;
};

namespace detail {

// A batch of any type, owned by the loader until the iterator has moved past it.
class AnyBatch {
 public:
  virtual ~AnyBatch() = default;
};
template <typename Batch>
class BatchBox final : public AnyBatch {
 public:
  explicit BatchBox(Batch b) : batch(std::move(b)) {}
  Batch batch;
};

// A LibTorch dataset (one copy per worker) and sampler behind a non-template interface: reset() starts
// an epoch, next() is the sampler's, fetch(indices, worker id) is get_batch on that worker's copy.
class LoaderSource {
 public:
  virtual ~LoaderSource() = default;
  virtual void reset() = 0;
  virtual optional<std::vector<size_t>> next(size_t batch_size) = 0;
  virtual AnyBatch* fetch(std::vector<size_t> request, size_t worker) = 0;
};

template <typename Dataset, typename Sampler>
class Source final : public LoaderSource {
 public:
  // Each worker calls get_batch on its own copy (LibTorch copies the dataset into every worker).
  Source(Dataset dataset, Sampler sampler, size_t workers)
      : dataset_(std::move(dataset)), sampler_(std::move(sampler)) {
    copies_.reserve(workers > 1 ? workers - 1 : 0);
    try {
      for (size_t w = 1; w < workers; ++w) copies_.push_back(new Dataset(dataset_));
    } catch (...) {
      release();
      throw;
    }
  }
  ~Source() override { release(); }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
  void reset() override { sampler_.reset(nullopt); }
  optional<std::vector<size_t>> next(size_t batch_size) override {
    if constexpr (std::is_same_v<typename Sampler::BatchRequestType, std::vector<size_t>>) {
      return sampler_.next(batch_size);
    } else {
      auto batch = sampler_.next(batch_size);
      if (!batch) return nullopt;
      return std::vector<size_t>(batch->begin(), batch->end());
    }
  }
  AnyBatch* fetch(std::vector<size_t> request, size_t worker) override {
    using Batch = typename Dataset::BatchType;
    Dataset& dataset = worker == 0 ? dataset_ : *static_cast<Dataset*>(copies_[worker - 1]);
    return new BatchBox<Batch>(dataset.get_batch(typename Dataset::BatchRequestType(std::move(request))));
  }

 private:
  void release() noexcept {
    for (void* copy : copies_) delete static_cast<Dataset*>(copy);
  }
  Dataset dataset_;  // worker 0's, and the loop's without workers
  // Workers 1, 2, ...'s copies, owned. std::vector<void*> rather than std::vector<Dataset>: one vector
  // type for all datasets, not a vector's worth of functions compiled per dataset type.
  std::vector<void*> copies_;
  Sampler sampler_;  // stateful; only the iterating thread touches it (in begin())
};

// One epoch's position (src/torch/dataloader.cpp): `current` is the batch in view (a BatchType made by
// the loader's fetch function), null past the end.
class EpochState {
 public:
  virtual ~EpochState() = default;
  virtual void advance() = 0;
  AnyBatch* current = nullptr;
};

[[noreturn]] void throw_iterator_error(const char* what);
// make_data_loader(dataset, options) builds its sampler from the dataset's size: throws unless it has one.
void require_sized(bool sized);

// Everything of the loader that does not depend on the dataset's type, out of line (compile time): the
// nabla loader, the sampler's order, the batches made on the worker threads.
class LoaderCore {
 public:
  LoaderCore();
  ~LoaderCore();
  // Takes ownership of `source`.
  void start(optional<size_t> size, DataLoaderOptions options, LoaderSource* source);
  std::shared_ptr<EpochState> begin();
  const FullDataLoaderOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace detail

template <typename Batch>
class Iterator {
 public:
  using difference_type = std::ptrdiff_t;
  using value_type = Batch;
  using pointer = Batch*;
  using reference = Batch&;
  using iterator_category = std::input_iterator_tag;

  Iterator() = default;  // the end
  explicit Iterator(std::shared_ptr<detail::EpochState> state) : state_(std::move(state)) {}
  Iterator& operator++() {
    if (done()) detail::throw_iterator_error("attempted to increment the iterator past the end");
    state_->advance();
    return *this;
  }
  Batch& operator*() {
    if (done()) detail::throw_iterator_error("attempted to dereference the past-the-end iterator");
    return static_cast<detail::BatchBox<Batch>*>(state_->current)->batch;
  }
  Batch* operator->() { return &**this; }
  bool operator==(const Iterator& other) const {
    return done() == other.done() && (done() || state_ == other.state_);
  }
  bool operator!=(const Iterator& other) const { return !(*this == other); }

 private:
  bool done() const { return !state_ || !state_->current; }
  std::shared_ptr<detail::EpochState> state_;
};

// LibTorch's loader for datasets answering get_batch(indices); each begin() is one epoch.
template <typename Dataset, typename Sampler>
class StatelessDataLoader {
  static_assert(!Dataset::is_stateful, "torch::data (nabla): stateful datasets are not supported");
  static_assert(std::is_constructible_v<typename Dataset::BatchRequestType, std::vector<size_t>>,
                "torch::data (nabla): the dataset's batch request must be a list of indices");

 public:
  using BatchType = typename Dataset::BatchType;
  using BatchRequestType = typename Sampler::BatchRequestType;

  StatelessDataLoader(Dataset dataset, Sampler sampler, DataLoaderOptions options) {
    const optional<size_t> size = dataset.size();
    const size_t workers = options.workers();
    core_.start(size, std::move(options),
                new detail::Source<Dataset, Sampler>(std::move(dataset), std::move(sampler), workers));
  }
  StatelessDataLoader(const StatelessDataLoader&) = delete;
  StatelessDataLoader& operator=(const StatelessDataLoader&) = delete;

  // Starts an epoch (resets the sampler). Like LibTorch, refuses while another iterator is mid-epoch.
  Iterator<BatchType> begin() { return Iterator<BatchType>(core_.begin()); }
  Iterator<BatchType> end() { return Iterator<BatchType>(); }
  // Workers stop when the epoch's last iterator goes away; nothing is left to join.
  void join() {}
  const FullDataLoaderOptions& options() const noexcept { return core_.options(); }

 private:
  detail::LoaderCore core_;
};

template <typename Dataset, typename Sampler>
std::enable_if_t<!Dataset::is_stateful, std::unique_ptr<StatelessDataLoader<Dataset, Sampler>>>
make_data_loader(Dataset dataset, Sampler sampler, DataLoaderOptions options) {
  return std::make_unique<StatelessDataLoader<Dataset, Sampler>>(std::move(dataset), std::move(sampler),
                                                                 std::move(options));
}

// The sampler is made from the dataset's size: make_data_loader<samplers::SequentialSampler>(ds, 64).
template <typename Sampler = samplers::RandomSampler, typename Dataset>
std::enable_if_t<!Dataset::is_stateful && std::is_constructible_v<Sampler, size_t>,
                 std::unique_ptr<StatelessDataLoader<Dataset, Sampler>>>
make_data_loader(Dataset dataset, DataLoaderOptions options = DataLoaderOptions()) {
  const optional<size_t> size = dataset.size();
  detail::require_sized(size.has_value());
  return make_data_loader(std::move(dataset), Sampler(*size), std::move(options));
}

}  // namespace torch::data
