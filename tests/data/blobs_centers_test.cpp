// make_blobs with explicit centres (issue 21), as sklearn.datasets.make_blobs(n_samples,
// centers=[[x, y], ...], cluster_std=one value or one per centre, random_state). sklearn is not installed
// here, so the numbers are sklearn's rules worked by hand: blob c gets n_samples // n_centers samples and
// the first n_samples % n_centers blobs one more (sklearn/datasets/_samples_generator.py).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>
#include <vector>

#include "expect_error.h"

using namespace nabla;
using data::make_blobs;
using nabla::testing::expect_error;

namespace {
std::vector<int64_t> class_counts(const Tensor& y, int64_t n_classes) {
  std::vector<int64_t> out;
  for (int64_t c = 0; c < n_classes; ++c) out.push_back((y == c).sum().item<int64_t>());
  return out;
}
}  // namespace

TEST(BlobsCenters, MeansNearTheGivenCentres) {
  const std::vector<std::vector<double>> centers = {{-5, -5}, {0, 6}, {7, -1}};
  auto blobs = make_blobs({.n_samples = 3000, .centers = centers, .cluster_std = 0.5, .seed = 3});
  EXPECT_EQ(blobs.data().sizes().vec(), (std::vector<int64_t>{3000, 2}));
  Tensor y = blobs.targets();
  EXPECT_EQ(class_counts(y, 3), (std::vector<int64_t>{1000, 1000, 1000}));
  EXPECT_EQ(y.max().item<int64_t>(), 2);
  for (int64_t c = 0; c < 3; ++c) {
    Tensor pts = blobs.data().index({y == c}).to(kFloat64);
    Tensor mean = pts.mean({0});
    Tensor sd = pts.std(0);
    // The mean of 1000 draws with std 0.5 is within 4 * 0.5 / sqrt(1000) ~ 0.063 of the centre.
    for (int64_t k = 0; k < 2; ++k) {
      EXPECT_NEAR(mean.at({k}).to<double>(), centers[c][k], 0.07) << "class " << c << " feature " << k;
      EXPECT_NEAR(sd.at({k}).to<double>(), 0.5, 0.05) << "class " << c << " feature " << k;
    }
  }
  // Shuffled: the first 30 samples are not all of class 0 (they would be without shuffling).
  EXPECT_GT(y.narrow(0, 0, 30).max().item<int64_t>(), 0);
  // Same seed, same data; another seed, other data.
  auto again = make_blobs({.n_samples = 3000, .centers = centers, .cluster_std = 0.5, .seed = 3});
  EXPECT_TRUE(equal(again.data(), blobs.data()));
  EXPECT_TRUE(equal(again.targets(), y));
  auto other = make_blobs({.n_samples = 3000, .centers = centers, .cluster_std = 0.5, .seed = 4});
  EXPECT_FALSE(equal(other.data(), blobs.data()));
}

TEST(BlobsCenters, SklearnSplitRule) {
  // 301 over 4 centres: 301 // 4 = 75, 301 % 4 = 1 -> [76, 75, 75, 75].
  auto a = make_blobs({.n_samples = 301, .centers = {{0, 0}, {1, 1}, {2, 2}, {3, 3}}, .seed = 1});
  EXPECT_EQ(class_counts(a.targets(), 4), (std::vector<int64_t>{76, 75, 75, 75}));
  // 11 over 3: 11 // 3 = 3, 11 % 3 = 2 -> [4, 4, 3].
  auto b = make_blobs({.n_samples = 11, .centers = {{0}, {5}, {9}}, .seed = 1});
  EXPECT_EQ(class_counts(b.targets(), 3), (std::vector<int64_t>{4, 4, 3}));
  EXPECT_EQ(b.data().size(1), 1) << "n_features comes from the centres";
  // Unshuffled: samples in centre order, so the targets are 0,0,0,0,1,1,1,1,2,2,2.
  auto c = make_blobs({.n_samples = 11, .centers = {{0}, {5}, {9}}, .shuffle = false, .seed = 1});
  std::vector<int64_t> expected = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
  for (int64_t i = 0; i < 11; ++i) EXPECT_EQ(c.targets().at({i}).to<int64_t>(), expected[i]) << i;
  // Fewer samples than centres: the first ones get one each, the rest none (5 // 7 = 0, 5 % 7 = 5).
  auto d = make_blobs({.n_samples = 5, .centers = 7, .seed = 1});
  EXPECT_EQ(class_counts(d.targets(), 7), (std::vector<int64_t>{1, 1, 1, 1, 1, 0, 0}));
  // n_features is ignored when centres are given (sklearn ignores it too): 3 coordinates win over 2.
  auto e = make_blobs({.n_samples = 10, .n_features = 2, .centers = {{1, 2, 3}, {4, 5, 6}}, .seed = 1});
  EXPECT_EQ(e.data().sizes().vec(), (std::vector<int64_t>{10, 3}));
}

