// plots_test.cpp — PNG plots through PLplot: the files are real PNGs of the requested size, with the
// expected colours drawn on a white background, written atomically (no temporaries left), from several
// threads at once; bad arguments and unwritable paths are typed errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <thread>

#include "nabla/nabla.h"
#include "train/parts_test_util.h"

namespace nabla::training {
namespace {

using test::TempDir;
using test::throws;

struct PngInfo {
  bool magic = false;
  uint32_t width = 0, height = 0;
};

// The PNG signature and the IHDR chunk (always first: width and height big-endian at bytes 16..23).
PngInfo png_info(const std::string& path) {
  io::test::Bytes b = io::test::read_bytes(path);
  PngInfo info;
  const uint8_t sig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.size() < 24) return info;
  info.magic = std::equal(sig, sig + 8, b.begin()) && std::string(b.begin() + 12, b.begin() + 16) == "IHDR";
  auto be32 = [&](size_t at) {
    return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | b[at + 3];
  };
  info.width = be32(16);
  info.height = be32(20);
  return info;
}

struct Pixels {
  int64_t h = 0, w = 0;
  std::vector<double> rgb;  // [H, W, 3]
  std::array<int, 3> at(int64_t y, int64_t x) const {
    const double* p = rgb.data() + (y * w + x) * 3;
    return {int(p[0]), int(p[1]), int(p[2])};
  }
  // Pixels within `tol` of the colour in every channel.
  int64_t count(std::array<int, 3> c, int tol = 12) const {
    int64_t n = 0;
    for (int64_t i = 0; i < h * w; ++i) {
      bool near = true;
      for (int k = 0; k < 3; ++k) near = near && std::abs(int(rgb[i * 3 + k]) - c[k]) <= tol;
      n += near;
    }
    return n;
  }
  size_t distinct() const {
    std::set<std::array<int, 3>> s;
    for (int64_t i = 0; i < h * w; ++i) s.insert({int(rgb[i * 3]), int(rgb[i * 3 + 1]), int(rgb[i * 3 + 2])});
    return s.size();
  }
};

Pixels decode(const std::string& path) {
  Tensor img = io::read_image(path, io::ImageReadMode::RGB);
  return {img.size(0), img.size(1), img.to_vector()};
}

TEST(Plots, CurvesArePngOfTheRightSizeWithLinesAndLegend) {
  TempDir dir;
  std::string path = dir.file("curves.png");
  plot_curves(
      path, "Loss",
      {{"train_loss", {2.3, 1.1, 0.7, 0.5, 0.42, 0.38}}, {"val_loss", {2.0, 1.0, 0.8, 0.7, 0.69, 0.7}}},
      "epoch", "loss");
  PngInfo info = png_info(path);
  EXPECT_TRUE(info.magic);
  EXPECT_EQ(info.width, 800u);
  EXPECT_EQ(info.height, 600u);
  Pixels px = decode(path);
  ASSERT_EQ(px.w, 800);
  ASSERT_EQ(px.h, 600);
  EXPECT_EQ(px.at(2, 2), (std::array<int, 3>{255, 255, 255}));      // white page
  EXPECT_GT(px.distinct(), 20u);                                    // antialiased lines and text
  EXPECT_GT(px.count({31, 119, 180}, 6), 300);                      // first series (tab:blue)
  EXPECT_GT(px.count({255, 127, 14}, 6), 300);                      // second series (tab:orange)
  EXPECT_GT(px.count({0, 0, 0}, 40), 1000);                         // axes, ticks, labels
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"curves.png"}));  // no temporary left behind
}

TEST(Plots, CurvesHandleGapsSinglePointsAndCustomSize) {
  TempDir dir;
  std::string path = dir.file("acc.png");
  double nan = std::nan("");
  plot_curves(path, "Accuracy", {{"val_acc", {nan, 0.8, nan, 0.85, 0.9}}, {"one", {0.5}}}, "epoch",
              "accuracy", {.width = 640, .height = 400});
  PngInfo info = png_info(path);
  EXPECT_TRUE(info.magic);
  EXPECT_EQ(info.width, 640u);
  EXPECT_EQ(info.height, 400u);
  Pixels px = decode(path);
  EXPECT_GT(px.count({255, 127, 14}, 6), 10);  // the single point of "one" is drawn (a marker)
  // Overwriting an existing plot replaces it atomically.
  plot_curves(path, "Accuracy", {{"val_acc", {0.1, 0.2}}});
  EXPECT_EQ(png_info(path).width, 800u);
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"acc.png"}));
}

TEST(Plots, ConfusionMatrixHeatMap) {
  TempDir dir;
  std::string path = dir.file("cm.png");
  Tensor cm = tensor({{50, 2, 0}, {3, 40, 7}, {0, 5, 45}});
  plot_confusion_matrix(path, cm, {"cat", "dog", "bird"});
  PngInfo info = png_info(path);
  EXPECT_TRUE(info.magic);
  EXPECT_EQ(info.width, 800u);
  EXPECT_EQ(info.height, 800u);
  Pixels px = decode(path);
  EXPECT_GT(px.count({8, 48, 107}, 10), 10000);    // the largest cell in the darkest blue
  EXPECT_GT(px.count({255, 255, 255}, 0), 10000);  // empty cells and page in white
  EXPECT_GT(px.distinct(), 20u);
  // Default names, a float (normalised) matrix, 12 classes.
  plot_confusion_matrix(dir.file("cm12.png"), eye(12, std::nullopt, {.dtype = kFloat32}) * 0.9 + 0.1 / 12);
  EXPECT_TRUE(png_info(dir.file("cm12.png")).magic);
}

TEST(Plots, SeveralThreadsAtOnce) {
  TempDir dir;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string name = dir.file("p" + std::to_string(t) + ".png");
      if (t % 2 == 0) {
        plot_curves(name, "t" + std::to_string(t), {{"loss", {1.0, 0.5, 0.25 * t}}});
      } else {
        plot_confusion_matrix(name, tensor({{t, 1}, {2, 3}}));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    PngInfo info = png_info(dir.file("p" + std::to_string(t) + ".png"));
    EXPECT_TRUE(info.magic) << t;
    EXPECT_EQ(info.width, 800u) << t;
  }
  EXPECT_EQ(dir.list().size(), 4u);
}

TEST(PlotsErrors, BadArgumentsAndPaths) {
  TempDir dir;
  EXPECT_TRUE(throws<ValueError>([&] { plot_curves(dir.file("a.png"), "t", {}); },
                                 {"plot_curves", "no finite value"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_curves(dir.file("a.png"), "t", {{"x", {std::nan("")}}});
      },
      {"plot_curves", "a.png"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_curves(dir.file("a.png"), "t", {{"x", {1.0}}}, "", "", {10, 10});
      },
      {"plot_curves", "10x10"}));
  EXPECT_TRUE(throws<ShapeError>(
      [&] {
        plot_confusion_matrix(dir.file("a.png"), zeros({2, 3}));
      },
      {"plot_confusion_matrix", "[2, 3]"}));
  EXPECT_TRUE(throws<ValueError>(
      [&] {
        plot_confusion_matrix(dir.file("a.png"), zeros({2, 2}), {"a", "b", "c"});
      },
      {"plot_confusion_matrix", "3 class names", "[2, 2]"}));
  std::string missing = dir.file("no/such/dir/a.png");
  EXPECT_TRUE(throws<IOError>(
      [&] {
        plot_curves(missing, "t", {{"x", {1.0, 2.0}}});
      },
      {"no/such/dir/a.png"}));
  EXPECT_TRUE(dir.list().empty());
}

}  // namespace
}  // namespace nabla::training
