// metrics.h — the server's counters, exposed at GET /metrics in Prometheus' text format (version 0.0.4).
// Thread-safe: HTTP threads and the batcher record into one Metrics object.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace nabla::serve::detail {

// A Prometheus histogram: cumulative counts per upper bound, plus the sum and count of observations.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  // `name`_bucket{labels,le="..."} lines, then _sum and _count; `labels` is "" or `key="value",...`.
  void write(std::string& out, const std::string& name, const std::string& labels) const;
  uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket (not cumulative); the last one is +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  explicit Metrics(int64_t max_batch);
  // One answered request. `path` is reduced to the server's routes ("other" for the rest), so a
  // scanner cannot grow the label set.
  void request(const std::string& path, int status, double seconds);
  void batch(int64_t size, double seconds);
  void timed_out() { timeouts_.fetch_add(1, std::memory_order_relaxed); }
  std::string prometheus() const;

  std::atomic<int64_t> queue_depth{0};  // inputs waiting for a batch
  std::atomic<int64_t> in_progress{0};  // requests being read, computed or written
  std::atomic<int64_t> connections{0};  // open connections

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // (route, status) -> count
  std::map<std::string, Histogram> latency_;                  // route -> seconds
  Histogram batch_sizes_, inference_seconds_;
  std::atomic<uint64_t> timeouts_{0};
};

// The route label for a request path: one of the server's endpoints, or "other".
std::string route_label(const std::string& path);

}  // namespace nabla::serve::detail
