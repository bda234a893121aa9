// flags.cpp — see flags.h.
#include "tool/flags.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace nabla::tool {

namespace {
template <typename T>
bool parse_whole(const std::string& s, T& v) {
  if (s.empty() || s.front() == '+') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

CLI::Validator int_in(int64_t lo, int64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        int64_t v = 0;
        if (parse_whole(s, v) && v >= lo && v <= hi) return "";
        return fmt::format("must be an integer from {} to {}, got '{}'", lo, hi,
                           s.size() > 40 ? s.substr(0, 40) + "..." : s);
      },
      fmt::format("INT in [{} - {}]", lo, hi));
}

CLI::Validator zero_or_in(int64_t lo, int64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        int64_t v = 0;
        if (parse_whole(s, v) && (v == 0 || (v >= lo && v <= hi))) return "";
        return fmt::format("must be 0 (off) or an integer from {} to {}, got '{}'", lo, hi,
                           s.size() > 40 ? s.substr(0, 40) + "..." : s);
      },
      fmt::format("0 or INT in [{} - {}]", lo, hi));
}

CLI::Validator uint64_value() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        uint64_t v = 0;
        if (parse_whole(s, v)) return "";
        return fmt::format("must be an integer from 0 to 18446744073709551615, got '{}'",
                           s.size() > 40 ? s.substr(0, 40) + "..." : s);
      },
      "UINT64");
}

CLI::Validator positive_real() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        // Decimal only: strtod also takes " 1" and hex ("0x10" was a learning rate of 16).
        const bool decimal = !s.empty() && s.find_first_of("xX \t\n") == std::string::npos;
        if (decimal && end == s.c_str() + s.size() && std::isfinite(v) && v > 0) return "";
        return fmt::format("must be a finite number > 0, got '{}'",
                           s.size() > 40 ? s.substr(0, 40) + "..." : s);
      },
      "NUMBER > 0");
}

CLI::Validator non_empty() {
  return CLI::Validator([](std::string& s) -> std::string { return s.empty() ? "must not be empty" : ""; },
                        "PATH");
}

std::string closest(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const auto& k : known) {
    size_t d = edit_distance(word, k);
    const bool typo = d <= 2 && 2 * d < word.size();
    const bool part =
        word.size() >= 4 && (k.find(word) != std::string::npos || word.find(k) != std::string::npos);
    if (!typo && !part) continue;
    if (!typo) d = 3;  // a containment ranks after any typo
    if (d < best_d) best_d = d, best = k;
  }
  return best;
}

std::string flag_hint(const std::string& message, const CLI::App* command) {
  if (command == nullptr || message.find("not expected") == std::string::npos) return "";
  std::vector<std::string> known;
  for (const CLI::Option* o : command->get_options())
    for (const auto& n : o->get_lnames()) known.push_back(n);
  std::istringstream words(message);
  std::string w;
  while (words >> w) {
    if (w.rfind("--", 0) != 0) continue;
    std::string name = w.substr(2, w.find('=') == std::string::npos ? std::string::npos : w.find('=') - 2);
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;  // a known flag
    std::string c = closest(name, known);
    if (!c.empty()) return fmt::format(" (did you mean --{}?)", c);
  }
  return "";
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* s : app.get_subcommands({})) names.push_back(s->get_name());
  return names;
}

}  // namespace nabla::tool
