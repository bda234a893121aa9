// csv_logger_test.cpp — per-epoch CSV rows: header from the first row, rows flushed as they are logged,
// exact number formatting, quoting, appending for resumed runs, and the column errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nabla/nabla.h"
#include "train/parts_test_util.h"

namespace nabla::training {
namespace {

using test::TempDir;
using test::throws;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CsvLogger, HeaderThenOneFlushedRowPerEpoch) {
  TempDir dir;
  std::string path = dir.file("metrics.csv");
  CsvLogger csv(path);
  EXPECT_EQ(read_text(path), "");
  csv.log({{"epoch", 1}, {"train_loss", 0.5}, {"val_loss", 0.25}, {"val_acc", 0.875}, {"lr", 0.001}});
  // Read back while the logger is still open: the row is already on disk.
  EXPECT_EQ(read_text(path), "epoch,train_loss,val_loss,val_acc,lr\n1,0.5,0.25,0.875,0.001\n");
  csv.log(
      {{"epoch", 2}, {"val_loss", 0.1}, {"train_loss", 0.1 + 0.2}, {"lr", 1e-4}});  // other order, no val_acc
  EXPECT_EQ(
      read_text(path),
      "epoch,train_loss,val_loss,val_acc,lr\n1,0.5,0.25,0.875,0.001\n2,0.30000000000000004,0.1,,0.0001\n");
  EXPECT_EQ(csv.columns(), (std::vector<std::string>{"epoch", "train_loss", "val_loss", "val_acc", "lr"}));
}

TEST(CsvLogger, MapFormNonFiniteValuesAndQuoting) {
  TempDir dir;
  std::string path = dir.file("m.csv");
  CsvLogger csv(path);
  csv.log(1, {{"val_loss", std::nan("")}, {"a,b", 1.0}, {"say \"hi\"", -INFINITY}});
  EXPECT_EQ(read_text(path), "epoch,\"a,b\",\"say \"\"hi\"\"\",val_loss\n1,1,-inf,nan\n");
}

TEST(CsvLogger, TruncatesOrAppendsToAnExistingFile) {
  TempDir dir;
  std::string path = dir.file("m.csv");
  {
    CsvLogger csv(path);
    csv.log({{"epoch", 1}, {"loss", 2}, {"a,b", 3}});
  }
  {
    CsvLogger resumed(path, /*append=*/true);
    EXPECT_EQ(resumed.columns(), (std::vector<std::string>{"epoch", "loss", "a,b"}));
    resumed.log({{"epoch", 2}, {"a,b", 4}, {"loss", 1}});
    EXPECT_TRUE(throws<ValueError>([&] { resumed.log({{"epoch", 3}, {"acc", 1}}); }, {"acc", "m.csv"}));
  }
  EXPECT_EQ(read_text(path), "epoch,loss,\"a,b\"\n1,2,3\n2,1,4\n");
  CsvLogger fresh(path);
  EXPECT_EQ(read_text(path), "");
  CsvLogger appended_new(dir.file("new.csv"), true);  // append to a missing file: starts a new one
  appended_new.log({{"epoch", 1}});
  EXPECT_EQ(read_text(dir.file("new.csv")), "epoch\n1\n");
}

TEST(CsvLogger, ResumeKeepsEarlierRowsAndDropsThoseAfterTheCheckpoint) {
  TempDir dir;
  std::string path = dir.file("m.csv");
  {
    CsvLogger csv(path);
    for (int e = 1; e <= 4; ++e) csv.log({{"epoch", e}, {"loss", 1.0 / e}});
  }
  {
    CsvLogger resumed(path, CsvLogger::Resume{2});  // the checkpoint was written after epoch 2
    EXPECT_EQ(resumed.columns(), (std::vector<std::string>{"epoch", "loss"}));
    resumed.log({{"epoch", 3}, {"loss", 0.125}});
  }
  EXPECT_EQ(read_text(path), "epoch,loss\n1,1\n2,0.5\n3,0.125\n");
  {
    CsvLogger nothing_left(path, CsvLogger::Resume{3});  // resumed with no epoch left to run
  }
  EXPECT_EQ(read_text(path), "epoch,loss\n1,1\n2,0.5\n3,0.125\n");
  CsvLogger missing(dir.file("new.csv"), CsvLogger::Resume{5});
  missing.log({{"epoch", 6}});
  EXPECT_EQ(read_text(dir.file("new.csv")), "epoch\n6\n");
}

// Found by tools/adversarial: a run stopped before its first epoch ended (NaN loss, full disk) left a
// 0-byte metrics.csv.
TEST(CsvLogger, AnEmptyFileItNeverWroteToIsRemoved) {
  TempDir dir;
  { CsvLogger unused(dir.file("m.csv")); }
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.csv")));
  {
    CsvLogger csv(dir.file("kept.csv"));
    csv.log({{"epoch", 1}});
  }
  { CsvLogger resumed(dir.file("kept.csv"), CsvLogger::Resume{1}); }  // nothing left to run: kept
  EXPECT_EQ(read_text(dir.file("kept.csv")), "epoch\n1\n");
}

TEST(CsvLogger, Errors) {
  TempDir dir;
  std::string path = dir.file("m.csv");
  CsvLogger csv(path);
  EXPECT_TRUE(throws<ValueError>([&] { csv.log({}); }, {"CsvLogger.log", "empty"}));
  csv.log({{"epoch", 1}, {"loss", 0.5}});
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        csv.log({{"epoch", 2}, {"val_acc", 0.5}});
      },
      {"CsvLogger.log", "'val_acc'", "epoch,loss"}));
  EXPECT_TRUE(throws<ValueError>([&] { csv.log({{"epoch", 2}, {"epoch", 3}}); }, {"'epoch'", "twice"}));
  EXPECT_TRUE(throws<ValueError>([&] { csv.log(2, {{"epoch", 2.0}}); }, {"'epoch'", "twice"}));
  EXPECT_EQ(read_text(path), "epoch,loss\n1,0.5\n");  // rejected rows write nothing
  EXPECT_TRUE(throws<IOError>([&] { CsvLogger bad(dir.file("no/such/dir/m.csv")); },
                              {"CsvLogger", "no/such/dir/m.csv"}));
}

}  // namespace
}  // namespace nabla::training
