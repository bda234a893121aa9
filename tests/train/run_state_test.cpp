// The run checkpoint's training state: history and callback state with NaN and infinities round-trip
// (issue #18: one NaN val_loss used to be written as JSON null and made every checkpoint unreadable).
#include "nabla/train/run_state.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nabla/io/checkpoint.h"
#include "nabla/nn/nn.h"
#include "nabla/train/callbacks.h"
#include "parts_test_util.h"

using namespace nabla;
using training::test::TempDir;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

training::RunConfig tiny_config() {
  training::RunConfig c;
  c.model = {"mlp", 1, 2, 2, 3, 1};
  c.classes = {"a", "b", "c"};
  return c;
}
}  // namespace

TEST(RunState, NonFiniteHistoryRoundTrips) {
  TempDir dir;
  auto model = training::build_model(tiny_config().model);
  training::TrainingState ts;
  ts.epoch = 3;
  ts.global_step = 12;
  ts.history = {{{"epoch", 1}, {"train_loss", 0.5}, {"val_loss", kNaN}},
                {{"epoch", 2}, {"train_loss", kInf}, {"val_loss", -kInf}},
                {{"epoch", 3}, {"train_loss", 1e300}, {"val_loss", 0.25}}};
  ts.optimizer.json = "{}";
  const std::string path = dir.file("run.safetensors");
  training::save_run(path, tiny_config(), *model, &ts);
  training::LoadedRun r = training::load_run(path);
  ASSERT_TRUE(r.training.has_value());
  const auto& h = r.training->history;
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].at("train_loss"), 0.5);
  EXPECT_TRUE(std::isnan(h[0].at("val_loss")));
  EXPECT_EQ(h[1].at("train_loss"), kInf);
  EXPECT_EQ(h[1].at("val_loss"), -kInf);
  EXPECT_EQ(h[2].at("train_loss"), 1e300);
  EXPECT_EQ(h[2].at("val_loss"), 0.25);
  EXPECT_EQ(r.training->epoch, 3);
}

TEST(RunState, OldFilesWithNullInTheHistoryStillLoad) {
  TempDir dir;
  auto model = training::build_model(tiny_config().model);
  const std::string path = dir.file("old.safetensors");
  io::Metadata meta = {{"nabla.run", tiny_config().to_json()},
                       {"nabla.format", "nabla-run-1"},
                       {"nabla.epoch", "1"},
                       {"nabla.global_step", "4"},
                       {"nabla.history", R"([{"epoch":1,"train_loss":0.5,"val_loss":null}])"},
                       {"nabla.optimizer", "{}"},
                       {"nabla.rng", R"(["1","2","3","4","5","6"])"}};
  io::save_checkpoint(path, model->state_dict(), meta);
  training::LoadedRun r = training::load_run(path);
  ASSERT_TRUE(r.training.has_value());
  ASSERT_EQ(r.training->history.size(), 1u);
  EXPECT_TRUE(std::isnan(r.training->history[0].at("val_loss")));
}

// nabla always writes "nabla.format": a run file without it, or with another one, is refused.
TEST(RunState, TheFormatKeyIsRequired) {
  TempDir dir;
  auto model = training::build_model(tiny_config().model);
  for (const char* format : {"", "nabla-run-2"}) {
    const std::string path = dir.file("f.safetensors");
    io::Metadata meta = {{"nabla.run", tiny_config().to_json()}};
    if (*format) meta["nabla.format"] = format;
    io::save_checkpoint(path, model->state_dict(), meta);
    EXPECT_TRUE(training::test::throws<IOError>([&] { training::load_run(path); },
                                                {path, *format ? format : "<missing>", "nabla-run-1"}))
        << format;
  }
}

TEST(RunState, EarlyStoppingStateWithNaNBestRoundTrips) {
  training::EarlyStopping a({.patience = 5});
  training::EarlyStopping b({.patience = 5});
  b.load_state(R"({"wait":1,"stopped_epoch":0,"best":"Infinity"})");
  EXPECT_NO_THROW(a.load_state(b.state()));
  EXPECT_NO_THROW(a.load_state(R"({"wait":1,"stopped_epoch":0,"best":null})"));
}
