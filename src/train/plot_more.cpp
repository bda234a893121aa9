// plot_more.cpp — scatter plots, decision boundaries and image grids, on the PLplot render path of
// plots.cpp (plot_common.h: one mutex, a fresh stream per plot, atomic writes).
//
// Image grids are composed in two passes: PLplot draws the page with the captions (cairo text: readable,
// antialiased, UTF-8), then the images' pixels are pasted into their cells of the decoded page
// (nearest-neighbour scaling, exact colours) before the PNG is written. PLplot's own image drawing
// goes through a colour map (one scalar per pixel), which fits neither RGB images nor exact pixels.
#include <plplot.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "nabla/train/plots.h"
#include "train/plot_common.h"
#include "util/check.h"

namespace nabla::training {
namespace {

using detail::escape;
using detail::kBg;
using detail::kFg;
using detail::kGrid;
using detail::kPalette;
using detail::Range;
using detail::series_color;

constexpr size_t kMaxLegendEntries = 30;  // more classes are drawn without a legend

std::string describe(const Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  return fmt::format("{} {}", dtype_name(t.dtype()), shape_str(t.sizes()));
}

// Row-major (x, y) pairs of a floating [N, 2] tensor, N >= 1.
std::vector<double> check_points(const Tensor& points, const char* who) {
  NABLA_CHECK(points.defined() && points.dim() == 2 && points.size(1) == 2 && points.size(0) >= 1 &&
                  points.is_floating_point(),
              ValueError, "{}: points must be a floating [N, 2] tensor with N >= 1, got {}", who,
              describe(points));
  return points.detach().to_vector();
}

// Class ids of an integer [n] tensor (empty when undefined); every id must be >= 0.
std::vector<int64_t> check_labels(const Tensor& labels, int64_t n, const char* who) {
  if (!labels.defined()) return {};
  NABLA_CHECK(labels.dim() == 1 && labels.size(0) == n && is_integral(labels.dtype(), /*include_bool=*/false),
              ValueError, "{}: labels must be an integer [{}] tensor (one class id per point), got {}", who,
              n, describe(labels));
  std::vector<double> v = labels.detach().to_vector();
  std::vector<int64_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    NABLA_CHECK(v[i] >= 0, ValueError, "{}: labels[{}] is {}; class ids must be >= 0", who, i,
                static_cast<int64_t>(v[i]));
    out[i] = static_cast<int64_t>(v[i]);
  }
  return out;
}

int64_t num_classes(const std::vector<int64_t>& ids) {
  int64_t k = 0;
  for (int64_t id : ids) k = std::max(k, id + 1);
  return k;
}

// A colour mixed with white: `alpha` of the colour (matplotlib's alpha over a white page).
void tint(const PLINT rgb[3], double alpha, PLINT out[3]) {
  for (int c = 0; c < 3; ++c) out[c] = static_cast<PLINT>(std::lround(255 - alpha * (255 - rgb[c])));
}

// Width in viewport-normalised units of a colour-box legend holding `names` (estimated: DejaVu Sans
// averages ~0.75 character heights per character), 0 when there is no legend.
double legend_width(const std::vector<std::string>& names, double text_scale) {
  if (names.empty()) return 0;
  size_t longest = 1;
  for (const auto& n : names) longest = std::max(longest, n.size());
  PLFLT def = 0, ht = 0, x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  plgchr(&def, &ht);
  plgspa(&x0, &x1, &y0, &y1);
  double mm = ht * text_scale * (0.75 * static_cast<double>(longest) + 4.0);
  return std::min(0.4, mm / (x1 - x0));
}

// A legend of colour boxes outside the viewport's right edge, centred vertically.
void draw_class_legend(const std::vector<std::string>& names, const std::vector<PLINT>& colors) {
  if (names.empty()) return;
  size_t n = names.size();
  std::vector<std::string> escaped;
  std::vector<PLCHAR_VECTOR> text;
  for (const auto& name : names) escaped.push_back(escape(name));
  for (const auto& e : escaped) text.push_back(e.c_str());
  std::vector<PLINT> opts(n, PL_LEGEND_COLOR_BOX), text_colors(n, kFg), patterns(n, 0);
  std::vector<PLFLT> box_scales(n, 0.8), line_widths(n, 1.0);
  PLFLT width = 0, height = 0;
  pllegend(&width, &height, PL_LEGEND_BACKGROUND, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE, 0.02, 0.0, 0.03,
           kBg, kFg, 1, 0, 0, static_cast<PLINT>(n), opts.data(), 0.8, 0.9, 1.8, 0.0, text_colors.data(),
           text.data(), colors.data(), patterns.data(), box_scales.data(), line_widths.data(), nullptr,
           nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
}

// Filled circles of `radius_px` pixels at the finite points, in input order (so that classes mix as
// in one matplotlib scatter call); colour per class, `fallback` without labels; a thin black outline
// when `outline`.
void draw_points(const std::vector<double>& xy, const std::vector<int64_t>& labels, int fallback,
                 double radius_px, bool outline, PlotSize size) {
  PLFLT vx0 = 0, vx1 = 0, vy0 = 0, vy1 = 0, wx0 = 0, wx1 = 0, wy0 = 0, wy1 = 0;
  plgvpd(&vx0, &vx1, &vy0, &vy1);
  plgvpw(&wx0, &wx1, &wy0, &wy1);
  double rx = radius_px * (wx1 - wx0) / ((vx1 - vx0) * size.width);
  double ry = radius_px * (wy1 - wy0) / ((vy1 - vy0) * size.height);
  constexpr int kSides = 16;
  PLFLT ux[kSides + 1], uy[kSides + 1], cx[kSides + 1], cy[kSides + 1];
  for (int k = 0; k <= kSides; ++k) {
    double a = 2 * M_PI * k / kSides;
    ux[k] = std::cos(a) * rx;
    uy[k] = std::sin(a) * ry;
  }
  plwidth(0.6);
  size_t n = xy.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    double x = xy[2 * i], y = xy[2 * i + 1];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    for (int k = 0; k <= kSides; ++k) cx[k] = x + ux[k], cy[k] = y + uy[k];
    plcol0(labels.empty() ? fallback : series_color(labels[i]));
    plfill(kSides, cx, cy);
    if (outline) {
      plcol0(kFg);
      plline(kSides + 1, cx, cy);
    }
  }
  plwidth(1.0);
}

double point_radius(size_t n) { return n <= 1000 ? 3.5 : (n <= 10000 ? 2.5 : 1.8); }

struct Bounds {
  Range x, y;
};

Bounds bounds_of(const std::vector<double>& xy, const char* who) {
  Bounds b;
  for (size_t i = 0; i + 1 < xy.size(); i += 2) {
    if (std::isfinite(xy[i]) && std::isfinite(xy[i + 1])) b.x.add(xy[i]), b.y.add(xy[i + 1]);
  }
  NABLA_CHECK(!b.x.empty(), ValueError, "{}: points has no point with finite coordinates ({} points)", who,
              xy.size() / 2);
  return b;
}

// Axes box with a light grid and the title, in the current viewport and window.
void draw_frame(const std::string& title, bool grid) {
  if (grid) {
    plcol0(kGrid);
    plbox("g", 0, 0, "g", 0, 0);
  }
  plcol0(kFg);
  plbox("bcnst", 0, 0, "bcnstv", 0, 0);
  plmtex("t", 1.5, 0.5, 0.5, escape(title).c_str());
}

std::vector<std::string> legend_names(const std::vector<std::string>& class_names, int64_t k, bool labelled,
                                      const char* prefix) {
  std::vector<std::string> names = class_names;
  if (names.empty() && labelled)
    for (int64_t c = 0; c < k; ++c) names.push_back(prefix + std::to_string(c));
  if (names.size() > kMaxLegendEntries) names.clear();
  return names;
}

std::vector<PLINT> legend_colors(size_t n) {
  std::vector<PLINT> colors(n);
  for (size_t c = 0; c < n; ++c) colors[c] = series_color(static_cast<int64_t>(c));
  return colors;
}

}  // namespace

