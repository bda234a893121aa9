// pt_adversarial_test.cpp — hostile and damaged .pt files: every one is an IOError naming the file (and
// the record and byte offset), never a crash, a huge allocation, or code run. Truncations and bit flips
// of PyTorch's own files, globals like os.system, lying storage sizes and offsets, deep nesting, cycles,
// shared data that expands exponentially, duplicate keys, and the legacy format's counts.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <filesystem>

#include "io/io_test_util.h"
#include "io/pt_test_util.h"

namespace nabla::io::test {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}
std::string f32(std::vector<float> v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}

// Loading `pickle` (with `records`) fails with an IOError whose message has every piece.
::testing::AssertionResult refused(const std::string& pickle, const std::vector<std::string>& pieces,
                                   const std::vector<std::pair<std::string, std::string>>& records = {}) {
  TempDir dir;
  write_pt(dir.file("evil.pt"), pickle, records);
  std::vector<std::string> all = pieces;
  all.push_back("evil.pt");
  return throws_io_error([&] { load_pt(dir.file("evil.pt")); }, all);
}

TEST(PtAdversarial, EveryTruncationIsRefused) {
  TempDir dir;
  for (const char* name : {"tensor.pt", "legacy.pt", "sgd.pt"}) {
    const Bytes full = read_bytes(pt_golden(name));
    for (size_t n = 0; n < full.size(); ++n) {
      write_bytes(dir.file("cut.pt"), Bytes(full.begin(), full.begin() + static_cast<ptrdiff_t>(n)));
      EXPECT_TRUE(throws_io_error([&] { load_pt(dir.file("cut.pt")); }, {"cut.pt"}))
          << name << " cut at " << n;
    }
  }
}

// Every record carries a CRC-32 that libzip checks; headers outside them are cross-checked. A flip is
// refused, or changes nothing that is loaded (a timestamp, padding).
TEST(PtAdversarial, EveryBitFlipIsRefusedOrHarmless) {
  TempDir dir;
  const Bytes full = read_bytes(pt_golden("tensor.pt"));
  int refused_count = 0;
  for (size_t i = 0; i < full.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      Bytes b = full;
      b[i] ^= static_cast<uint8_t>(1 << bit);
      write_bytes(dir.file("flip.pt"), b);
      try {
        EXPECT_TRUE(matches(load_pt(dir.file("flip.pt")), pt_expected().at("tensor"))) << "byte " << i;
      } catch (const IOError&) {
        ++refused_count;
      }
    }
  EXPECT_GT(refused_count, static_cast<int>(full.size()));  // most flips are caught
}

TEST(PtAdversarial, WrongMagicOrEmptyFile) {
  TempDir dir;
  write_bytes(dir.file("empty.pt"), {});
  EXPECT_TRUE(
      throws_io_error([&] { load_pt(dir.file("empty.pt")); }, {"empty.pt", "byte 0", "not a PyTorch file"}));
  write_bytes(dir.file("text.pt"), Bytes(100, 'x'));
  EXPECT_TRUE(throws_io_error([&] { load_pt(dir.file("text.pt")); }, {"text.pt", "not a PyTorch file"}));
  EXPECT_TRUE(
      throws_io_error([&] { load_pt(NABLA_SOURCE_DIR "/tests/golden/safetensors/reference.safetensors"); },
                      {"reference.safetensors", "a safetensors file"}));
  EXPECT_TRUE(throws_io_error([&] { load_pt(dir.path()); }, {"not a regular file"}));
  EXPECT_TRUE(throws_io_error([&] { load_pt(dir.file("missing.pt")); }, {"missing.pt", "cannot open"}));
  ASSERT_EQ(::mkfifo(dir.file("fifo.pt").c_str(), 0600), 0);
  EXPECT_TRUE(throws_io_error([&] { load_pt(dir.file("fifo.pt")); }, {"fifo.pt", "not a regular file"}));
}

