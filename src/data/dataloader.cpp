// dataloader.cpp — DataLoader epochs: batch order, worker threads, in-order delivery, error propagation.
//
// Note [DataLoader workers]
// begin() draws the epoch's batches (lists of sample indices) and makes an Epoch. With num_workers == 0
// the caller's thread loads each batch when the iterator advances. Otherwise W threads claim batch
// numbers in increasing order from a shared counter, load and collate a whole batch each, and park the
// result in the batch's slot; the consumer takes slot k only after slot k-1, so batches arrive in
// sampler order whatever the timing. A worker may run at most W * prefetch_factor batches ahead of the
// consumer (bounded memory). An exception while loading becomes the batch's result: the consumer
// rethrows it when it reaches that batch (the same nabla error type, message prefixed with the sample
// index and batch number). The iterator owns the Epoch; destroying it (loop end, break, exception) sets
// `stop_`, wakes every worker and joins them — a worker checks `stop_` between samples, so shutdown
// waits at most for one dataset.get() per worker.
//
// Each worker runs its ops with one OpenMP thread (set_num_threads(1) on the worker thread only).
//
// Random transforms draw from a per-sample RandomGenerator seeded from (seed, epoch, sample index) — see
// sample_generator() — so a given seed gives the same augmented batches for any num_workers.
#include "nabla/data/dataloader.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "data/sample_rng.h"
#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::data {

namespace {
thread_local std::optional<WorkerInfo> tls_worker_info;
thread_local RandomGenerator* tls_sample_generator = nullptr;

uint64_t mix64(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Rethrows the exception being handled as the same nabla error type, with `prefix` before its message.
[[noreturn]] void rethrow_with_prefix(const std::string& prefix) {
  try {
    throw;
  } catch (const IOError& e) {
    throw IOError(prefix + e.what());
  } catch (const ShapeError& e) {
    throw ShapeError(prefix + e.what());
  } catch (const DTypeError& e) {
    throw DTypeError(prefix + e.what());
  } catch (const IndexError& e) {
    throw IndexError(prefix + e.what());
  } catch (const ValueError& e) {
    throw ValueError(prefix + e.what());
  } catch (const NotImplementedError& e) {
    throw NotImplementedError(prefix + e.what());
  } catch (const std::exception& e) {
    throw Error(prefix + e.what());
  } catch (...) {
    throw Error(prefix + "unknown exception");
  }
}
}  // namespace

std::optional<WorkerInfo> get_worker_info() { return tls_worker_info; }

RandomGenerator& sample_generator() {
  return tls_sample_generator ? *tls_sample_generator : default_generator();
}

namespace detail {

SampleGeneratorScope::SampleGeneratorScope(RandomGenerator* gen) : prev_(tls_sample_generator) {
  tls_sample_generator = gen;
}
SampleGeneratorScope::~SampleGeneratorScope() { tls_sample_generator = prev_; }

class Epoch {
 public:
  Epoch(DatasetPtr dataset, std::vector<std::vector<int64_t>> batches, CollateFn collate, int num_workers,
        int prefetch, uint64_t seed)
      : dataset_(std::move(dataset)),
        batches_(std::move(batches)),
        collate_(std::move(collate)),
        num_workers_(num_workers),
        window_(static_cast<int64_t>(num_workers) * prefetch),
        seed_(seed),
        slots_(batches_.size()) {
    try {
      for (int w = 0; w < num_workers_; ++w) threads_.emplace_back([this, w] { worker_loop(w); });
    } catch (...) {  // e.g. std::system_error: no more threads; stop the ones already running
      shutdown();
      throw;
    }
  }
  ~Epoch() { shutdown(); }
  Epoch(const Epoch&) = delete;
  Epoch& operator=(const Epoch&) = delete;

  // The next batch in order; false at the end of the epoch. Rethrows a loading error.
  bool next(Batch& out);

