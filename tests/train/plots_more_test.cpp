// plots_more_test.cpp — line plots over x values, scatter plots, decision boundaries and image grids:
// each writes a PNG of the requested size that decodes, with the expected colours where expected;
// bad arguments are ValueErrors naming the argument, unwritable paths IOErrors naming the file.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <set>

#include "nabla/nabla.h"
#include "train/parts_test_util.h"

namespace nabla::training {
namespace {

using test::TempDir;
using test::throws;

using Rgb = std::array<int, 3>;
constexpr Rgb kBlue{31, 119, 180}, kOrange{255, 127, 14}, kGreen{44, 160, 44}, kWhite{255, 255, 255};

struct Pixels {
  int64_t h = 0, w = 0;
  std::vector<double> rgb;  // [H, W, 3]
  Rgb at(int64_t y, int64_t x) const {
    const double* p = rgb.data() + (y * w + x) * 3;
    return {int(p[0]), int(p[1]), int(p[2])};
  }
  // Pixels within `tol` of the colour in every channel, in rows [y0, y1) and columns [x0, x1).
  int64_t count(Rgb c, int tol = 8, int64_t y0 = 0, int64_t y1 = -1, int64_t x0 = 0, int64_t x1 = -1) const {
    if (y1 < 0) y1 = h;
    if (x1 < 0) x1 = w;
    int64_t n = 0;
    for (int64_t y = y0; y < y1; ++y) {
      for (int64_t x = x0; x < x1; ++x) {
        Rgb p = at(y, x);
        bool near = true;
        for (int k = 0; k < 3; ++k) near = near && std::abs(p[k] - c[k]) <= tol;
        n += near;
      }
    }
    return n;
  }
  // Mean brightness (0..255) over rows [y0, y1) and columns [x0, x1).
  double mean(int64_t y0, int64_t y1, int64_t x0, int64_t x1) const {
    double s = 0;
    for (int64_t y = y0; y < y1; ++y)
      for (int64_t x = x0; x < x1; ++x) {
        Rgb p = at(y, x);
        s += (p[0] + p[1] + p[2]) / 3.0;
      }
    return s / double((y1 - y0) * (x1 - x0));
  }
};

Pixels decode(const std::string& path) {
  Tensor img = io::read_image(path, io::ImageReadMode::RGB);
  return {img.size(0), img.size(1), img.to_vector()};
}

// matplotlib's alpha 0.4 over white, as the decision regions are shaded.
Rgb tint(Rgb c) {
  Rgb t;
  for (int k = 0; k < 3; ++k) t[k] = int(std::lround(255 - 0.4 * (255 - c[k])));
  return t;
}

// Three well-separated clusters of 50 points with labels 0, 1, 2.
std::pair<Tensor, Tensor> clusters() {
  std::vector<float> xy;
  std::vector<int64_t> ids;
  const float centres[3][2] = {{-3, 0}, {3, 0}, {0, 4}};
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 50; ++i) {
      xy.push_back(centres[k][0] + 0.5f * std::cos(float(i)));
      xy.push_back(centres[k][1] + 0.5f * std::sin(float(i) * 1.3f));
      ids.push_back(k);
    }
  return {from_buffer(xy.data(), {150, 2}, kFloat32), from_buffer(ids.data(), {150}, kInt64)};
}

TEST(PlotsMore, LinesAtArbitraryX) {
  TempDir dir;
  std::string path = dir.file("fgsm.png");
  std::vector<double> eps = {0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3};
  plot_lines(path, "Accuracy vs epsilon", eps,
             {{"accuracy", {0.98, 0.94, 0.85, 0.68, 0.43, 0.21, 0.09}},
              {"other", {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3}}},
             "epsilon", "accuracy", {.width = 640, .height = 480});
  Pixels px = decode(path);
  EXPECT_EQ(px.w, 640);
  EXPECT_EQ(px.h, 480);
  EXPECT_GT(px.count(kBlue, 6), 300);    // first series
  EXPECT_GT(px.count(kOrange, 6), 300);  // second series
  EXPECT_EQ(px.at(2, 2), kWhite);
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"fgsm.png"}));
}

