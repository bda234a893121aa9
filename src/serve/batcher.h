// batcher.h — dynamic micro-batching: inputs submitted by many HTTP threads are stacked into one
// forward pass on the batcher's own thread.
//
// Note [Micro-batching]
// A batch starts when the first input arrives and closes when it holds max_batch inputs or the oldest
// one has waited max_wait_ms, whichever comes first; then the model runs once on the stacked inputs
// and every submitter gets its row. Under load the queue refills while a batch runs, so batches grow
// by themselves and no input waits more than max_wait_ms plus one forward pass. Once shutdown begins
// (drain()), batches close at once. Only this thread calls
// the model: modules are not promised to be safe under concurrent forwards, and on a few cores one
// forward using all of them (OpenMP inside the ops) beats several competing ones. stop() finishes
// every queued input before the thread ends (graceful shutdown).
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "nabla/tensor/tensor.h"
#include "serve/metrics.h"

namespace nabla::serve::detail {

struct BatchOptions {
  int64_t max_batch = 32, max_wait_ms = 5, max_queue = 1024;
  int threads = 0;  // set_num_threads on the batcher's thread (0: leave the default)
};

// The queue already holds max_queue inputs (the server answers 503).
struct QueueFull : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Batcher {
 public:
  // forward: [N, ...] stacked inputs -> [N, K] outputs (float32); called on the batcher's thread only.
  using Forward = std::function<Tensor(const Tensor&)>;
  Batcher(Forward forward, BatchOptions options, Metrics& metrics);
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Queues one input (all inputs of one server share a shape); the future gets its output row, or the
  // exception the forward pass threw. QueueFull when the queue is full or the batcher has stopped.
  std::future<std::vector<float>> submit(Tensor input);
  // Shutdown has begun: batches close at once instead of waiting for inputs that will not come.
  // Inputs can still be submitted (requests in progress).
  void drain();
  void stop();  // finishes the queued inputs, then joins the thread; idempotent

 private:
  struct Item {
    Tensor input;
    std::promise<std::vector<float>> result;
    std::chrono::steady_clock::time_point queued;
  };
  void loop();
  void run_batch(std::vector<Item>& items);

  Forward forward_;
  BatchOptions options_;
  Metrics& metrics_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Item> queue_;
  bool draining_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace nabla::serve::detail
