// Bad input never takes the server down: each case of the corpus below gets its own 4xx with a JSON
// error, and /health still answers after it. Then random damage to valid bodies (a seeded fuzz loop),
// and slow clients (slowloris), which must lose their connection while others are served.
#include <httplib.h>

#include <random>

#include "nabla/serve/server.h"
#include "serve_test_util.h"

using namespace serve_test;
using json = nlohmann::json;

namespace {

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    run_ = new TinyRun(make_tiny_run());
    serve::ServerOptions o;
    o.port = 0;
    o.max_batch = 4;
    o.max_body_bytes = 64 * 1024;
    o.max_image_pixels = 32 * 32;
    o.read_timeout_ms = 500;
    o.request_timeout_ms = 1500;
    o.keep_alive_timeout_ms = 1000;
    server_ = new serve::Server(run_->path, o);
    port_ = server_->start();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete run_;
  }
  static void expect_healthy() {
    httplib::Client c("127.0.0.1", port_);
    auto res = c.Get("/health");
    ASSERT_TRUE(res) << "the server no longer answers";
    EXPECT_EQ(res->status, 200);
  }
  static TinyRun* run_;
  static serve::Server* server_;
  static int port_;
};
TinyRun* BadInputTest::run_ = nullptr;
serve::Server* BadInputTest::server_ = nullptr;
int BadInputTest::port_ = 0;

struct Case {
  const char* name;
  std::string content_type, body;
  int status;
  const char* says;  // a word the error message must contain
};

std::string post_request(const std::string& type, const std::string& body, const std::string& extra = "") {
  std::string r = "POST /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  if (!type.empty()) r += "Content-Type: " + type + "\r\n";
  return r + "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

void expect_json_error(const std::string& reply, int status, const std::string& says,
                       const std::string& what) {
  EXPECT_EQ(status_of(reply), status) << what << ":\n" << reply.substr(0, 400);
  const json j = json::parse(body_of(reply), nullptr, false);
  ASSERT_TRUE(j.is_object()) << what << ": not a JSON body:\n" << reply.substr(0, 400);
  EXPECT_EQ(j.value("status", 0), status) << what;
  EXPECT_NE(j.value("error", "").find(says), std::string::npos) << what << ": " << j.dump();
}

}  // namespace

