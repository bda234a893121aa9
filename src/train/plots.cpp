// plots.cpp — metric curves and confusion matrices with PLplot's C API (pngcairo device).
//
// Note [PLplot state]: PLplot keeps its streams, colour maps and error handlers in process-global
// state, so every plot holds g_plplot_mutex from start to finish, creates a fresh stream (plmkstrm),
// ends exactly that stream (plend1) and restores the stream that was current before (plsstrm). Fatal
// PLplot errors call exit(), so everything that could fail is checked first: the pngcairo device is
// installed, the output directory is writable (the temporary file is created here, not by PLplot).
// Non-fatal PLplot errors ("plabort") are collected and turned into an IOError after the stream ends.
#include "nabla/train/plots.h"

#include <fcntl.h>
#include <plplot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "io/formats.h"
#include "nabla/io/checkpoint.h"
#include "nabla/io/image.h"
#include "train/plot_common.h"
#include "util/check.h"

namespace nabla::training {
namespace {

using detail::escape;
using detail::kBg;
using detail::kFg;
using detail::kFirstSeries;
using detail::kGrid;
using detail::kNumSeriesColors;
using detail::kPalette;
using detail::kPaletteSize;
using detail::Range;

std::mutex g_plplot_mutex;
std::string g_abort_messages;  // guarded by g_plplot_mutex

void collect_abort(PLCHAR_VECTOR message) {
  if (!g_abort_messages.empty()) g_abort_messages += "; ";
  g_abort_messages += message;
}

bool pngcairo_available() {
  constexpr int kMaxDevices = 256;
  PLCHAR_VECTOR menus[kMaxDevices], names[kMaxDevices];
  PLCHAR_VECTOR* menus_p = menus;
  PLCHAR_VECTOR* names_p = names;
  int n = kMaxDevices;
  plgDevs(&menus_p, &names_p, &n);  // fills the arrays, sets n to the device count
  for (int i = 0; i < n; ++i)
    if (std::strcmp(names[i], "pngcairo") == 0) return true;
  return false;
}

// "<path>.tmp.<pid>.<n>", created empty here so that an unwritable directory is an IOError, not a
// PLplot exit().
std::string create_temp_file(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  NABLA_CHECK(fd >= 0, IOError, "plot: cannot create '{}': {}", tmp, std::strerror(errno));
  ::close(fd);
  return tmp;
}

// A fresh PLplot stream drawing one page into `file`; see Note [PLplot state]. Call the drawing
// functions between construction and finish().
class PlotStream {
 public:
  PlotStream(const std::string& file, PlotSize size) {
    g_abort_messages.clear();
    plsabort(collect_abort);
    plgstrm(&previous_);
    plmkstrm(&stream_);
    plsdev("pngcairo");
    plsfnam(file.c_str());
    plspage(0, 0, size.width, size.height, 0, 0);
    PLINT r[kPaletteSize], g[kPaletteSize], b[kPaletteSize];
    for (int i = 0; i < kPaletteSize; ++i)
      r[i] = kPalette[i][0], g[i] = kPalette[i][1], b[i] = kPalette[i][2];
    plscmap0(r, g, b, kPaletteSize);
    plinit();
    pladv(0);
  }
  ~PlotStream() { end(); }
  PlotStream(const PlotStream&) = delete;
  PlotStream& operator=(const PlotStream&) = delete;

  // Ends the stream (the file is complete afterwards); the collected PLplot errors, if any.
  std::string finish() {
    end();
    return g_abort_messages;
  }

 private:
  void end() {
    if (ended_) return;
    ended_ = true;
    plend1();
    plsstrm(previous_);
    plsabort(nullptr);
  }
  PLINT previous_ = 0, stream_ = 0;
  bool ended_ = false;
};

}  // namespace

namespace detail {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '#') out += '#';
  }
  return out;
}

double pixels_per_mm(PlotSize size) {
  PLFLT x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  plgspa(&x0, &x1, &y0, &y1);
  return x1 > x0 ? size.width / (x1 - x0) : 1.0;
}

