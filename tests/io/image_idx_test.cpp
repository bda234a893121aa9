// io/: image encode/decode through stb, IDX and gzip parsing, and the errors bad files raise.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include "data/test_util.h"
#include "io/formats.h"

using namespace nabla;
using nabla::testing::expect_error;
using nabla::testing::idx_bytes;
using nabla::testing::read_bytes;
using nabla::testing::TempDir;
using nabla::testing::write_bytes;

namespace {
Tensor test_image(int64_t h, int64_t w, int64_t c) {
  std::vector<uint8_t> px(h * w * c);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>((i * 37 + i / 7) % 256);
  return from_buffer(px.data(), {h, w, c}, kUInt8);
}
}  // namespace

TEST(Image, PngRoundTripIsExact) {
  TempDir dir;
  for (int64_t c : {1, 3, 4}) {
    Tensor img = test_image(5, 7, c);
    io::write_png(dir / "a.png", img);
    Tensor back = io::read_image(dir / "a.png");
    EXPECT_EQ(back.sizes().vec(), (std::vector<int64_t>{5, 7, c}));
    EXPECT_TRUE(equal(back, img)) << "channels " << c;
  }
  Tensor gray2d = test_image(4, 6, 1).view({4, 6});
  auto bytes = io::encode_png(gray2d);
  Tensor decoded = io::decode_image(bytes.data(), bytes.size());
  EXPECT_TRUE(equal(decoded.view({4, 6}), gray2d));
}

TEST(Image, ReadModeConvertsChannels) {
  TempDir dir;
  io::write_png(dir / "g.png", test_image(3, 3, 1));
  Tensor rgb = io::read_image(dir / "g.png", io::ImageReadMode::RGB);
  EXPECT_EQ(rgb.size(2), 3);
  EXPECT_TRUE(equal(rgb.select(2, 0), rgb.select(2, 2)));
}

TEST(Image, JpegAndBmpDecode) {
  TempDir dir;
  Tensor img = full({16, 16, 3}, 128, {.dtype = kUInt8});
  io::write_jpeg(dir / "a.jpg", img, 95);
  Tensor j = io::read_image(dir / "a.jpg");
  EXPECT_EQ(j.sizes().vec(), (std::vector<int64_t>{16, 16, 3}));
  EXPECT_LE((j.to(kInt32) - 128).abs().max().item<int>(), 2);
  Tensor pattern = test_image(6, 5, 3);
  io::write_bmp(dir / "a.bmp", pattern);
  EXPECT_TRUE(equal(io::read_image(dir / "a.bmp"), pattern));
}

TEST(Image, BadFilesRaiseIOErrorNamingTheFile) {
  TempDir dir;
  expect_error<IOError>([&] { io::read_image(dir / "missing.png"); }, {"missing.png", "cannot open"});
  write_bytes(dir / "text.png", {'h', 'e', 'l', 'l', 'o'});
  expect_error<IOError>([&] { io::read_image(dir / "text.png"); }, {"text.png", "byte 0", "not a PNG"});
  auto png = io::encode_png(test_image(20, 20, 3));
  std::vector<uint8_t> truncated(png.begin(), png.begin() + png.size() / 2);
  write_bytes(dir / "half.png", truncated);
  expect_error<IOError>([&] { io::read_image(dir / "half.png"); }, {"half.png", "PNG"});
  std::vector<uint8_t> corrupt = png;
  for (size_t i = 40; i < corrupt.size() - 12; ++i) corrupt[i] ^= 0x5a;
  write_bytes(dir / "corrupt.png", corrupt);
  expect_error<IOError>([&] { io::read_image(dir / "corrupt.png"); }, {"corrupt.png"});
  write_bytes(dir / "empty.jpg", {});
  expect_error<IOError>([&] { io::read_image(dir / "empty.jpg"); }, {"empty.jpg", "empty"});
  // A JPEG signature followed by garbage.
  write_bytes(dir / "junk.jpg", {0xff, 0xd8, 0xff, 0x00, 0x01, 0x02});
  expect_error<IOError>([&] { io::read_image(dir / "junk.jpg"); }, {"junk.jpg", "JPEG"});
}

