// checkpoint_test.cpp — checksummed checkpoints: the golden checkpoint (checksum computed independently
// by tests/golden/gen_safetensors_golden.py), every truncation and every single-bit flip refused, atomic
// writes and the cleanup of stale temporary files.
#include "nabla/io/checkpoint.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "io/atomic_file.h"
#include "io/io_test_util.h"
#include "io/safetensors_golden.h"
#include "nabla/ops/ops.h"

namespace nabla::io::test {
namespace {

TEST(Checkpoint, ReadsAndWritesTheGoldenCheckpoint) {
  SafetensorsFile f = load_checkpoint(golden_path("checkpoint.safetensors"));
  EXPECT_TRUE(f.checksum_verified);
  EXPECT_TRUE(same_tensors(f.tensors, golden_tensors()));
  EXPECT_EQ(f.metadata, golden_metadata());  // the checksum key is removed
  // Byte for byte what the script wrote, checksum included.
  TempDir dir;
  save_checkpoint(dir.file("c.safetensors"), golden_tensors(), golden_metadata());
  EXPECT_EQ(read_bytes(dir.file("c.safetensors")), read_bytes(golden_path("checkpoint.safetensors")));
  // A checkpoint is a plain safetensors file too.
  SafetensorsFile plain = load_safetensors(dir.file("c.safetensors"));
  EXPECT_FALSE(plain.checksum_verified);
  EXPECT_EQ(plain.metadata.count(kChecksumKey), 1u);
}

TEST(Checkpoint, LoadsFilesWithoutAChecksum) {
  SafetensorsFile f = load_checkpoint(golden_path("reference.safetensors"));
  EXPECT_FALSE(f.checksum_verified);
  EXPECT_TRUE(same_tensors(f.tensors, golden_tensors()));
}

TEST(Checkpoint, RoundTrip) {
  TempDir dir;
  manual_seed(5);
  NamedTensors in = {
      {"w", randn({64, 32})}, {"b", randn({32}, {.dtype = kFloat64})}, {"n", randint(0, 9, {5})}};
  Metadata meta = {{"epoch", "3"}, {"config", R"({"lr": 0.001, "model": "mlp"})"}};
  save_checkpoint(dir.file("c.safetensors"), in, meta);
  SafetensorsFile out = load_checkpoint(dir.file("c.safetensors"));
  EXPECT_TRUE(out.checksum_verified);
  EXPECT_TRUE(same_tensors(out.tensors, in));
  EXPECT_EQ(out.metadata, meta);
  EXPECT_THROW(save_checkpoint(dir.file("d.safetensors"), in, {{kChecksumKey, "x"}}), ValueError);
}

TEST(Checkpoint, RefusesEveryTruncation) {
  TempDir dir;
  Bytes full = read_bytes(golden_path("checkpoint.safetensors"));
  std::string path = dir.file("cut.safetensors");
  for (size_t size = 0; size < full.size(); ++size) {
    write_bytes(path, Bytes(full.begin(), full.begin() + static_cast<long>(size)));
    EXPECT_TRUE(throws_io_error([&] { load_checkpoint(path); }, {path}))
        << "truncated to " << size << " bytes";
  }
}

// Every single-bit flip anywhere in the file — length field, JSON header, padding, checksum, data — is
// refused: either the header no longer parses or validates, or the checksum no longer matches.
TEST(Checkpoint, RefusesEveryBitFlip) {
  TempDir dir;
  const Bytes good = read_bytes(golden_path("checkpoint.safetensors"));
  std::string path = dir.file("flip.safetensors");
  int checksum_refusals = 0;
  for (size_t byte = 0; byte < good.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = good;
      bad[byte] = static_cast<uint8_t>(bad[byte] ^ (1u << bit));
      write_bytes(path, bad);
      try {
        load_checkpoint(path);
        ADD_FAILURE() << "flip of bit " << bit << " of byte " << byte << " was not detected";
      } catch (const IOError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find(path), std::string::npos) << msg;
        checksum_refusals += msg.find("checksum") != std::string::npos;
      }
    }
  }
  // Flips in the data can only be caught by the checksum (103 data bytes here).
  EXPECT_GE(checksum_refusals, 103 * 8);
}

TEST(Checkpoint, ChecksumMismatchMessage) {
  TempDir dir;
  std::string path = dir.file("c.safetensors");
  save_checkpoint(path, {{"w", ones({1000})}});
  Bytes bytes = read_bytes(path);
  bytes[bytes.size() - 1000] ^= 0x10;
  write_bytes(path, bytes);
  EXPECT_TRUE(throws_io_error([&] { load_checkpoint(path); }, {path, "checksum mismatch", "corrupted"}));
  EXPECT_NO_THROW(load_safetensors(path));  // the format itself is intact
}