// ---- scatter ----

void plot_scatter(const std::string& path_png, const std::string& title, const Tensor& points,
                  const Tensor& labels, const std::vector<std::string>& class_names, PlotSize size) {
  constexpr const char* who = "plot_scatter";
  std::vector<double> xy = check_points(points, who);
  std::vector<int64_t> ids = check_labels(labels, points.size(0), who);
  int64_t k = ids.empty() ? 1 : num_classes(ids);
  NABLA_CHECK(class_names.empty() || static_cast<int64_t>(class_names.size()) >= k, ValueError,
              "{}: {} class names for class ids up to {} in labels", who, class_names.size(), k - 1);
  Bounds b = bounds_of(xy, who);
  std::vector<std::string> names = legend_names(class_names, k, !ids.empty(), "");
  detail::render_png(path_png, size, who, [&] {
    plschr(0, 0.9);
    double right = 0.96 - legend_width(names, 0.9);
    plvpor(0.10, right, 0.09, 0.92);
    Range x = b.x.padded(0.05), y = b.y.padded(0.05);
    plwind(x.lo, x.hi, y.lo, y.hi);
    draw_frame(title, true);
    draw_points(xy, ids, series_color(0), point_radius(xy.size() / 2), false, size);
    plcol0(kFg);
    plbox("bc", 0, 0, "bc", 0, 0);
    draw_class_legend(names, legend_colors(names.size()));
  });
}