TEST(PlotsMore, ScatterHasOneColourPerClass) {
  TempDir dir;
  auto [points, labels] = clusters();
  std::string path = dir.file("latent.png");
  plot_scatter(path, "Latent space", points, labels, {"zero", "one", "two"}, {.width = 700, .height = 500});
  Pixels px = decode(path);
  ASSERT_EQ(px.w, 700);
  ASSERT_EQ(px.h, 500);
  EXPECT_GT(px.count(kBlue, 4), 500);  // 50 dots of radius 3.5 per class
  EXPECT_GT(px.count(kOrange, 4), 500);
  EXPECT_GT(px.count(kGreen, 4), 500);
  // Class 0 sits left of class 1: blue dominates the left half of the plot area, orange the right half
  // (the plot area ends at ~600 px, the legend's colour boxes are right of it).
  EXPECT_GT(px.count(kBlue, 4, 0, 500, 0, 350), 10 * px.count(kBlue, 4, 0, 500, 350, 590) + 1);
  EXPECT_GT(px.count(kOrange, 4, 0, 500, 350, 590), 10 * px.count(kOrange, 4, 0, 500, 0, 350) + 1);
  EXPECT_GT(px.count(kGreen, 4, 0, 500, 610, 700), 20);  // the legend's box for "two"
  // Without labels: one class in tab:blue, no orange or green.
  std::string one = dir.file("one.png");
  plot_scatter(one, "unlabelled", points);
  Pixels p1 = decode(one);
  EXPECT_EQ(p1.w, 800);
  EXPECT_EQ(p1.h, 600);
  EXPECT_GT(p1.count(kBlue, 4), 1500);
  EXPECT_EQ(p1.count(kOrange, 4), 0);
  EXPECT_EQ(p1.count(kGreen, 4), 0);
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"latent.png", "one.png"}));
}

TEST(PlotsMore, DecisionBoundarySplitsLeftFromRight) {
  TempDir dir;
  auto [points, labels] = clusters();
  int calls = 0;
  int64_t seen_rows = 0;
  auto predict = [&](const Tensor& p) {
    ++calls;
    seen_rows = p.size(0);
    EXPECT_EQ(p.dtype(), kFloat32);
    return (p.select(1, 0) >= 0).to(kInt64);  // class 0 for x < 0, 1 otherwise
  };
  std::string path = dir.file("boundary.png");
  plot_decision_boundary(path, "Decision boundary", predict, points, labels, 100,
                         {.width = 600, .height = 500});
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen_rows, 100 * 100);
  Pixels px = decode(path);
  ASSERT_EQ(px.w, 600);
  ASSERT_EQ(px.h, 500);
  // The plot area spans ~10%..(96% - legend) of the width; sample just inside its left and right edges
  // at mid-height (the clusters are at y = 0 and 4, the box spans y in [-1.35, 5.35]).
  Rgb left = tint(kBlue), right = tint(kOrange);
  int64_t y = px.h / 2;
  EXPECT_GT(px.count(left, 3, y - 20, y + 20, 70, 90), 600);     // class 0 region at the left edge
  EXPECT_EQ(px.count(right, 3, y - 20, y + 20, 70, 90), 0);      // not class 1
  EXPECT_GT(px.count(right, 3, y - 20, y + 20, 430, 450), 600);  // class 1 region near the right edge
  EXPECT_EQ(px.count(left, 3, y - 20, y + 20, 430, 450), 0);
  // The points on top in their true class colours, the third class (green) too.
  EXPECT_GT(px.count(kBlue, 4), 300);
  EXPECT_GT(px.count(kOrange, 4), 300);
  EXPECT_GT(px.count(kGreen, 4), 300);
}

