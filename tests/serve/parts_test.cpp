// The server's parts without HTTP: the Prometheus histogram, the batcher (Note [Micro-batching]) with
// a fake model, and the JSON tensor reader (Note [JSON tensors without a DOM]).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <atomic>

#include "serve/batcher.h"
#include "serve/inputs.h"
#include "serve/metrics.h"

using namespace nabla;
using namespace nabla::serve::detail;

TEST(ServeMetrics, HistogramIsCumulative) {
  Histogram h({1, 2, 4});
  for (double v : {0.5, 1.0, 3.0, 9.0}) h.observe(v);
  std::string out;
  h.write(out, "x", "");
  EXPECT_EQ(out,
            "x_bucket{le=\"1\"} 2\nx_bucket{le=\"2\"} 2\nx_bucket{le=\"4\"} 3\nx_bucket{le=\"+Inf\"} 4\n"
            "x_sum 13.5\nx_count 4\n");
  std::string labelled;
  h.write(labelled, "x", "path=\"/p\"");
  EXPECT_NE(labelled.find("x_bucket{path=\"/p\",le=\"4\"} 3\n"), std::string::npos) << labelled;
  EXPECT_NE(labelled.find("x_count{path=\"/p\"} 4\n"), std::string::npos) << labelled;
}

TEST(ServeMetrics, RoutesAreBoundedAndBatchBucketsEndAtMaxBatch) {
  EXPECT_EQ(route_label("/predict"), "/predict");
  EXPECT_EQ(route_label("/predict/../etc"), "other");
  Metrics m(12);
  m.request("/a/very/long/scan", 404, 0.001);
  m.request("/another", 404, 0.001);
  m.batch(12, 0.01);
  const std::string text = m.prometheus();
  EXPECT_NE(text.find("nabla_serve_requests_total{path=\"other\",code=\"404\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("nabla_serve_batch_size_bucket{le=\"8\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("nabla_serve_batch_size_bucket{le=\"12\"} 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("scan"), std::string::npos);
}

namespace {
// A fake model: each input's sum as its one output, recording the batch sizes it saw.
struct SumModel {
  std::vector<int64_t>* batches;
  Tensor operator()(const Tensor& x) const {
    batches->push_back(x.size(0));
    return x.flatten(1).sum(1, /*keepdim=*/true);
  }
};
}  // namespace

TEST(ServeBatcher, ConcurrentInputsShareABatchAndGetTheirOwnRow) {
  std::vector<int64_t> batches;
  Metrics metrics(4);
  Batcher b(SumModel{&batches}, {.max_batch = 4, .max_wait_ms = 60'000, .max_queue = 16}, metrics);
  std::vector<std::future<std::vector<float>>> f;
  for (int i = 0; i < 8; ++i) f.push_back(b.submit(full({2}, static_cast<double>(i))));
  for (int i = 0; i < 8; ++i) EXPECT_EQ(f[static_cast<size_t>(i)].get(), std::vector<float>{2.0f * i});
  b.stop();
  EXPECT_EQ(batches, (std::vector<int64_t>{4, 4}));
}

TEST(ServeBatcher, FullQueueStopAndErrors) {
  std::vector<int64_t> batches;
  Metrics metrics(8);
  Batcher b(SumModel{&batches}, {.max_batch = 8, .max_wait_ms = 60'000, .max_queue = 2}, metrics);
  auto a = b.submit(ones({3})), c = b.submit(ones({3}));
  EXPECT_THROW(b.submit(ones({3})), QueueFull);
  EXPECT_EQ(metrics.queue_depth.load(), 2);
  b.drain();  // shutdown: the two inputs run now instead of waiting a minute for six more
  EXPECT_EQ(a.get(), std::vector<float>{3});
  EXPECT_EQ(c.get(), std::vector<float>{3});
  b.stop();
  EXPECT_THROW(b.submit(ones({3})), QueueFull);
  // A model that throws fails every input of its batch, and the batcher goes on.
  Metrics m2(2);
  std::atomic<int> calls{0};
  Batcher failing(
      [&](const Tensor& x) {
        if (calls++ == 0) throw ShapeError("boom");
        return x.flatten(1).sum(1, true);
      },
      {.max_batch = 2, .max_wait_ms = 60'000, .max_queue = 8}, m2);
  auto x = failing.submit(ones({1})), y = failing.submit(ones({1}));
  EXPECT_THROW(x.get(), ShapeError);
  EXPECT_THROW(y.get(), ShapeError);
  auto z = failing.submit(ones({1})), w = failing.submit(ones({1}));
  EXPECT_EQ(z.get(), std::vector<float>{1});
  EXPECT_EQ(w.get(), std::vector<float>{1});
}

namespace {
training::RunConfig config_2x2() {
  training::RunConfig c;
  c.model = {"mlp", 1, 2, 2, 3, 1};
  c.classes = {"a", "b", "c"};
  return c;
}

int status_of(const std::string& body, const InputSpec& spec) {
  try {
    json_inputs(body, spec);
    return 200;
  } catch (const RequestError& e) {
    return e.status;
  }
}
}  // namespace

TEST(ServeInputs, JsonTensors) {
  const training::RunConfig cfg = config_2x2();
  const InputSpec spec{&cfg, 1 << 20, 3};
  auto one = json_inputs("{\"inputs\": [[[1, 2], [3, 4.5]]]}", spec);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_TRUE(equal(one[0], tensor({1.0f, 2.0f, 3.0f, 4.5f}).reshape({1, 2, 2})));
  auto two = json_inputs(" {\"inputs\": [[[[1,2],[3,4]]], [[[5,6],[7,8]]]]} ", spec);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].sum().item<float>(), 26.0f);
  EXPECT_EQ(status_of("{\"inputs\": [[[1, 2], [3, 4]]], \"x\": 1}", spec), 422);        // unknown field
  EXPECT_EQ(status_of("{\"inputs\": [[[1, 2], [3, 4]]], \"inputs\": []}", spec), 422);  // twice
  EXPECT_EQ(status_of("{\"inputs\": [[[1, 2], [3, 4]]]", spec), 400);                   // cut short
  EXPECT_EQ(status_of("{\"inputs\": [[[1, 2], [3, 4]]]} x", spec), 400);                // trailing text
  EXPECT_EQ(status_of("{\"inputs\": [[[1, 2], [3, null]]]}", spec), 422);
  EXPECT_EQ(status_of("{\"inputs\": [[[1, 2], [3, {}]]]}", spec), 422);
  EXPECT_EQ(status_of("{\"inputs\": [[1, 2], [3, 4]]}", spec), 422);  // [2, 2]: no channel dim
  EXPECT_EQ(status_of("{\"inputs\": [[[1, 2], [3]]]}", spec), 422);   // ragged
  EXPECT_EQ(status_of("{\"inputs\": [[[1, 2], 3]]}", spec), 422);     // mixed depths
  EXPECT_EQ(status_of("{\"inputs\": [[[[[1]]]]]}", spec), 422);       // 5 dims
  EXPECT_EQ(status_of("{\"inputs\": []}", spec), 422);
  EXPECT_EQ(status_of("{\"inputs\": 3}", spec), 422);
  EXPECT_EQ(status_of("\"inputs\"", spec), 422);
  EXPECT_EQ(status_of("{\"inputs\": [[[1, 2], [3, 1e39]]]}", spec), 422);  // not a float32
  // Four inputs when the server takes three per request.
  EXPECT_EQ(
      status_of("{\"inputs\": [[[[1,2],[3,4]]],[[[1,2],[3,4]]],[[[1,2],[3,4]]],[[[1,2],[3,4]]]]}", spec),
      413);
  // A million brackets are refused at the fifth, without recursion.
  EXPECT_EQ(
      status_of("{\"inputs\": " + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}", spec),
      422);
  try {
    json_inputs("{\"inputs\": [[1, 2, 3]]}", spec);
    FAIL();
  } catch (const RequestError& e) {
    EXPECT_NE(std::string(e.what()).find("[1, 3]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[1, 2, 2]"), std::string::npos) << e.what();
  }
}

TEST(ServeInputs, MediaTypesAndImages) {
  EXPECT_EQ(media_type("Image/PNG; charset=x"), "image/png");
  EXPECT_EQ(media_type(" application/json "), "application/json");
  EXPECT_EQ(media_type(""), "");
  const training::RunConfig cfg = config_2x2();
  const InputSpec spec{&cfg, 16, 8};
  const std::vector<uint8_t> small = io::encode_png(zeros({4, 4, 1}, {.dtype = kUInt8}));
  EXPECT_TRUE(
      equal(image_input(small.data(), small.size(), "a", spec), full({1, 2, 2}, -1.0)));  // (0 - .5) / .5
  const std::vector<uint8_t> big = io::encode_png(zeros({5, 4, 1}, {.dtype = kUInt8}));
  try {
    image_input(big.data(), big.size(), "big.png", spec);
    FAIL();
  } catch (const RequestError& e) {
    EXPECT_EQ(e.status, 413);
    EXPECT_NE(std::string(e.what()).find("5x4"), std::string::npos) << e.what();
  }
  const uint8_t junk[] = {1, 2, 3};
  EXPECT_THROW(image_input(junk, 3, "junk", spec), RequestError);
}
