// samplers.cpp — Sequential/Random/SubsetRandom/WeightedRandom samplers and BatchSampler.
#include "nabla/data/samplers.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/check.h"

namespace nabla::data {

uint64_t uniform_index(RandomGenerator& gen, uint64_t n) {
  // Lemire: multiply-shift with rejection of the biased low range.
  unsigned __int128 m = static_cast<unsigned __int128>(gen.next_u64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(gen.next_u64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

void shuffle_indices(std::vector<int64_t>& v, RandomGenerator& gen) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[uniform_index(gen, i)]);
}

SequentialSampler::SequentialSampler(int64_t n) : n_(n) {
  NABLA_CHECK(n >= 0, ValueError, "SequentialSampler: size must be >= 0, got {}", n);
}

std::vector<int64_t> SequentialSampler::indices(RandomGenerator&) const {
  std::vector<int64_t> v(n_);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

RandomSampler::RandomSampler(int64_t n, bool replacement, std::optional<int64_t> num_samples)
    : n_(n), num_samples_(num_samples.value_or(n)), replacement_(replacement) {
  NABLA_CHECK(n >= 0, ValueError, "RandomSampler: size must be >= 0, got {}", n);
  NABLA_CHECK(num_samples_ >= 0, ValueError,
              "RandomSampler: num_samples should be a non-negative integer, got {}", num_samples_);
  NABLA_CHECK(replacement_ || num_samples_ <= n_, ValueError,
              "RandomSampler: num_samples ({}) > size ({}) needs replacement=true", num_samples_, n_);
  NABLA_CHECK(n_ > 0 || num_samples_ == 0, ValueError, "RandomSampler: cannot draw from an empty dataset");
}

std::vector<int64_t> RandomSampler::indices(RandomGenerator& gen) const {
  std::vector<int64_t> v;
  if (replacement_) {
    v.resize(num_samples_);
    for (auto& x : v) x = static_cast<int64_t>(uniform_index(gen, n_));
    return v;
  }
  v.resize(n_);
  std::iota(v.begin(), v.end(), 0);
  shuffle_indices(v, gen);
  v.resize(num_samples_);
  return v;
}

SubsetRandomSampler::SubsetRandomSampler(std::vector<int64_t> indices) : indices_(std::move(indices)) {}

std::vector<int64_t> SubsetRandomSampler::indices(RandomGenerator& gen) const {
  std::vector<int64_t> v = indices_;
  shuffle_indices(v, gen);
  return v;
}

WeightedRandomSampler::WeightedRandomSampler(std::vector<double> weights, int64_t num_samples,
                                             bool replacement)
    : weights_(std::move(weights)), num_samples_(num_samples), replacement_(replacement) {
  NABLA_CHECK(num_samples >= 0, ValueError, "WeightedRandomSampler: num_samples must be >= 0, got {}",
              num_samples);
  double sum = 0;
  int64_t positive = 0;
  for (size_t i = 0; i < weights_.size(); ++i) {
    double w = weights_[i];
    NABLA_CHECK(std::isfinite(w) && w >= 0, ValueError,
                "WeightedRandomSampler: weight {} is {} (must be finite, >= 0)", i, w);
    positive += w > 0;
    sum += w;
    cumulative_.push_back(sum);
  }
  NABLA_CHECK(sum > 0 || num_samples == 0, ValueError, "WeightedRandomSampler: weights sum to zero");
  NABLA_CHECK(replacement || num_samples <= positive, ValueError,
              "WeightedRandomSampler: cannot draw {} samples without replacement from {} positive weights",
              num_samples, positive);
}

std::vector<int64_t> WeightedRandomSampler::indices(RandomGenerator& gen) const {
  std::vector<int64_t> v(num_samples_);
  if (replacement_) {
    // Inverse CDF by binary search over the prefix sums.
    for (auto& x : v) {
      double u = gen.next_double() * cumulative_.back();
      auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
      x = std::min<int64_t>(it - cumulative_.begin(), static_cast<int64_t>(weights_.size()) - 1);
      while (weights_[x] == 0) --x;  // u landed on a boundary of a zero-weight run
    }
    return v;
  }
  // Without replacement: Efraimidis-Spirakis keys u^(1/w); the largest num_samples keys win.
  std::vector<std::pair<double, int64_t>> keys;
  for (size_t i = 0; i < weights_.size(); ++i) {
    if (weights_[i] <= 0) continue;
    double u = 1.0 - gen.next_double();  // (0, 1]
    keys.emplace_back(std::log(u) / weights_[i], static_cast<int64_t>(i));
  }
  std::partial_sort(keys.begin(), keys.begin() + num_samples_, keys.end(),
                    [](auto& a, auto& b) { return a.first > b.first; });
  for (int64_t i = 0; i < num_samples_; ++i) v[i] = keys[i].second;
  return v;
}

BatchSampler::BatchSampler(SamplerPtr sampler, int64_t batch_size, bool drop_last)
    : sampler_(std::move(sampler)), batch_size_(batch_size), drop_last_(drop_last) {
  NABLA_CHECK(sampler_ != nullptr, ValueError, "BatchSampler: null sampler");
  NABLA_CHECK(batch_size >= 1, ValueError, "BatchSampler: batch_size should be a positive integer, got {}",
              batch_size);
}

int64_t BatchSampler::size() const {
  int64_t n = sampler_->size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

std::vector<std::vector<int64_t>> BatchSampler::batches(RandomGenerator& gen) const {
  std::vector<int64_t> idx = sampler_->indices(gen);
  std::vector<std::vector<int64_t>> out;
  for (size_t start = 0; start < idx.size(); start += batch_size_) {
    size_t stop = std::min(idx.size(), start + static_cast<size_t>(batch_size_));
    if (drop_last_ && stop - start < static_cast<size_t>(batch_size_)) break;
    out.emplace_back(idx.begin() + start, idx.begin() + stop);
  }
  return out;
}

}  // namespace nabla::data
