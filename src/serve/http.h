// http.h — cpp-httplib's server with nabla's own connection loop (internal: httplib stays private).
//
// Note [Connection loop]
// httplib 0.11 (Debian 12) serves each connection on a pool thread with a keep-alive loop that only
// bounds single reads. We override that loop (Server::process_and_close_socket) and read through our
// own Stream, to get:
// - a deadline for a whole request, counted from its first byte: a client trickling one byte per
//   read timeout (slowloris) held a pool thread forever; now it holds it request_timeout_ms at most;
// - a byte budget per request (max body + 64 KiB of headers): httplib grows a header line without
//   bound while it waits for the newline;
// - close_after_response() for handlers that refuse a request without reading its body (the bytes
//   left on the connection are not a next request);
// - graceful stop: idle keep-alive connections close within 100 ms of stop(), a request in progress
//   finishes first;
// - writes with MSG_NOSIGNAL (a client that hung up must not kill the process with SIGPIPE);
// - per-request timing for /metrics, a listen backlog that fits hundreds of clients (httplib's is 5),
//   TCP_NODELAY, and no SO_REUSEPORT (with it a second server could bind the same port).
// One Stream lives as long as its connection, so pipelined bytes read ahead are not lost.
#pragma once
#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "serve/metrics.h"

namespace nabla::serve::detail {

struct HttpLimits {
  int64_t read_timeout_ms = 5000, write_timeout_ms = 5000, request_timeout_ms = 30000,
          keep_alive_timeout_ms = 5000;
  int64_t max_request_bytes = 0;  // body + headers per request, as read from the socket
  int64_t threads = 64;           // connections served at once
};

class HttpServer : public httplib::Server {
 public:
  HttpServer(const HttpLimits& limits, Metrics& metrics);
  // Binds host:port (0: a free port) with a deep listen backlog; the port, or -1.
  int bind(const std::string& host, int port);
  // Stops accepting; requests in progress finish, idle connections close. listen_after_bind() then
  // returns once every connection is done.
  void begin_stop();
  bool stopping() const { return stopping_.load(); }
  // For handlers: close the connection after this response (they did not read the whole body).
  static void close_after_response();
  // Whether the current thread's request ran out of time (read or request timeout).
  static bool request_timed_out();
  // Seconds since the current thread's request began (its first byte).
  static double request_seconds();

 private:
  bool process_and_close_socket(socket_t sock) override;
  HttpLimits limits_;
  Metrics& metrics_;
  std::atomic<bool> stopping_{false};
};

}  // namespace nabla::serve::detail
