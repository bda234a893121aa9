// http.cpp — Note [Connection loop] (http.h).
#include "serve/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace nabla::serve::detail {

namespace {
using Clock = std::chrono::steady_clock;

thread_local bool t_close_after = false, t_timed_out = false;
thread_local Clock::time_point t_request_start;

constexpr int64_t kHeaderBytes = 64 * 1024;
constexpr int kBacklog = 1024;
constexpr int kSliceMs = 100;  // how often an idle connection looks at the stop flag
constexpr int64_t kLingerMs = 2000, kLingerBytes = int64_t{16} << 20;

int64_t ms_until(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
}

// poll() one socket for `events`, retrying on EINTR: > 0 ready, 0 timed out, < 0 error.
int wait_socket(int fd, short events, int64_t timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int r = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(timeout_ms, 0)));
    if (r >= 0 || errno != EINTR) return r;
  }
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  const int r = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                     : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (r != 0) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
    port = ntohs(a->sin6_port);
  }
  ip = text;
}

// A connection's socket with a read-ahead buffer, a deadline and a byte budget per request.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, const HttpLimits& limits) : fd_(fd), limits_(limits) {}

  void begin_request() {
    deadline_ = Clock::now() + std::chrono::milliseconds(limits_.request_timeout_ms);
    budget_ = limits_.max_request_bytes + kHeaderBytes;
    t_timed_out = false;
  }
  bool has_buffered() const { return pos_ < len_; }

  bool is_readable() const override {
    return has_buffered() || wait_socket(fd_, POLLIN, limits_.read_timeout_ms) > 0;
  }
  bool is_writable() const override { return wait_socket(fd_, POLLOUT, limits_.write_timeout_ms) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (!has_buffered()) {
      const ssize_t n = fill();
      if (n <= 0) return n;
    }
    const size_t n = std::min(size, len_ - pos_);
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    for (;;) {
      const ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
      if (n >= 0 || errno != EINTR) return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(fd_, false, ip, port); }
  socket_t socket() const override { return fd_; }

 private:
  // Reads what the socket has (at most the buffer) within the read timeout and the request's deadline.
  ssize_t fill() {
    pos_ = len_ = 0;
    if (budget_ <= 0) return -1;  // the request is larger than any this server takes
    const int64_t left = ms_until(deadline_);
    const int64_t wait = std::min(limits_.read_timeout_ms, left);
    if (wait <= 0 || wait_socket(fd_, POLLIN, wait) <= 0) {
      t_timed_out = true;
      return -1;
    }
    for (;;) {
      const ssize_t n = ::recv(fd_, buf_, sizeof(buf_), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        len_ = static_cast<size_t>(n);
        budget_ -= n;
      }
      return n;
    }
  }

  int fd_;
  const HttpLimits& limits_;
  Clock::time_point deadline_;
  int64_t budget_ = 0;
  char buf_[4096];
  size_t pos_ = 0, len_ = 0;
};

// Waits for the next request's first byte: false when the connection is idle past the keep-alive
// timeout, closed, or the server is stopping (a request already on the wire is still served).
bool wait_for_request(const ConnectionStream& strm, int fd, int64_t idle_ms,
                      const std::atomic<bool>& stopping) {
  if (strm.has_buffered()) return true;
  const auto until = Clock::now() + std::chrono::milliseconds(idle_ms);
  for (;;) {
    if (stopping.load()) return wait_socket(fd, POLLIN, 0) > 0;
    const int64_t left = ms_until(until);
    if (left <= 0) return false;
    const int r = wait_socket(fd, POLLIN, std::min<int64_t>(left, kSliceMs));
    if (r != 0) return r > 0;
  }
}
}  // namespace

HttpServer::HttpServer(const HttpLimits& limits, Metrics& metrics) : limits_(limits), metrics_(metrics) {
  const auto threads = static_cast<size_t>(std::max<int64_t>(limits.threads, 1));
  new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  set_payload_max_length(static_cast<size_t>(limits.max_request_bytes));
  // httplib's default also sets SO_REUSEPORT, which let a second server bind the same port and take
  // half of its connections. SO_REUSEADDR alone still allows a restart while old connections linger.
  set_socket_options([](socket_t fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

int HttpServer::bind(const std::string& host, int port) {
  const int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  // listen() again on a listening socket only changes its backlog (Linux).
  if (bound >= 0) ::listen(svr_sock_, kBacklog);
  return bound;
}

void HttpServer::begin_stop() {
  if (stopping_.exchange(true)) return;
  stop();  // httplib asserts when its socket is already closed: once only
}

void HttpServer::close_after_response() { t_close_after = true; }

bool HttpServer::request_timed_out() { return t_timed_out; }

double HttpServer::request_seconds() {
  return std::chrono::duration<double>(Clock::now() - t_request_start).count();
}

// Closing a socket with unread bytes in its receive buffer sends a reset, which can destroy the response
// before the client reads it (curl then reports "connection reset" instead of our 413). So, like
// nginx's lingering close: end our side, then read and drop what the client still sends, for a while.
static void lingering_close(int fd) {
  ::shutdown(fd, SHUT_WR);
  const auto until = Clock::now() + std::chrono::milliseconds(kLingerMs);
  char sink[4096];
  for (int64_t dropped = 0; dropped < kLingerBytes;) {
    const int64_t left = ms_until(until);
    if (left <= 0 || wait_socket(fd, POLLIN, left) <= 0) break;
    const ssize_t n = ::recv(fd, sink, sizeof(sink), 0);
    if (n <= 0) break;
    dropped += n;
  }
}

bool HttpServer::process_and_close_socket(socket_t sock) {
  metrics_.connections.fetch_add(1);
  // Headers and body go out in two writes: without this, Nagle's algorithm held the body back until
  // the client's delayed ACK (40 ms per request on keep-alive connections).
  int yes = 1;
  setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  ConnectionStream strm(sock, limits_);
  bool ok = true;
  for (size_t left = keep_alive_max_count_; left > 0; --left) {
    if (!wait_for_request(strm, sock, limits_.keep_alive_timeout_ms, stopping_)) break;
    strm.begin_request();
    t_close_after = false;
    t_request_start = Clock::now();
    bool closed = false;
    metrics_.in_progress.fetch_add(1);
    ok = process_request(strm, left == 1 || stopping(), closed, nullptr);
    metrics_.in_progress.fetch_sub(1);
    if (t_timed_out) metrics_.timed_out();
    if (!ok || closed || t_close_after || stopping()) break;
  }
  if (t_close_after) lingering_close(sock);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  metrics_.connections.fetch_sub(1);
  return ok;
}

}  // namespace nabla::serve::detail
