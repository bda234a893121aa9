// safetensors_test.cpp — safetensors reading/writing: interop with the reference layout (golden files
// written by tests/golden/gen_safetensors_golden.py), round trips, and every malformed header refused
// with an IOError naming the file and the fault.
#include "nabla/io/safetensors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "io/io_test_util.h"
#include "io/safetensors_golden.h"
#include "nabla/nn/nn.h"
#include "nabla/ops/ops.h"

namespace nabla::io::test {
namespace {

// A file with the given JSON header (unpadded), `data_size` zero bytes of data, and a header length
// field of `declared` (default: the header's real length).
Bytes make_file(const std::string& header, size_t data_size, std::optional<uint64_t> declared = {}) {
  uint64_t n = declared.value_or(header.size());
  Bytes out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + data_size, 0);
  return out;
}

TEST(Safetensors, ReadsTheReferenceFile) {
  SafetensorsFile f = load_safetensors(golden_path("reference.safetensors"));
  std::vector<std::string> names;
  for (const auto& [name, t] : f.tensors) names.push_back(name);
  EXPECT_EQ(names, golden_file_order());  // file order = data order
  EXPECT_TRUE(same_tensors(f.tensors, golden_tensors()));
  EXPECT_EQ(f.metadata, golden_metadata());
  EXPECT_FALSE(f.checksum_verified);
  EXPECT_EQ(f.at("step").item<int64_t>(), 123456789012);
  EXPECT_TRUE(f.at("layer.0.transposed").is_contiguous());
  EXPECT_TRUE(f.contains("mask"));
  EXPECT_FALSE(f.contains("nope"));
  EXPECT_THROW(f.at("nope"), IndexError);
}

TEST(Safetensors, WritesTheReferenceBytes) {
  TempDir dir;
  std::string path = dir.file("out.safetensors");
  save_safetensors(path, golden_tensors(), golden_metadata());
  EXPECT_EQ(read_bytes(path), read_bytes(golden_path("reference.safetensors")));
  // Order-independent: the same tensors given in reverse give the same bytes.
  NamedTensors reversed = golden_tensors();
  std::reverse(reversed.begin(), reversed.end());
  save_safetensors(path, reversed, golden_metadata());
  EXPECT_EQ(read_bytes(path), read_bytes(golden_path("reference.safetensors")));
  EXPECT_EQ(dir.list(), std::vector<std::string>{"out.safetensors"});  // no temporary left behind
}

// Checks the layout of a file nabla wrote with a parser written here from the specification.
TEST(Safetensors, OutputFollowsTheSpecification) {
  TempDir dir;
  std::string path = dir.file("spec.safetensors");
  manual_seed(3);
  save_safetensors(
      path,
      {{"b", randn({5, 7}, {.dtype = kFloat64})}, {"a", ones({3}, {.dtype = kUInt8})}, {"c", randn({2, 2})}});
  Bytes bytes = read_bytes(path);
  ASSERT_GE(bytes.size(), 8u);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[static_cast<size_t>(i)];
  ASSERT_LE(8 + n, bytes.size());
  EXPECT_EQ((8 + n) % 8, 0u) << "the data buffer starts 8-byte aligned";
  std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(n));
  auto j = nlohmann::ordered_json::parse(header);  // trailing spaces are JSON whitespace
  ASSERT_TRUE(j.is_object());
  EXPECT_FALSE(j.contains("__metadata__"));
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "c", "a"}));  // F64, F32, U8
  EXPECT_EQ(j["b"]["dtype"], "F64");
  EXPECT_EQ(j["b"]["shape"], nlohmann::json::array({5, 7}));
  EXPECT_EQ(j["b"]["data_offsets"], nlohmann::json::array({0, 280}));
  EXPECT_EQ(j["c"]["data_offsets"], nlohmann::json::array({280, 296}));
  EXPECT_EQ(j["a"]["data_offsets"], nlohmann::json::array({296, 299}));
  EXPECT_EQ(bytes.size(), 8 + n + 299);
  EXPECT_EQ(bytes.back(), 1);
}

