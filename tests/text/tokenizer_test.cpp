// tokenizer_test.cpp — the tokenizers against torchtext's rules run by Python (tests/golden/text.json,
// written by tests/golden/gen_text_golden.py), and nabla's documented limits of lowercasing.
#include "nabla/text/tokenizer.h"

#include <gtest/gtest.h>

#include "expect_error.h"
#include "golden/golden_json.h"

namespace nabla {
namespace {

using nabla::testing::expect_error;
using Tokens = std::vector<std::string>;

const nlohmann::json& cases() {
  static const nlohmann::json c = golden_io::load_json("text.json")["tokenizers"];
  return c;
}

TEST(Tokenizers, MatchTorchtextAndPython) {
  ASSERT_GE(cases().size(), 15u);
  for (const auto& c : cases()) {
    const std::string s = c["text"];
    EXPECT_EQ(text::basic_english_normalize(s), c["basic_english"].get<Tokens>()) << "basic_english of " << s;
    EXPECT_EQ(text::whitespace_tokenize(s), c["whitespace"].get<Tokens>()) << "whitespace of " << s;
    EXPECT_EQ(text::character_tokenize(s), c["character"].get<Tokens>()) << "character of " << s;
  }
}

TEST(Tokenizers, GetTokenizer) {
  EXPECT_EQ(text::get_tokenizer("basic_english")("Hello, World!"), (Tokens{"hello", ",", "world", "!"}));
  EXPECT_EQ(text::get_tokenizer("whitespace")("Hello, World!"), (Tokens{"Hello,", "World!"}));
  EXPECT_EQ(text::get_tokenizer("character")("añ"), (Tokens{"a", "ñ"}));
  expect_error<ValueError>([] { text::get_tokenizer("spacy"); },
                           {"get_tokenizer", "'spacy'", "basic_english"});
}

// Documented deviations: capitals outside ASCII, Latin-1, Latin Extended-A and basic Cyrillic are kept
// (Python lowercases Greek, with a final-sigma rule, and U+0130 to two code points); invalid UTF-8
// bytes pass through unchanged (Python could not have decoded the text at all).
TEST(Tokenizers, DocumentedLimits) {
  EXPECT_EQ(text::basic_english_normalize("ΣΟΦΙΑ İ"), (Tokens{"ΣΟΦΙΑ", "İ"}));
  const std::string bad =
      "A\xff"
      "B \xc3";
  EXPECT_EQ(text::basic_english_normalize(bad), (Tokens{"a\xff"
                                                        "b",
                                                        "\xc3"}));
  EXPECT_EQ(text::character_tokenize(bad), (Tokens{"A", "\xff", "B", " ", "\xc3"}));
  EXPECT_EQ(text::whitespace_tokenize("\xe2\x80 x"), (Tokens{"\xe2\x80", "x"}));  // a cut U+2003 is no space
}

}  // namespace
}  // namespace nabla
