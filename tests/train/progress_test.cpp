// progress_test.cpp — the progress bar with an injected clock: terminal mode redraws one line with '\r'
// at most ~10 times a second; non-terminal mode prints one plain line per epoch and nothing per batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "nabla/nabla.h"

namespace nabla::training {
namespace {

// A clock the test moves by hand.
struct FakeClock {
  double now = 100.0;
  ProgressBar::Clock fn() {
    return [this] { return now; };
  }
};

int count(const std::string& s, char c) { return static_cast<int>(std::count(s.begin(), s.end(), c)); }

TEST(ProgressBar, TerminalRedrawsInPlaceAndThrottles) {
  FakeClock clock;
  std::ostringstream out;
  ProgressBar bar(600, "Epoch 3/20", out, /*is_tty=*/true, clock.fn());
  clock.now += 9.6;
  bar.update(120, 120 * 100, {{"loss", 0.41234}, {"acc", 0.88119}});
  std::string first = out.str();
  EXPECT_EQ(first,
            "\rEpoch 3/20 [======>                       ] 120/600 loss 0.4123 acc 0.8812 1250 samples/s ETA "
            "00:38");
  // Updates closer than 0.1 s to the last drawing print nothing.
  clock.now += 0.05;
  bar.update(121, 12100, {{"loss", 0.4}});
  EXPECT_EQ(out.str(), first);
  clock.now += 0.06;
  bar.update(122, 12200, {{"loss", 0.4}});
  EXPECT_EQ(count(out.str(), '\r'), 2);
  // The last batch is always drawn, even right after another drawing.
  bar.update(600, 60000, {{"loss", 0.3}});
  EXPECT_EQ(count(out.str(), '\r'), 3);
  EXPECT_NE(out.str().find("[==============================] 600/600 loss 0.3000"), std::string::npos);
  EXPECT_EQ(count(out.str(), '\n'), 0);
  clock.now = 100.0 + 48.0;
  bar.finish();
  std::string all = out.str();
  EXPECT_EQ(count(all, '\n'), 1);
  EXPECT_EQ(all.back(), '\n');
  std::string last = all.substr(all.rfind('\r') + 1);
  EXPECT_EQ(last.substr(0, last.find_last_not_of(" \n") + 1),
            "Epoch 3/20 [==============================] 600/600 loss 0.3000 1250 samples/s 00:48");
  bar.finish();  // once only
  EXPECT_EQ(out.str(), all);
}

TEST(ProgressBar, ShorterLineBlanksTheRestOfTheLongerOne) {
  FakeClock clock;
  std::ostringstream out;
  ProgressBar bar(10, "E", out, true, clock.fn());
  clock.now += 1;
  bar.update(1, 10, {{"loss", 123456.0}, {"extra_metric", 1.0}});
  size_t long_len = out.str().size() - 1;  // without '\r'
  clock.now += 1;
  bar.update(2, 20, {{"loss", 1.0}});
  std::string second = out.str().substr(long_len + 1);
  EXPECT_EQ(second[0], '\r');
  EXPECT_GE(second.size() - 1, long_len);  // padded with spaces to cover the old text
  EXPECT_EQ(second.back(), ' ');
}

TEST(ProgressBar, NotATerminalPrintsOnePlainLinePerEpoch) {
  FakeClock clock;
  std::ostringstream out;
  {
    ProgressBar bar(600, "Epoch 1/2", out, /*is_tty=*/false, clock.fn());
    for (int b = 1; b <= 600; ++b) {
      clock.now += 0.5;
      bar.update(b, b * 10, {{"loss", 1.0 / b}});
    }
    EXPECT_EQ(out.str(), "");  // nothing per batch
    bar.finish({{"val_acc", 0.91}, {"train_loss", 0.25}, {"val_loss", 0.3}});
  }
  EXPECT_EQ(out.str(),
            "Epoch 1/2 600/600 train_loss 0.2500 val_loss 0.3000 val_acc 0.9100 20 samples/s 05:00\n");
  EXPECT_EQ(count(out.str(), '\r'), 0);
}

TEST(ProgressBar, UnknownTotalAndNoProgressYet) {
  FakeClock clock;
  std::ostringstream out;
  ProgressBar bar(0, "", out, false, clock.fn());
  EXPECT_EQ(bar.format_line(false, true), "0");  // no bar, no rate, no ETA before anything happened
  clock.now += 2;
  bar.update(7, 70);
  EXPECT_EQ(bar.format_line(false, true), "7 35 samples/s");
  ProgressBar known(4, "x", out, false, clock.fn());
  EXPECT_EQ(known.format_line(false, true), "x [>                             ] 0/4 ETA --:--");
}

TEST(ProgressBar, TerminalLineLeftOpenIsEndedByTheDestructor) {
  FakeClock clock;
  std::ostringstream out;
  {
    ProgressBar bar(5, "E", out, true, clock.fn());
    bar.update(1, 1);
  }
  EXPECT_EQ(out.str().back(), '\n');
}

TEST(ProgressBar, FormatDuration) {
  EXPECT_EQ(format_duration(0), "00:00");
  EXPECT_EQ(format_duration(38.4), "00:38");
  EXPECT_EQ(format_duration(59.6), "01:00");
  EXPECT_EQ(format_duration(3599), "59:59");
  EXPECT_EQ(format_duration(3600 * 2 + 61), "2:01:01");
  EXPECT_EQ(format_duration(-1), "--:--");
  EXPECT_EQ(format_duration(std::nan("")), "--:--");
}

}  // namespace
}  // namespace nabla::training
