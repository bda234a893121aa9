// Helpers of the serve tests: a tiny untrained run checkpoint written by training::save_run (the
// trainer's save path; no data set needed), generated images, the model's probabilities computed
// without the server, and HTTP over a raw socket for requests no client library would send.
#pragma once
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <nabla/nabla.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace serve_test {

using namespace nabla;
namespace fs = std::filesystem;

// CTest runs each test as its own process, in parallel: every path is per process.
inline fs::path scratch(const std::string& what) {
  const fs::path dir = fs::temp_directory_path() / ("nabla_serve_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir / what;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// An mlp on 8x8 RGB images with 3 classes, untrained (seeded), normalised per channel.
struct TinyRun {
  std::string path;
  training::RunConfig config;
  std::shared_ptr<nn::Module> model;
};

inline TinyRun make_tiny_run(const std::string& name = "tiny.safetensors") {
  TinyRun r;
  r.config.model = {"mlp", 3, 8, 8, 3, 1};
  r.config.data = "imagefolder:tiny";
  r.config.classes = {"red", "green", "blue"};
  r.config.mean = {0.5, 0.4, 0.3};
  r.config.std = {0.25, 0.2, 0.3};
  manual_seed(11);
  r.model = training::build_model(r.config.model);
  {
    NoGradGuard g;  // sharper outputs than the init's: distinct top classes with room to spare
    for (auto& p : r.model->parameters()) p.mul_(4);
  }
  r.model->eval();
  r.path = scratch(name).string();
  training::save_run(r.path, r.config, *r.model);
  return r;
}

// A seeded random uint8 image [H, W, C].
inline Tensor random_image(int64_t h, int64_t w, int64_t c, uint64_t seed) {
  RandomGenerator gen(seed);
  return (rand({h, w, c}, {.dtype = kFloat32}, &gen) * 255).to(kUInt8);
}

inline std::string png_of(const Tensor& image) {
  const std::vector<uint8_t> b = io::encode_png(image);
  return std::string(b.begin(), b.end());
}

inline std::string jpeg_of(const Tensor& image) {
  const fs::path p = scratch("image.jpg");
  io::write_jpeg(p.string(), image, 95);
  return slurp(p);
}

// The model's probabilities for one input [C, H, W] given as flat values.
inline std::vector<double> direct_probabilities_of_input(const TinyRun& r, const std::vector<float>& x) {
  NoGradGuard g;
  const auto& m = r.config.model;
  Tensor in = from_buffer(x.data(), {1, m.in_channels, m.height, m.width}, kFloat32);
  Tensor probs = softmax((*r.model)(in), 1).squeeze(0).to(kFloat64).contiguous();
  const double* q = probs.data_ptr<double>();
  return std::vector<double>(q, q + probs.numel());
}

// The model's probabilities for a decoded image, preprocessed by hand ((x / 255 - mean) / std, CHW):
// an independent check of the server's path.
inline std::vector<double> direct_probabilities(const TinyRun& r, const Tensor& hwc) {
  const int64_t C = hwc.size(2), H = hwc.size(0), W = hwc.size(1);
  std::vector<float> x(static_cast<size_t>(C * H * W));
  const Tensor img = hwc.contiguous();
  const uint8_t* p = img.data_ptr<uint8_t>();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < H * W; ++i)
      x[static_cast<size_t>(c * H * W + i)] =
          static_cast<float>((p[i * C + c] / 255.0 - r.config.mean[c]) / r.config.std[c]);
  return direct_probabilities_of_input(r, x);
}

// The probabilities of a /predict answer's prediction `i`, by class index (topk = all classes).
inline std::vector<double> answered_probabilities(const nlohmann::json& answer, size_t i, size_t classes) {
  std::vector<double> p(classes, -1);
  for (const auto& t : answer.at("predictions").at(i).at("top"))
    p.at(t.at("index").get<size_t>()) = t.at("probability").get<double>();
  return p;
}

inline size_t argmax(const std::vector<double>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// ---- raw HTTP over a socket ------------------------------------------------------------------------

inline int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool send_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Everything the server sends until it closes the connection (or `limit_s` seconds pass: a safety net
// against a hung test, not a timing assertion).
inline std::string read_until_closed(int fd, int limit_s = 60) {
  std::string out;
  char buf[4096];
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(limit_s);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Sends `request` on a new connection and returns the whole reply (the request should ask
// "Connection: close", or be one the server closes the connection after).
inline std::string raw_exchange(int port, const std::string& request) {
  const int fd = connect_to(port);
  if (fd < 0) return "";
  send_all(fd, request);
  std::string reply = read_until_closed(fd);
  ::close(fd);
  return reply;
}

// "HTTP/1.1 413 Payload Too Large" -> 413; 0 when there is no status line.
inline int status_of(const std::string& reply) {
  if (reply.rfind("HTTP/1.", 0) != 0 || reply.size() < 12) return 0;
  return std::atoi(reply.substr(9, 3).c_str());
}

inline std::string body_of(const std::string& reply) {
  const size_t at = reply.find("\r\n\r\n");
  return at == std::string::npos ? "" : reply.substr(at + 4);
}

}  // namespace serve_test
