// tokenizer.h — torchtext's tokenizers: get_tokenizer("basic_english"), whitespace splitting (torchtext's
// get_tokenizer(None), Python's str.split()) and one token per character. Text is UTF-8.
//
//   text::Tokenizer tok = text::get_tokenizer("basic_english");
//   tok("You can't stop.<br />Really!")  // {"you", "can", "'", "t", "stop", ".", "really", "!"}
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace nabla::text {

using Tokenizer = std::function<std::vector<std::string>(std::string_view)>;

// torchtext's _basic_english_normalize: lowercase, then these substitutions in this order, then split
// on whitespace:  '  -> " '  "    "  -> ""      .  -> " . "    <br />  -> " "
//                 ,  -> " , "     (  -> " ( "   )  -> " ) "    !  -> " ! "    ?  -> " ? "
//                 ;  -> " "       :  -> " "     whitespace runs -> " "
// Lowercasing covers ASCII, Latin-1, Latin Extended-A and basic Cyrillic capitals (Python's str.lower()
// on those; other scripts' capitals are kept). Whitespace is Python's: ASCII's, U+001C..U+001F and
// Unicode's spaces (U+00A0, U+2000..U+200A, U+3000, ...). Invalid UTF-8 bytes pass through.
std::vector<std::string> basic_english_normalize(std::string_view line);
// Python's str.split(): runs of whitespace (as above) separate tokens; no empty tokens.
std::vector<std::string> whitespace_tokenize(std::string_view line);
// Python's list(str): one token per code point (an invalid UTF-8 byte is a token of its own).
std::vector<std::string> character_tokenize(std::string_view line);

// "basic_english", "whitespace" or "character"; ValueError naming the choices otherwise.
Tokenizer get_tokenizer(const std::string& name);

}  // namespace nabla::text
