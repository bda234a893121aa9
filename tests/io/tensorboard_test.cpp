// tensorboard_test.cpp — CRC-32C against known vectors and a bitwise reference, and SummaryWriter event
// files read back by a TFRecord reader written here: framing, both masked CRCs of every record, and the
// Event protobufs (parsed with the generated classes) holding the scalars, images and histograms.
#include "nabla/io/tensorboard.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <regex>

#include "io/crc32c.h"
#include "io/io_test_util.h"
#include "nabla/io/image.h"
#include "nabla/ops/ops.h"
#include "src/io/proto/event.pb.h"

namespace nabla::io::test {
namespace {

namespace pb = nabla::tensorboard;

// Bit-at-a-time CRC-32C straight from the definition (reflected polynomial 0x82F63B78).
uint32_t crc32c_bitwise(const uint8_t* p, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
  }
  return ~crc;
}

uint32_t masked(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

uint64_t le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Reads every TFRecord of an event file, checking the framing and both masked CRCs.
std::vector<pb::Event> read_events(const std::string& path) {
  Bytes b = read_bytes(path);
  std::vector<pb::Event> events;
  size_t pos = 0;
  while (pos < b.size()) {
    EXPECT_GE(b.size() - pos, 12u) << "truncated record header at byte " << pos;
    if (b.size() - pos < 12) break;
    uint64_t len = le(&b[pos], 8);
    EXPECT_EQ(le(&b[pos + 8], 4), masked(crc32c_bitwise(&b[pos], 8))) << "length CRC at byte " << pos;
    EXPECT_LE(len + 16, b.size() - pos) << "truncated record at byte " << pos;
    if (len + 16 > b.size() - pos) break;
    const uint8_t* data = &b[pos + 12];
    EXPECT_EQ(le(data + len, 4), masked(crc32c_bitwise(data, len))) << "data CRC at byte " << pos;
    pb::Event e;
    EXPECT_TRUE(e.ParseFromArray(data, static_cast<int>(len))) << "record at byte " << pos;
    events.push_back(e);
    pos += 16 + len;
  }
  return events;
}

TEST(Crc32c, KnownVectors) {
  const std::string check = "123456789";
  EXPECT_EQ(detail::crc32c(check.data(), check.size()), 0xE3069283u);
  EXPECT_EQ(detail::crc32c_extend_portable(0, check.data(), check.size()), 0xE3069283u);
  EXPECT_EQ(detail::crc32c("", 0), 0u);
  // RFC 3720 (iSCSI) B.4: 32 bytes of zeros / of 0xFF / ascending.
  Bytes zeros(32, 0), ones(32, 0xff), up(32);
  for (size_t i = 0; i < 32; ++i) up[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(detail::crc32c(zeros.data(), 32), 0x8A9136AAu);
  EXPECT_EQ(detail::crc32c(ones.data(), 32), 0x62A8AB43u);
  EXPECT_EQ(detail::crc32c(up.data(), 32), 0x46DD794Eu);
  EXPECT_EQ(detail::mask_crc32c(0x12345678u), masked(0x12345678u));
}

TEST(Crc32c, MatchesTheBitwiseDefinitionAndExtends) {
  std::mt19937 rng(1);
  for (size_t n : {1u, 7u, 8u, 9u, 63u, 64u, 1000u, 4099u}) {
    Bytes data(n);
    for (auto& x : data) x = static_cast<uint8_t>(rng());
    uint32_t want = crc32c_bitwise(data.data(), n);
    EXPECT_EQ(detail::crc32c(data.data(), n), want) << n;
    EXPECT_EQ(detail::crc32c_extend_portable(0, data.data(), n), want) << n;
    size_t cut = n / 3;  // crc(a + b) == extend(crc(a), b), also at unaligned splits
    EXPECT_EQ(detail::crc32c_extend(detail::crc32c(data.data(), cut), data.data() + cut, n - cut), want) << n;
  }
}

TEST(TensorBoard, WritesScalarsImagesAndHistograms) {
  TempDir dir;
  std::string path;
  {
    SummaryWriter w(dir.file("run"));
    path = w.path();
    w.add_scalar("loss/train", 0.25, 1);
    w.add_scalar("loss/train", 0.0, 2);  // a zero is still written (oneof)
    w.add_scalar("lr", 1e-3, 7, 1700000000.5);
    Tensor chw = tensor({{{0.0, 0.5}, {1.0, 2.0}}, {{-1.0, 0.25}, {0.999, 0.1}}, {{1.0, 1.0}, {0.0, 0.0}}},
                        {.dtype = kFloat32});
    w.add_image("img/float", chw, 3);
    w.add_image("img/gray", tensor({{1, 2, 3}, {4, 5, 6}}, {.dtype = kUInt8}), 4, "HW");
    w.add_histogram("weights", tensor({-1.0, 0.0, 0.0, 0.5, 2.0, 2.0, 1e-13}), 5);
    w.close();
  }
  std::string host(256, '\0');
  ::gethostname(host.data(), host.size() - 1);
  host.resize(std::strlen(host.c_str()));
  EXPECT_TRUE(
      std::regex_match(std::filesystem::path(path).filename().string(),
                       std::regex("events\\.out\\.tfevents\\.[0-9]{10}\\." + host + "\\.[0-9]+\\.[0-9]+")))
      << path;
  std::vector<pb::Event> ev = read_events(path);
  ASSERT_EQ(ev.size(), 7u);
  EXPECT_EQ(ev[0].file_version(), "brain.Event:2");
  EXPECT_GT(ev[0].wall_time(), 1.6e9);
  for (size_t i = 1; i < ev.size(); ++i) ASSERT_TRUE(ev[i].has_summary()) << i;
  auto value = [&](size_t i) -> const pb::Summary::Value& { return ev[i].summary().value(0); };
  EXPECT_EQ(value(1).tag(), "loss/train");
  EXPECT_EQ(value(1).simple_value(), 0.25f);
  EXPECT_EQ(ev[1].step(), 1);
  EXPECT_EQ(value(2).value_case(), pb::Summary::Value::kSimpleValue);
  EXPECT_EQ(value(2).simple_value(), 0.0f);
  EXPECT_EQ(value(3).simple_value(), 1e-3f);
  EXPECT_EQ(ev[3].step(), 7);
  EXPECT_EQ(ev[3].wall_time(), 1700000000.5);

  const auto& img = value(4).image();
  EXPECT_EQ(value(4).tag(), "img/float");
  EXPECT_EQ(ev[4].step(), 3);
  EXPECT_EQ(img.height(), 2);
  EXPECT_EQ(img.width(), 2);
  EXPECT_EQ(img.colorspace(), 3);
  const std::string& png = img.encoded_image_string();
  Tensor pixels = decode_image(reinterpret_cast<const uint8_t*>(png.data()), png.size());
  // HWC; x * 255 clipped to [0, 255] and truncated, like torch.utils.tensorboard.
  Tensor want = tensor({{{0, 0, 255}, {127, 63, 255}}, {{255, 254, 0}, {255, 25, 0}}}, {.dtype = kUInt8});
  EXPECT_TRUE(equal(pixels, want)) << pixels.str();
  const auto& gray = value(5).image();
  EXPECT_EQ(gray.colorspace(), 1);
  EXPECT_EQ(gray.height(), 2);
  EXPECT_EQ(gray.width(), 3);
  Tensor g = decode_image(reinterpret_cast<const uint8_t*>(gray.encoded_image_string().data()),
                          gray.encoded_image_string().size());
  EXPECT_TRUE(equal(g, tensor({{{1}, {2}, {3}}, {{4}, {5}, {6}}}, {.dtype = kUInt8}))) << g.str();

  const auto& h = value(6).histo();
  EXPECT_EQ(h.num(), 7);
  EXPECT_EQ(h.min(), -1.0);
  EXPECT_EQ(h.max(), 2.0);
  EXPECT_DOUBLE_EQ(h.sum(), 3.5 + 1e-13);
  EXPECT_DOUBLE_EQ(h.sum_squares(), 9.25);
}

// The bytes of a scalar event, encoded by hand from TensorFlow's event.proto / summary.proto field
// numbers and wire types: an independent check that TensorBoard's parser sees what we mean.
TEST(TensorBoard, ScalarEventWireFormatMatchesTensorFlow) {
  TempDir dir;
  std::string path;
  {
    SummaryWriter w(dir.path());
    path = w.path();
    w.add_scalar("lr", 1e-3, 7, 1700000000.5);
  }
  Bytes file = read_bytes(path);
  // Record 1: Event{file_version (3, string) = "brain.Event:2"} plus wall_time (1, fixed64).
  const uint64_t first_len = le(file.data(), 8);
  ASSERT_EQ(first_len, 9u + 15u);
  EXPECT_EQ(file[12], 0x09);  // field 1, wire type 1 (64-bit)
  std::string version(file.begin() + 12 + 9, file.begin() + 12 + 24);
  EXPECT_EQ(version, std::string("\x1a\x0d") + "brain.Event:2");
  // Record 2.
  const size_t at = 16 + first_len;
  ASSERT_EQ(le(&file[at], 8), 24u);
  Bytes want = {0x09};  // wall_time: field 1, fixed64
  double wall = 1700000000.5;
  uint64_t bits;
  std::memcpy(&bits, &wall, 8);
  for (int i = 0; i < 8; ++i) want.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  for (int x : {0x10, 0x07,              // step: field 2, varint 7
                0x2a, 0x0b,              // summary: field 5, 11 bytes
                0x0a, 0x09,              //   value: field 1, 9 bytes
                0x0a, 0x02, 0x6c, 0x72,  //     tag: field 1, "lr"
                0x15})                   //     simple_value: field 2, fixed32
    want.push_back(static_cast<uint8_t>(x));
  float lr = 1e-3f;
  uint32_t fbits;
  std::memcpy(&fbits, &lr, 4);
  for (int i = 0; i < 4; ++i) want.push_back(static_cast<uint8_t>(fbits >> (8 * i)));
  EXPECT_EQ(Bytes(file.begin() + static_cast<long>(at) + 12, file.begin() + static_cast<long>(at) + 36),
            want);
  EXPECT_EQ(file.size(), at + 16 + 24);
}

// The emitted buckets partition the real line: bucket k counts the values in
// [bucket_limit[k-1], bucket_limit[k]) (the first one is open below), and limits only increase.
TEST(TensorBoard, HistogramBucketsPartitionTheValues) {
  TempDir dir;
  manual_seed(9);
  Tensor values = cat({randn({1000}) * 3.0, zeros({10}), full({5}, 1e30), full({3}, -2.5), tensor({1e-300})});
  std::string path;
  {
    SummaryWriter w(dir.path());
    path = w.path();
    w.add_histogram("h", values, 1);
  }
  std::vector<pb::Event> ev = read_events(path);
  ASSERT_EQ(ev.size(), 2u);
  const auto& h = ev[1].summary().value(0).histo();
  ASSERT_EQ(h.bucket_size(), h.bucket_limit_size());
  std::vector<double> v = values.to_vector();
  double total = 0;
  for (int k = 0; k < h.bucket_size(); ++k) {
    double lo = k == 0 ? -std::numeric_limits<double>::infinity() : h.bucket_limit(k - 1);
    double hi = h.bucket_limit(k);
    if (k > 0) {
      EXPECT_LT(lo, hi);
    }
    auto n = std::count_if(v.begin(), v.end(), [&](double x) { return x >= lo && x < hi; });
    EXPECT_EQ(h.bucket(k), static_cast<double>(n)) << "bucket [" << lo << ", " << hi << ")";
    total += h.bucket(k);
  }
  EXPECT_EQ(total, static_cast<double>(v.size()));
  EXPECT_EQ(h.num(), static_cast<double>(v.size()));
  EXPECT_EQ(h.bucket_limit(h.bucket_limit_size() - 1), std::numeric_limits<double>::max());
  // TensorFlow's default limits: 0 and +-1e-12 * 1.1^k below 1e20; zero lands in [0, 1e-12).
  auto it = std::find(h.bucket_limit().begin(), h.bucket_limit().end(), 1e-12);
  ASSERT_NE(it, h.bucket_limit().end());
  EXPECT_EQ(h.bucket(static_cast<int>(it - h.bucket_limit().begin())), 11);  // the zeros and 1e-300
}

TEST(TensorBoard, BuffersUntilFlushOrMaxQueue) {
  TempDir dir;
  SummaryWriter w(dir.path(), {.max_queue = 3});
  auto size = [&] { return std::filesystem::file_size(w.path()); };
  const auto first = size();  // the file_version record is written at once
  EXPECT_GT(first, 0u);
  w.add_scalar("a", 1, 0);
  w.add_scalar("a", 2, 1);
  EXPECT_EQ(size(), first);
  w.add_scalar("a", 3, 2);  // the third queued event triggers a write
  EXPECT_GT(size(), first);
  const auto after_three = size();
  w.add_scalar("a", 4, 3);
  EXPECT_EQ(size(), after_three);
  w.flush();
  EXPECT_GT(size(), after_three);
  EXPECT_EQ(read_events(w.path()).size(), 5u);
  SummaryWriter moved = std::move(w);
  moved.add_scalar("a", 5, 4);
  moved.close();
  EXPECT_EQ(read_events(moved.path()).size(), 6u);
  EXPECT_THROW(moved.add_scalar("a", 6, 5), ValueError);
  EXPECT_THROW(w.add_scalar("a", 6, 5), ValueError);  // moved-from
}

TEST(TensorBoard, TwoWritersNeverShareAFile) {
  TempDir dir;
  SummaryWriter a(dir.path()), b(dir.path());
  EXPECT_NE(a.path(), b.path());
}

TEST(TensorBoard, Errors) {
  TempDir dir;
  SummaryWriter w(dir.path());
  EXPECT_THROW(w.add_scalar("", 1, 0), ValueError);
  EXPECT_THROW(w.add_image("i", zeros({3, 4}), 0), ShapeError);     // CHW needs 3 dims
  EXPECT_THROW(w.add_image("i", zeros({5, 4, 4}), 0), ShapeError);  // 5 channels
  EXPECT_THROW(w.add_image("i", zeros({3, 0, 4}), 0), ShapeError);  // empty
  EXPECT_THROW(w.add_image("i", zeros({3, 4, 4}, {.dtype = kInt64}), 0), DTypeError);
  EXPECT_THROW(w.add_image("i", zeros({4, 4, 3}), 0, "NCHW"), ValueError);
  EXPECT_THROW(w.add_histogram("h", zeros({0}), 0), ValueError);
  EXPECT_THROW(w.add_histogram("h", tensor({1.0, std::nan("")}), 0), ValueError);
  EXPECT_THROW(w.add_histogram("h", tensor({1.0, INFINITY}), 0), ValueError);
  write_bytes(dir.file("a_file"), Bytes{1});
  EXPECT_TRUE(throws_io_error([&] { SummaryWriter bad(dir.file("a_file")); }, {dir.file("a_file")}));
  EXPECT_TRUE(throws_io_error([&] { SummaryWriter bad(dir.file("a_file/sub")); }, {dir.file("a_file/sub")}));
}

}  // namespace
}  // namespace nabla::io::test
