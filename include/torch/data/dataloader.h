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
#pragma once
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nabla/data/dataloader.h"
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

// Batches made on worker threads, waiting for the iterating thread to take them.
template <typename Batch>
class Parking {
 public:
  int64_t park(Batch batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int64_t ticket = next_++;
    batches_.emplace(ticket, std::move(batch));
    return ticket;
  }
  Batch take(int64_t ticket) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = batches_.find(ticket);
    torch::data::detail::check<nabla::Error>(it != batches_.end(),
                                             "DataLoader: internal error: no batch for ticket ", ticket);
    Batch batch = std::move(it->second);
    batches_.erase(it);
    return batch;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    batches_.clear();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<int64_t, Batch> batches_;
  int64_t next_ = 0;
};

// Sample i is the index i itself (an int64 scalar), for the collate function to read back.
class IndexDataset : public nabla::data::Dataset {
 public:
  explicit IndexDataset(int64_t n) : n_(n) {}
  int64_t size() const override { return n_; }
  nabla::data::Example get(int64_t index) const override {
    return {nabla::scalar_tensor(index, {.dtype = nabla::kInt64}), Tensor()};
  }

 private:
  int64_t n_;
};

// nabla's view of a LibTorch sampler: one epoch = reset(), then next(batch_size) until nullopt.
template <typename S>
class SamplerAdapter : public nabla::data::Sampler {
 public:
  SamplerAdapter(S sampler, size_t batch_size, int64_t size)
      : sampler_(std::move(sampler)), batch_size_(batch_size), size_(size) {}
  int64_t size() const override { return size_; }
  std::vector<int64_t> indices(nabla::RandomGenerator&) const override {
    sampler_.reset(nullopt);
    std::vector<int64_t> out;
    while (auto batch = sampler_.next(batch_size_)) {
      if (batch->empty()) break;
      for (auto i : *batch) out.push_back(static_cast<int64_t>(i));
    }
    return out;
  }

 private:
  mutable S sampler_;  // stateful; only the iterating thread touches it (in begin())
  size_t batch_size_;
  int64_t size_;
};

// One epoch's position: nabla's iterator and the current batch.
template <typename Batch>
struct IteratorState {
  nabla::data::DataLoader::Iterator it;
  std::shared_ptr<Parking<Batch>> parking;
  std::optional<Batch> current;
  void load() {
    if (it == nabla::data::DataLoader::Iterator()) {
      current.reset();
    } else {
      current.emplace(parking->take(it->data.template item<int64_t>()));
    }
  }
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
  explicit Iterator(std::shared_ptr<detail::IteratorState<Batch>> state) : state_(std::move(state)) {}
  Iterator& operator++() {
    torch::data::detail::check<nabla::IndexError>(
        !done(), "DataLoader: attempted to increment the iterator past the end");
    ++state_->it;
    state_->load();
    return *this;
  }
  Batch& operator*() {
    torch::data::detail::check<nabla::IndexError>(
        !done(), "DataLoader: attempted to dereference the past-the-end iterator");
    return *state_->current;
  }
  Batch* operator->() { return &**this; }
  bool operator==(const Iterator& other) const {
    return done() == other.done() && (done() || state_ == other.state_);
  }
  bool operator!=(const Iterator& other) const { return !(*this == other); }

 private:
  bool done() const { return !state_ || !state_->current; }
  std::shared_ptr<detail::IteratorState<Batch>> state_;
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

  StatelessDataLoader(Dataset dataset, Sampler sampler, DataLoaderOptions options)
      : options_(std::move(options)), shared_(std::make_shared<Shared>()) {
    const optional<size_t> size = dataset.size();
    // Each worker calls get_batch on its own copy (LibTorch copies the dataset into every worker).
    for (size_t w = 1; w < options_.workers; ++w)
      shared_->datasets.push_back(std::make_unique<Dataset>(dataset));
    shared_->datasets.insert(shared_->datasets.begin(), std::make_unique<Dataset>(std::move(dataset)));

    const int64_t n = size ? static_cast<int64_t>(*size) : std::numeric_limits<int64_t>::max();
    nabla::data::DataLoaderOptions o;
    o.batch_size = static_cast<int64_t>(options_.batch_size);
    o.num_workers = static_cast<int>(options_.workers);
    o.drop_last = options_.drop_last;
    o.prefetch_factor =
        options_.workers ? static_cast<int>(std::max<size_t>(1, options_.max_jobs / options_.workers)) : 2;
    o.sampler = std::make_shared<detail::SamplerAdapter<Sampler>>(std::move(sampler), options_.batch_size, n);
    o.seed = 0;  // the order comes from the LibTorch sampler, not from nabla's generator
    o.collate = [shared = shared_](std::vector<nabla::data::Example>& samples) {
      std::vector<size_t> request;
      request.reserve(samples.size());
      for (const auto& s : samples) request.push_back(static_cast<size_t>(s.data.item<int64_t>()));
      const auto worker = nabla::data::get_worker_info();
      Dataset& dataset = *shared->datasets[worker ? static_cast<size_t>(worker->id) : 0];
      const int64_t ticket =
          shared->parking->park(dataset.get_batch(typename Dataset::BatchRequestType(std::move(request))));
      return nabla::data::Batch{nabla::scalar_tensor(ticket, {.dtype = nabla::kInt64}), Tensor()};
    };
    loader_.emplace(std::make_shared<detail::IndexDataset>(n), std::move(o));
  }
  StatelessDataLoader(const StatelessDataLoader&) = delete;
  StatelessDataLoader& operator=(const StatelessDataLoader&) = delete;

  // Starts an epoch (resets the sampler). Like LibTorch, refuses while another iterator is mid-epoch.
  Iterator<BatchType> begin() {
    auto live = live_.lock();
    torch::data::detail::check<nabla::ValueError>(
        !live || !live->current,
        "DataLoader: attempted to get a new DataLoader iterator while another "
        "iterator is not yet exhausted");
    live.reset();
    shared_->parking->clear();  // batches prefetched by an epoch left early
    auto state = std::make_shared<detail::IteratorState<BatchType>>();
    state->parking = shared_->parking;
    state->it = loader_->begin();
    state->load();
    live_ = state;
    return Iterator<BatchType>(std::move(state));
  }
  Iterator<BatchType> end() { return Iterator<BatchType>(); }
  // Workers stop when the epoch's last iterator goes away; nothing is left to join.
  void join() {}
  const FullDataLoaderOptions& options() const noexcept { return options_; }

 private:
  struct Shared {
    std::vector<std::unique_ptr<Dataset>> datasets;  // [worker id], [0] without workers
    std::shared_ptr<detail::Parking<BatchType>> parking = std::make_shared<detail::Parking<BatchType>>();
  };
  FullDataLoaderOptions options_;
  std::shared_ptr<Shared> shared_;
  std::optional<nabla::data::DataLoader> loader_;
  std::weak_ptr<detail::IteratorState<BatchType>> live_;
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
  torch::data::detail::check<nabla::ValueError>(
      size.has_value(),
      "make_data_loader: expected the dataset to be sized in order to construct the Sampler");
  return make_data_loader(std::move(dataset), Sampler(*size), std::move(options));
}

}  // namespace torch::data