TEST(Safetensors, RoundTripsEveryDtypeAndShape) {
  TempDir dir;
  manual_seed(7);
  NamedTensors in = {
      {"f32", randn({4, 3, 2})},
      {"f64", randn({2, 5}, {.dtype = kFloat64}).t()},
      {"i64", randint(-1000, 1000, {6}, {.dtype = kInt64})},
      {"i32", randint(-1000, 1000, {3, 1}, {.dtype = kInt32})},
      {"u8", randint(0, 256, {2, 2, 2}, {.dtype = kUInt8})},
      {"bool", randn({7}) > 0.0},
      {"scalar", scalar_tensor(2.5)},
      {"zero_size", empty({3, 0, 2}, {.dtype = kInt64})},
      {"strided", arange(20, {.dtype = kFloat32}).slice(0, 1, None, 3)},
      {"rank8", ones({1, 2, 1, 2, 1, 2, 1, 2})},
      {"grad", randn({3}).requires_grad_()},
  };
  std::string path = dir.file("all.safetensors");
  save_safetensors(path, in, {{"k", "v"}, {"empty", ""}});
  SafetensorsFile out = load_safetensors(path);
  EXPECT_TRUE(same_tensors(out.tensors, in));
  EXPECT_EQ(out.metadata, (Metadata{{"k", "v"}, {"empty", ""}}));
  EXPECT_FALSE(out.at("grad").requires_grad());
}

TEST(Safetensors, RoundTripsAModuleStateDict) {
  TempDir dir;
  manual_seed(11);
  nn::Sequential a{nn::Linear(4, 3), nn::BatchNorm1d(3)};
  nn::Sequential b{nn::Linear(4, 3), nn::BatchNorm1d(3)};
  save_safetensors(dir.file("m.safetensors"), a.state_dict());
  b.load_state_dict(load_safetensors(dir.file("m.safetensors")).tensors);
  EXPECT_TRUE(same_tensors(b.state_dict(), a.state_dict()));
}

TEST(Safetensors, EmptyFileAndEmptyMetadata) {
  TempDir dir;
  save_safetensors(dir.file("e.safetensors"), {});
  EXPECT_EQ(read_bytes(dir.file("e.safetensors")), make_file("{}      ", 0));
  SafetensorsFile f = load_safetensors(dir.file("e.safetensors"));
  EXPECT_TRUE(f.tensors.empty());
  EXPECT_TRUE(f.metadata.empty());
}

TEST(Safetensors, AcceptsWhatTheSpecificationAllows) {
  TempDir dir;
  std::string path = dir.file("ok.safetensors");
  // Keys in any order, no padding, unknown fields ignored, "__metadata__" anywhere, BOOL bytes other than
  // 0/1.
  write_bytes(path,
              make_file(R"({"b":{"dtype":"BOOL","shape":[2],"data_offsets":[4,6],"extra":1},)"
                        R"("__metadata__":{"x":"y"},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})",
                        6));
  Bytes bytes = read_bytes(path);
  bytes[bytes.size() - 2] = 7;  // b[0] = 7 -> true
  write_bytes(path, bytes);
  SafetensorsFile f = load_safetensors(path);
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_EQ(f.tensors[0].first, "a");
  EXPECT_EQ(f.metadata, (Metadata{{"x", "y"}}));
  EXPECT_TRUE(same_tensor(f.at("b"), tensor({true, false})));
}

struct BadHeader {
  const char* what;
  std::string header;
  size_t data_size;
  std::string expected;
};

