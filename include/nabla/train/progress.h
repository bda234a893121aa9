// progress.h — a per-epoch progress bar.
//
// On a terminal, update() redraws one line in place ('\r'), at most ~10 times a second:
//   Epoch 3/20 [=========>          ] 120/600 loss 0.4123 acc 0.8812 1234 samples/s ETA 00:38
// and finish() draws it a last time with the elapsed time instead of the ETA, then ends the line.
// When the output is not a terminal (CI logs, files), update() prints nothing and finish() prints ONE
// plain line per epoch:
//   Epoch 3/20 600/600 loss 0.4123 acc 0.8812 1234 samples/s 00:48
// Metrics print as "name value" with 4 decimals, names containing "loss" first, then the others in
// name order. The clock and the tty flag can be injected for tests.
#pragma once
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <string>

namespace nabla::training {

// Whether stdout is a terminal (isatty(fileno(stdout))).
bool stdout_is_tty();

class ProgressBar {
 public:
  using Clock = std::function<double()>;  // seconds from any fixed origin, non-decreasing
  using Metrics = std::map<std::string, double>;

  // total_batches <= 0 means unknown (no bar, no ETA). The clock defaults to std::chrono::steady_clock;
  // the epoch's time starts at construction.
  ProgressBar(int64_t total_batches, std::string prefix, std::ostream& out = std::cout,
              bool is_tty = stdout_is_tty(), Clock clock = {});
  ~ProgressBar();  // a terminal line left open is ended with '\n'
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Progress so far in this epoch (cumulative counts, not increments) and the running metrics.
  void update(int64_t batches_done, int64_t samples_done, const Metrics& metrics = {});
  // End of the epoch: the final line. Empty metrics reuse the last update's. Later calls do nothing.
  void finish(const Metrics& metrics = {});

  // The text of the line for the current state (without '\r' or '\n'); `final` shows the elapsed time
  // instead of the ETA, `bar` draws the [====>   ] part.
  std::string format_line(bool final, bool bar) const;

  static constexpr double kMinRedrawSeconds = 0.1;
  static constexpr int kBarWidth = 30;

 private:
  void draw(bool final);

  int64_t total_;
  std::string prefix_;
  std::ostream& out_;
  bool tty_;
  Clock clock_;
  double start_, last_draw_ = -1, now_ = 0;
  int64_t batches_ = 0, samples_ = 0;
  Metrics metrics_;
  size_t last_len_ = 0;  // length of the last line drawn, to blank leftovers of a longer one
  bool drawn_ = false, finished_ = false;
};

// "mm:ss", or "h:mm:ss" from one hour on; "--:--" for a negative or non-finite time.
std::string format_duration(double seconds);

}  // namespace nabla::training
