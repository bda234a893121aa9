// serve::Server in-process on a free port, with a tiny untrained model the test writes: real answers
// from /health, /metadata, /predict (PNG, JPEG, multipart, JSON tensor) and /metrics, checked against
// the model called directly; micro-batching seen in the batch-size histogram.
#include "nabla/serve/server.h"

#include <httplib.h>

#include <future>
#include <regex>

#include "serve_test_util.h"

using namespace serve_test;
using json = nlohmann::json;

namespace {

class ServerTest : public ::testing::Test {
 protected:
  void start(serve::ServerOptions o = {}) {
    run_ = make_tiny_run();
    o.port = 0;
    o.topk = 3;
    server_ = std::make_unique<serve::Server>(run_.path, o);
    port_ = server_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(60, 0);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  json post(const std::string& body, const std::string& type, const std::string& query = "") {
    auto res = client_->Post(("/predict" + query).c_str(), body, type.c_str());
    EXPECT_TRUE(res) << "no answer";
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body);
  }
  std::string metrics() {
    auto res = client_->Get("/metrics");
    EXPECT_TRUE(res && res->status == 200);
    return res ? res->body : "";
  }

  TinyRun run_;
  std::unique_ptr<serve::Server> server_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

// The value of a metric line `name` (with its labels, exactly as printed), or -1.
double metric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  return -1;
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << "class " << i;
  EXPECT_EQ(argmax(got), argmax(want));
}

}  // namespace

TEST_F(ServerTest, HealthAndMetadata) {
  start();
  auto h = client_->Get("/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(json::parse(h->body).at("status"), "ok");
  auto m = client_->Get("/metadata");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->status, 200);
  EXPECT_EQ(m->get_header_value("Content-Type"), "application/json");
  const json j = json::parse(m->body);
  EXPECT_EQ(j.at("classes"), json({"red", "green", "blue"}));
  EXPECT_EQ(j.at("input_shape"), json({3, 8, 8}));
  EXPECT_EQ(j.at("mean"), json({0.5, 0.4, 0.3}));
  EXPECT_EQ(j.at("std"), json({0.25, 0.2, 0.3}));
  EXPECT_EQ(j.at("model").at("name"), "mlp");
  EXPECT_EQ(j.at("data"), "imagefolder:tiny");
  EXPECT_EQ(server_->config().classes.size(), 3u);
  EXPECT_EQ(server_->url(), "http://127.0.0.1:" + std::to_string(port_));
}

TEST_F(ServerTest, PngGivesTheModelsProbabilities) {
  start();
  for (uint64_t seed : {1, 2, 3}) {
    const Tensor img = random_image(8, 8, 3, seed);
    const json a = post(png_of(img), "image/png");
    ASSERT_EQ(a.at("predictions").size(), 1u);
    EXPECT_EQ(a.at("model"), "mlp");
    const auto& top = a.at("predictions")[0].at("top");
    ASSERT_EQ(top.size(), 3u);
    const std::vector<double> want = direct_probabilities(run_, img);
    expect_close(answered_probabilities(a, 0, 3), want);
    EXPECT_EQ(top[0].at("class"), run_.config.classes[argmax(want)]);
    EXPECT_GE(top[0].at("probability").get<double>(), top[1].at("probability").get<double>());
  }
}

TEST_F(ServerTest, OtherImageSizesAreResizedLikePredict) {
  start();
  const Tensor img = random_image(20, 12, 3, 9);
  const json a = post(png_of(img), "image/png");
  // The same preprocessing as `nabla predict`: decode, ToTensor, Resize, Normalize.
  NoGradGuard g;
  Tensor x = training::preprocess_image(img, run_.config).unsqueeze(0);
  Tensor p = softmax((*run_.model)(x), 1).squeeze(0).to(kFloat64).contiguous();
  expect_close(answered_probabilities(a, 0, 3),
               std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + 3));
}

TEST_F(ServerTest, JpegAndGrayscaleInputs) {
  start();
  const Tensor img = random_image(8, 8, 3, 4);
  const std::string jpeg = jpeg_of(img);
  const json a = post(jpeg, "image/jpeg");
  // JPEG is lossy: compare with the decoded pixels, not the original ones.
  const Tensor decoded =
      io::decode_image(reinterpret_cast<const uint8_t*>(jpeg.data()), jpeg.size(), io::ImageReadMode::RGB);
  expect_close(answered_probabilities(a, 0, 3), direct_probabilities(run_, decoded));
  // A gray PNG is expanded to the model's three channels, as predict does.
  const Tensor gray = random_image(8, 8, 1, 5);
  const json b = post(png_of(gray), "image/png");
  expect_close(answered_probabilities(b, 0, 3), direct_probabilities(run_, gray.expand({8, 8, 3})));
}