TEST(Checkpoint, RefusesForeignAndGarbageFiles) {
  TempDir dir;
  std::string path = dir.file("g.safetensors");
  write_bytes(path, Bytes{'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(throws_io_error([&] { load_checkpoint(path); }, {path, "byte 0"}));
  write_bytes(path, Bytes(4096, 0xff));
  EXPECT_TRUE(throws_io_error([&] { load_checkpoint(path); }, {path, "byte 0", "exceeds the limit"}));
  Bytes bad_sum = read_bytes(golden_path("checkpoint.safetensors"));
  std::string text(bad_sum.begin(), bad_sum.end());
  size_t at = text.find("crc32c:");
  ASSERT_NE(at, std::string::npos);
  bad_sum[at] = 'x';  // "xrc32c:..."
  write_bytes(path, bad_sum);
  EXPECT_TRUE(throws_io_error([&] { load_checkpoint(path); }, {path, "not of the form crc32c"}));
}

TEST(AtomicWrite, ReplacesTheFileAndLeavesNoTemporary) {
  TempDir dir;
  std::string path = dir.file("f.txt");
  atomic_write_file(path, std::string_view("first"));
  atomic_write_file(path, std::string_view("second version"));
  std::string got;
  for (uint8_t c : read_bytes(path)) got.push_back(static_cast<char>(c));
  EXPECT_EQ(got, "second version");
  const std::vector<uint8_t> raw = {0, 1, 2, 255};
  atomic_write_file(path, std::span<const uint8_t>(raw));
  EXPECT_EQ(read_bytes(path), raw);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"f.txt"});
  EXPECT_TRUE(throws_io_error([&] { atomic_write_file(dir.file("missing/f.txt"), std::string_view("x")); },
                              {dir.file("missing/f.txt")}));
  EXPECT_TRUE(throws_io_error([&] { atomic_write_file("", std::string_view("x")); }, {"empty path"}));
}

TEST(AtomicWrite, AnUncommittedFileLeavesTheTargetAlone) {
  TempDir dir;
  std::string path = dir.file("f.bin");
  atomic_write_file(path, std::string_view("old"));
  {
    detail::AtomicFile f(path);
    f.write("new contents", 12);
    EXPECT_EQ(detail::temp_file_pid(std::filesystem::path(f.temp_path()).filename().string(), "f.bin"),
              static_cast<long>(::getpid()));
  }  // destroyed without commit(): as if an exception interrupted the write
  EXPECT_EQ(read_bytes(path), (Bytes{'o', 'l', 'd'}));
  EXPECT_EQ(dir.list(), std::vector<std::string>{"f.bin"});
}

TEST(AtomicWrite, TemporaryNames) {
  EXPECT_EQ(detail::temp_file_pid("m.st.tmp.123.0", "m.st"), 123);
  EXPECT_EQ(detail::temp_file_pid("m.st.tmp.123.45", "m.st"), 123);
  EXPECT_EQ(detail::temp_file_pid("m.st", "m.st"), -1);
  EXPECT_EQ(detail::temp_file_pid("m.st.tmp.", "m.st"), -1);
  EXPECT_EQ(detail::temp_file_pid("m.st.tmp.12", "m.st"), -1);
  EXPECT_EQ(detail::temp_file_pid("m.st.tmp.12.", "m.st"), -1);
  EXPECT_EQ(detail::temp_file_pid("m.st.tmp..1", "m.st"), -1);
  EXPECT_EQ(detail::temp_file_pid("m.st.tmp.1x.1", "m.st"), -1);
  EXPECT_EQ(detail::temp_file_pid("m.st.tmp.99999999999999999999.1", "m.st"), -1);
  EXPECT_EQ(detail::temp_file_pid("other.tmp.1.1", "m.st"), -1);
}

// A temporary left by a dead writer is removed by the next successful write; those of live processes
// (ourselves, pid 1) and unrelated files are kept.
TEST(AtomicWrite, RemovesStaleTemporaries) {
  TempDir dir;
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);  // reaped: its pid no longer exists
  std::string path = dir.file("ck.safetensors");
  const std::string dead = fmt::format("ck.safetensors.tmp.{}.0", child);
  const std::string live = fmt::format("ck.safetensors.tmp.{}.7", ::getpid());
  for (const auto& name :
       {dead, live, std::string("ck.safetensors.tmp.1.0"), std::string("ck.safetensors.bak")})
    write_bytes(dir.file(name), Bytes{1, 2, 3});
  save_checkpoint(path, {{"x", ones({2})}});
  std::vector<std::string> want = {"ck.safetensors", "ck.safetensors.bak", "ck.safetensors.tmp.1.0", live};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(dir.list(), want);
}

}  // namespace
}  // namespace nabla::io::test