void render_png(const std::string& path_png, PlotSize size, const char* who,
                const std::function<void()>& draw, const std::function<void(Tensor& rgb)>& touch_up) {
  NABLA_CHECK(size.width >= 64 && size.height >= 64 && size.width <= 10000 && size.height <= 10000,
              ValueError, "{}: plot size {}x{} must be within 64..10000 pixels", who, size.width,
              size.height);
  std::lock_guard<std::mutex> lock(g_plplot_mutex);
  NABLA_CHECK(pngcairo_available(), IOError,
              "{}: PLplot's pngcairo device is not installed (Debian package plplot-driver-cairo)", who);
  std::string tmp = create_temp_file(path_png);
  std::string errors;
  try {
    PlotStream stream(tmp, size);
    draw();
    errors = stream.finish();
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  struct stat st {};
  bool written = ::stat(tmp.c_str(), &st) == 0 && st.st_size > 0;
  if (!errors.empty() || !written) std::remove(tmp.c_str());
  NABLA_CHECK(errors.empty(), IOError, "{}: PLplot failed writing '{}': {}", who, path_png, errors);
  NABLA_CHECK(written, IOError, "{}: PLplot wrote nothing to '{}'", who, path_png);
  // PLplot does not report a failed write (a full disk): the PNG is decoded, which checks its CRCs and
  // its end, then committed by the one checked write path (temporary file, fsync, rename).
  std::vector<uint8_t> png;
  Tensor page;
  try {
    png = io::detail::read_file_bytes(tmp);
    page = io::decode_image(png.data(), png.size(),
                            touch_up ? io::ImageReadMode::RGB : io::ImageReadMode::Unchanged, tmp);
  } catch (const Error& e) {
    std::remove(tmp.c_str());
    throw IOError(
        fmt::format("{}: PLplot wrote an incomplete '{}' (disk full?): {}", who, path_png, e.what()));
  }
  std::remove(tmp.c_str());
  if (touch_up) {
    touch_up(page);
    png = io::encode_png(page);
  }
  io::atomic_write_file(path_png, png);
}

}  // namespace detail