TEST(Image, JpegHuffmanTableOverflowIsRejectedBeforeStb) {
  // A DHT table whose 16 counts sum to 257 (255 + 2): Debian's stb_image would write past its arrays
  // (found by fuzz/fuzz_image; see Note [stb JPEG Huffman tables]).
  std::vector<uint8_t> jpeg = {0xff, 0xd8, 0xff, 0xc4, 0x01, 0x14, 0x00, 255, 2};
  jpeg.resize(jpeg.size() + 14, 0);   // the other 14 counts
  jpeg.resize(jpeg.size() + 257, 7);  // the values
  jpeg.insert(jpeg.end(), {0xff, 0xd9});
  expect_error<IOError>(
      [&] { io::decode_image(jpeg.data(), jpeg.size(), io::ImageReadMode::Unchanged, "dht.jpg"); },
      {"dht.jpg", "byte 7", "Huffman table declares 257 codes"});
  // The inputs the fuzzer found (one declares its last table's counts past the end of the file, one
  // an 18-byte file whose table declares 1527 codes).
  for (auto name : {"jpeg-dht-257-codes", "jpeg-dht-counts-past-eof", "jpeg-dht-1527-codes"}) {
    auto crash = read_bytes(std::string(NABLA_SOURCE_DIR "/fuzz/regressions/image/") + name);
    ASSERT_FALSE(crash.empty()) << name;
    expect_error<IOError>([&] { io::decode_image(crash.data(), crash.size()); },
                          {"<memory>", "Huffman table"});
  }
}

TEST(Image, FuzzRegressionsDecodeOrFailCleanly) {
  // An empty first IDAT chunk (stb memcpy's 0 bytes from NULL): decodes or raises IOError, nothing else.
  auto png = read_bytes(NABLA_SOURCE_DIR "/fuzz/regressions/image/png-empty-idat");
  ASSERT_FALSE(png.empty());
  try {
    Tensor img = io::decode_image(png.data(), png.size());
    EXPECT_EQ(img.sizes().vec(), (std::vector<int64_t>{8, 6, 1}));
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find("PNG"), std::string::npos) << e.what();
  }
}

TEST(Image, DeclaredSizeIsCappedBeforeDecoding) {
  auto png = io::encode_png(test_image(20, 20, 3));
  expect_error<IOError>([&] { io::detail::decode_image_bytes(png, 0, "big.png", 20 * 20 * 3 - 1); },
                        {"big.png", "byte 0", "unsupported size 20x20x3"});
  EXPECT_EQ(io::detail::decode_image_bytes(png, 0, "ok.png", 20 * 20 * 3).pixels.size(), 1200u);
}

TEST(Image, EncodeRejectsBadTensors) {
  expect_error<DTypeError>([] { io::encode_png(zeros({2, 2, 3})); }, {"encode_png", "uint8", "float32"});
  expect_error<ShapeError>(
      [] {
        io::encode_png(zeros({2, 2, 5}, {.dtype = kUInt8}));
      },
      {"encode_png", "channels"});
}

TEST(Idx, RoundTripAllTypesPlainAndGzip) {
  TempDir dir;
  std::vector<Tensor> tensors = {test_image(3, 4, 5), arange(-6, 6, 1, {.dtype = kInt32}).view({3, 4}),
                                 linspace(-1, 1, 10).view({2, 5}), linspace(0, 3, 7, {.dtype = kFloat64})};
  for (size_t i = 0; i < tensors.size(); ++i) {
    for (bool gz : {false, true}) {
      std::string path = dir / ("t" + std::to_string(i) + (gz ? ".gz" : ""));
      io::write_idx(path, tensors[i], gz);
      EXPECT_EQ(read_bytes(path)[0] == 0x1f, gz);
      Tensor back = io::read_idx(path);
      EXPECT_EQ(back.dtype(), tensors[i].dtype());
      EXPECT_TRUE(equal(back, tensors[i])) << path;
    }
  }
}

TEST(Idx, SignedAndShortTypesWidenToInt32) {
  TempDir dir;
  write_bytes(dir / "i8", idx_bytes(0x09, {3}, {0xff, 0x01, 0x80}));
  EXPECT_EQ(io::read_idx(dir / "i8").to_vector(), (std::vector<double>{-1, 1, -128}));
  write_bytes(dir / "i16", idx_bytes(0x0B, {2}, {0xff, 0xfe, 0x01, 0x00}));
  EXPECT_EQ(io::read_idx(dir / "i16").to_vector(), (std::vector<double>{-2, 256}));
}