TEST(PlotsMore, ImageGridWhiteAndBlack) {
  TempDir dir;
  // A white and a black 8x8 image side by side (float), then the same in uint8 with captions.
  Tensor imgs = cat({ones({1, 1, 8, 8}), zeros({1, 1, 8, 8})}, 0);
  std::string path = dir.file("grid.png");
  plot_image_grid(path, imgs, 2, {}, {.width = 400, .height = 200});
  Pixels px = decode(path);
  ASSERT_EQ(px.w, 400);
  ASSERT_EQ(px.h, 200);
  // Each cell is ~196 px wide, the images 8x8 scaled to ~192 px squares centred in them.
  EXPECT_EQ(px.at(100, 100), kWhite);
  EXPECT_EQ(px.at(100, 300), (Rgb{0, 0, 0}));
  EXPECT_LT(px.mean(60, 140, 250, 350), 1.0);    // dark square on the right
  EXPECT_GT(px.mean(60, 140, 50, 150), 254.0);   // bright square on the left
  EXPECT_GT(px.count({210, 210, 210}, 0), 300);  // light grey frames around the images

  // Two rows of one (nrow = 1), uint8 RGB with values beyond [0, 1] clamped for floats; captions above.
  Tensor red = zeros({1, 3, 4, 4});
  red.select(1, 0).fill_(2.0);   // clamped to 1 -> 255
  red.select(1, 1).fill_(-1.0);  // clamped to 0
  Tensor grid2 = cat({red, full({1, 3, 4, 4}, 0.5)}, 0);
  std::string path2 = dir.file("grid2.png");
  plot_image_grid(path2, grid2, 1, {"adv: 3", "orig: 7"}, {.width = 300, .height = 400});
  Pixels p2 = decode(path2);
  ASSERT_EQ(p2.w, 300);
  ASSERT_EQ(p2.h, 400);
  EXPECT_GT(p2.count({255, 0, 0}, 0, 0, 200), 10000);  // red image in the top half
  EXPECT_EQ(p2.count({255, 0, 0}, 0, 200, 400), 0);
  EXPECT_GT(p2.count({128, 128, 128}, 1, 200, 400), 10000);  // grey image in the bottom half
  // Caption text (dark antialiased pixels) above each image, between the frame top and the image.
  EXPECT_GT(p2.count({0, 0, 0}, 100, 0, 30), 20);
  EXPECT_GT(p2.count({0, 0, 0}, 100, 200, 235), 20);

  // uint8 input keeps its values exactly.
  Tensor u8 = full({1, 1, 2, 2}, 77).to(kUInt8);
  std::string path3 = dir.file("u8.png");
  plot_image_grid(path3, u8, 4, {}, {.width = 100, .height = 100});
  EXPECT_EQ(decode(path3).at(50, 50), (Rgb{77, 77, 77}));
}

TEST(PlotsMore, ImageGridLargeSampleSheet) {
  TempDir dir;
  // A 10x10 sheet of random 28x28 samples with a caption each (the cGAN chapter).
  Tensor samples = rand({100, 1, 28, 28});
  std::vector<std::string> caps;
  for (int i = 0; i < 100; ++i) caps.push_back(std::to_string(i % 10));
  std::string path = dir.file("sheet.png");
  plot_image_grid(path, samples, 10, caps, {.width = 800, .height = 900});
  Pixels px = decode(path);
  EXPECT_EQ(px.w, 800);
  EXPECT_EQ(px.h, 900);
  std::set<int> greys;
  for (int64_t y = 0; y < px.h; y += 3)
    for (int64_t x = 0; x < px.w; x += 3) greys.insert(px.at(y, x)[0]);
  EXPECT_GT(greys.size(), 200u);  // the random pixels, not a blank page
}