// The classic payloads: never run, refused at the GLOBAL naming it, whatever follows.
TEST(PtAdversarial, DisallowedGlobalsAreRefusedByName) {
  TempDir dir;
  const std::string marker = dir.file("pwned");
  const std::string cmd = "touch " + marker;
  const std::string arg = bytes({'X'}) + std::string(4, '\0') + cmd;
  std::string with_len = arg;
  with_len[1] = static_cast<char>(cmd.size());
  EXPECT_TRUE(refused(bytes({0x80, 2}) + "cos\nsystem\n" + with_len + bytes({0x85, 'R', '.'}),
                      {"data.pkl: byte 2", "global 'os.system' is not allowed"}));
  EXPECT_TRUE(refused(bytes({0x80, 2}) + "cposix\nsystem\n" + with_len + bytes({0x85, 'R', '.'}),
                      {"'posix.system'"}));
  // Protocol 4: STACK_GLOBAL from two strings.
  EXPECT_TRUE(refused(bytes({0x80, 4, 0x8c, 8}) + "builtins" + bytes({0x8c, 4}) + "eval" +
                          bytes({0x93, 0x8c, 1, '1', 0x85, 'R', '.'}),
                      {"global 'builtins.eval' is not allowed"}));
  EXPECT_TRUE(refused(bytes({0x80, 2}) + "c__builtin__\ngetattr\n)R.", {"'__builtin__.getattr'"}));
  // Allowed module, other name; and a storage class called as a function.
  EXPECT_TRUE(
      refused(bytes({0x80, 2}) + "ctorch._utils\n_rebuild_device_tensor_from_numpy\n.", {"not allowed"}));
  EXPECT_TRUE(refused(bytes({0x80, 2}) + "ctorch\nFloatStorage\n)R.", {"cannot be called"}));
  // Instances and extension codes.
  EXPECT_TRUE(refused(bytes({0x80, 2, ')', ')', 0x81, '.'}), {"class instance"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 0x82, 1, '.'}), {"extension registry"}));
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(PtAdversarial, StorageSizesAreCheckedAgainstTheArchive) {
  const auto t = [](int64_t numel, int64_t offset, std::vector<int64_t> sizes, std::vector<int64_t> strides) {
    return tensor_pickle("FloatStorage", "0", numel, offset, sizes, strides);
  };
  const std::vector<std::pair<std::string, std::string>> six = {{"archive/data/0", f32({1, 2, 3, 4, 5, 6})}};
  TempDir dir;
  write_pt(dir.file("ok.pt"), t(6, 4, {2}, {1}), six);
  EXPECT_EQ(load_pt(dir.file("ok.pt")).to_tensor().sum().item<double>(), 11.0);
  EXPECT_TRUE(refused(t(7, 0, {2}, {1}),
                      {"storage '0' is torch.FloatStorage of 7 elements (28 bytes)", "has 24 bytes"}, six));
  EXPECT_TRUE(refused(t(6, 0, {2}, {1}), {"storage '0' has no record archive/data/0"}));
  EXPECT_TRUE(refused(t(6, 5, {2}, {1}),
                      {"data.pkl: byte ", "reads past the end of its storage of 6 elements"}, six));
  EXPECT_TRUE(refused(t(6, 0, {2, 3}, {3, 2}), {"reads past the end"}, six));
  EXPECT_TRUE(refused(t(6, 7, {0}, {1}), {"reads past the end"}, six));
  EXPECT_TRUE(refused(t(6, -1, {2}, {1}), {"negative storage offset"}, six));
  EXPECT_TRUE(refused(t(6, 0, {-2}, {1}), {"negative size or stride"}, six));
  EXPECT_TRUE(refused(t(6, 0, {2}, {-1}), {"negative size or stride"}, six));
  EXPECT_TRUE(refused(t(6, 0, {int64_t{1} << 62, int64_t{1} << 62}, {1, 1}), {"overflows"}, six));
  EXPECT_TRUE(refused(t(6, 0, {1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1, 1}), {"rank 9"}, six));
  EXPECT_TRUE(refused(t(6, 0, {2, 3}, {1}), {"2 sizes but 1 strides"}, six));
  // A storage claiming far more than the file: refused before anything is allocated.
  EXPECT_TRUE(refused(t(int64_t{1} << 60, 0, {1}, {1}), {"more than the file holds"}, six));
  EXPECT_TRUE(refused(t(-6, 0, {1}, {1}), {"negative element count"}, six));
  EXPECT_TRUE(refused(tensor_pickle("ComplexFloatStorage", "0", 6, 0, {1}, {1}),
                      {"'torch.ComplexFloatStorage' is not "
                       "allowed"},
                      six));
}