TEST(Idx, CorruptHeadersNameFileAndOffset) {
  TempDir dir;
  write_bytes(dir / "magic", {1, 2, 8, 1, 0, 0, 0, 1, 7});
  expect_error<IOError>([&] { io::read_idx(dir / "magic"); }, {"magic", "byte 0", "wrong magic"});
  write_bytes(dir / "type", idx_bytes(0x07, {1}, {7}));
  expect_error<IOError>([&] { io::read_idx(dir / "type"); }, {"byte 2", "unknown IDX type code 0x07"});
  write_bytes(dir / "short", {0, 0, 8});
  expect_error<IOError>([&] { io::read_idx(dir / "short"); }, {"short", "truncated IDX header"});
  write_bytes(dir / "rank", {0, 0, 8, 3, 0, 0, 0, 1});
  expect_error<IOError>([&] { io::read_idx(dir / "rank"); }, {"byte 8", "rank 3 needs 16"});
  write_bytes(dir / "trunc", idx_bytes(0x08, {4, 2}, {1, 2, 3}));
  expect_error<IOError>([&] { io::read_idx(dir / "trunc"); },
                        {"trunc", "byte 15", "declares 8 elements", "only 3"});
  write_bytes(dir / "extra", idx_bytes(0x08, {2}, {1, 2, 3}));
  expect_error<IOError>([&] { io::read_idx(dir / "extra"); }, {"byte 10", "1 unexpected trailing bytes"});
  write_bytes(dir / "huge", idx_bytes(0x0E, {0x7fffffff, 0x7fffffff, 0x7fffffff}, {}));
  expect_error<IOError>([&] { io::read_idx(dir / "huge"); }, {"huge", "overflow"});
}

TEST(Gzip, TruncatedAndCorruptStreams) {
  std::vector<uint8_t> plain(5000);
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<uint8_t>(i * i);
  auto gz = io::detail::gzip_compress(plain);
  EXPECT_EQ(io::detail::gunzip(gz, "x.gz"), plain);
  std::vector<uint8_t> twice = gz;
  twice.insert(twice.end(), gz.begin(), gz.end());
  EXPECT_EQ(io::detail::gunzip(twice, "x.gz").size(), 2 * plain.size());
  std::vector<uint8_t> cut(gz.begin(), gz.begin() + gz.size() / 2);
  expect_error<IOError>([&] { io::detail::gunzip(cut, "cut.gz"); }, {"cut.gz", "truncated gzip"});
  std::vector<uint8_t> bad = gz;
  bad[12] ^= 0xff, bad[13] ^= 0xff, bad[20] ^= 0xff;
  expect_error<IOError>([&] { io::detail::gunzip(bad, "bad.gz"); }, {"bad.gz", "byte"});
  expect_error<IOError>([&] { io::detail::gunzip(plain, "plain.gz"); }, {"plain.gz", "byte 0", "not a gzip"});
  expect_error<IOError>([&] { io::detail::gunzip(gz, "cap.gz", 100); }, {"cap.gz", "inflates beyond 100"});
}

TEST(Tar, ParsesEntriesAndRejectsDamage) {
  // One ustar entry "d/f.bin" with 3 bytes, then the end-of-archive blocks.
  std::vector<uint8_t> tar(512 * 4, 0);
  std::string name = "d/f.bin";
  std::copy(name.begin(), name.end(), tar.begin());
  std::string size = "00000000003";
  std::copy(size.begin(), size.end(), tar.begin() + 124);
  tar[156] = '0';
  std::copy_n("ustar", 5, tar.begin() + 257);
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : tar[i];
  std::string chk = fmt::format("{:06o}", sum);
  std::copy(chk.begin(), chk.end(), tar.begin() + 148);
  tar[512] = 'a', tar[513] = 'b', tar[514] = 'c';
  auto entries = io::detail::parse_tar(tar, "a.tar");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "d/f.bin");
  EXPECT_EQ(entries[0].offset, 512u);
  EXPECT_EQ(entries[0].size, 3u);
  std::vector<uint8_t> bad = tar;
  bad[0] = 'X';
  expect_error<IOError>([&] { io::detail::parse_tar(bad, "b.tar"); }, {"b.tar", "byte 148", "checksum"});
  std::vector<uint8_t> cut(tar.begin(), tar.begin() + 600);
  expect_error<IOError>([&] { io::detail::parse_tar(cut, "c.tar"); }, {"c.tar", "truncated tar"});
}