// ---- decision boundary ----

void plot_decision_boundary(const std::string& path_png, const std::string& title,
                            const ClassPredictor& predict, const Tensor& points, const Tensor& labels,
                            int64_t grid_steps, PlotSize size) {
  constexpr const char* who = "plot_decision_boundary";
  NABLA_CHECK(static_cast<bool>(predict), ValueError, "{}: predict is an empty function", who);
  NABLA_CHECK(grid_steps >= 2 && grid_steps <= 2000, ValueError, "{}: grid_steps {} must be within 2..2000",
              who, grid_steps);
  std::vector<double> xy = check_points(points, who);
  std::vector<int64_t> ids = check_labels(labels, points.size(0), who);
  Bounds b = bounds_of(xy, who);
  Range x = b.x.padded(0.10), y = b.y.padded(0.10);

  // Grid cell centres, row-major with x fastest: point (i, j) = (x_i, y_j) at j * steps + i.
  int64_t steps = grid_steps, m = steps * steps;
  std::vector<float> grid(static_cast<size_t>(2 * m));
  for (int64_t j = 0; j < steps; ++j) {
    for (int64_t i = 0; i < steps; ++i) {
      grid[2 * (j * steps + i)] = static_cast<float>(x.lo + (i + 0.5) * (x.hi - x.lo) / steps);
      grid[2 * (j * steps + i) + 1] = static_cast<float>(y.lo + (j + 0.5) * (y.hi - y.lo) / steps);
    }
  }
  Tensor predicted;
  {
    NoGradGuard no_grad;
    predicted = predict(from_buffer(grid.data(), {m, 2}, kFloat32));
  }
  NABLA_CHECK(predicted.defined() && predicted.dim() == 1 && predicted.size(0) == m &&
                  is_integral(predicted.dtype(), /*include_bool=*/false),
              ValueError, "{}: predict must return integer class ids [{}] for points [{}, 2], got {}", who, m,
              m, describe(predicted));
  std::vector<double> pred = predicted.detach().to_vector();
  int64_t k = std::max<int64_t>(num_classes(ids), 1);
  for (size_t p = 0; p < pred.size(); ++p) {
    NABLA_CHECK(pred[p] >= 0, ValueError,
                "{}: predict returned class id {} for point ({}, {}); ids must be >= 0", who,
                static_cast<int64_t>(pred[p]), grid[2 * p], grid[2 * p + 1]);
    k = std::max(k, static_cast<int64_t>(pred[p]) + 1);
  }
  // plimagefr's data: idata[i][j] is cell (x_i, y_j), valued class + 0.5 on a discrete cmap1 of
  // max(k, 2) colours over [0, max(k, 2)], so that cell colour index = class.
  int64_t ncol = std::max<int64_t>(k, 2);
  std::vector<PLFLT> cells(static_cast<size_t>(m));
  std::vector<const PLFLT*> columns(static_cast<size_t>(steps));
  for (int64_t i = 0; i < steps; ++i) {
    for (int64_t j = 0; j < steps; ++j) cells[i * steps + j] = pred[j * steps + i] + 0.5;
    columns[i] = cells.data() + i * steps;
  }
  // The legend lists every class, in the data or predicted.
  std::vector<std::string> names = legend_names({}, k, true, "class ");
  detail::render_png(path_png, size, who, [&] {
    std::vector<PLINT> r(ncol), g(ncol), bl(ncol);
    for (int64_t c = 0; c < ncol; ++c) {
      PLINT t[3];
      tint(kPalette[series_color(c)], 0.4, t);
      r[c] = t[0], g[c] = t[1], bl[c] = t[2];
    }
    plscmap1n(static_cast<PLINT>(ncol));
    plscmap1(r.data(), g.data(), bl.data(), static_cast<PLINT>(ncol));
    plschr(0, 0.9);
    double right = 0.96 - legend_width(names, 0.9);
    plvpor(0.10, right, 0.09, 0.92);
    plwind(x.lo, x.hi, y.lo, y.hi);
    plimagefr(columns.data(), static_cast<PLINT>(steps), static_cast<PLINT>(steps), x.lo, x.hi, y.lo, y.hi, 0,
              static_cast<PLFLT>(ncol), 0, static_cast<PLFLT>(ncol), nullptr, nullptr);
    draw_frame(title, false);
    draw_points(xy, ids, kFg, point_radius(xy.size() / 2) + 0.5, true, size);
    draw_class_legend(names, legend_colors(names.size()));
  });
}

