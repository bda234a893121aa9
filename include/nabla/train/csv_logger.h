// csv_logger.h — one CSV row per epoch (like Keras' CSVLogger / Lightning's CSVLogger):
//
//   training::CsvLogger csv("runs/demo/metrics.csv");
//   csv.log({{"epoch", 1}, {"train_loss", 0.52}, {"val_loss", 0.41}, {"val_acc", 0.86}, {"lr", 1e-3}});
//
// The first row fixes the columns (in its order) and writes the header. A later row may leave a column
// out (its cell stays empty) but naming a column the header lacks is a ValueError, as is a row naming a
// column twice. Each row is written with one write and flushed, so a crash loses at most the row being
// written. Values print in the shortest form that reads back exactly ("0.1", "3", "nan", "inf").
// Names containing a comma, quote or newline are quoted (RFC 4180).
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nabla::training {

class CsvLogger {
 public:
  using Row = std::vector<std::pair<std::string, double>>;

  // Truncates `path` — or with append = true keeps a non-empty existing file and takes its header
  // line as the columns (for resumed runs). IOError naming the path when it cannot be opened or read.
  explicit CsvLogger(std::string path, bool append = false);
  // Resuming a run after `completed_epochs` epochs: CsvLogger(path, CsvLogger::Resume{3}) appends, and
  // first drops the rows whose "epoch" cell is above 3 (written after the checkpoint), so no epoch
  // appears twice.
  struct Resume {
    int64_t completed_epochs = 0;
  };
  CsvLogger(std::string path, Resume resume);
  ~CsvLogger();
  CsvLogger(const CsvLogger&) = delete;
  CsvLogger& operator=(const CsvLogger&) = delete;

  void log(const Row& row);
  // The same row as an "epoch" column followed by `metrics` in name order.
  void log(int64_t epoch, const std::map<std::string, double>& metrics);

  const std::vector<std::string>& columns() const { return columns_; }
  const std::string& path() const { return path_; }

 private:
  void write_line(const std::string& line);

  std::string path_;
  std::FILE* file_ = nullptr;
  bool wrote_ = false;                // an empty file this logger never wrote to is removed when it closes
  std::vector<std::string> columns_;  // empty until the first row (or the existing header)
};

}  // namespace nabla::training
