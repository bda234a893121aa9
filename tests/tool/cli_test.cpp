// The `nabla` tool end to end, on a small ImageFolder data set the test generates: determinism,
// bitwise resume, eval/predict output, and one clear error line for each kind of misuse.
#include <gtest/gtest.h>
#include <nabla/nabla.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_tool.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

// CTest runs each test of this file as its own process, in parallel: every path is per process.
fs::path scratch(const std::string& what) {
  return fs::temp_directory_path() / ("nabla_cli_test_" + std::to_string(getpid())) / what;
}

using Result = test::ToolResult;
Result run(const std::string& args) { return test::run_tool(args, scratch("io")); }

// Three classes of 8x8 RGB images: a red, a green and a blue blob, with noise.
class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = scratch("run");
    fs::remove_all(root_);
    RandomGenerator gen(7);
    const char* names[] = {"blue", "green", "red"};
    for (int c = 0; c < 3; ++c) {
      fs::create_directories(root_ / "images" / names[c]);
      for (int i = 0; i < 24; ++i) {
        Tensor img = rand({8, 8, 3}, {.dtype = kFloat32}, &gen) * 80;
        img.select(2, 2 - c).add_(150);
        io::write_png((root_ / "images" / names[c] / (std::to_string(i) + ".png")).string(), img.to(kUInt8));
      }
    }
  }
  static void TearDownTestSuite() { fs::remove_all(root_.parent_path()); }
  static std::string data() { return "imagefolder:" + (root_ / "images").string(); }
  static std::string path(const std::string& name) { return (root_ / name).string(); }
  static std::string train_args(const std::string& name, int epochs, int seed = 3) {
    return "train --data " + data() + " --model mlp --n_layers 2 --batch_size 16 --n_epochs " +
           std::to_string(epochs) + " --seed " + std::to_string(seed) + " --threads 1 --model_fn " +
           path(name + ".safetensors") + " --logdir " + path(name);
  }
  static fs::path root_;
};
fs::path CliTest::root_;

bool same_weights(const std::string& a, const std::string& b) {
  auto x = io::load_safetensors(a), y = io::load_safetensors(b);
  std::map<std::string, Tensor> ym(y.tensors.begin(), y.tensors.end());
  int compared = 0;
  for (auto& [k, t] : x.tensors) {
    if (k.rfind("_optim.", 0) == 0) continue;
    if (!ym.count(k) || !equal(t, ym[k])) return false;
    ++compared;
  }
  return compared > 0;
}

}  // namespace

TEST_F(CliTest, TrainsAndWritesTheRunDirectory) {
  Result r = run(train_args("full", 4));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("best model:"), std::string::npos) << r.out;
  for (const char* f : {"full/last.safetensors", "full/metrics.csv", "full/loss.png", "full.safetensors"})
    EXPECT_TRUE(fs::exists(path(f))) << f;
  bool events = false;
  for (auto& e : fs::directory_iterator(path("full")))
    events |= e.path().filename().string().rfind("events.out.tfevents", 0) == 0;
  EXPECT_TRUE(events);
}

TEST_F(CliTest, SameSeedSameWeightsAndResumeIsBitwiseIdentical) {
  ASSERT_EQ(run(train_args("a", 4)).code, 0);
  ASSERT_EQ(run(train_args("b", 4)).code, 0);
  EXPECT_TRUE(same_weights(path("a/last.safetensors"), path("b/last.safetensors")));
  // Interrupted after 2 epochs, resumed to 4: the same weights as the uninterrupted run.
  ASSERT_EQ(run(train_args("c", 2)).code, 0);
  fs::copy_file(path("c/last.safetensors"), path("c2.safetensors"));
  Result r = run(train_args("c", 4) + " --resume " + path("c/last.safetensors"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("resumed from"), std::string::npos);
  EXPECT_TRUE(same_weights(path("a/last.safetensors"), path("c/last.safetensors")));
  // The resumed run appended to metrics.csv: the same rows as the uninterrupted run (issue #18).
  const std::string full_csv = test::read_text_file(path("a/metrics.csv"));
  EXPECT_EQ(test::read_text_file(path("c/metrics.csv")), full_csv);
  // Resumed with nothing left to run: the log stays whole.
  ASSERT_EQ(run(train_args("c", 4) + " --resume " + path("c/last.safetensors")).code, 0);
  EXPECT_EQ(test::read_text_file(path("c/metrics.csv")), full_csv);
  // Resumed from an earlier checkpoint than the log's end: no epoch twice.
  ASSERT_EQ(run(train_args("c", 4) + " --resume " + path("c2.safetensors")).code, 0);
  EXPECT_EQ(test::read_text_file(path("c/metrics.csv")), full_csv);
  // A different seed gives different weights (the comparison can fail).
  ASSERT_EQ(run(train_args("d", 4, 4)).code, 0);
  EXPECT_FALSE(same_weights(path("a/last.safetensors"), path("d/last.safetensors")));
}

TEST_F(CliTest, EvalAndPredict) {
  ASSERT_EQ(run(train_args("m", 6)).code, 0);
  Result e = run("eval --model_fn " + path("m.safetensors") + " --data " + data() + " --split train");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_NE(e.out.find("accuracy"), std::string::npos);
  EXPECT_NE(e.out.find("confusion matrix"), std::string::npos);
  // --split val: the 15 images of the 72 that train held out (--train_ratio 0.8), none without one.
  Result v = run("eval --model_fn " + path("m.safetensors") + " --split val");
  ASSERT_EQ(v.code, 0) << v.err;
  EXPECT_NE(v.out.find("(val split, 15 samples)"), std::string::npos) << v.out;
  ASSERT_EQ(run(train_args("no_val", 1) + " --train_ratio 1").code, 0);
  Result none = run("eval --model_fn " + path("no_val.safetensors") + " --split val");
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("without a validation split (--train_ratio 1)"), std::string::npos) << none.err;
  Result p = run("predict --model_fn " + path("m.safetensors") + " --topk 2 --json --input " +
                 (root_ / "images" / "red" / "0.png").string());
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_NE(p.out.find("\"class\": \"red\""), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("probability"), std::string::npos);
}

