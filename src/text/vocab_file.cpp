// vocab_file.cpp — Vocab::save / Vocab::load.
//
// Note [Vocab files]
// UTF-8 text, one token per line so a vocab can be read and diffed by eye:
//   nabla-vocab 1              format and version
//   size 5                     how many token lines follow (a cut file is caught)
//   default_index 0            or "default_index none"
//   <unk>                      token 0, then token 1, ... every line ends with \n
// Inside a token, backslash, newline and carriage return are written \\ \n \r (\t is read too), so
// any token — a character tokenizer's " " or "\n" — fits on its line. Written atomically.
#include <cctype>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "nabla/io/checkpoint.h"
#include "nabla/text/vocab.h"
#include "util/check.h"

namespace nabla::text {

namespace {

constexpr const char* kMagic = "nabla-vocab 1";

std::string escape(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

// A short, printable quote of a bad line for error messages.
std::string quote(const std::string& line) {
  std::string q = line.substr(0, 40);
  for (char& c : q)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  return "'" + q + (line.size() > 40 ? "...'" : "'");
}

struct Reader {
  const std::string& path;
  std::istringstream in;
  int64_t line_no = 0;
  std::string line;

  [[noreturn]] void fail(const std::string& what) const {
    throw IOError(fmt::format("Vocab::load: {} line {}: {}", path, line_no, what));
  }
  // The next line without its \n; false at the end of the file. A last line without \n is an error.
  bool next() {
    if (in.peek() == std::char_traits<char>::eof()) return false;
    ++line_no;
    std::getline(in, line);
    if (in.eof()) fail("no newline at the end of the line (a truncated file?)");
    return true;
  }
  void expect_line(const char* what) {
    if (next()) return;
    ++line_no;
    fail(fmt::format("the file ends before the {} line", what));
  }
  // "<key> <non-negative integer>"; "none" too when allowed.
  std::optional<int64_t> number_after(const std::string& key, bool allow_none) {
    if (line.rfind(key + " ", 0) != 0) fail(fmt::format("expected '{} <n>', got {}", key, quote(line)));
    const std::string v = line.substr(key.size() + 1);
    if (allow_none && v == "none") return std::nullopt;
    size_t used = 0;
    int64_t n = -1;
    try {
      n = std::stoll(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (v.empty() || used != v.size() || n < 0 || !std::isdigit(static_cast<unsigned char>(v[0])))
      fail(fmt::format("expected a non-negative integer after '{}', got {}", key, quote(v)));
    return n;
  }
  std::string unescape() const {
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '\r') fail("a raw carriage return (Windows line endings?); inside a token write it as \\r");
      if (c != '\\') {
        out += c;
        continue;
      }
      const char e = i + 1 < line.size() ? line[++i] : '\0';
      if (e == '\\' || e == 'n' || e == 'r' || e == 't')
        out += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : '\\';
      else
        fail(fmt::format("bad escape at column {}: only \\\\, \\n, \\r and \\t are known", i));
    }
    return out;
  }
};

}  // namespace

void Vocab::save(const std::string& path) const {
  std::string out = fmt::format("{}\nsize {}\ndefault_index {}\n", kMagic, itos_.size(),
                                default_index_ ? std::to_string(*default_index_) : std::string("none"));
  for (const std::string& t : itos_) out += escape(t) + "\n";
  io::atomic_write_file(path, std::string_view(out));
}

Vocab Vocab::load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  NABLA_CHECK(file.good(), IOError, "Vocab::load: cannot open {}", path);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  NABLA_CHECK(!file.bad(), IOError, "Vocab::load: error reading {}", path);
  Reader r{path, std::istringstream(bytes.str()), 0, {}};
  r.expect_line("header");
  if (r.line != kMagic)
    r.fail(fmt::format("expected '{}', got {} (not a nabla vocab file?)", kMagic, quote(r.line)));
  r.expect_line("size");
  const int64_t size = *r.number_after("size", false);
  r.expect_line("default_index");
  const std::optional<int64_t> default_index = r.number_after("default_index", true);
  const int64_t first_token_line = r.line_no + 1;
  std::vector<std::string> itos;
  std::unordered_map<std::string, int64_t> seen;
  while (r.next()) {
    if (static_cast<int64_t>(itos.size()) == size)
      r.fail(fmt::format("more tokens than the header's size {}", size));
    std::string token = r.unescape();
    auto [it, fresh] = seen.emplace(token, r.line_no);
    if (!fresh) r.fail(fmt::format("duplicate token {} (first at line {})", quote(token), it->second));
    itos.push_back(std::move(token));
  }
  if (static_cast<int64_t>(itos.size()) != size)
    r.fail(fmt::format("the file ends after {} tokens (lines {}..{}), but its header says size {}",
                       itos.size(), first_token_line, r.line_no, size));
  if (default_index && *default_index >= size) {
    r.line_no = 3;
    r.fail(fmt::format("default_index {} is out of range for {} tokens", *default_index, size));
  }
  Vocab v(std::move(itos));
  v.set_default_index(default_index);
  return v;
}

}  // namespace nabla::text