TEST(PlotsMoreErrors, BadArgumentsNameTheArgument) {
  TempDir dir;
  std::string f = dir.file("x.png");
  auto [points, labels] = clusters();
  auto zero = [](const Tensor& p) { return zeros({p.size(0)}, {.dtype = kInt64}); };
  // plot_lines
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_lines(f, "t", {0, 0.1}, {{"acc", {1.0}}});
      },
      {"plot_lines", "'acc'", "1 values", "x_values has 2"}));
  EXPECT_TRUE(throws<ValueError>([&] { plot_lines(f, "t", {}, {}); }, {"plot_lines", "x_values"}));
  // plot_scatter
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_scatter(f, "t", zeros({5, 3}));
      },
      {"plot_scatter", "points", "[5, 3]"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_scatter(f, "t", zeros({5, 2}, {.dtype = kInt64}));
      },
      {"plot_scatter", "points", "int64"}));
  EXPECT_TRUE(throws<ValueError>([&] { plot_scatter(f, "t", points, zeros({149}, {.dtype = kInt64})); },
                                 {"plot_scatter", "labels", "[149]"}));
  EXPECT_TRUE(throws<ValueError>([&] { plot_scatter(f, "t", points, zeros({150})); },
                                 {"plot_scatter", "labels", "float32"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_scatter(f, "t", points, labels, {"a", "b"});
      },
      {"plot_scatter", "2 class names"}));
  EXPECT_TRUE(throws<ValueError>([&] { plot_scatter(f, "t", points, labels - 1); },
                                 {"plot_scatter", "labels[0]", "-1"}));
  // plot_decision_boundary
  EXPECT_TRUE(throws<ValueError>([&] { plot_decision_boundary(f, "t", zero, zeros({4}), Tensor()); },
                                 {"plot_decision_boundary", "points", "[4]"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_decision_boundary(
            f, "t", [](const Tensor& p) { return zeros({p.size(0)}); }, points, labels, 10);
      },
      {"plot_decision_boundary", "predict", "float32"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_decision_boundary(
            f, "t",
            [](const Tensor& p) {
              return zeros({p.size(0), 2}, {.dtype = kInt64});
            },
            points, labels, 10);
      },
      {"plot_decision_boundary", "predict", "[100, 2]"}));
  EXPECT_TRUE(throws<ValueError>([&] { plot_decision_boundary(f, "t", zero, points, labels, 1); },
                                 {"plot_decision_boundary", "grid_steps"}));
  EXPECT_TRUE(throws<ValueError>([&] { plot_decision_boundary(f, "t", nullptr, points, labels); },
                                 {"plot_decision_boundary", "predict"}));
  // plot_image_grid
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_image_grid(f, zeros({2, 2, 4, 4}), 2);
      },
      {"plot_image_grid", "images", "[2, 2, 4, 4]"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_image_grid(f, zeros({4, 4}), 2);
      },
      {"plot_image_grid", "images", "[4, 4]"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_image_grid(f, zeros({2, 1, 4, 4}, {.dtype = kInt64}), 2);
      },
      {"plot_image_grid", "images", "int64"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_image_grid(f, zeros({2, 1, 4, 4}), 0);
      },
      {"plot_image_grid", "nrow"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_image_grid(f, zeros({2, 1, 4, 4}), 2, {"one"});
      },
      {"plot_image_grid", "1 captions", "2 images"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_image_grid(f, zeros({2, 1, 4, 4}), 2, {}, {.width = 32, .height = 32});
      },
      {"plot_image_grid", "32x32"}));
  EXPECT_TRUE(dir.list().empty());  // nothing written by a refused call
  // An unwritable path is an IOError naming the file.
  std::string missing = dir.file("no/such/dir/g.png");
  EXPECT_TRUE(throws<IOError>([&] { plot_image_grid(missing, zeros({1, 1, 4, 4}), 1); }, {missing}));
  EXPECT_TRUE(throws<IOError>([&] { plot_scatter(missing, "t", points); }, {missing}));
}

}  // namespace
}  // namespace nabla::training