TEST_F(CliTest, KFoldReportsEachFoldAndMeanStd) {
  Result r = run("train --data " + data() +
                 " --model mlp --n_layers 2 --batch_size 16 --n_epochs 2 --kfold 3 --seed 5 "
                 "--threads 1 --model_fn " +
                 path("kfold.safetensors"));
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* line : {"fold 1/3: best val_acc", "fold 2/3: best val_acc", "fold 3/3: best val_acc",
                           "3-fold cross-validation of mlp"})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << " missing in:\n" << r.out;
  EXPECT_NE(r.out.find("±"), std::string::npos);
  EXPECT_NE(r.out.find("48 train / 24 val"), std::string::npos) << r.out;  // 72 images, stratified thirds
}

TEST_F(CliTest, MisuseIsOneClearLineAndNonZeroExit) {
  auto one_line = [](const Result& r) { return std::count(r.err.begin(), r.err.end(), '\n') == 1; };
  Result flag = run("train --no_such_flag 3");
  EXPECT_NE(flag.code, 0);
  EXPECT_TRUE(one_line(flag)) << flag.err;
  Result missing = run("train --data mnist --data_dir " + path("nowhere"));
  EXPECT_EQ(missing.code, 1);
  EXPECT_TRUE(one_line(missing)) << missing.err;
  EXPECT_NE(missing.err.find("fetch-data"), std::string::npos) << missing.err;
  std::ofstream(path("garbage.safetensors")) << "not a checkpoint";
  Result bad = run("eval --model_fn " + path("garbage.safetensors"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(one_line(bad)) << bad.err;
  EXPECT_NE(bad.err.find("garbage.safetensors"), std::string::npos);
  ASSERT_EQ(run(train_args("arch", 1)).code, 0);
  Result other = run("train --data " + data() + " --model resnet --n_epochs 2 --resume " +
                     path("arch/last.safetensors") + " --model_fn " + path("x.safetensors"));
  EXPECT_EQ(other.code, 1);
  EXPECT_TRUE(one_line(other)) << other.err;
  EXPECT_NE(other.err.find("mlp"), std::string::npos) << other.err;
  Result gpu = run(train_args("g", 1) + " --gpu_id 0");
  EXPECT_EQ(gpu.code, 1);
  EXPECT_NE(gpu.err.find("CUDA"), std::string::npos);
}

// A diverging run (issue #18): by default it stops with one line; with --on_nan warn it goes on and
// its checkpoints, whose history holds NaN, still load (the resume below). Their weights are NaN, so eval
// refuses to use them with one line instead of printing "loss nan" with exit status 0
// (tools/adversarial).
TEST_F(CliTest, ANaNLossStopsTheRunOrWarns) {
  const std::string diverge = " --optimizer sgd --lr 1e30";
  Result stop = run(train_args("nan_stop", 3) + diverge);
  EXPECT_EQ(stop.code, 1) << stop.out << stop.err;
  EXPECT_NE(stop.err.find("--on_nan warn"), std::string::npos) << stop.err;
  EXPECT_EQ(std::count(stop.err.begin(), stop.err.end(), '\n'), 1) << stop.err;
  Result warn = run(train_args("nan_warn", 3) + diverge + " --on_nan warn");
  ASSERT_EQ(warn.code, 0) << warn.err;
  EXPECT_NE(warn.err.find("warning"), std::string::npos) << warn.err;
  Result e =
      run("eval --model_fn " + path("nan_warn/last.safetensors") + " --data " + data() + " --split train");
  EXPECT_EQ(e.code, 1) << e.out << e.err;
  EXPECT_EQ(std::count(e.err.begin(), e.err.end(), '\n'), 1) << e.err;
  EXPECT_NE(e.err.find("NaN or inf values"), std::string::npos) << e.err;
  Result resumed = run(train_args("nan_warn", 4) + diverge + " --on_nan warn --resume " +
                       path("nan_warn/last.safetensors"));
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  Result bad = run(train_args("nan_bad", 1) + " --on_nan ignore");
  EXPECT_EQ(bad.code, 2);
}

// Flags that used to be accepted silently or answered with a 309-digit range (issue #18).
TEST_F(CliTest, BadFlagValuesAreOneClearLine) {
  const std::string base = "train --data " + data() + " --n_epochs 1 --model_fn " + path("flags.safetensors");
  const std::pair<std::string, std::string> cases[] = {
      {base + " --batch_size 0", "--batch_size"},
      {base + " --batch_size 18446744073709551616", "--batch_size"},
      {base + " --seed -1", "--seed"},
      {base + " --lr 0", "--lr"},
      {base + " --lr 1e400", "--lr"},
      {base + " --kfold -3", "--kfold"},
      {base + " --early_stop -1", "--early_stop"},
      {base + " --threads -1", "--threads"},
      {base + " --threads 100000", "--threads"},
      {"eval --model_fn x.safetensors --threads -5", "--threads"},
      {"samples --split val", "--split"},
      {"train --model_fn ''", "--model_fn"},
      {"eval --model_fn ''", "--model_fn"},
      {"train --data mnist --data_dir " + path("nowhere") + " --model nosuchmodel",
       "--model"},  // before data
      {base + " --epochs 3", "did you mean --n_epochs?"},
      {"trian", "did you mean 'train'?"},
  };
  for (const auto& [args, piece] : cases) {
    Result r = run(args);
    EXPECT_NE(r.code, 0) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    EXPECT_NE(r.err.find(piece), std::string::npos) << args << ": " << r.err;
    EXPECT_LT(r.err.size(), 300u) << args << ": " << r.err;
    if (piece.find("did you mean") == std::string::npos) {  // no hint that names the flag itself
      EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << args << ": " << r.err;
    }
  }
  Result v = run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_NE(v.out.find("nabla 0."), std::string::npos) << v.out;
}

// Fine-tuning (issue #20): torchvision's mobilenet_v2 from a 10-class state_dict onto the 3 classes here.
// The classifier is left out with a note, the frozen backbone's parameters are the file's after training,
// and the new head has moved.
TEST_F(CliTest, PretrainedAndFrozenBackbone) {
  auto source = vision::models::mobilenet_v2({.num_classes = 10});
  io::save_safetensors(path("mnv2.safetensors"), source->state_dict());
  const std::string tune = "train --data " + data() + " --model mobilenet_v2 --batch_size 24 --n_epochs 1 " +
                           "--threads 1 --optimizer sgd --lr 0.1 --model_fn " + path("tuned.safetensors");
  Result r = run(tune + " --pretrained " + path("mnv2.safetensors") + " --freeze backbone");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("classifier.1 not loaded (3 classes here)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("training 2 of 158 parameter tensors"), std::string::npos) << r.out;
  auto tuned = io::load_safetensors(path("tuned.safetensors"));
  const auto before = source->state_dict();
  EXPECT_TRUE(equal(tuned.at("features.0.0.weight"), before["features.0.0.weight"]));  // frozen
  EXPECT_TRUE(equal(tuned.at("features.18.1.bias"), before["features.18.1.bias"]));    // frozen BatchNorm
  EXPECT_EQ(tuned.at("classifier.1.weight").sizes().vec(), (std::vector<int64_t>{3, 1280}));
  // Without --freeze everything trains: the stem moves too. The weights this time as torch.save writes them.
  io::save_pt(path("mnv2.pt"), source->state_dict());
  r = run(tune + " --pretrained " + path("mnv2.pt"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("classifier.1 not loaded (3 classes here)"), std::string::npos) << r.out;
  EXPECT_FALSE(equal(io::load_safetensors(path("tuned.safetensors")).at("features.0.0.weight"),
                     before["features.0.0.weight"]));
}

TEST_F(CliTest, FineTuningMisuseIsOneClearLine) {
  auto resnet = vision::models::resnet18({.num_classes = 3});
  io::save_safetensors(path("r18.safetensors"), resnet->state_dict());
  std::ofstream(path("model.pt")) << "PK\x03\x04 a zip archive, as torch.save writes";
  const std::string base = "train --data " + data() + " --n_epochs 1 --model_fn " + path("ft.safetensors");
  const std::pair<std::string, std::string> cases[] = {
      {base + " --model mobilenet_v2 --freeze backbone", "needs --pretrained"},
      {base + " --model mobilenet_v2 --pretrained " + path("r18.safetensors"), "r18.safetensors"},
      {base + " --model resnet18 --pretrained " + path("model.pt"), "model.pt"},  // not a real zip
      {base + " --model resnet18 --pretrained " + path("none.safetensors"), "--pretrained"},
      {"train --data mnist --data_dir " + path("nowhere") + " --model vgg11_bn", "32x32"},  // before data
  };
  for (const auto& [args, piece] : cases) {
    Result r = run(args);
    EXPECT_EQ(r.code == 0, false) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    EXPECT_NE(r.err.find(piece), std::string::npos) << args << ": " << r.err;
  }
}