TEST_F(BadInputTest, EachBadBodyGetsItsOwn4xx) {
  const std::string png = png_of(random_image(8, 8, 3, 1));
  std::string bad_crc = png;
  bad_crc[20] ^= 0x40;  // inside IHDR: its CRC no longer matches
  const std::string jpeg = jpeg_of(random_image(8, 8, 3, 2));
  const std::string deep(50'000, '[');
  // 40 inputs [3, 8, 8], more than the server's max_batch x 8 = 32 per request.
  const json too_many = {
      {"inputs", std::vector<std::vector<std::vector<std::vector<int>>>>(
                     40, std::vector<std::vector<std::vector<int>>>(
                             3, std::vector<std::vector<int>>(8, std::vector<int>(8, 0))))}};
  const std::vector<Case> cases = {
      {"wrong content type", "text/plain", "hello", 415, "Content-Type"},
      {"form encoded (curl --data without -H)", "application/x-www-form-urlencoded", png, 415,
       "Content-Type"},
      {"no content type", "", png, 415, "Content-Type"},
      {"empty image", "image/png", "", 400, "empty"},
      {"not an image", "image/png", "GIF89a and then some", 400, "not a PNG"},
      {"truncated PNG", "image/png", png.substr(0, png.size() / 2), 400, "body"},
      {"PNG with a bad CRC", "image/png", bad_crc, 400, "CRC"},
      {"truncated JPEG", "image/jpeg", jpeg.substr(0, 40), 400, "JPEG"},
      {"image larger than max_image_pixels", "image/png", png_of(random_image(40, 40, 3, 3)), 413, "pixels"},
      {"body larger than max_body_bytes", "application/octet-stream", std::string(100 * 1024, 'x'), 413,
       "larger"},
      {"not JSON", "application/json", "{\"inputs\": [1, 2", 400, "JSON"},
      {"JSON text", "application/json", "hello", 400, "JSON"},
      {"JSON without inputs", "application/json", "{\"pixels\": [1]}", 422, "unknown field"},
      {"JSON array at the top", "application/json", "[[1]]", 422, "object"},
      {"JSON of the wrong shape", "application/json", "{\"inputs\": [[[1, 2], [3, 4]]]}", 422, "shape"},
      {"JSON ragged", "application/json", "{\"inputs\": [[1, 2], [3]]}", 422, "ragged"},
      {"JSON strings", "application/json", "{\"inputs\": [\"a\"]}", 422, "numbers"},
      {"JSON nested too deep", "application/json", "{\"inputs\": " + deep, 422, "dimensions"},
      {"JSON beyond float32", "application/json", "{\"inputs\": [1e39]}", 422, "float32"},
      {"JSON with too many inputs", "application/json", too_many.dump(), 413, "more than"},
      {"empty multipart", "multipart/form-data; boundary=xyz", "--xyz--\r\n", 400, "multipart"},
      {"multipart without boundary", "multipart/form-data", "garbage", 400, "multipart"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_json_error(raw_exchange(port_, post_request(c.content_type, c.body)), c.status, c.says, c.name);
    expect_healthy();
  }
}

TEST_F(BadInputTest, BadRequestsOfTheProtocol) {
  struct Raw {
    const char* name;
    std::string request;
    int status;
    const char* says;
  };
  const std::vector<Raw> cases = {
      {"unknown route", "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, "no route"},
      {"GET /predict", "GET /predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405, "POST"},
      {"POST /health", "POST /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
       405, "GET"},
      {"garbage request line", "HELLO\r\n\r\n", 400, "bad request"},
      {"POST without a length", "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n\r\n", 411,
       "Content-Length"},
      {"declared body too large",
       "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 99999999999\r\n\r\n",
       413, "larger"},
      {"length that is no number",
       "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 12x\r\n\r\n", 400,
       "Content-Length"},
  };
  for (const Raw& c : cases) {
    SCOPED_TRACE(c.name);
    expect_json_error(raw_exchange(port_, c.request), c.status, c.says, c.name);
    expect_healthy();
  }
}

TEST_F(BadInputTest, ChunkedBodyBeyondTheLimit) {
  const int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  send_all(fd,
           "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n"
           "Connection: close\r\n\r\n");
  const std::string chunk(16 * 1024, 'a');
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
  for (int i = 0; i < 8; ++i)  // 128 KiB, twice max_body_bytes; the server may close before the end
    if (!send_all(fd, size + chunk + "\r\n")) break;
  const std::string reply = read_until_closed(fd);
  ::close(fd);
  expect_json_error(reply, 413, "larger", "chunked");
  expect_healthy();
}

TEST_F(BadInputTest, GzipBombIsCutAtTheLimit) {
  // 1 MiB of zeros gzipped to about a kilobyte: the limit counts the decompressed bytes.
  httplib::Client c("127.0.0.1", port_);
  c.set_compress(true);
  auto res = c.Post("/predict", std::string(1 << 20, '\0'), "application/octet-stream");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413) << res->body;
  expect_healthy();
}

TEST_F(BadInputTest, SlowClientsLoseTheirConnection) {
  // Slowloris: headers trickled one line per 200 ms (under the 500 ms read timeout) never finish the
  // request; the 1.5 s request deadline closes the connection. Meanwhile others are served.
  const int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  send_all(fd, "POST /predict HTTP/1.1\r\nHost: x\r\n");
  bool closed = false;
  for (int i = 0; i < 300 && !closed; ++i) {  // 60 s at most: a bound against a hung test
    closed = !send_all(fd, "X-Slow: " + std::to_string(i) + "\r\n");
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      char b[256];
      closed = ::recv(fd, b, sizeof(b), 0) <= 0 || closed;
    }
    if (i == 2) expect_healthy();
  }
  ::close(fd);
  EXPECT_TRUE(closed) << "the server kept a trickling connection open";
  // A body that stops halfway gets 408 once the read timeout passes.
  const int fd2 = connect_to(port_);
  send_all(fd2,
           "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\nabc");
  const std::string reply = read_until_closed(fd2);
  ::close(fd2);
  expect_json_error(reply, 408, "timeouts", "stalled body");
  // A connection that says nothing is closed after the keep-alive timeout.
  const int fd3 = connect_to(port_);
  EXPECT_EQ(read_until_closed(fd3), "");
  ::close(fd3);
  httplib::Client c("127.0.0.1", port_);
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("nabla_serve_request_timeouts_total"), std::string::npos);
  EXPECT_EQ(m->body.find("nabla_serve_request_timeouts_total 0\n"), std::string::npos) << m->body;
  expect_healthy();
}

// Seeded random damage to valid bodies: every answer is 200 or a 4xx with a JSON error, never a crash,
// a 5xx or a dropped connection.
TEST_F(BadInputTest, FuzzedBodies) {
  const std::string png = png_of(random_image(8, 8, 3, 5));
  json inputs = json::array();
  for (int c = 0; c < 3; ++c) inputs.push_back(json::array({json::array({1, 2, 3, 4, 5, 6, 7, 8})}));
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"image/png", png},
      {"image/jpeg", jpeg_of(random_image(8, 8, 3, 6))},
      {"application/json", json{{"inputs", json::array({json::array({json::array({0.5, -1})})})}}.dump()},
      {"multipart/form-data; boundary=b",
       "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: "
       "image/png\r\n\r\n" +
           png + "\r\n--b--\r\n"}};
  std::mt19937 rng(2024);
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(30, 0);
  int answered = 0;
  for (int i = 0; i < 160; ++i) {
    auto [type, body] = seeds[static_cast<size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      const size_t at = rng() % body.size();
      switch (rng() % 4) {
        case 0:
          body[at] = static_cast<char>(rng());
          break;
        case 1:
          body.resize(at);
          break;
        case 2:
          body.insert(at, std::string(1 + rng() % 8, static_cast<char>(rng())));
          break;
        default:
          body.erase(at, 1 + rng() % 16);
          break;
      }
    }
    auto res = c.Post("/predict", body, type.c_str());
    ASSERT_TRUE(res) << "case " << i << ": no answer";
    const int s = res->status;
    EXPECT_TRUE(s == 200 || (s >= 400 && s < 500)) << "case " << i << ": status " << s << " " << res->body;
    const json j = json::parse(res->body, nullptr, false);
    EXPECT_TRUE(j.is_object() && (s == 200 ? j.contains("predictions") : j.contains("error")))
        << "case " << i << ": " << res->body.substr(0, 200);
    ++answered;
  }
  EXPECT_EQ(answered, 160);
  expect_healthy();
}
