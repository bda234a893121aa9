// server.cpp — serve::Server's lifecycle: model + batcher + HTTP threads, and the graceful stop.
#include "nabla/serve/server.h"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "nabla/ops/ops.h"
#include "nabla/tensor/error.h"
#include "serve/batcher.h"
#include "serve/http.h"
#include "serve/metrics.h"
#include "serve/routes.h"
#include "util/check.h"

namespace nabla::serve {

void check_options(const ServerOptions& o) {
  auto in = [](int64_t v, int64_t lo, int64_t hi, const char* name) {
    NABLA_CHECK(v >= lo && v <= hi, ValueError, "serve: {} must be from {} to {}, got {}", name, lo, hi, v);
  };
  NABLA_CHECK(!o.host.empty(), ValueError, "serve: host must not be empty");
  in(o.port, 0, 65535, "port");
  in(o.max_batch, 1, 4096, "max_batch");
  in(o.max_wait_ms, 0, 60'000, "max_wait_ms");
  in(o.max_queue, 1, int64_t{1} << 20, "max_queue");
  in(o.topk, 1, int64_t{1} << 20, "topk");
  in(o.http_threads, 1, 4096, "http_threads");
  in(o.max_body_bytes, 1024, int64_t{1} << 32, "max_body_bytes");
  in(o.max_image_pixels, 1, int64_t{1} << 28, "max_image_pixels");
  in(o.read_timeout_ms, 1, 3'600'000, "read_timeout_ms");
  in(o.write_timeout_ms, 1, 3'600'000, "write_timeout_ms");
  in(o.request_timeout_ms, 1, 3'600'000, "request_timeout_ms");
  in(o.keep_alive_timeout_ms, 1, 3'600'000, "keep_alive_timeout_ms");
  in(o.threads, 0, 1024, "threads");
}

struct Server::Impl {
  Impl(training::InferenceModel m, ServerOptions o)
      : model(std::move(m)),
        options((check_options(o), std::move(o))),
        metrics(options.max_batch),
        batcher([this](const Tensor& x) { return softmax((*model.model)(x), 1); },
                {options.max_batch, options.max_wait_ms, options.max_queue, options.threads}, metrics),
        http(detail::HttpLimits{options.read_timeout_ms, options.write_timeout_ms, options.request_timeout_ms,
                                options.keep_alive_timeout_ms, options.max_body_bytes, options.http_threads},
             metrics),
        routes{model.config, options, batcher, metrics} {
    detail::add_routes(http, routes);
  }

  training::InferenceModel model;
  ServerOptions options;
  detail::Metrics metrics;
  detail::Batcher batcher;
  detail::HttpServer http;
  detail::Routes routes;
  std::thread listener;
  std::atomic<bool> listen_returned{false};
  int port = 0;
  std::mutex mutex;
  std::condition_variable stopped_cv;
  bool started = false, stopping = false, stopped = false;
};

Server::Server(const std::string& model_fn, ServerOptions options)
    : Server(training::load_inference_model(model_fn), std::move(options)) {}

Server::Server(training::InferenceModel model, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(model), std::move(options))) {
  NABLA_CHECK(impl_->model.model != nullptr, ValueError, "serve: the InferenceModel holds no model");
}

Server::~Server() { stop(); }

int Server::start() {
  Impl& s = *impl_;
  std::lock_guard<std::mutex> lock(s.mutex);
  NABLA_CHECK(!s.started && !s.stopped, ValueError, "serve: start() may be called once, before stop()");
  const int port = s.http.bind(s.options.host, s.options.port);
  NABLA_CHECK(
      port > 0, IOError,
      "serve: cannot listen on {}:{} (the port is in use, or the host is not an address of this machine)",
      s.options.host, s.options.port);
  s.port = port;
  s.listener = std::thread([&s] {
    s.http.listen_after_bind();
    s.listen_returned = true;
  });
  // stop() right after start() must find httplib running, or its stop() would do nothing.
  while (!s.http.is_running() && !s.listen_returned)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  s.started = true;
  return port;
}

void Server::stop() {
  Impl& s = *impl_;
  std::unique_lock<std::mutex> lock(s.mutex);
  if (!s.started || s.stopped) {
    s.stopped = true;
    s.stopped_cv.notify_all();
    return;
  }
  if (s.stopping) {  // another thread is stopping it: wait for that
    s.stopped_cv.wait(lock, [&] { return s.stopped; });
    return;
  }
  s.stopping = true;
  lock.unlock();
  s.batcher.drain();    // requests in progress get their batch now, not after max_wait_ms
  s.http.begin_stop();  // listen_after_bind returns once every connection has been answered
  s.listener.join();
  s.batcher.stop();  // after the HTTP threads: their inputs are answered first
  lock.lock();
  s.stopped = true;
  s.stopped_cv.notify_all();
}

void Server::wait() {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->stopped_cv.wait(lock, [&] { return impl_->stopped; });
}

int Server::port() const { return impl_->port; }

std::string Server::url() const {
  const std::string& h = impl_->options.host;
  return fmt::format("http://{}:{}", h.find(':') != std::string::npos ? "[" + h + "]" : h, impl_->port);
}

const training::RunConfig& Server::config() const { return impl_->model.config; }

}  // namespace nabla::serve
