// `mpirun -np 2 nabla train --distributed` end to end, on a small MNIST-format data set the test writes:
// rank 0 alone writes the run, the reduced validation and test metrics are exactly what `nabla eval`
// gives for the saved model, and --resume continues like an uninterrupted run. This program is one
// process; it starts mpirun (NABLA_MPIRUN_BASE, NABLA_MPIRUN_NP) on the tool (NABLA_TOOL).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nabla/nabla.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "tool/run_tool.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& what) {
  return fs::temp_directory_path() / ("nabla_dist_tool_test_" + std::to_string(getpid())) / what;
}

// 104 training and 31 test images of 28x28: the class (0, 1, 2) is a faint band at a class-dependent
// height, under strong noise (so that the model gets some wrong). Odd split sizes (83 train / 21 val with
// --train_ratio 0.8, 31 test) leave the two ranks uneven shares, where DistributedSampler-style padding would
// count a sample twice.
void write_split(const fs::path& raw, const std::string& prefix, int64_t n, RandomGenerator& gen) {
  Tensor images = rand({n, 28, 28}, {.dtype = kFloat32}, &gen) * 120;
  std::vector<uint8_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    labels[i] = static_cast<uint8_t>(i % 3);
    images.select(0, i).narrow(0, 4 + 8 * (i % 3), 3).add_(20);
  }
  io::write_idx((raw / (prefix + "-images-idx3-ubyte")).string(), images.to(kUInt8));
  io::write_idx((raw / (prefix + "-labels-idx1-ubyte")).string(),
                from_buffer(labels.data(), {n}, kUInt8).clone());
}

std::string mpirun(int processes) {
  return std::string(NABLA_MPIRUN_BASE) + " " + NABLA_MPIRUN_NP + " " + std::to_string(processes) + " ";
}

bool same_weights(const fs::path& a, const fs::path& b) {
  auto x = io::load_safetensors(a.string()), y = io::load_safetensors(b.string());
  std::map<std::string, Tensor> ym(y.tensors.begin(), y.tensors.end());
  int compared = 0;
  for (auto& [k, t] : x.tensors) {
    if (!ym.count(k) || !equal(t, ym[k])) return false;
    ++compared;
  }
  return compared > 0 && compared == static_cast<int>(ym.size());
}

// The last row of metrics.csv as column -> text.
std::map<std::string, std::string> last_csv_row(const fs::path& csv) {
  std::istringstream in(test::read_text_file(csv));
  std::string header, line, last;
  std::getline(in, header);
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  std::map<std::string, std::string> row;
  std::istringstream h(header), v(last);
  std::string name, value;
  while (std::getline(h, name, ',') && std::getline(v, value, ',')) row[name] = value;
  return row;
}

std::string first_match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "<no match for " + pattern + ">";
}

class DistributedTrainTool : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(scratch(""));
    const fs::path raw = scratch("data") / "MNIST" / "raw";
    fs::create_directories(raw);
    RandomGenerator gen(11);
    write_split(raw, "train", 104, gen);
    write_split(raw, "t10k", 31, gen);
  }
  static void TearDownTestSuite() { fs::remove_all(scratch("")); }
  static std::string path(const std::string& name) { return scratch(name).string(); }
  // The flags of every run here; `name` picks the run directory (name/) and the best model
  // (name.safetensors).
  static std::string train_args(const std::string& name, int epochs) {
    return "train --distributed --data mnist --data_dir " + path("data") +
           " --model mlp --n_layers 2 --batch_size 8 --lr 0.01 --train_ratio 0.8 --seed 5 --threads 1 "
           "--n_epochs " +
           std::to_string(epochs) + " --model_fn " + path(name + ".safetensors") + " --logdir " + path(name);
  }
  static std::string tool() { return std::string(NABLA_TOOL) + " "; }
  static test::ToolResult run(const std::string& command_line) {
    return test::run_command(command_line, scratch("io"));
  }
};

