// vocab_test.cpp — Vocab: build_vocab_from_iterator against torchtext's ordering (tests/golden/text.json),
// lookups and their errors, numericalize, and the file format (round trip, atomic write, malformed files
// named by line).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "expect_error.h"
#include "golden/golden_json.h"
#include "nabla/nabla.h"

namespace nabla {
namespace {

using nabla::testing::expect_error;
using Tokens = std::vector<std::string>;
namespace fs = std::filesystem;

TEST(Vocab, BuildMatchesTorchtext) {
  const auto cases = golden_io::load_json("text.json")["vocabs"];
  ASSERT_GE(cases.size(), 6u);
  for (const auto& c : cases) {
    const auto& o = c["options"];
    text::VocabOptions opts;
    if (o.contains("min_freq")) opts.min_freq = o["min_freq"];
    if (o.contains("specials")) opts.specials = o["specials"].get<Tokens>();
    if (o.contains("special_first")) opts.special_first = o["special_first"];
    if (o.contains("max_tokens")) opts.max_tokens = o["max_tokens"].get<int64_t>();
    text::Vocab v = text::build_vocab_from_iterator(c["corpus"].get<std::vector<Tokens>>(), opts);
    EXPECT_EQ(v.get_itos(), c["itos"].get<Tokens>()) << c["name"];
  }
}

TEST(Vocab, LookupsAndDefaultIndex) {
  text::Vocab v = text::build_vocab_from_iterator({{"b", "a", "b"}}, {.specials = text::kSpecials});
  EXPECT_EQ(v.get_itos(), (Tokens{"<unk>", "<pad>", "<sos>", "<eos>", "b", "a"}));
  EXPECT_EQ(v["a"], 5);
  EXPECT_TRUE(v.contains("b"));
  EXPECT_FALSE(v.contains("zzz"));
  expect_error<IndexError>([&] { v["zzz"]; }, {"'zzz'", "default index is not set"});
  v.set_default_index(v["<unk>"]);
  EXPECT_EQ(v["zzz"], 0);
  EXPECT_EQ(v({"a", "zzz", "b"}), (std::vector<int64_t>{5, 0, 4}));
  EXPECT_EQ(v.lookup_tokens({4, 5}), (Tokens{"b", "a"}));
  expect_error<IndexError>([&] { v.lookup_token(6); }, {"index 6", "[0, 6)"});
  expect_error<IndexError>([&] { v.set_default_index(9); }, {"index 9", "6 tokens"});
  v.set_default_index(std::nullopt);
  EXPECT_FALSE(v.get_default_index().has_value());
  Tensor ids = text::numericalize(v, {"b", "a"});
  EXPECT_EQ(ids.dtype(), kInt64);
  EXPECT_EQ(ids.to_vector(), (std::vector<double>{4, 5}));
}

TEST(Vocab, InsertAndAppend) {
  text::Vocab v(Tokens{"x", "y"});
  v.insert_token("w", 0);
  v.append_token("z");
  EXPECT_EQ(v.get_itos(), (Tokens{"w", "x", "y", "z"}));
  EXPECT_EQ(v["y"], 2);
  EXPECT_EQ(v.get_stoi().at("z"), 3);
  expect_error<ValueError>([&] { v.append_token("x"); }, {"'x'", "already exists at index 1"});
  expect_error<IndexError>([&] { v.insert_token("q", 5); }, {"index 5", "[0, 4]"});
  expect_error<ValueError>([] { text::Vocab(Tokens{"a", "b", "a"}); }, {"duplicate token 'a'", "0 and 2"});
}

TEST(Vocab, OptionErrors) {
  expect_error<ValueError>([] { text::build_vocab_from_iterator({{"a"}}, {.min_freq = 0}); }, "min_freq");
  expect_error<ValueError>(
      [] { text::build_vocab_from_iterator({{"a"}}, {.specials = text::kSpecials, .max_tokens = 4}); },
      {"max_tokens = 4", "4 specials"});
}

class VocabFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nabla_vocab_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  fs::path dir_;
};

TEST_F(VocabFile, RoundTripsAnyToken) {
  text::Vocab v(Tokens{"<unk>", " ", "\n", "back\\slash", "\r", "tab\there", "", "ü", "\\n"});
  v.set_default_index(0);
  const std::string p = (dir_ / "v.vocab").string();
  v.save(p);
  text::Vocab w = text::Vocab::load(p);
  EXPECT_EQ(w.get_itos(), v.get_itos());
  EXPECT_EQ(w.get_default_index(), std::optional<int64_t>(0));
  // The format is the documented text, nothing else beside it (no temporary left behind).
  std::ifstream in(p, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(
      bytes,
      "nabla-vocab 1\nsize 9\ndefault_index 0\n<unk>\n \n\\n\nback\\\\slash\n\\r\ntab\there\n\nü\n\\\\n\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
  text::Vocab none(Tokens{"a"});
  none.save(p);  // replaces the file
  EXPECT_FALSE(text::Vocab::load(p).get_default_index().has_value());
}

TEST_F(VocabFile, MalformedFilesNameTheLine) {
  const std::string ok = "nabla-vocab 1\nsize 2\ndefault_index none\n";
  auto bad = [&](const std::string& bytes, std::vector<std::string> needles) {
    const std::string p = write("bad.vocab", bytes);
    needles.push_back(p);
    expect_error<IOError>([&] { text::Vocab::load(p); }, needles);
  };
  bad("", {"line 1", "ends before the header"});
  bad("{\"itos\": []}\n", {"line 1", "not a nabla vocab file"});
  bad("nabla-vocab 1\nsize two\n", {"line 2", "non-negative integer", "'two'"});
  bad("nabla-vocab 1\nsize -1\n", {"line 2", "non-negative integer"});
  bad("nabla-vocab 1\nsize 2\ndefault 0\n", {"line 3", "default_index"});
  bad(ok + "a\nb\nc\n", {"line 6", "more tokens than the header's size 2"});
  bad(ok + "a\n", {"after 1 tokens", "size 2"});
  bad(ok + "a\na\n", {"line 5", "duplicate token 'a'", "first at line 4"});
  bad(ok + "a\nb\\x\n", {"line 5", "bad escape at column 2"});
  bad(ok + "a\r\nb\r\n", {"line 4", "carriage return"});
  bad(ok + "a\nb", {"line 5", "no newline", "truncated"});
  bad("nabla-vocab 1\nsize 2\ndefault_index 2\na\nb\n", {"line 3", "default_index 2 is out of range"});
  expect_error<IOError>([&] { text::Vocab::load((dir_ / "missing.vocab").string()); },
                        {"cannot open", "missing"});
}

}  // namespace
}  // namespace nabla