TEST(Safetensors, RefusesMalformedHeaders) {
  const std::string f32 = R"("dtype":"F32")";
  const std::vector<BadHeader> cases = {
      {"not an object", R"([1, 2])", 0, "does not start with '{'"},
      {"truncated JSON", R"({"a":)", 0, "not valid JSON"},
      {"trailing garbage", R"({} x)", 0, "byte 11: the safetensors header is not valid JSON"},
      {"invalid UTF-8", "{\"\xff\":1}", 0, "not valid JSON"},
      {"entry not an object", R"({"a":5})", 0, "tensor \"a\": header entry is not an object"},
      {"missing dtype", R"({"a":{"shape":[],"data_offsets":[0,4]}})", 4, "\"dtype\""},
      {"unknown dtype", R"({"a":{"dtype":"F8_E4M3","shape":[],"data_offsets":[0,1]}})", 1,
       "unsupported dtype \"F8_E4M3\""},
      {"negative dim", "{\"a\":{" + f32 + R"(,"shape":[-1],"data_offsets":[0,4]}})", 4,
       "not a non-negative integer"},
      {"fractional dim", "{\"a\":{" + f32 + R"(,"shape":[1.5],"data_offsets":[0,4]}})", 4,
       "\"shape\" holds 1.5"},
      {"rank 9", "{\"a\":{" + f32 + R"(,"shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}})", 4, "rank 9"},
      {"one offset", "{\"a\":{" + f32 + R"(,"shape":[1],"data_offsets":[0]}})", 4, "\"data_offsets\""},
      {"offset beyond 64 bits",
       "{\"a\":{" + f32 + R"(,"shape":[1],"data_offsets":[0,18446744073709551616]}})", 4,
       "\"data_offsets\" holds"},
      {"size mismatch", "{\"a\":{" + f32 + R"(,"shape":[2],"data_offsets":[0,4]}})", 4, "needs 8"},
      {"end before begin", "{\"a\":{" + f32 + R"(,"shape":[0],"data_offsets":[4,0]}})", 4,
       "end before they begin"},
      {"overlap",
       "{\"a\":{" + f32 + R"(,"shape":[2],"data_offsets":[0,8]},"b":{)" + f32 +
           R"(,"shape":[2],"data_offsets":[4,12]}})",
       12, "tensor \"b\" starts at data offset 4 but overlaps"},
      {"gap",
       "{\"a\":{" + f32 + R"(,"shape":[1],"data_offsets":[0,4]},"b":{)" + f32 +
           R"(,"shape":[1],"data_offsets":[8,12]}})",
       12, "leaves a gap"},
      {"gap at start", "{\"a\":{" + f32 + R"(,"shape":[1],"data_offsets":[4,8]}})", 8, "leaves a gap"},
      {"out of bounds", "{\"a\":{" + f32 + R"(,"shape":[2],"data_offsets":[0,8]}})", 4,
       "run past the end of the file"},
      {"huge offsets",
       "{\"a\":{" + f32 + R"(,"shape":[1],"data_offsets":[18446744073709551612,18446744073709551615]}})", 4,
       "tensor \"a\""},
      {"trailing data", "{\"a\":{" + f32 + R"(,"shape":[1],"data_offsets":[0,4]}})", 8, "4 trailing bytes"},
      {"element count overflow",
       "{\"a\":{" + f32 + R"(,"shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0,
       "more elements than fit in 64 bits"},
      {"byte count overflow", R"({"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}})",
       0, "more bytes than fit in 64 bits"},
      {"zero dim hides overflow",
       "{\"a\":{" + f32 + R"(,"shape":[0,9223372036854775807,4],"data_offsets":[0,0]}})", 0,
       "more elements than fit"},
      {"duplicate tensor",
       "{\"a\":{" + f32 + R"(,"shape":[],"data_offsets":[0,4]},"a":{)" + f32 +
           R"(,"shape":[],"data_offsets":[0,4]}})",
       4, "key \"a\" twice"},
      {"duplicate field", R"({"a":{"dtype":"F32","dtype":"F64","shape":[],"data_offsets":[0,4]}})", 4,
       "key \"dtype\" twice"},
      {"deep nesting", R"({"a":{"shape":[[[[[[[[1]]]]]]]]}})", 0, "nests deeper"},
      {"metadata not strings", R"({"__metadata__":{"k":1}})", 0, "value of \"k\" is not a string"},
      {"metadata not an object", R"({"__metadata__":[]})", 0, "\"__metadata__\" is not an object"},
  };
  TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::string path = dir.file("bad.safetensors");
    write_bytes(path, make_file(c.header, c.data_size));
    EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path, c.expected}));
  }
}