TEST(BlobsCenters, ClusterStdPerCentre) {
  // cluster_std = 0 for centre 0: its points are exactly the centre; the others spread as asked.
  auto blobs = make_blobs({.n_samples = 4000,
                           .centers = {{1, -1}, {10, 10}, {-10, 10}, {0, -20}},
                           .cluster_std = {0.0, 0.2, 1.0, 3.0}});
  Tensor x = blobs.data().to(kFloat64), y = blobs.targets();
  Tensor c0 = x.index({y == 0});
  EXPECT_EQ(c0.size(0), 1000);
  EXPECT_EQ((c0.select(1, 0) == 1.0).sum().item<int64_t>(), 1000);
  EXPECT_EQ((c0.select(1, 1) == -1.0).sum().item<int64_t>(), 1000);
  const double expected_sd[] = {0.0, 0.2, 1.0, 3.0};
  for (int64_t c = 1; c < 4; ++c) {
    Tensor sd = x.index({y == c}).std(0);
    for (int64_t k = 0; k < 2; ++k)
      EXPECT_NEAR(sd.at({k}).to<double>(), expected_sd[c], 0.1 * expected_sd[c]) << "class " << c;
  }
  // One value per centre works with random centres too (sklearn allows it).
  auto r = make_blobs({.n_samples = 300, .centers = 3, .cluster_std = {0.0, 0.0, 0.0}, .seed = 2});
  Tensor r0 = r.data().index({r.targets() == 0});
  EXPECT_EQ((r0 - r0.narrow(0, 0, 1)).abs().max().item<float>(), 0.0f) << "std 0: one point repeated";
  // A one-element list means one std for every centre.
  auto one = make_blobs({.n_samples = 50, .centers = {{0, 0}, {3, 3}}, .cluster_std = {0.5}, .seed = 9});
  auto scalar = make_blobs({.n_samples = 50, .centers = {{0, 0}, {3, 3}}, .cluster_std = 0.5, .seed = 9});
  EXPECT_TRUE(equal(one.data(), scalar.data()));
}

TEST(BlobsCenters, DefaultsUnchanged) {
  // Random centres as before: the count form and the default still draw centres from the seed.
  auto a = make_blobs({.n_samples = 301, .n_features = 3, .centers = 4, .cluster_std = 0.1, .seed = 5});
  EXPECT_EQ(a.data().sizes().vec(), (std::vector<int64_t>{301, 3}));
  EXPECT_EQ(class_counts(a.targets(), 4), (std::vector<int64_t>{76, 75, 75, 75}));
  auto d = make_blobs();
  EXPECT_EQ(d.data().sizes().vec(), (std::vector<int64_t>{100, 2}));
  EXPECT_EQ(class_counts(d.targets(), 3), (std::vector<int64_t>{34, 33, 33}));
  // Random centres lie in [center_min, center_max]: with std 0 every point is a centre.
  auto box =
      make_blobs({.n_samples = 40, .centers = 4, .cluster_std = 0.0, .center_min = 2, .center_max = 3});
  EXPECT_GE(box.data().min().item<float>(), 2.0f);
  EXPECT_LE(box.data().max().item<float>(), 3.0f);
}

TEST(BlobsCenters, Errors) {
  // A centre of the wrong dimension is named, with both sizes.
  expect_error<ValueError>(
      [] {
        make_blobs({.centers = {{0, 0}, {1, 1}, {2, 2, 2}}});
      },
      {"make_blobs", "center 2", "3 coordinates", "center 0 has 2"});
  expect_error<ValueError>(
      [] {
        make_blobs({.centers = {{0, 0}, {}}});
      },
      {"make_blobs", "center 1", "no coordinates"});
  // cluster_std: one value or one per centre, never negative.
  expect_error<ValueError>(
      [] {
        make_blobs({.centers = {{0, 0}, {1, 1}, {2, 2}}, .cluster_std = {1.0, 2.0}});
      },
      {"make_blobs", "cluster_std has 2 values", "3 centers"});
  expect_error<ValueError>(
      [] {
        make_blobs({.centers = 4, .cluster_std = {1.0, 2.0, 3.0}});
      },
      {"cluster_std has 3 values", "4 centers"});
  expect_error<ValueError>(
      [] {
        make_blobs({.centers = {{0}, {1}}, .cluster_std = {1.0, -2.0}});
      },
      {"cluster_std must be >= 0", "-2", "center 1"});
  expect_error<ValueError>([] { make_blobs({.cluster_std = -1.0}); }, {"cluster_std must be >= 0", "-1"});
  expect_error<ValueError>([] { make_blobs({.centers = 0}); }, {"make_blobs", "centers (0)"});
  expect_error<ValueError>([] { make_blobs({.n_samples = 0, .centers = {{0, 0}}}); }, {"n_samples (0)"});
}
