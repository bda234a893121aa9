// synthetic.cpp — make_blobs and make_moons (scikit-learn's definitions, nabla's RandomGenerator).
#include <cmath>
#include <numbers>
#include <numeric>

#include "nabla/data/datasets.h"
#include "nabla/data/samplers.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::data {

namespace {
// Shuffles rows of x ([n, f]) and y ([n]) together when asked, and wraps them as a dataset.
data::TensorDataset finish(std::vector<float>& x, std::vector<int64_t>& y, int64_t f, bool shuffle,
                           RandomGenerator& gen) {
  const int64_t n = static_cast<int64_t>(y.size());
  if (shuffle) {
    std::vector<int64_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    data::shuffle_indices(perm, gen);
    std::vector<float> x2(x.size());
    std::vector<int64_t> y2(n);
    for (int64_t i = 0; i < n; ++i) {
      std::copy(x.begin() + perm[i] * f, x.begin() + (perm[i] + 1) * f, x2.begin() + i * f);
      y2[i] = y[perm[i]];
    }
    x.swap(x2);
    y.swap(y2);
  }
  return data::TensorDataset(from_buffer(x.data(), {n, f}, kFloat32), from_buffer(y.data(), {n}, kInt64));
}
}  // namespace

data::TensorDataset make_blobs(const BlobsOptions& o) {
  const bool given = o.centers.explicit_points();
  const int64_t n_centers = o.centers.size();
  const int64_t n_features = given ? static_cast<int64_t>(o.centers.points[0].size()) : o.n_features;
  for (int64_t c = 0; given && c < n_centers; ++c)
    NABLA_CHECK(!o.centers.points[c].empty(), ValueError, "make_blobs: center {} has no coordinates", c);
  NABLA_CHECK(o.n_samples >= 1 && n_features >= 1 && n_centers >= 1, ValueError,
              "make_blobs: n_samples ({}), n_features ({}) and centers ({}) must be positive", o.n_samples,
              n_features, n_centers);
  for (int64_t c = 1; given && c < n_centers; ++c) {
    const auto& point = o.centers.points[c];
    NABLA_CHECK(static_cast<int64_t>(point.size()) == n_features, ValueError,
                "make_blobs: center {} has {} coordinates but center 0 has {}: every center needs the same "
                "number of features",
                c, point.size(), n_features);
  }
  const std::vector<double>& stds = o.cluster_std.values;
  NABLA_CHECK(
      stds.size() == 1 || static_cast<int64_t>(stds.size()) == n_centers, ValueError,
      "make_blobs: cluster_std has {} values but there are {} centers: give one value, or one per center",
      stds.size(), n_centers);
  for (size_t c = 0; c < stds.size(); ++c)
    NABLA_CHECK(stds[c] >= 0, ValueError, "make_blobs: cluster_std must be >= 0, got {}{}", stds[c],
                stds.size() > 1 ? fmt::format(" for center {}", c) : std::string());
  RandomGenerator gen(o.seed);
  std::vector<double> centers(n_centers * n_features);
  if (given) {
    for (int64_t c = 0; c < n_centers; ++c)
      std::copy(o.centers.points[c].begin(), o.centers.points[c].end(), centers.begin() + c * n_features);
  } else {
    for (auto& c : centers) c = o.center_min + (o.center_max - o.center_min) * gen.next_double();
  }
  std::vector<float> x;
  std::vector<int64_t> y;
  x.reserve(o.n_samples * n_features);
  y.reserve(o.n_samples);
  for (int64_t c = 0; c < n_centers; ++c) {
    // sklearn: n_samples // centers per blob, the first n_samples % centers blobs get one more.
    const int64_t count = o.n_samples / n_centers + (c < o.n_samples % n_centers ? 1 : 0);
    const double sd = stds.size() == 1 ? stds[0] : stds[c];
    for (int64_t i = 0; i < count; ++i) {
      for (int64_t k = 0; k < n_features; ++k)
        x.push_back(static_cast<float>(centers[c * n_features + k] + sd * gen.next_normal()));
      y.push_back(c);
    }
  }
  return finish(x, y, n_features, o.shuffle, gen);
}

data::TensorDataset make_moons(const MoonsOptions& o) {
  NABLA_CHECK(o.n_samples >= 2, ValueError, "make_moons: n_samples must be >= 2, got {}", o.n_samples);
  NABLA_CHECK(o.noise >= 0, ValueError, "make_moons: noise must be >= 0, got {}", o.noise);
  RandomGenerator gen(o.seed);
  const int64_t n_out = o.n_samples / 2, n_in = o.n_samples - n_out;
  std::vector<float> x;
  std::vector<int64_t> y;
  auto add = [&](int64_t count, bool inner) {
    for (int64_t i = 0; i < count; ++i) {
      double t =
          count == 1 ? 0.0 : std::numbers::pi * static_cast<double>(i) / static_cast<double>(count - 1);
      double px = inner ? 1.0 - std::cos(t) : std::cos(t);
      double py = inner ? 0.5 - std::sin(t) : std::sin(t);
      x.push_back(static_cast<float>(px + o.noise * gen.next_normal()));
      x.push_back(static_cast<float>(py + o.noise * gen.next_normal()));
      y.push_back(inner ? 1 : 0);
    }
  };
  add(n_out, false);
  add(n_in, true);
  return finish(x, y, 2, o.shuffle, gen);
}

}  // namespace nabla::data
