// dictd.cpp — the dictd index + dictionary text (dict.dz as plain gzip: dictzip's extra header field is
// ignored by inflate).
#include "nabla/io/dictd.h"

#include <string_view>

#include "io/formats.h"
#include "util/check.h"

namespace nabla::io {

namespace {
// dictd's base64 numbers: digits A-Z a-z 0-9 + / worth 0..63, most significant first.
bool decode_b64_number(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 10) return false;  // 10 digits = 60 bits: no overflow
  out = 0;
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      return false;
    out = out * 64 + static_cast<uint64_t>(v);
  }
  return true;
}

bool is_metadata(std::string_view headword) {
  return headword.starts_with("00database") || headword.starts_with("00-database");
}
}  // namespace

std::vector<DictEntry> read_dictd(const std::string& index_path, const std::string& dict_path) {
  const detail::Bytes index = detail::read_file_bytes(index_path);
  detail::Bytes dict = detail::read_file_bytes(dict_path);
  if (detail::is_gzip(dict)) dict = detail::gunzip(dict, dict_path, size_t{1} << 31);
  const std::string_view text(reinterpret_cast<const char*>(index.data()), index.size());
  std::vector<DictEntry> out;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const size_t t1 = line.find('\t'), t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    NABLA_CHECK(t2 != std::string_view::npos, IOError,
                "{}: line {}: expected 'headword<TAB>offset<TAB>length', got '{}'", index_path, line_no,
                std::string(line.substr(0, 80)));
    const std::string_view headword = line.substr(0, t1), off_s = line.substr(t1 + 1, t2 - t1 - 1);
    std::string_view len_s = line.substr(t2 + 1);
    if (const size_t t3 = len_s.find('\t'); t3 != std::string_view::npos)
      len_s = len_s.substr(0, t3);  // extra field
    uint64_t offset = 0, length = 0;
    NABLA_CHECK(decode_b64_number(off_s, offset) && decode_b64_number(len_s, length), IOError,
                "{}: line {}: bad base64 number in '{}' / '{}'", index_path, line_no, std::string(off_s),
                std::string(len_s));
    NABLA_CHECK(offset <= dict.size() && length <= dict.size() - offset, IOError,
                "{}: line {}: entry '{}' at offset {} length {} runs past the end of {} ({} bytes)",
                index_path, line_no, std::string(headword), offset, length, dict_path, dict.size());
    if (is_metadata(headword)) continue;
    out.push_back(
        {std::string(headword), std::string(reinterpret_cast<const char*>(dict.data()) + offset, length)});
  }
  return out;
}

}  // namespace nabla::io
