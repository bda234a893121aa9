// nabla/text/text.h compiles on its own and gives nabla::text.
#include <gtest/gtest.h>

#include "nabla/text/text.h"

TEST(UmbrellaText, TokenizerVocabCollate) {
  auto tokens = nabla::text::get_tokenizer("basic_english")("Hello, world.");
  nabla::text::Vocab v =
      nabla::text::build_vocab_from_iterator({tokens}, {.specials = nabla::text::kSpecials});
  EXPECT_EQ(v.size(), 8);
  EXPECT_TRUE(static_cast<bool>(nabla::text::pad_collate(v["<pad>"])));
}