TEST_F(DistributedTrainTool, RankZeroAloneWritesAndMetricsAreExact) {
  // Two app contexts: rank 0 is told to write to a/, rank 1 to b/ (which must never appear).
  const std::string two_ranks =
      mpirun(1) + tool() + train_args("a", 2) + " : " + NABLA_MPIRUN_NP + " 1 " + tool() + train_args("b", 2);
  test::ToolResult r = run(two_ranks);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  for (const char* f : {"a/metrics.csv", "a/last.safetensors", "a/loss.png", "a.safetensors"})
    EXPECT_TRUE(fs::exists(path(f))) << f;
  EXPECT_FALSE(fs::exists(path("b"))) << "rank 1 created its run directory";
  EXPECT_FALSE(fs::exists(path("b.safetensors"))) << "rank 1 wrote a model";
  EXPECT_NE(r.out.find("distributed: 2 processes, batch size 8 per process (16 per step)"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("nabla train:"), r.out.rfind("nabla train:")) << "printed by more than rank 0:\n"
                                                                     << r.out;

  // The validation metrics of the last epoch, reduced over both ranks' shares, are those of the saved
  // last checkpoint evaluated by one process on the same held-out split.
  const auto row = last_csv_row(path("a/metrics.csv"));
  ASSERT_EQ(row.at("epoch"), "2");
  const double val_acc = std::stod(row.at("val_acc"));
  EXPECT_GT(val_acc, 0.4);  // learnt something, but not everything: a wrong count shows
  EXPECT_LT(val_acc, 1.0);
  test::ToolResult val = run(tool() + "eval --split val --data_dir " + path("data") + " --model_fn " +
                             path("a/last.safetensors"));
  ASSERT_EQ(val.code, 0) << val.err;
  EXPECT_NE(val.out.find("(val split, 21 samples)"), std::string::npos) << val.out;
  EXPECT_EQ(fmt::format("{:.2f}", 100 * val_acc), first_match(val.out, R"(accuracy ([0-9.]+)%)"));
  EXPECT_EQ(fmt::format("{:.4f}", std::stod(row.at("val_loss"))), first_match(val.out, R"(loss ([0-9.]+))"));

  // The test split, sharded the same way after rank 0 loaded the best model: every sample once.
  test::ToolResult te =
      run(tool() + "eval --split test --data_dir " + path("data") + " --model_fn " + path("a.safetensors"));
  ASSERT_EQ(te.code, 0) << te.err;
  EXPECT_EQ(first_match(r.out, R"(test accuracy: ([0-9.]+)% \(31 samples\))"),
            first_match(te.out, R"(accuracy ([0-9.]+)%)"))
      << r.out << te.out;
  EXPECT_EQ(first_match(r.out, R"(test loss ([0-9.]+))"), first_match(te.out, R"(loss ([0-9.]+))"));
}

TEST_F(DistributedTrainTool, ResumeContinuesLikeAnUninterruptedRun) {
  ASSERT_EQ(run(mpirun(2) + tool() + train_args("straight", 2)).code, 0);
  ASSERT_EQ(run(mpirun(2) + tool() + train_args("cut", 1)).code, 0);
  EXPECT_FALSE(same_weights(path("straight/last.safetensors"), path("cut/last.safetensors")));
  test::ToolResult r =
      run(mpirun(2) + tool() + train_args("cut", 2) + " --resume " + path("cut/last.safetensors"));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("resumed from"), std::string::npos);
  // The same weights and optimizer state bit for bit: the checkpoint's state on both ranks, and the
  // sampler's second-epoch order.
  EXPECT_TRUE(same_weights(path("straight/last.safetensors"), path("cut/last.safetensors")));
  EXPECT_EQ(test::read_text_file(path("cut/metrics.csv")),
            test::read_text_file(path("straight/metrics.csv")));
}

TEST_F(DistributedTrainTool, WithoutMpirunIsAJobOfOneProcess) {
  test::ToolResult r = run(tool() + train_args("single", 1));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("distributed: 1 process, batch size 8 per process (8 per step)"), std::string::npos)
      << r.out;
  EXPECT_TRUE(fs::exists(path("single/metrics.csv")));
}

// 103 of the 104 images train, 1 is held out: a process would have nothing to evaluate. Both refuse.
TEST_F(DistributedTrainTool, RefusesASplitSmallerThanTheProcesses) {
  std::string args = train_args("tiny_val", 1);
  args.replace(args.find("--train_ratio 0.8"), 17, "--train_ratio 0.995");
  test::ToolResult r = run(mpirun(2) + tool() + args);
  EXPECT_NE(r.code, 0);
  const std::string said = r.out + r.err;
  EXPECT_NE(said.find("the validation split has fewer samples (1) than processes (2)"), std::string::npos)
      << said;
}

TEST_F(DistributedTrainTool, MpirunWithoutTheFlagIsRefused) {
  std::string args = train_args("no_flag", 1);
  args.replace(args.find("--distributed "), 14, "");
  test::ToolResult r = run(mpirun(2) + tool() + args);
  EXPECT_NE(r.code, 0);
  const std::string said = r.out + r.err;
  EXPECT_NE(said.find("one of 2 MPI processes but without --distributed"), std::string::npos) << said;
  EXPECT_FALSE(fs::exists(path("no_flag")));
}

TEST_F(DistributedTrainTool, RefusesKFold) {
  test::ToolResult r = run(tool() + train_args("kfold", 1) + " --kfold 3");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--distributed cannot be combined with --kfold"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(path("kfold")));
}

}  // namespace
