// dictd dictionaries: a small index + dictionary written here (plain and gzip), the error cases, and
// Debian's freedict-eng-spa when it is installed (tools/install-deps --with-data).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <filesystem>
#include <string>

#include "io/formats.h"
#include "io_test_util.h"

using namespace nabla;
using nabla::io::test::Bytes;
using nabla::io::test::TempDir;
using nabla::io::test::throws_io_error;
using nabla::io::test::write_bytes;

namespace {
Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }
// "cat /kæt/\ngato\n" at 0 (16 bytes, æ is two), "dog\nperro, can\n" at 16 (15 bytes).
const std::string kDict = "cat /k\xc3\xa6t/\ngato\ndog\nperro, can\n";
}  // namespace

TEST(Dictd, ReadsEntriesPlainAndGzipped) {
  TempDir dir;
  // Offsets/lengths in dictd base64: 0 = "A", 16 = "Q", 15 = "P".
  write_bytes(dir.file("d.index"), bytes_of("00databaseshort\tA\tB\ncat\tA\tQ\ndog\tQ\tP\n"));
  write_bytes(dir.file("d.dict"), bytes_of(kDict));
  write_bytes(dir.file("d.dict.dz"), io::detail::gzip_compress(bytes_of(kDict)));
  for (const char* dict : {"d.dict", "d.dict.dz"}) {
    SCOPED_TRACE(dict);
    auto entries = io::read_dictd(dir.file("d.index"), dir.file(dict));
    ASSERT_EQ(entries.size(), 2u);  // the 00database entry is metadata
    EXPECT_EQ(entries[0].headword, "cat");
    EXPECT_EQ(entries[0].definition, "cat /k\xc3\xa6t/\ngato\n");
    EXPECT_EQ(entries[1].headword, "dog");
    EXPECT_EQ(entries[1].definition, "dog\nperro, can\n");
  }
}

TEST(Dictd, MalformedInputIsAnIOErrorNamingFileAndLine) {
  TempDir dir;
  write_bytes(dir.file("d.dict"), bytes_of(kDict));
  write_bytes(dir.file("tabs.index"), bytes_of("cat\tA\tQ\ndog Q P\n"));
  EXPECT_TRUE(throws_io_error([&] { io::read_dictd(dir.file("tabs.index"), dir.file("d.dict")); },
                              {"tabs.index", "line 2", "headword<TAB>offset<TAB>length"}));
  write_bytes(dir.file("b64.index"), bytes_of("cat\tA!\tQ\n"));
  EXPECT_TRUE(throws_io_error([&] { io::read_dictd(dir.file("b64.index"), dir.file("d.dict")); },
                              {"b64.index", "line 1", "base64"}));
  write_bytes(dir.file("past.index"), bytes_of("cat\tA\tQ\ndog\tQ\tQ\n"));  // 16 + 16 > 31 bytes
  EXPECT_TRUE(throws_io_error([&] { io::read_dictd(dir.file("past.index"), dir.file("d.dict")); },
                              {"past.index", "line 2", "'dog'", "past the end"}));
  write_bytes(dir.file("huge.index"), bytes_of("cat\t//////////\tQ\n"));  // 2^60 - 1
  EXPECT_TRUE(throws_io_error([&] { io::read_dictd(dir.file("huge.index"), dir.file("d.dict")); },
                              {"huge.index", "past the end"}));
  write_bytes(dir.file("bad.dict.dz"), Bytes{0x1f, 0x8b, 8, 0, 1, 2, 3});
  EXPECT_TRUE(throws_io_error([&] { io::read_dictd(dir.file("past.index"), dir.file("bad.dict.dz")); },
                              {"bad.dict.dz"}));
  EXPECT_TRUE(throws_io_error([&] { io::read_dictd(dir.file("missing.index"), dir.file("d.dict")); },
                              {"missing.index"}));
}

TEST(Dictd, DebiansFreedictEngSpaWhenInstalled) {
  const std::string idx = "/usr/share/dictd/freedict-eng-spa.index",
                    dict = "/usr/share/dictd/freedict-eng-spa.dict.dz";
  if (!std::filesystem::exists(idx) || !std::filesystem::exists(dict))
    GTEST_SKIP() << "dict-freedict-eng-spa is not installed";
  auto entries = io::read_dictd(idx, dict);
  EXPECT_GT(entries.size(), 5000u);
  bool found = false;
  for (const auto& e : entries)
    if (e.headword == "abbey")
      found = e.definition.find(
                  "abad\xc3\xad"
                  "a") != std::string::npos;
  EXPECT_TRUE(found) << "abbey -> abadía";
}
