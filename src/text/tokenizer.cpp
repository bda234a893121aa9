// tokenizer.cpp — basic_english, whitespace and character tokenizers (torchtext's rules, Python's
// notions of lowercase and whitespace; see tokenizer.h).
#include "nabla/text/tokenizer.h"

#include "text/utf8.h"
#include "util/check.h"

namespace nabla::text {

namespace {

// Python's str.split() with `is_token` deciding which code points are one-character tokens of their own
// and `is_separator` which ones only separate.
template <typename Single, typename Separator>
std::vector<std::string> split(std::string_view s, Single is_single, Separator is_separator) {
  std::vector<std::string> tokens;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) tokens.push_back(std::move(cur)), cur.clear();
  };
  for (size_t i = 0; i < s.size();) {
    const detail::CodePoint c = detail::decode(s, i);
    if (c.cp >= 0 && detail::is_space(c.cp)) {
      flush();
    } else if (is_separator(c.cp)) {
      flush();
    } else if (is_single(c.cp)) {
      flush();
      tokens.emplace_back(s.substr(i, c.size));
    } else {
      cur.append(s.substr(i, c.size));
    }
    i += c.size;
  }
  flush();
  return tokens;
}

// Replaces every non-overlapping `from`, left to right (Python's re.sub on a literal).
std::string replace_all(const std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  size_t start = 0;
  for (size_t pos; (pos = s.find(from, start)) != std::string::npos; start = pos + from.size())
    out.append(s, start, pos - start).append(to);
  return out.append(s, start, std::string::npos);
}

}  // namespace

// Note [basic_english in three passes]
// torchtext applies twelve regex substitutions in order. Only <br /> spans several characters, and the
// only earlier rule that can change one is the removal of '"' (`<br "/>` becomes `<br />`), so: pass 1
// lowercases and applies the rules for ' " . (each sees only its own character); pass 2 replaces
// <br />; pass 3 is the split, where , ( ) ! ? are one-character tokens and ; : separate like spaces —
// what their " x " and " " replacements followed by the whitespace rules amount to.
std::vector<std::string> basic_english_normalize(std::string_view line) {
  std::string s;
  s.reserve(line.size() + line.size() / 4);
  for (size_t i = 0; i < line.size();) {
    const detail::CodePoint c = detail::decode(line, i);
    if (c.cp == '\'')
      s += " '  ";
    else if (c.cp == '.')
      s += " . ";
    else if (c.cp < 0)
      s += line[i];
    else if (c.cp != '"')
      detail::append(s, detail::to_lower(c.cp));
    i += c.size;
  }
  s = replace_all(s, "<br />", " ");
  return split(
      s, [](int32_t cp) { return cp == ',' || cp == '(' || cp == ')' || cp == '!' || cp == '?'; },
      [](int32_t cp) { return cp == ';' || cp == ':'; });
}

std::vector<std::string> whitespace_tokenize(std::string_view line) {
  return split(
      line, [](int32_t) { return false; }, [](int32_t) { return false; });
}

std::vector<std::string> character_tokenize(std::string_view line) {
  std::vector<std::string> tokens;
  for (size_t i = 0; i < line.size();) {
    const size_t n = detail::decode(line, i).size;
    tokens.emplace_back(line.substr(i, n));
    i += n;
  }
  return tokens;
}

Tokenizer get_tokenizer(const std::string& name) {
  if (name == "basic_english") return basic_english_normalize;
  if (name == "whitespace") return whitespace_tokenize;
  if (name == "character") return character_tokenize;
  NABLA_CHECK(false, ValueError,
              "get_tokenizer: unknown tokenizer '{}'; the choices are \"basic_english\", \"whitespace\" and "
              "\"character\"",
              name);
  return {};
}

}  // namespace nabla::text