TEST(PtAdversarial, DeepNestingIsRefused) {
  std::string ok = bytes({0x80, 2}), deep = ok;
  for (int i = 0; i < 99; ++i) ok += "]";
  for (int i = 0; i < 98; ++i) ok += "a";
  ok += ".";
  EXPECT_NO_THROW(
      detail::unpickle({reinterpret_cast<const uint8_t*>(ok.data()), ok.size()}, "ok", 0, nullptr))
      << "99 levels";
  for (int i = 0; i < 100000; ++i) deep += "]";
  for (int i = 0; i < 99999; ++i) deep += "a";
  EXPECT_TRUE(refused(deep + ".", {"nested deeper than 100 levels"}));
  std::string tuples = bytes({0x80, 2, 'N'});
  for (int i = 0; i < 1000; ++i) tuples += bytes({0x85});
  EXPECT_TRUE(refused(tuples + ".", {"nested deeper than 100 levels"}));
}

TEST(PtAdversarial, DuplicateKeysAreRefused) {
  const std::string a = bytes({'X', 1, 0, 0, 0, 'a'});
  EXPECT_TRUE(
      refused(bytes({0x80, 2, '}', '('}) + a + "K\x01" + a + "K\x02u.", {"the dict key 'a' appears twice"}));
  EXPECT_TRUE(
      refused(bytes({0x80, 2, '}', 'K', 5, 'N', 's', 'K', 5, 'N', 's', '.'}), {"key 5 appears twice"}));
  EXPECT_TRUE(
      refused(bytes({0x80, 2}) + "ccollections\nOrderedDict\n](" + a + "N\x86" + a + "N\x86" + "e\x85R.",
              {"'a' appears twice"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, '}', ']', 'N', 's', '.'}), {"a dict key is a list"}));
}

TEST(PtAdversarial, CyclesAndExponentialSharingAreRefused) {
  // l = []; l.append(l)
  EXPECT_TRUE(refused(bytes({0x80, 2, ']', 'q', 0, 'h', 0, 'a', '.'}), {"cannot contain itself"}));
  // a = []; b = [a]; a.append(b): a is frozen once inside b.
  EXPECT_TRUE(refused(bytes({0x80, 2, ']', 'q', 0, ']', 'h', 0, 'a', 'a', '.'}), {"already used elsewhere"}));
  // Billion laughs: each level a list of 10 references to the previous one (10^30 values expanded).
  std::string laughs = bytes({0x80, 2, 'N', 'q', 0});
  for (int level = 1; level <= 30; ++level) {
    laughs += "](";
    for (int k = 0; k < 10; ++k) laughs += bytes({'h', level - 1});
    laughs += bytes({'e', 'q', level});
  }
  EXPECT_TRUE(refused(laughs + ".", {"expands to more than"}));
  // Plain volume: 3 million Nones.
  std::string many = bytes({0x80, 2, ']', '('}) + std::string(3'000'000, 'N') + "e.";
  EXPECT_TRUE(refused(many, {"more than 2097152 values"}));
}

TEST(PtAdversarial, MalformedOpcodesAreRefused) {
  EXPECT_TRUE(refused(bytes({0x80, 2, 'h', 3, '.'}), {"byte 2", "memo entry 3, which was never PUT"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 'R', '.'}), {"REDUCE on an empty stack"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 'N', 'N', '.'}), {"more than the result"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 'N'}), {"without a STOP"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 'X', 0xff, 0xff, 0xff, 0xff, 'a', '.'}), {"needs 4294967295 bytes"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 0x8b, 0, 0, 0, 0x40, '.'}), {"does not fit in 64 bits"}));
  EXPECT_TRUE(
      refused(bytes({0x80, 2, 0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, '.'}), {"does not fit in 64 bits"}));
  EXPECT_TRUE(refused(bytes({0x80, 9, 'N', '.'}), {"protocol 9"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 0xff, '.'}), {"opcode 0xff"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 'X', 2, 0, 0, 0, 0xc3, 0x28, '.'}), {"not valid UTF-8"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 'e', '.'}), {"APPENDS without a MARK"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 'N', '(', 'a', '.'}), {"APPEND on an empty stack"}));
  EXPECT_TRUE(refused(bytes({0x80, 2, 'N', 'N', 'a', '.'}), {"APPEND on a None"}));
  EXPECT_TRUE(refused(bytes({0x80, 3, 'C', 1, 'x', '.'}), {"bytes objects"}));
}

