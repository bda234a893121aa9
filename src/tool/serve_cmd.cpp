// serve_cmd.cpp — `nabla serve`: serve::Server behind flags, stopped gracefully by SIGTERM or SIGINT.
#include <pthread.h>

#include <csignal>
#include <iostream>

#include "nabla/serve/server.h"
#include "nabla/tensor/error.h"
#include "tool/commands.h"
#include "util/check.h"

namespace nabla::tool {

int run_serve(const ServeArgs& a) {
  // SIGTERM and SIGINT are blocked before any thread exists, so every thread inherits the mask and
  // this one takes them with sigwait: a handler could not safely stop a server.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is the connection's problem, not the process's

  serve::ServerOptions o;
  o.host = a.host;
  o.port = a.port;
  o.max_batch = a.max_batch;
  o.max_wait_ms = a.max_wait_ms;
  o.max_queue = a.max_queue;
  o.topk = a.topk;
  o.http_threads = a.http_threads;
  o.max_body_bytes = a.max_body_bytes;
  o.max_image_pixels = a.max_image_pixels;
  o.read_timeout_ms = a.read_timeout_ms;
  o.write_timeout_ms = a.write_timeout_ms;
  o.request_timeout_ms = a.request_timeout_ms;
  o.threads = a.threads;
  serve::Server server(a.model_fn, o);
  server.start();
  const training::ModelConfig& m = server.config().model;
  std::cout
      << fmt::format(
             "nabla serve: {} ({} classes, input {}x{}x{}) listening on {} (max_batch {}, max_wait_ms {})\n"
             "  POST {}/predict (PNG/JPEG body, multipart upload or JSON tensor); GET /health /metadata "
             "/metrics; SIGTERM or Ctrl-C stops\n",
             m.name, m.num_classes, m.in_channels, m.height, m.width, server.url(), o.max_batch,
             o.max_wait_ms, server.url())
      << std::flush;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cout << "nabla serve: " << (signal == SIGTERM ? "SIGTERM" : "SIGINT")
            << ": no new connections; finishing the requests in progress\n"
            << std::flush;
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);  // a second signal ends the process at once
  server.stop();
  std::cout << "nabla serve: stopped\n" << std::flush;
  return 0;
}

}  // namespace nabla::tool
