// csv_logger.cpp — per-epoch CSV rows (see csv_logger.h).
#include "nabla/train/csv_logger.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "nabla/io/checkpoint.h"
#include "util/check.h"

namespace nabla::training {
namespace {

std::string quote(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Splits one CSV line (RFC 4180 quoting) into fields.
std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

// The header of an existing non-empty CSV file; empty when the file is missing or empty.
std::vector<std::string> read_header(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::string line;
  if (!std::getline(in, line) || line.empty()) return {};
  return split_csv_line(line);
}

// Rewrites `path` without the rows whose "epoch" cell is above `completed` (a temporary file renamed
// into place). Rows without a readable epoch are kept.
void drop_rows_after(const std::string& path, int64_t completed) {
  std::ifstream in(path);
  std::string header;
  if (!in || !std::getline(in, header) || header.empty()) return;
  const auto columns = split_csv_line(header);
  const auto col = std::find(columns.begin(), columns.end(), "epoch") - columns.begin();
  if (col == static_cast<std::ptrdiff_t>(columns.size())) return;
  std::string kept = header + '\n', line;
  bool dropped = false;
  while (std::getline(in, line)) {
    const auto cells = split_csv_line(line);
    char* end = nullptr;
    const char* cell = col < static_cast<std::ptrdiff_t>(cells.size()) ? cells[col].c_str() : "";
    const double epoch = std::strtod(cell, &end);
    if (end != cell && epoch > static_cast<double>(completed)) {
      dropped = true;
      continue;
    }
    kept += line + '\n';
  }
  in.close();
  if (!dropped) return;
  io::atomic_write_file(path, std::string_view(kept));
}

}  // namespace

CsvLogger::CsvLogger(std::string path, Resume resume) : path_(std::move(path)) {
  drop_rows_after(path_, resume.completed_epochs);
  columns_ = read_header(path_);
  file_ = std::fopen(path_.c_str(), "ab");
  NABLA_CHECK(file_ != nullptr, IOError, "CsvLogger: cannot open '{}': {}", path_, std::strerror(errno));
}

CsvLogger::CsvLogger(std::string path, bool append) : path_(std::move(path)) {
  if (append) columns_ = read_header(path_);
  file_ = std::fopen(path_.c_str(), append ? "ab" : "wb");
  NABLA_CHECK(file_ != nullptr, IOError, "CsvLogger: cannot open '{}': {}", path_, std::strerror(errno));
}

// A run stopped before its first epoch ended (NaN loss, full disk, kill) used to leave a 0-byte CSV.
CsvLogger::~CsvLogger() {
  if (file_) std::fclose(file_);
  std::error_code ec;
  if (!wrote_ && std::filesystem::file_size(path_, ec) == 0 && !ec) std::filesystem::remove(path_, ec);
}

void CsvLogger::write_line(const std::string& line) {
  bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size();
  ok = std::fflush(file_) == 0 && ok;
  NABLA_CHECK(ok, IOError, "CsvLogger: cannot write to '{}': {}", path_, std::strerror(errno));
  wrote_ = true;
}

void CsvLogger::log(const Row& row) {
  NABLA_CHECK(!row.empty(), ValueError, "CsvLogger.log: empty row for '{}'", path_);
  std::set<std::string> seen;
  for (const auto& [name, value] : row)
    NABLA_CHECK(seen.insert(name).second, ValueError,
                "CsvLogger.log: column '{}' appears twice in one row for '{}'", name, path_);
  std::string text;
  if (columns_.empty()) {
    for (const auto& [name, value] : row) {
      columns_.push_back(name);
      text += (text.empty() ? "" : ",") + quote(name);
    }
    text += '\n';
  }
  for (const auto& [name, value] : row) {
    bool known = std::find(columns_.begin(), columns_.end(), name) != columns_.end();
    NABLA_CHECK(
        known, ValueError,
        "CsvLogger.log: column '{}' is not in the header of '{}' ({}); the first row fixes the columns", name,
        path_, fmt::format("{}", fmt::join(columns_, ",")));
  }
  std::string line;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (c > 0) line += ',';
    for (const auto& [name, value] : row)
      if (name == columns_[c]) line += fmt::format("{}", value);
  }
  write_line(text + line + '\n');
}

void CsvLogger::log(int64_t epoch, const std::map<std::string, double>& metrics) {
  Row row{{"epoch", static_cast<double>(epoch)}};
  row.insert(row.end(), metrics.begin(), metrics.end());
  log(row);
}

}  // namespace nabla::training