TEST(PtAdversarial, ZipStructureIsChecked) {
  TempDir dir;
  const std::string pickle = tensor_pickle("FloatStorage", "0", 1, 0, {}, {});
  const std::vector<detail::ZipRecord> no_prefix = {{"data.pkl", pickle.data(), pickle.size()}};
  detail::write_pt_zip(dir.file("flat.pt"), no_prefix);
  EXPECT_TRUE(throws_io_error([&] { load_pt(dir.file("flat.pt")); }, {"flat.pt", "not in a folder"}));
  write_pt(dir.file("nover.pt"), pickle, {{"archive/data/0", f32({1})}}, /*with_version=*/false);
  EXPECT_TRUE(
      throws_io_error([&] { load_pt(dir.file("nover.pt")); }, {"nover.pt", "no record archive/version"}));
  write_pt(dir.file("big.pt"), pickle, {{"archive/data/0", f32({1})}, {"archive/byteorder", "big"}});
  EXPECT_TRUE(throws_io_error([&] { load_pt(dir.file("big.pt")); },
                              {"big.pt", "archive/byteorder", "little-endian"}));
  // A compressed record could claim any size: refused (torch.save stores records).
  const std::string data = f32({1});
  int err = 0;
  zip_t* za = zip_open(dir.file("deflate.pt").c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(za, nullptr);
  const std::vector<std::pair<std::string, std::string>> records = {
      {"archive/data.pkl", pickle}, {"archive/data/0", data}, {"archive/version", "3\n"}};
  for (const auto& [name, b] : records) {
    const zip_int64_t i = zip_file_add(za, name.c_str(), zip_source_buffer(za, b.data(), b.size(), 0), 0);
    zip_set_file_compression(za, static_cast<zip_uint64_t>(i), ZIP_CM_DEFLATE, 9);
  }
  ASSERT_EQ(zip_close(za), 0);
  EXPECT_TRUE(throws_io_error([&] { load_pt(dir.file("deflate.pt")); }, {"deflate.pt", "compressed"}));
}

TEST(PtAdversarial, BoolBytesAndGradFlags) {
  TempDir dir;
  write_pt(dir.file("b.pt"), tensor_pickle("BoolStorage", "0", 3, 0, {3}, {1}),
           {{"archive/data/0", bytes({0, 2, 255})}});
  const Tensor b = load_pt(dir.file("b.pt")).to_tensor();
  EXPECT_EQ(b.to(kInt64).sum().item<int64_t>(), 2);  // any non-zero byte is true (and stored as 1)
  std::string pickle = tensor_pickle("LongStorage", "0", 1, 0, {}, {});
  pickle[pickle.find('\x89')] = '\x88';  // requires_grad=True on an integer tensor
  EXPECT_TRUE(refused(pickle, {"int64 tensor requires grad"}, {{"archive/data/0", std::string(8, '\0')}}));
}

// The legacy format: the element counts in front of each storage must be the pickle's.
TEST(PtAdversarial, LegacyCountsAreChecked) {
  TempDir dir;
  const Bytes full = read_bytes(pt_golden("legacy.pt"));
  write_bytes(dir.file("trail.pt"), [&] {
    Bytes b = full;
    b.push_back(0);
    return b;
  }());
  EXPECT_TRUE(
      throws_io_error([&] { load_pt(dir.file("trail.pt")); }, {"trail.pt", "1 unexpected bytes after"}));
  // The int8 storage: its count (2, as int64) and its elements -3, 4.
  const Bytes pattern = {2, 0, 0, 0, 0, 0, 0, 0, 0xfd, 4};
  const auto at = std::search(full.begin(), full.end(), pattern.begin(), pattern.end());
  ASSERT_NE(at, full.end());
  const auto count_at = static_cast<size_t>(at - full.begin());
  Bytes b = full;
  b[count_at] = 3;
  write_bytes(dir.file("count.pt"), b);
  EXPECT_TRUE(throws_io_error(
      [&] { load_pt(dir.file("count.pt")); },
      {"count.pt", "byte " + std::to_string(count_at), "has 3 elements here, but the data says 2"}));
}

}  // namespace
}  // namespace nabla::io::test
