// server.h — an HTTP inference server for a run checkpoint, like TorchServe for one model (namespace
// nabla::serve; `nabla serve` is this class behind flags; docs/serve.md).
//
//   serve::Server server("runs/fcnn/model.safetensors", {.port = 8080});
//   server.start();   // binds, serves on its own threads
//   server.wait();    // until stop() (the tool calls it on SIGTERM / SIGINT)
//
// POST /predict takes a PNG/JPEG body, a multipart/form-data upload (one prediction per file) or a JSON
// tensor {"inputs": [C, H, W] or [N, C, H, W]} and answers the top-k classes with their names;
// GET /health, /metadata (classes, input shape, normalisation) and /metrics (Prometheus text).
// Concurrent inputs are batched into one forward pass (Note [Micro-batching], src/serve/batcher.h).
// Bad input gets a 4xx JSON error {"error": ..., "status": ...}; it never reaches the model.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "nabla/train/inference.h"

namespace nabla::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";  // loopback: only this machine can connect; "0.0.0.0" for every interface
  int port = 8080;                 // 0: a free port chosen by the system (port() tells which)
  int64_t max_batch = 32;          // inputs per forward pass
  int64_t max_wait_ms = 5;         // how long the oldest waiting input waits for others to join its batch
  int64_t max_queue = 1024;        // inputs waiting beyond this are refused with 503
  int64_t topk = 3;                // classes per prediction, unless the request says ?topk=N
  int64_t http_threads = 64;       // connections served at once (more wait for a free thread)
  int64_t max_body_bytes = int64_t{8} << 20;     // per request (413 beyond)
  int64_t max_image_pixels = int64_t{16} << 20;  // per image, H x W as its header declares (413 beyond)
  int64_t read_timeout_ms = 5000;                // silence while a request is being received
  int64_t write_timeout_ms = 5000;               // a client not reading its response
  int64_t request_timeout_ms = 30000;            // a whole request, from its first byte (slow clients)
  int64_t keep_alive_timeout_ms = 5000;          // an idle connection between requests
  int threads = 0;  // threads of the forward pass (set_num_threads; 0: the default)
};

// ValueError naming the first option out of range.
void check_options(const ServerOptions& options);

class Server {
 public:
  // The model of a `nabla train` checkpoint (training::load_inference_model: IOError for a bad file).
  explicit Server(const std::string& model_fn, ServerOptions options = {});
  Server(training::InferenceModel model, ServerOptions options = {});
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port and starts serving on background threads; returns the port. IOError when the
  // address cannot be bound. Once only.
  int start();
  // Graceful stop: no new connections; requests already received are answered, then the threads end.
  // Safe to call from any thread, more than once; returns when everything has stopped.
  void stop();
  // Blocks until stop() has finished (from another thread).
  void wait();

  int port() const;         // 0 before start()
  std::string url() const;  // "http://127.0.0.1:8080"
  const training::RunConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nabla::serve