TEST(Safetensors, RefusesBadLengths) {
  TempDir dir;
  std::string path = dir.file("len.safetensors");
  for (size_t size = 0; size < 8; ++size) {
    write_bytes(path, Bytes(size, 0));
    EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path, "byte 0", "too short"}));
  }
  const std::string ok = R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
  write_bytes(path, make_file(ok, 1, uint64_t{1} << 63));
  EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path, "byte 0", "exceeds the limit"}));
  write_bytes(path, make_file(ok, 1, 100'000'001));
  EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path, "exceeds the limit"}));
  write_bytes(path, make_file(ok, 1, ok.size() + 2));
  EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path, "runs past the end of the file"}));
  write_bytes(
      path, make_file(ok, 1, ok.size() + 1));  // the data byte (0) at file byte 61 becomes part of the header
  EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path, "byte 61: NUL byte"}));
  Bytes bytes = make_file(ok, 1, ok.size() + 1);
  bytes.back() = 'x';
  write_bytes(path, bytes);
  EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path, "byte 61", "not valid JSON"}));
  write_bytes(path, make_file(ok, 1, 0));
  EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path, "too short for a JSON object"}));
  // Not a safetensors file at all.
  write_bytes(path, Bytes{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13});
  EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path, "byte 0"}));
}

TEST(Safetensors, RefusesEveryTruncation) {
  TempDir dir;
  Bytes full = read_bytes(golden_path("reference.safetensors"));
  std::string path = dir.file("cut.safetensors");
  for (size_t size = 0; size < full.size(); ++size) {
    write_bytes(path, Bytes(full.begin(), full.begin() + static_cast<long>(size)));
    EXPECT_TRUE(throws_io_error([&] { load_safetensors(path); }, {path}))
        << "truncated to " << size << " bytes";
  }
}

TEST(Safetensors, MissingFilesAndDirectories) {
  TempDir dir;
  EXPECT_TRUE(throws_io_error([&] { load_safetensors(dir.file("none.safetensors")); },
                              {dir.file("none.safetensors"), "cannot open"}));
  EXPECT_TRUE(throws_io_error([&] { load_safetensors(dir.path()); }, {dir.path(), "not a regular file"}));
  EXPECT_TRUE(throws_io_error([&] { save_safetensors(dir.file("no/such/dir.safetensors"), {}); },
                              {dir.file("no/such/dir.safetensors"), "cannot create the temporary file"}));
}

TEST(Safetensors, RefusesBadTensorsOnSave) {
  TempDir dir;
  std::string path = dir.file("x.safetensors");
  Tensor t = ones({2});
  EXPECT_THROW(save_safetensors(path, {{"a", t}, {"a", t}}), ValueError);
  EXPECT_THROW(save_safetensors(path, {{"__metadata__", t}}), ValueError);
  EXPECT_THROW(save_safetensors(path, {{"", t}}), ValueError);
  EXPECT_THROW(save_safetensors(path, {{"a", Tensor()}}), ValueError);
  try {
    save_safetensors(path, {{"bad\xff", t}});
    ADD_FAILURE() << "no error for a name that is not UTF-8";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_THROW(save_safetensors(path, {{"a", t}}, {{"k", "bad\xff"}}), ValueError);
  EXPECT_TRUE(dir.list().empty());  // nothing written, no temporary left
}

}  // namespace
}  // namespace nabla::io::test
