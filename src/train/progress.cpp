// progress.cpp — the per-epoch progress bar (see progress.h).
#include "nabla/train/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

namespace nabla::training {

bool stdout_is_tty() { return ::isatty(::fileno(stdout)) == 1; }

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  auto s = static_cast<int64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

namespace {

double steady_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// "loss"-like names first (the number people watch), then the rest in name order.
std::vector<std::pair<std::string, double>> ordered(const ProgressBar::Metrics& metrics) {
  std::vector<std::pair<std::string, double>> out(metrics.begin(), metrics.end());
  std::stable_partition(out.begin(), out.end(),
                        [](const auto& kv) { return kv.first.find("loss") != std::string::npos; });
  return out;
}

std::string bar(int64_t done, int64_t total, int width) {
  double frac = std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
  int filled = static_cast<int>(frac * width);
  std::string s = "[" + std::string(filled, '=');
  if (filled < width) s += '>' + std::string(width - filled - 1, ' ');
  return s + "]";
}

}  // namespace

ProgressBar::ProgressBar(int64_t total_batches, std::string prefix, std::ostream& out, bool is_tty,
                         Clock clock)
    : total_(total_batches),
      prefix_(std::move(prefix)),
      out_(out),
      tty_(is_tty),
      clock_(clock ? std::move(clock) : Clock(steady_seconds)),
      start_(clock_()) {
  now_ = start_;
}

ProgressBar::~ProgressBar() {
  if (tty_ && drawn_ && !finished_) out_ << '\n' << std::flush;
}

void ProgressBar::update(int64_t batches_done, int64_t samples_done, const Metrics& metrics) {
  if (finished_) return;
  batches_ = batches_done;
  samples_ = samples_done;
  if (!metrics.empty()) metrics_ = metrics;
  now_ = clock_();
  if (!tty_) return;
  bool last = total_ > 0 && batches_done >= total_;
  if (drawn_ && !last && now_ - last_draw_ < kMinRedrawSeconds) return;
  draw(false);
}

void ProgressBar::finish(const Metrics& metrics) {
  if (finished_) return;
  if (!metrics.empty()) metrics_ = metrics;
  now_ = clock_();
  if (tty_) {
    draw(true);
    out_ << '\n';
  } else {
    out_ << format_line(true, false) << '\n';
  }
  out_.flush();
  finished_ = true;
}

std::string ProgressBar::format_line(bool final, bool with_bar) const {
  std::string s = prefix_;
  auto append = [&s](const std::string& part) {
    if (!s.empty()) s += ' ';
    s += part;
  };
  if (with_bar && total_ > 0) append(bar(batches_, total_, kBarWidth));
  append(total_ > 0 ? fmt::format("{}/{}", batches_, total_) : fmt::format("{}", batches_));
  for (const auto& [name, value] : ordered(metrics_)) append(fmt::format("{} {:.4f}", name, value));
  double elapsed = now_ - start_;
  if (elapsed > 0 && samples_ > 0)
    append(fmt::format("{:.0f} samples/s", static_cast<double>(samples_) / elapsed));
  if (final) {
    append(format_duration(elapsed));
  } else if (total_ > 0) {
    double eta =
        batches_ > 0 ? elapsed / static_cast<double>(batches_) * static_cast<double>(total_ - batches_) : NAN;
    append("ETA " + format_duration(std::max(eta, 0.0)));
  }
  return s;
}

void ProgressBar::draw(bool final) {
  std::string line = format_line(final, true);
  size_t len = line.size();
  if (len < last_len_) line += std::string(last_len_ - len, ' ');  // blank the end of a longer line
  out_ << '\r' << line << std::flush;
  last_len_ = len;
  last_draw_ = now_;
  drawn_ = true;
}

}  // namespace nabla::training