namespace {

// ---- curves ----

// Draws a series (ys[i] at xs[i]) as polylines over its finite runs, with point markers when there are
// few points.
void draw_series(const std::vector<double>& xs, const std::vector<double>& ys, int color) {
  plcol0(color);
  plwidth(2.0);
  std::vector<PLFLT> x, y;
  auto flush = [&] {
    if (x.size() >= 2) plline(static_cast<PLINT>(x.size()), x.data(), y.data());
    if (!x.empty() && (ys.size() <= 60 || x.size() == 1))
      plpoin(static_cast<PLINT>(x.size()), x.data(), y.data(), 17);
    x.clear();
    y.clear();
  };
  for (size_t i = 0; i < ys.size() && i < xs.size(); ++i) {
    if (std::isfinite(xs[i]) && std::isfinite(ys[i])) {
      x.push_back(static_cast<PLFLT>(xs[i]));
      y.push_back(ys[i]);
    } else {
      flush();
    }
  }
  flush();
  plwidth(1.0);
}

// The inside corner whose area the legend would cover holds the fewest curve points (sampled along each
// segment too, so a line crossing the corner counts): top right when free, then bottom right, top left,
// bottom left. The legend's size is estimated from its entries (PLplot reports it only after drawing).
PLINT legend_position(const std::vector<double>& xs, const std::map<std::string, std::vector<double>>& series,
                      Range x, Range y) {
  size_t longest = 0;
  for (const auto& [name, ys] : series) longest = std::max(longest, name.size());
  const double w = std::min(0.9, 0.12 + 0.0135 * static_cast<double>(longest)),
               h = std::min(0.9, 0.04 + 0.062 * static_cast<double>(series.size()));
  const PLINT corners[] = {PL_POSITION_TOP | PL_POSITION_RIGHT, PL_POSITION_BOTTOM | PL_POSITION_RIGHT,
                           PL_POSITION_TOP | PL_POSITION_LEFT, PL_POSITION_BOTTOM | PL_POSITION_LEFT};
  int covered[4] = {0, 0, 0, 0};
  auto count = [&](double px, double py) {  // px, py: the point's fraction of the plot's width and height
    const bool right = px >= 1 - w, left = px <= w, top = py >= 1 - h, bottom = py <= h;
    covered[0] += top && right, covered[1] += bottom && right, covered[2] += top && left,
        covered[3] += bottom && left;
  };
  for (const auto& [name, ys] : series) {
    for (size_t i = 0; i < ys.size() && i < xs.size(); ++i) {
      const bool has_next =
          i + 1 < ys.size() && i + 1 < xs.size() && std::isfinite(ys[i + 1]) && std::isfinite(xs[i + 1]);
      if (!std::isfinite(ys[i]) || !std::isfinite(xs[i])) continue;
      for (int k = 0; k < (has_next ? 8 : 1); ++k) {
        const double t = k / 8.0;
        const double px = xs[i] + (has_next ? t * (xs[i + 1] - xs[i]) : 0),
                     py = ys[i] + (has_next ? t * (ys[i + 1] - ys[i]) : 0);
        count((px - x.lo) / (x.hi - x.lo), (py - y.lo) / (y.hi - y.lo));
      }
    }
  }
  int best = 0;
  for (int c = 1; c < 4; ++c)
    if (covered[c] < covered[best]) best = c;
  return PL_POSITION_INSIDE | corners[best];
}

void draw_legend(const std::vector<double>& xs, const std::map<std::string, std::vector<double>>& series,
                 Range x, Range y) {
  const PLINT position = legend_position(xs, series, x, y);
  size_t n = series.size();
  std::vector<std::string> names;
  std::vector<PLCHAR_VECTOR> text, symbols(n, "");
  std::vector<PLINT> opts(n, PL_LEGEND_LINE), text_colors(n, kFg), colors(n), styles(n, 1), zeros(n, 0);
  std::vector<PLFLT> widths(n, 2.0), scales(n, 1.0);
  for (const auto& [name, ys] : series) names.push_back(escape(name));
  for (size_t i = 0; i < n; ++i) {
    text.push_back(names[i].c_str());
    colors[i] = kFirstSeries + static_cast<PLINT>(i % kNumSeriesColors);
  }
  PLFLT width = 0, height = 0;
  pllegend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, position, 0.02, 0.03, 0.08, kBg,
           kFg, 1, 0, 0, static_cast<PLINT>(n), opts.data(), 1.0, 0.9, 2.0, 0.0, text_colors.data(),
           text.data(), nullptr, nullptr, nullptr, nullptr, colors.data(), styles.data(), widths.data(),
           nullptr, nullptr, nullptr, nullptr);
}

// The axes, labels, series and legend of a line plot over [x.lo, x.hi] x [y.lo, y.hi]; `x_tick` 0 lets
// PLplot choose the tick spacing.
void draw_lines(const std::string& title, const std::vector<double>& xs,
                const std::map<std::string, std::vector<double>>& series, const std::string& xlabel,
                const std::string& ylabel, Range x, Range y, PLFLT x_tick) {
  plschr(0, 0.9);
  plvpor(0.11, 0.96, 0.10, 0.92);
  plwind(x.lo, x.hi, y.lo, y.hi);
  plcol0(kGrid);
  plbox("g", x_tick, 0, "g", 0, 0);
  plcol0(kFg);
  plbox("bcnst", x_tick, 0, "bcnstv", 0, 0);
  pllab(escape(xlabel).c_str(), escape(ylabel).c_str(), escape(title).c_str());
  int i = 0;
  for (const auto& [name, ys] : series) draw_series(xs, ys, kFirstSeries + (i++ % kNumSeriesColors));
  draw_legend(xs, series, x, y);
}

}  // namespace