// ---- image grid ----

namespace {

struct GridLayout {
  int64_t cols = 0, rows = 0;
  double pad = 0, cell_w = 0, cell_h = 0, band = 0, caption_px = 0;
  // Cell of image i: its top-left corner (pixels from the page's top-left).
  double cell_x(int64_t i) const { return pad + static_cast<double>(i % cols) * (cell_w + pad); }
  double cell_y(int64_t i) const { return pad + static_cast<double>(i / cols) * (cell_h + pad); }
};

// Where image i (h x w pixels) lands: its top-left corner and size in page pixels.
struct Placement {
  int64_t x0, y0, w, h;
};

Placement place(const GridLayout& l, int64_t i, int64_t h, int64_t w) {
  double avail_h = l.cell_h - l.band;
  double scale = std::min(l.cell_w / static_cast<double>(w), avail_h / static_cast<double>(h));
  int64_t dw = std::max<int64_t>(1, std::lround(static_cast<double>(w) * scale));
  int64_t dh = std::max<int64_t>(1, std::lround(static_cast<double>(h) * scale));
  int64_t x0 = std::lround(l.cell_x(i) + (l.cell_w - static_cast<double>(dw)) / 2);
  int64_t y0 = std::lround(l.cell_y(i) + l.band + (avail_h - static_cast<double>(dh)) / 2);
  return {x0, y0, dw, dh};
}

}  // namespace

