// dataloader.cpp — the type-independent part of torch::data's DataLoader (Note [torch DataLoader on
// nabla's], torch/data/dataloader.h): nabla's loader over an index dataset, the LibTorch sampler's order,
// and the batches made on the worker threads, parked until the iterating thread takes them.
#include "nabla/data/dataloader.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "torch/data/dataloader.h"

namespace torch::data::detail {
namespace {

// Batches made on worker threads, waiting for the iterating thread to take them.
class Parking {
 public:
  int64_t park(std::unique_ptr<AnyBatch> batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int64_t ticket = next_++;
    batches_.emplace(ticket, std::move(batch));
    return ticket;
  }
  std::unique_ptr<AnyBatch> take(int64_t ticket) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = batches_.find(ticket);
    check<nabla::Error>(it != batches_.end(), "DataLoader: internal error: no batch for ticket ", ticket);
    std::unique_ptr<AnyBatch> batch = std::move(it->second);
    batches_.erase(it);
    return batch;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    batches_.clear();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<int64_t, std::unique_ptr<AnyBatch>> batches_;
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
class SamplerAdapter : public nabla::data::Sampler {
 public:
  SamplerAdapter(std::shared_ptr<LoaderSource> source, size_t batch_size, int64_t size)
      : source_(std::move(source)), batch_size_(batch_size), size_(size) {}
  int64_t size() const override { return size_; }
  std::vector<int64_t> indices(nabla::RandomGenerator&) const override {
    source_->reset();
    std::vector<int64_t> out;
    while (auto batch = source_->next(batch_size_)) {
      if (batch->empty()) break;
      for (auto i : *batch) out.push_back(static_cast<int64_t>(i));
    }
    return out;
  }

 private:
  std::shared_ptr<LoaderSource> source_;
  size_t batch_size_;
  int64_t size_;
};

// One epoch's position: nabla's iterator and the current batch.
class Epoch final : public EpochState {
 public:
  Epoch(std::shared_ptr<Parking> parking, nabla::data::DataLoader::Iterator it)
      : parking_(std::move(parking)), it_(std::move(it)) {
    load();
  }
  void advance() override {
    ++it_;
    load();
  }

 private:
  void load() {
    held_ = it_ == nabla::data::DataLoader::Iterator() ? nullptr : parking_->take(it_->data.item<int64_t>());
    current = held_.get();
  }
  std::shared_ptr<Parking> parking_;
  std::unique_ptr<AnyBatch> held_;
  nabla::data::DataLoader::Iterator it_;
};

}  // namespace

void throw_iterator_error(const char* what) { throw nabla::IndexError(std::string("DataLoader: ") + what); }
void require_sized(bool sized) {
  if (!sized)
    throw nabla::ValueError(
        "make_data_loader: expected the dataset to be sized in order to construct the Sampler");
}

struct LoaderCore::Impl {
  explicit Impl(DataLoaderOptions o) : options(std::move(o)) {}
  FullDataLoaderOptions options;
  std::shared_ptr<Parking> parking = std::make_shared<Parking>();
  std::optional<nabla::data::DataLoader> loader;
  std::weak_ptr<Epoch> live;
};

LoaderCore::LoaderCore() = default;
LoaderCore::~LoaderCore() = default;

void LoaderCore::start(optional<size_t> size, DataLoaderOptions options, LoaderSource* source_ptr) {
  std::shared_ptr<LoaderSource> source(source_ptr);
  impl_ = std::make_unique<Impl>(std::move(options));
  const FullDataLoaderOptions& full = impl_->options;
  const int64_t n = size ? static_cast<int64_t>(*size) : std::numeric_limits<int64_t>::max();
  nabla::data::DataLoaderOptions o;
  o.batch_size = static_cast<int64_t>(full.batch_size);
  o.num_workers = static_cast<int>(full.workers);
  o.drop_last = full.drop_last;
  o.prefetch_factor = full.workers ? static_cast<int>(std::max<size_t>(1, full.max_jobs / full.workers)) : 2;
  o.sampler = std::make_shared<SamplerAdapter>(source, full.batch_size, n);
  o.seed = 0;  // the order comes from the LibTorch sampler, not from nabla's generator
  o.collate = [parking = impl_->parking, source](std::vector<nabla::data::Example>& samples) {
    std::vector<size_t> request;
    request.reserve(samples.size());
    for (const auto& s : samples) request.push_back(static_cast<size_t>(s.data.item<int64_t>()));
    const auto worker = nabla::data::get_worker_info();
    const int64_t ticket = parking->park(std::unique_ptr<AnyBatch>(
        source->fetch(std::move(request), worker ? static_cast<size_t>(worker->id) : 0)));
    return nabla::data::Batch{nabla::scalar_tensor(ticket, {.dtype = nabla::kInt64}), Tensor()};
  };
  impl_->loader.emplace(std::make_shared<IndexDataset>(n), std::move(o));
}

std::shared_ptr<EpochState> LoaderCore::begin() {
  auto live = impl_->live.lock();
  check<nabla::ValueError>(!live || !live->current,
                           "DataLoader: attempted to get a new DataLoader iterator while another "
                           "iterator is not yet exhausted");
  live.reset();
  impl_->parking->clear();  // batches prefetched by an epoch left early
  auto epoch = std::make_shared<Epoch>(impl_->parking, impl_->loader->begin());
  impl_->live = epoch;
  return epoch;
}

const FullDataLoaderOptions& LoaderCore::options() const noexcept { return impl_->options; }

}  // namespace torch::data::detail
