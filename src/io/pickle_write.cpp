// pickle_write.cpp — PickleWriter (protocol 2, the subset torch.load reads) and valid_utf8 (pickle.h).
#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "io/pickle.h"

namespace nabla::io::detail {

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    const int n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (n < 0 || s.size() - i <= static_cast<size_t>(n)) return false;
    uint32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
      const auto d = static_cast<uint8_t>(s[i + static_cast<size_t>(k)]);
      if ((d >> 6) != 0x2) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

// ---- PickleWriter ----
PickleWriter::PickleWriter() {
  op(0x80);
  out_.push_back(2);
}
void PickleWriter::op(uint8_t code) { out_.push_back(static_cast<char>(code)); }
void PickleWriter::u32(uint32_t v) {
  for (int k = 0; k < 4; ++k) out_.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
}
void PickleWriter::none() { op('N'); }
void PickleWriter::boolean(bool v) { op(v ? 0x88 : 0x89); }
void PickleWriter::integer(int64_t v) {
  if (v >= 0 && v < 256) {
    op('K');
    out_.push_back(static_cast<char>(v));
  } else if (v >= 0 && v < 65536) {
    op('M');
    out_.push_back(static_cast<char>(v & 0xFF));
    out_.push_back(static_cast<char>(v >> 8));
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    op('J');
    u32(static_cast<uint32_t>(static_cast<int32_t>(v)));
  } else {  // LONG1 with the fewest bytes that keep the sign, as Python's encode_long
    int n = 8;
    while (n > 1 && (v >> (8 * (n - 1) - 1)) == (v >> 63)) --n;
    op(0x8a);
    out_.push_back(static_cast<char>(n));
    for (int k = 0; k < n; ++k)
      out_.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * k)) & 0xFF));
  }
}
void PickleWriter::floating(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  op('G');
  for (int k = 7; k >= 0; --k) out_.push_back(static_cast<char>((bits >> (8 * k)) & 0xFF));
}
void PickleWriter::string(std::string_view s) {
  op('X');
  u32(static_cast<uint32_t>(s.size()));
  out_.append(s);
}
void PickleWriter::global(std::string_view module, std::string_view name) {
  const std::string key = fmt::format("{}\n{}\n", module, name);
  for (const auto& [k, index] : globals_)
    if (k == key) return get(index);
  op('c');
  out_ += key;
  globals_.emplace_back(key, put());
}
void PickleWriter::mark() { op('('); }
void PickleWriter::tuple(size_t n) {
  static constexpr uint8_t small[] = {')', 0x85, 0x86, 0x87};
  op(n <= 3 ? small[n] : 't');
}
void PickleWriter::empty_list() { op(']'); }
void PickleWriter::empty_dict() { op('}'); }
void PickleWriter::appends() { op('e'); }
void PickleWriter::setitems() { op('u'); }
void PickleWriter::reduce() { op('R'); }
void PickleWriter::persistent_id() { op('Q'); }
uint32_t PickleWriter::put() {
  const uint32_t index = next_memo_++;
  if (index < 256) {
    op('q');
    out_.push_back(static_cast<char>(index));
  } else {
    op('r');
    u32(index);
  }
  return index;
}
void PickleWriter::get(uint32_t index) {
  if (index < 256) {
    op('h');
    out_.push_back(static_cast<char>(index));
  } else {
    op('j');
    u32(index);
  }
}
std::string PickleWriter::finish() {
  op('.');
  return std::move(out_);
}

}  // namespace nabla::io::detail