 private:
  struct Slot {
    bool ready = false;
    Batch batch;
    std::exception_ptr error;
  };
  void shutdown();
  void worker_loop(int id);
  Batch load_batch(int64_t b);

  DatasetPtr dataset_;
  std::vector<std::vector<int64_t>> batches_;
  CollateFn collate_;
  int num_workers_;
  int64_t window_;
  uint64_t seed_;
  std::mutex m_;
  std::condition_variable cv_work_, cv_ready_;
  std::vector<Slot> slots_;
  int64_t next_claim_ = 0, next_deliver_ = 0;
  bool stop_ = false;
  std::atomic<bool> stop_flag_{false};  // read between samples without the lock
  std::vector<std::thread> threads_;
};

void Epoch::shutdown() {
  {
    std::lock_guard<std::mutex> lk(m_);
    stop_ = true;
  }
  stop_flag_.store(true, std::memory_order_relaxed);
  cv_work_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Batch Epoch::load_batch(int64_t b) {
  const std::vector<int64_t>& idx = batches_[b];
  std::vector<Example> samples;
  samples.reserve(idx.size());
  for (int64_t i : idx) {
    if (stop_flag_.load(std::memory_order_relaxed)) return {};
    RandomGenerator gen(mix64(seed_, static_cast<uint64_t>(i)));
    SampleGeneratorScope scope(&gen);
    try {
      samples.push_back(dataset_->get(i));
    } catch (...) {
      rethrow_with_prefix(fmt::format("DataLoader: sample {} (batch {}): ", i, b));
    }
  }
  try {
    return collate_ ? collate_(samples) : default_collate(samples);
  } catch (...) {
    rethrow_with_prefix(
        fmt::format("DataLoader: collating batch {} (samples {}..): ", b, idx.empty() ? 0 : idx[0]));
  }
}

void Epoch::worker_loop(int id) {
  tls_worker_info = WorkerInfo{id, num_workers_, seed_};
  NoGradGuard no_grad;
  // One kernel thread per worker, as PyTorch's workers do: the workers are the parallelism, and an
  // OpenMP team per worker would oversubscribe the cores (OpenMP's thread count is per calling thread).
  set_num_threads(1);
  const int64_t n = static_cast<int64_t>(batches_.size());
  std::unique_lock<std::mutex> lk(m_);
  while (true) {
    cv_work_.wait(lk, [&] { return stop_ || next_claim_ >= n || next_claim_ < next_deliver_ + window_; });
    if (stop_ || next_claim_ >= n) return;
    int64_t b = next_claim_++;
    lk.unlock();
    Slot result;
    try {
      result.batch = load_batch(b);
    } catch (...) {
      result.error = std::current_exception();
    }
    lk.lock();
    result.ready = true;
    slots_[b] = std::move(result);
    cv_ready_.notify_all();
  }
}

bool Epoch::next(Batch& out) {
  const int64_t n = static_cast<int64_t>(batches_.size());
  if (num_workers_ == 0) {
    if (next_deliver_ >= n) return false;
    NoGradGuard no_grad;
    out = load_batch(next_deliver_++);
    return true;
  }
  std::unique_lock<std::mutex> lk(m_);
  if (next_deliver_ >= n) return false;
  cv_ready_.wait(lk, [&] { return slots_[next_deliver_].ready; });
  Slot slot = std::move(slots_[next_deliver_]);
  slots_[next_deliver_] = Slot();
  ++next_deliver_;
  lk.unlock();
  cv_work_.notify_all();
  if (slot.error) std::rethrow_exception(slot.error);
  out = std::move(slot.batch);
  return true;
}

}  // namespace detail

// ---- collate ----

Batch default_collate(std::vector<Example>& samples) {
  NABLA_CHECK(!samples.empty(), ValueError, "default_collate: empty batch");
  TensorList data, target;
  const Example& first = samples[0];
  for (size_t i = 0; i < samples.size(); ++i) {
    const Example& e = samples[i];
    NABLA_CHECK(e.data.defined(), ValueError, "default_collate: sample {} of the batch has no data", i);
    NABLA_CHECK(
        e.data.sizes() == first.data.sizes() && e.data.dtype() == first.data.dtype(), ShapeError,
        "default_collate: sample {} of the batch is {} but sample 0 is {} (stacking needs equal shapes; "
        "use a custom collate)",
        i, e.data.toString(), first.data.toString());
    NABLA_CHECK(e.target.defined() == first.target.defined(), ValueError,
                "default_collate: sample {} {} a target but sample 0 {}", i,
                e.target.defined() ? "has" : "lacks", first.target.defined() ? "has one" : "does not");
    data.push_back(e.data);
    if (e.target.defined()) target.push_back(e.target);
  }
  Batch b;
  b.data = stack(data);
  if (!target.empty()) b.target = stack(target);
  return b;
}

// ---- DataLoader ----

DataLoader::DataLoader(DatasetPtr dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  NABLA_CHECK(dataset_ != nullptr, ValueError, "DataLoader: null dataset");
  const auto& o = options_;
  NABLA_CHECK(o.batch_size >= 1, ValueError, "DataLoader: batch_size should be a positive integer, got {}",
              o.batch_size);
  NABLA_CHECK(o.num_workers >= 0, ValueError, "DataLoader: num_workers should be >= 0, got {}",
              o.num_workers);
  NABLA_CHECK(o.prefetch_factor >= 1, ValueError, "DataLoader: prefetch_factor should be >= 1, got {}",
              o.prefetch_factor);
  NABLA_CHECK(!(o.sampler && o.shuffle), ValueError,
              "DataLoader: sampler option is mutually exclusive with shuffle");
  NABLA_CHECK(!o.batch_sampler || (!o.sampler && !o.shuffle && !o.drop_last && o.batch_size == 1), ValueError,
              "DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
              "and drop_last");
  if (o.sampler) {
    sampler_ = o.sampler;
  } else if (o.shuffle) {
    sampler_ = std::make_shared<RandomSampler>(dataset_->size());
  } else {
    sampler_ = std::make_shared<SequentialSampler>(dataset_->size());
  }
  seed_ = o.seed ? *o.seed : default_generator().next_u64();
}

int64_t DataLoader::size() const {
  if (options_.batch_sampler) return options_.batch_sampler->size();
  return BatchSampler(sampler_, options_.batch_size, options_.drop_last).size();
}

DataLoader::Iterator DataLoader::begin() {
  uint64_t epoch_seed = mix64(seed_, static_cast<uint64_t>(epoch_));
  ++epoch_;
  RandomGenerator order_gen(epoch_seed);
  std::vector<std::vector<int64_t>> batches =
      options_.batch_sampler
          ? options_.batch_sampler->batches(order_gen)
          : BatchSampler(sampler_, options_.batch_size, options_.drop_last).batches(order_gen);
  int64_t n = dataset_->size();
  for (auto& batch : batches)
    for (int64_t i : batch)
      NABLA_CHECK(i >= 0 && i < n, IndexError,
                  "DataLoader: sampler produced index {} for a dataset of size {}", i, n);
  auto epoch = std::make_shared<detail::Epoch>(dataset_, std::move(batches), options_.collate,
                                               options_.num_workers, options_.prefetch_factor, epoch_seed);
  return Iterator(std::move(epoch));
}

DataLoader::Iterator::Iterator(std::shared_ptr<detail::Epoch> epoch) : epoch_(std::move(epoch)) { ++*this; }

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  if (!epoch_) return *this;
  try {
    if (!epoch_->next(current_)) {
      epoch_.reset();
      current_ = Batch();
    }
  } catch (...) {
    epoch_.reset();  // stops and joins the workers before the error propagates
    throw;
  }
  return *this;
}

}  // namespace nabla::data
