// plot_common.h — what the PLplot-drawn plots share (plots.cpp, plot_more.cpp): the palette, text
// escaping, value ranges and the one render path (a fresh PLplot stream under the global mutex,
// written atomically). Private to the train layer.
#pragma once
#include <plplot.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "nabla/tensor/tensor.h"
#include "nabla/train/plots.h"

namespace nabla::training::detail {

// cmap0: background, foreground (axes, text), grid, then the series colours (matplotlib's tab10).
inline constexpr int kBg = 0, kFg = 1, kGrid = 2, kFirstSeries = 3, kNumSeriesColors = 10;
inline constexpr PLINT kPalette[][3] = {{255, 255, 255}, {0, 0, 0},       {210, 210, 210}, {31, 119, 180},
                                        {255, 127, 14},  {44, 160, 44},   {214, 39, 40},   {148, 103, 189},
                                        {140, 86, 75},   {227, 119, 194}, {127, 127, 127}, {188, 189, 34},
                                        {23, 190, 207}};
inline constexpr int kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

// The cmap0 index of series / class k (tab10, repeating after 10).
inline int series_color(int64_t k) { return kFirstSeries + static_cast<int>(k % kNumSeriesColors); }

// PLplot reads '#' as the start of an escape sequence ("#u" superscript...); "##" is a literal '#'.
std::string escape(const std::string& text);

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
  // Widened by `frac` of its span on both sides (a flat range by a visible amount).
  Range padded(double frac) const {
    double span = hi - lo;
    if (span == 0) span = lo == 0 ? 1.0 : std::abs(lo) * 0.2;
    return {lo - frac * span, hi + frac * span};
  }
};

// Runs `draw` on a fresh PLplot stream writing `path_png` (see Note [PLplot state] in plots.cpp), then
// commits the file atomically. `touch_up`, when given, edits the rendered page as uint8 [H, W, 3] RGB
// before it is written (pixels PLplot cannot draw exactly, such as image grids). Checks `size` first.
void render_png(const std::string& path_png, PlotSize size, const char* who,
                const std::function<void()>& draw, const std::function<void(Tensor& rgb)>& touch_up = {});

// Pixels per mm of the current page (PLplot measures characters in mm).
double pixels_per_mm(PlotSize size);

}  // namespace nabla::training::detail
