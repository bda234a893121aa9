// Replays the bad-input corpus of tests/corpus/ (written by tests/corpus/make_corpus.cpp, plus
// cli/*.txt by hand): every file must be refused with a typed nabla error, never a crash, a hang or a
// silent success; every command line must end with one "nabla:" line and exit code 1 or 2.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nabla/nabla.h"
#include "nabla/train/run_state.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {
const fs::path kCorpus = fs::path(NABLA_SOURCE_DIR) / "tests" / "corpus";

std::vector<fs::path> files(const std::string& kind) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kCorpus / kind)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// `load` must throw E whose message names the file.
template <typename E>
void expect_refused(const std::string& kind, const std::function<void(const std::string&)>& load) {
  const auto paths = files(kind);
  ASSERT_GE(paths.size(), 3u) << kind;
  for (const auto& p : paths) {
    try {
      load(p.string());
      ADD_FAILURE() << p << ": accepted";
    } catch (const E& e) {
      EXPECT_NE(std::string(e.what()).find(p.filename().string()), std::string::npos) << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << p << ": wrong exception type: " << e.what();
    }
  }
}
}  // namespace

TEST(Corpus, TheValidBaseCheckpointLoads) {
  // The mutants below differ from this file only where the corpus says: it must load.
  training::LoadedRun r = training::load_run((kCorpus / "checkpoint-valid" / "base.safetensors").string());
  ASSERT_TRUE(r.training.has_value());
  auto model = training::build_model(r.config.model);
  model->load_state_dict(r.model);
}

TEST(Corpus, CheckpointsAreRefusedWithAnIOError) {
  expect_refused<IOError>("checkpoint", [](const std::string& p) { training::load_run(p); });
}

TEST(Corpus, PngFilesAreRefusedWithAnIOError) {
  expect_refused<IOError>("png", [](const std::string& p) { io::read_image(p); });
}

TEST(Corpus, JpegAndBmpFilesAreRefusedWithAnIOError) {
  expect_refused<IOError>("jpeg", [](const std::string& p) { io::read_image(p); });
  for (const auto& p : files("bmp")) EXPECT_THROW(io::read_image(p.string()), IOError) << p;
}

TEST(Corpus, IdxFilesAreRefusedWithAnIOError) {
  expect_refused<IOError>("idx", [](const std::string& p) { io::read_idx(p); });
}

// cli/*.txt: one command line per line ("#" comments); {corpus} stands for tests/corpus.
TEST(Corpus, CommandLinesEndWithOneClearLine) {
  const fs::path out = fs::temp_directory_path() / ("nabla_corpus_" + std::to_string(::getpid()));
  fs::create_directories(out);
  int lines = 0;
  for (const auto& file : files("cli")) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      for (size_t at; (at = line.find("{corpus}")) != std::string::npos;)
        line.replace(at, 8, kCorpus.string());
      ++lines;
      const std::string cmd = std::string(NABLA_TOOL) + " " + line + " >" + (out / "o").string() + " 2>" +
                              (out / "e").string() + " </dev/null";
      const int status = std::system(cmd.c_str());
      std::stringstream err;
      err << std::ifstream(out / "e").rdbuf();
      const std::string e = err.str();
      ASSERT_TRUE(WIFEXITED(status)) << line << ": killed by a signal";
      const int code = WEXITSTATUS(status);
      EXPECT_TRUE(code == 1 || code == 2) << line << ": exit code " << code << "\n" << e;
      EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << line << ": " << e;
      EXPECT_EQ(e.rfind("nabla: ", 0), 0u) << line << ": " << e;
      EXPECT_EQ(e.find("unexpected error"), std::string::npos) << line << ": untyped: " << e;
      EXPECT_EQ(e.find("fetch-data"), std::string::npos)
          << line << ": the data loaded before the check: " << e;
    }
  }
  fs::remove_all(out);
  EXPECT_GE(lines, 10);
}