void plot_curves(const std::string& path_png, const std::string& title,
                 const std::map<std::string, std::vector<double>>& series_by_name, const std::string& xlabel,
                 const std::string& ylabel, PlotSize size) {
  Range y;
  size_t max_len = 0;
  for (const auto& [name, ys] : series_by_name) {
    max_len = std::max(max_len, ys.size());
    for (double v : ys) y.add(v);
  }
  NABLA_CHECK(!y.empty(), ValueError, "plot_curves: no finite value to plot in {} series for '{}'",
              series_by_name.size(), path_png);
  std::vector<double> xs(std::max<size_t>(max_len, 1));
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<double>(i + 1);
  double x_hi = static_cast<double>(std::max<size_t>(max_len, 2));
  double x_pad = (x_hi - 1) * 0.02;
  PLFLT x_tick = max_len <= 12 ? 1 : 0;  // whole epochs for short runs, PLplot's choice otherwise
  detail::render_png(path_png, size, "plot_curves", [&] {
    draw_lines(title, xs, series_by_name, xlabel, ylabel, {1 - x_pad, x_hi + x_pad}, y.padded(0.05), x_tick);
  });
}

void plot_lines(const std::string& path_png, const std::string& title, const std::vector<double>& x_values,
                const std::map<std::string, std::vector<double>>& series_by_name, const std::string& xlabel,
                const std::string& ylabel, PlotSize size) {
  Range x, y;
  for (double v : x_values) x.add(v);
  NABLA_CHECK(!x.empty(), ValueError, "plot_lines: x_values has no finite value ({} values) for '{}'",
              x_values.size(), path_png);
  for (const auto& [name, ys] : series_by_name) {
    NABLA_CHECK(ys.size() == x_values.size(), ValueError,
                "plot_lines: series '{}' has {} values but x_values has {} for '{}'", name, ys.size(),
                x_values.size(), path_png);
    for (size_t i = 0; i < ys.size(); ++i)
      if (std::isfinite(x_values[i])) y.add(ys[i]);
  }
  NABLA_CHECK(!y.empty(), ValueError, "plot_lines: no finite value to plot in {} series for '{}'",
              series_by_name.size(), path_png);
  detail::render_png(path_png, size, "plot_lines", [&] {
    draw_lines(title, x_values, series_by_name, xlabel, ylabel, x.padded(0.02), y.padded(0.05), 0);
  });
}