TEST_F(ServerTest, MultipartUploadGivesOnePredictionPerFile) {
  start();
  const Tensor a = random_image(8, 8, 3, 6), b = random_image(8, 8, 3, 7);
  httplib::MultipartFormDataItems items = {{"file", png_of(a), "a.png", "image/png"},
                                           {"file", png_of(b), "b.png", "image/png"}};
  auto res = client_->Post("/predict", items);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json j = json::parse(res->body);
  ASSERT_EQ(j.at("predictions").size(), 2u);
  EXPECT_EQ(j["predictions"][0].at("input"), "a.png");
  EXPECT_EQ(j["predictions"][1].at("input"), "b.png");
  expect_close(answered_probabilities(j, 0, 3), direct_probabilities(run_, a));
  expect_close(answered_probabilities(j, 1, 3), direct_probabilities(run_, b));
}

TEST_F(ServerTest, JsonTensorInput) {
  start();
  RandomGenerator gen(3);
  Tensor x = randn({2, 3, 8, 8}, {.dtype = kFloat32}, &gen).contiguous();
  std::vector<float> flat(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
  json rows = json::array();
  for (int n = 0; n < 2; ++n) {
    json c3 = json::array();
    for (int c = 0; c < 3; ++c) {
      json h8 = json::array();
      for (int h = 0; h < 8; ++h) {
        json w8 = json::array();
        for (int w = 0; w < 8; ++w) w8.push_back(flat[static_cast<size_t>(((n * 3 + c) * 8 + h) * 8 + w)]);
        h8.push_back(w8);
      }
      c3.push_back(h8);
    }
    rows.push_back(c3);
  }
  // [N, C, H, W]: one prediction per input.
  const json both = post(json{{"inputs", rows}}.dump(), "application/json");
  ASSERT_EQ(both.at("predictions").size(), 2u);
  const size_t per = 3 * 8 * 8;
  for (size_t n = 0; n < 2; ++n)
    expect_close(answered_probabilities(both, n, 3),
                 direct_probabilities_of_input(
                     run_, std::vector<float>(flat.begin() + n * per, flat.begin() + (n + 1) * per)));
  // [C, H, W]: one input; charset parameters are fine.
  const json one = post(json{{"inputs", rows[1]}}.dump(), "application/json; charset=utf-8");
  ASSERT_EQ(one.at("predictions").size(), 1u);
  expect_close(answered_probabilities(one, 0, 3),
               direct_probabilities_of_input(run_, std::vector<float>(flat.begin() + per, flat.end())));
}

TEST_F(ServerTest, TopkParameter) {
  start();
  const std::string png = png_of(random_image(8, 8, 3, 8));
  EXPECT_EQ(post(png, "image/png", "?topk=1").at("predictions")[0].at("top").size(), 1u);
  EXPECT_EQ(post(png, "image/png", "?topk=100").at("predictions")[0].at("top").size(), 3u);  // all classes
  for (const char* bad : {"?topk=0", "?topk=-1", "?topk=x", "?topk=1.5"}) {
    auto res = client_->Post((std::string("/predict") + bad).c_str(), png, "image/png");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad;
    EXPECT_NE(json::parse(res->body).at("error").get<std::string>().find("topk"), std::string::npos);
  }
}

// Note [Micro-batching]: with max_wait_ms far longer than the test, a batch closes only when max_batch
// inputs are queued, so N concurrent requests make exactly one forward pass of N.
TEST_F(ServerTest, ConcurrentRequestsShareOneBatch) {
  constexpr int kClients = 6;
  start({.max_batch = kClients, .max_wait_ms = 60'000});
  std::vector<Tensor> images;
  for (int i = 0; i < kClients; ++i) images.push_back(random_image(8, 8, 3, 100 + i));
  std::vector<std::future<json>> answers;
  for (int i = 0; i < kClients; ++i)
    answers.push_back(std::async(std::launch::async, [&, i] {
      httplib::Client c("127.0.0.1", port_);
      c.set_read_timeout(120, 0);
      auto res = c.Post("/predict", png_of(images[i]), "image/png");
      return res && res->status == 200 ? json::parse(res->body) : json();
    }));
  for (int i = 0; i < kClients; ++i) {
    const json a = answers[i].get();
    ASSERT_FALSE(a.is_null()) << "request " << i;
    expect_close(answered_probabilities(a, 0, 3), direct_probabilities(run_, images[i]));
  }
  const std::string m = metrics();
  EXPECT_EQ(metric(m, "nabla_serve_batch_size_count"), 1) << m;
  EXPECT_EQ(metric(m, "nabla_serve_batch_size_sum"), kClients) << m;
  EXPECT_EQ(metric(m, "nabla_serve_batch_size_bucket{le=\"1\"}"), 0) << m;
}

TEST_F(ServerTest, MetricsCountRequestsErrorsAndLatency) {
  start();
  post(png_of(random_image(8, 8, 3, 1)), "image/png");
  post(png_of(random_image(8, 8, 3, 2)), "image/png");
  client_->Post("/predict", "hello", "text/plain");
  client_->Get("/health");
  auto res = client_->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/plain"), std::string::npos);
  const std::string& m = res->body;
  EXPECT_EQ(metric(m, "nabla_serve_requests_total{path=\"/predict\",code=\"200\"}"), 2) << m;
  EXPECT_EQ(metric(m, "nabla_serve_requests_total{path=\"/predict\",code=\"415\"}"), 1) << m;
  EXPECT_EQ(metric(m, "nabla_serve_errors_total{path=\"/predict\",code=\"415\"}"), 1) << m;
  EXPECT_EQ(metric(m, "nabla_serve_errors_total{path=\"/predict\",code=\"200\"}"), -1) << m;
  EXPECT_EQ(metric(m, "nabla_serve_request_duration_seconds_count{path=\"/predict\"}"), 3) << m;
  EXPECT_EQ(metric(m, "nabla_serve_request_duration_seconds_bucket{path=\"/predict\",le=\"+Inf\"}"), 3) << m;
  EXPECT_EQ(metric(m, "nabla_serve_batch_size_count"), 2) << m;
  EXPECT_EQ(metric(m, "nabla_serve_queue_depth"), 0) << m;
  for (const char* type :
       {"# TYPE nabla_serve_requests_total counter", "# TYPE nabla_serve_batch_size histogram",
        "# TYPE nabla_serve_request_duration_seconds histogram", "# TYPE nabla_serve_queue_depth gauge"})
    EXPECT_NE(m.find(type), std::string::npos) << type;
}

TEST_F(ServerTest, StopFinishesARequestInProgress) {
  start({.max_batch = 4, .max_wait_ms = 60'000});
  const Tensor img = random_image(8, 8, 3, 12);
  auto answer = std::async(std::launch::async, [&] {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120, 0);
    auto res = c.Post("/predict", png_of(img), "image/png");
    return res ? res->status : -1;
  });
  // Wait until the input is queued (the batch would wait a minute for three more).
  while (metric(metrics(), "nabla_serve_queue_depth") != 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_->stop();  // drains: the queued input runs now
  EXPECT_EQ(answer.get(), 200);
  EXPECT_LT(connect_to(port_), 0) << "the server still accepts connections after stop()";
  server_->stop();  // idempotent
  server_->wait();
}

TEST(ServerOptionsTest, BadOptionsAndModelFiles) {
  const TinyRun run = make_tiny_run();
  EXPECT_THROW(serve::Server(run.path, {.max_batch = 0}), ValueError);
  EXPECT_THROW(serve::Server(run.path, {.port = 70000}), ValueError);
  EXPECT_THROW(serve::Server(run.path, {.host = ""}), ValueError);
  EXPECT_THROW(serve::Server(scratch("missing.safetensors").string()), IOError);
  try {
    serve::Server s(run.path, {.max_wait_ms = -1});
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("max_wait_ms"), std::string::npos) << e.what();
  }
}

TEST(ServerOptionsTest, APortInUseIsAnIOError) {
  const TinyRun run = make_tiny_run();
  serve::Server a(run.path, {.port = 0});
  const int port = a.start();
  serve::Server b(run.path, {.port = port});
  EXPECT_THROW(b.start(), IOError);
  a.stop();
}
