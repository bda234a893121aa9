// metrics.cpp — Prometheus text exposition of the server's counters (metrics.h).
#include "serve/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace nabla::serve::detail {

namespace {
// Request latency: 0.5 ms to 10 s, roughly x2.5 apart (Prometheus' default buckets, extended down).
const std::vector<double> kLatencyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1,    0.25,  0.5,    1,     2.5,  5,     10};

// Batch sizes 1, 2, 4, ... up to max_batch (which is always a bound of its own).
std::vector<double> batch_bounds(int64_t max_batch) {
  std::vector<double> b;
  for (int64_t s = 1; s < max_batch; s *= 2) b.push_back(static_cast<double>(s));
  b.push_back(static_cast<double>(max_batch));
  return b;
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}
}  // namespace

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {}

void Histogram::observe(double value) {
  const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[static_cast<size_t>(at)];
  sum_ += value;
  ++count_;
}

void Histogram::write(std::string& out, const std::string& name, const std::string& labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    const double le = i < bounds_.size() ? bounds_[i] : INFINITY;
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, number(le), cumulative);
  }
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, number(sum_), name, braces, count_);
}

std::string route_label(const std::string& path) {
  for (const char* known : {"/predict", "/health", "/metadata", "/metrics"})
    if (path == known) return path;
  return "other";
}

Metrics::Metrics(int64_t max_batch)
    : batch_sizes_(batch_bounds(std::max<int64_t>(max_batch, 1))), inference_seconds_(kLatencyBounds) {}

void Metrics::request(const std::string& path, int status, double seconds) {
  const std::string route = route_label(path);
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  latency_.try_emplace(route, kLatencyBounds).first->second.observe(seconds);
}

void Metrics::batch(int64_t size, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  batch_sizes_.observe(static_cast<double>(size));
  inference_seconds_.observe(seconds);
}

std::string Metrics::prometheus() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mutex_);
  header(out, "nabla_serve_requests_total", "counter", "HTTP requests answered, by route and status code.");
  for (const auto& [key, n] : requests_)
    out +=
        fmt::format("nabla_serve_requests_total{{path=\"{}\",code=\"{}\"}} {}\n", key.first, key.second, n);
  header(out, "nabla_serve_errors_total", "counter", "HTTP requests answered with a 4xx or 5xx status.");
  for (const auto& [key, n] : requests_)
    if (key.second >= 400)
      out +=
          fmt::format("nabla_serve_errors_total{{path=\"{}\",code=\"{}\"}} {}\n", key.first, key.second, n);
  header(out, "nabla_serve_request_timeouts_total", "counter",
         "Connections closed because a request did not arrive within the read or request timeout.");
  out += fmt::format("nabla_serve_request_timeouts_total {}\n", timeouts_.load());
  header(out, "nabla_serve_request_duration_seconds", "histogram",
         "Time from a request's first byte to its response being ready, by route.");
  for (const auto& [route, h] : latency_)
    h.write(out, "nabla_serve_request_duration_seconds", "path=\"" + route + "\"");
  header(out, "nabla_serve_batch_size", "histogram", "Inputs per forward pass (dynamic micro-batching).");
  batch_sizes_.write(out, "nabla_serve_batch_size", "");
  header(out, "nabla_serve_inference_seconds", "histogram", "Time of one batched forward pass.");
  inference_seconds_.write(out, "nabla_serve_inference_seconds", "");
  header(out, "nabla_serve_queue_depth", "gauge", "Inputs waiting for a batch.");
  out += fmt::format("nabla_serve_queue_depth {}\n", queue_depth.load());
  header(out, "nabla_serve_requests_in_progress", "gauge", "Requests being read, computed or answered.");
  out += fmt::format("nabla_serve_requests_in_progress {}\n", in_progress.load());
  header(out, "nabla_serve_open_connections", "gauge", "Open client connections.");
  out += fmt::format("nabla_serve_open_connections {}\n", connections.load());
  return out;
}

}  // namespace nabla::serve::detail
