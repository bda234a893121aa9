// batcher.cpp — Note [Micro-batching] (batcher.h).
#include "serve/batcher.h"

#include <fmt/format.h>

#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "nabla/tensor/error.h"

namespace nabla::serve::detail {

Batcher::Batcher(Forward forward, BatchOptions options, Metrics& metrics)
    : forward_(std::move(forward)), options_(options), metrics_(metrics), thread_([this] { loop(); }) {}

Batcher::~Batcher() { stop(); }

std::future<std::vector<float>> Batcher::submit(Tensor input) {
  Item item{std::move(input), {}, std::chrono::steady_clock::now()};
  auto future = item.result.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) throw QueueFull("the server is shutting down");
    if (static_cast<int64_t>(queue_.size()) >= options_.max_queue)
      throw QueueFull(
          fmt::format("the server is busy: {} inputs are already waiting (--max_queue)", queue_.size()));
    queue_.push_back(std::move(item));
    metrics_.queue_depth.store(static_cast<int64_t>(queue_.size()));
  }
  ready_.notify_one();
  return future;
}

void Batcher::drain() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    draining_ = true;
  }
  ready_.notify_one();
}

void Batcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Batcher::loop() {
  if (options_.threads > 0) set_num_threads(options_.threads);  // OpenMP's thread count is per thread
  InferenceMode inference;  // no graph, no version bumps: this thread only predicts
  const auto max_batch = static_cast<size_t>(options_.max_batch);
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    ready_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping, nothing left
    const auto deadline = queue_.front().queued + std::chrono::milliseconds(options_.max_wait_ms);
    ready_.wait_until(lock, deadline, [&] { return queue_.size() >= max_batch || draining_ || stopping_; });
    std::vector<Item> items;
    while (!queue_.empty() && items.size() < max_batch) {
      items.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    metrics_.queue_depth.store(static_cast<int64_t>(queue_.size()));
    lock.unlock();
    run_batch(items);
    lock.lock();
  }
}

void Batcher::run_batch(std::vector<Item>& items) {
  const auto start = std::chrono::steady_clock::now();
  size_t answered = 0;
  try {
    std::vector<Tensor> inputs;
    inputs.reserve(items.size());
    for (const Item& it : items) inputs.push_back(it.input);
    Tensor out = forward_(stack(inputs, 0)).to(kFloat32).contiguous();
    if (out.dim() != 2 || out.size(0) != static_cast<int64_t>(items.size()))
      throw ShapeError(fmt::format("serve: the model returned {} for a batch of {} inputs (expected [N, K])",
                                   out.toString(), items.size()));
    const float* p = out.data_ptr<float>();
    const auto k = static_cast<size_t>(out.size(1));
    for (; answered < items.size(); ++answered)
      items[answered].result.set_value(std::vector<float>(p + answered * k, p + (answered + 1) * k));
  } catch (...) {
    for (size_t i = answered; i < items.size(); ++i) items[i].result.set_exception(std::current_exception());
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  metrics_.batch(static_cast<int64_t>(items.size()), took.count());
}

}  // namespace nabla::serve::detail