namespace {

std::string cell_text(double v, bool integral) {
  if (integral) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Row i (true class) is drawn at y = C - 1 - i so that class 0 is the top row, like sklearn and
// matplotlib's imshow.
void draw_cells(const std::vector<double>& v, int64_t c, bool integral) {
  double max_v = 0;
  for (double x : v) max_v = std::max(max_v, std::isfinite(x) ? x : 0.0);
  PLFLT pos[] = {0, 0.5, 1}, r[] = {1, 0.42, 0.03}, g[] = {1, 0.68, 0.19}, b[] = {1, 0.84, 0.42};
  plscmap1n(256);
  plscmap1l(1, 3, pos, r, g, b, nullptr);  // white -> mid blue -> dark blue (matplotlib "Blues")
  for (int64_t i = 0; i < c; ++i) {
    for (int64_t j = 0; j < c; ++j) {
      double frac =
          max_v > 0 && std::isfinite(v[i * c + j]) ? std::clamp(v[i * c + j] / max_v, 0.0, 1.0) : 0.0;
      PLFLT x0 = static_cast<PLFLT>(j), y0 = static_cast<PLFLT>(c - 1 - i);
      PLFLT xs[] = {x0, x0 + 1, x0 + 1, x0}, ys[] = {y0, y0, y0 + 1, y0 + 1};
      plcol1(frac);
      plfill(4, xs, ys);
    }
  }
  if (c > 30) return;  // numbers would not fit
  plschr(0, c <= 10 ? 1.0 : (c <= 20 ? 0.7 : 0.5));
  for (int64_t i = 0; i < c; ++i) {
    for (int64_t j = 0; j < c; ++j) {
      double x = v[i * c + j];
      double frac = max_v > 0 && std::isfinite(x) ? x / max_v : 0.0;
      plcol0(frac > 0.55 ? kBg : kFg);  // white text on dark cells
      plptex(static_cast<PLFLT>(j) + 0.5, static_cast<PLFLT>(c - 1 - i) + 0.5, 1, 0, 0.5,
             cell_text(x, integral).c_str());
    }
  }
}

void draw_confusion(const std::vector<double>& v, int64_t c, const std::vector<std::string>& names,
                    const std::string& title, bool integral) {
  size_t longest = 1;
  for (const auto& n : names) longest = std::max(longest, n.size());
  // Sizes in mm: PLplot's character height, the page, and the class names' estimated length (DejaVu
  // Sans averages ~0.75 character heights per character; 0.8 leaves some slack).
  PLFLT def = 0, label_ht = 0, title_ht = 0, x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  plschr(0, 1.0);
  plgchr(&def, &title_ht);
  plschr(0, c <= 10 ? 0.9 : (c <= 20 ? 0.7 : 0.5));
  plgchr(&def, &label_ht);
  plgspa(&x0, &x1, &y0, &y1);
  double label_len = 0.8 * label_ht * static_cast<double>(longest);
  bool flat_x = label_len < 0.55 * (x1 - x0) / static_cast<double>(c);  // x names fit across a column
  double x_extent = flat_x ? label_ht : label_len;
  double left = std::min(0.4, (0.6 * label_ht + label_len + 2.6 * title_ht) / (x1 - x0));
  double bottom = std::min(0.4, (0.6 * label_ht + x_extent + 2.6 * title_ht) / (y1 - y0));
  plvpas(left, 0.97, bottom, 0.93, 1.0);
  plwind(0, static_cast<PLFLT>(c), 0, static_cast<PLFLT>(c));
  draw_cells(v, c, integral);
  plcol0(kFg);
  plschr(0, c <= 10 ? 0.9 : (c <= 20 ? 0.7 : 0.5));
  plbox("bc", 0, 0, "bc", 0, 0);
  for (int64_t k = 0; k < c; ++k) {
    std::string name = escape(names[k]);
    PLFLT along = (static_cast<PLFLT>(k) + 0.5) / static_cast<PLFLT>(c);
    if (flat_x) {
      plmtex("b", 1.4, along, 0.5, name.c_str());  // predicted class under column k
    } else {
      plmtex("bv", 0.6, along, 1.0, name.c_str());
    }
    plmtex("lv", 0.6, 1.0 - along, 1.0, name.c_str());  // true class left of row k
  }
  plschr(0, 1.0);
  plmtex("b", (0.6 * label_ht + x_extent) / title_ht + 1.4, 0.5, 0.5, "predicted class");
  plmtex("l", (0.6 * label_ht + label_len) / title_ht + 1.0, 0.5, 0.5, "true class");
  plmtex("t", 1.2, 0.5, 0.5, escape(title).c_str());
}

}  // namespace

void plot_confusion_matrix(const std::string& path_png, const Tensor& cm,
                           const std::vector<std::string>& class_names, const std::string& title,
                           PlotSize size) {
  NABLA_CHECK(cm.defined() && cm.dim() == 2 && cm.size(0) == cm.size(1) && cm.size(0) >= 1, ShapeError,
              "plot_confusion_matrix: expected a square [C, C] matrix, got {}",
              cm.defined() ? shape_str(cm.sizes()) : std::string("an undefined tensor"));
  int64_t c = cm.size(0);
  NABLA_CHECK(class_names.empty() || static_cast<int64_t>(class_names.size()) == c, ValueError,
              "plot_confusion_matrix: {} class names for a {} matrix", class_names.size(),
              shape_str(cm.sizes()));
  std::vector<std::string> names = class_names;
  if (names.empty())
    for (int64_t k = 0; k < c; ++k) names.push_back(std::to_string(k));
  std::vector<double> v = cm.detach().to_vector();
  bool integral = !cm.is_floating_point();
  detail::render_png(path_png, size, "plot_confusion_matrix",
                     [&] { draw_confusion(v, c, names, title, integral); });
}

}  // namespace nabla::training