void plot_image_grid(const std::string& path_png, const Tensor& images, int64_t nrow,
                     const std::vector<std::string>& captions, PlotSize size) {
  constexpr const char* who = "plot_image_grid";
  NABLA_CHECK(images.defined() && images.dim() == 4 && (images.size(1) == 1 || images.size(1) == 3) &&
                  images.size(0) >= 1 && images.size(2) >= 1 && images.size(3) >= 1,
              ValueError, "{}: images must be [N, C, H, W] with C = 1 or 3 and N, H, W >= 1, got {}", who,
              describe(images));
  NABLA_CHECK(images.is_floating_point() || images.dtype() == kUInt8, ValueError,
              "{}: images must be uint8 (0..255) or floating (0..1), got {}", who, describe(images));
  NABLA_CHECK(nrow >= 1, ValueError, "{}: nrow (images per row) must be >= 1, got {}", who, nrow);
  int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  NABLA_CHECK(captions.empty() || static_cast<int64_t>(captions.size()) == n, ValueError,
              "{}: {} captions for {} images (give none or one per image)", who, captions.size(), n);
  NABLA_CHECK(size.width >= 64 && size.height >= 64 && size.width <= 10000 && size.height <= 10000,
              ValueError, "{}: plot size {}x{} must be within 64..10000 pixels", who, size.width,
              size.height);

  GridLayout l;
  l.cols = std::min(nrow, n);
  l.rows = (n + l.cols - 1) / l.cols;
  l.pad = std::clamp(std::min(size.width, size.height) / 100.0, 2.0, 8.0);
  l.cell_w = (size.width - l.pad * static_cast<double>(l.cols + 1)) / static_cast<double>(l.cols);
  l.cell_h = (size.height - l.pad * static_cast<double>(l.rows + 1)) / static_cast<double>(l.rows);
  bool any_caption = std::any_of(captions.begin(), captions.end(), [](const auto& s) { return !s.empty(); });
  if (any_caption) {
    l.caption_px = std::clamp(l.cell_h * 0.15, 8.0, 15.0);
    l.band = l.caption_px * 1.7;
  }
  NABLA_CHECK(l.cell_w >= 2 && l.cell_h - l.band >= 2, ValueError,
              "{}: {} images in rows of {} do not fit a {}x{} page; pass a larger size", who, n, l.cols,
              size.width, size.height);

  std::vector<double> v = images.detach().to_vector();
  bool unit = images.is_floating_point();
  for (double& x : v) x = std::isnan(x) ? 0.0 : std::clamp(unit ? x * 255.0 : x, 0.0, 255.0);

  auto draw = [&] {
    if (!any_caption) return;
    plvpor(0, 1, 0, 1);
    plwind(0, size.width, 0, size.height);  // pixels, y up
    PLFLT def = 0, ht = 0;
    plgchr(&def, &ht);
    double px_per_mm = detail::pixels_per_mm(size);
    plcol0(kFg);
    for (int64_t i = 0; i < n; ++i) {
      if (captions[i].empty()) continue;
      // Shrink a caption that would overflow its cell (estimated width: 0.62 heights per character).
      double len = static_cast<double>(captions[i].size());
      double px = std::min(l.caption_px, l.cell_w / (0.62 * std::max(len, 1.0)));
      plschr(0, px / (def * px_per_mm));
      Placement p = place(l, i, h, w);
      double x_mid = l.cell_x(i) + l.cell_w / 2;
      double y_mid = static_cast<double>(p.y0) - l.band / 2;
      plptex(x_mid, size.height - y_mid, 1, 0, 0.5, escape(captions[i]).c_str());
    }
  };
  auto paste = [&](Tensor& page) {
    int64_t ph = page.size(0), pw = page.size(1);
    uint8_t* out = page.data_ptr<uint8_t>();
    auto put = [&](int64_t yy, int64_t xx, const uint8_t rgb[3]) {
      if (yy < 0 || yy >= ph || xx < 0 || xx >= pw) return;
      std::copy(rgb, rgb + 3, out + (yy * pw + xx) * 3);
    };
    const uint8_t frame[3] = {static_cast<uint8_t>(kPalette[kGrid][0]),
                              static_cast<uint8_t>(kPalette[kGrid][1]),
                              static_cast<uint8_t>(kPalette[kGrid][2])};
    for (int64_t i = 0; i < n; ++i) {
      Placement p = place(l, i, h, w);
      // A 1-pixel light grey frame, so that white images stand out from the page.
      for (int64_t xx = p.x0 - 1; xx <= p.x0 + p.w; ++xx)
        put(p.y0 - 1, xx, frame), put(p.y0 + p.h, xx, frame);
      for (int64_t yy = p.y0; yy < p.y0 + p.h; ++yy) put(yy, p.x0 - 1, frame), put(yy, p.x0 + p.w, frame);
      const double* img = v.data() + i * c * h * w;
      for (int64_t dy = 0; dy < p.h; ++dy) {
        int64_t sy = std::min(h - 1, dy * h / p.h);
        for (int64_t dx = 0; dx < p.w; ++dx) {
          int64_t sx = std::min(w - 1, dx * w / p.w);
          uint8_t rgb[3];
          for (int k = 0; k < 3; ++k)
            rgb[k] = static_cast<uint8_t>(std::lround(img[(c == 3 ? k : 0) * h * w + sy * w + sx]));
          put(p.y0 + dy, p.x0 + dx, rgb);
        }
      }
    }
  };
  detail::render_png(path_png, size, who, draw, paste);
}

}  // namespace nabla::training
