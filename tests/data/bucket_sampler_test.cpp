// bucket_sampler_test.cpp — BucketBatchSampler: every index once, batches of similar lengths, shuffled
// reproducibly, drop_last, and a DataLoader taking it as its batch_sampler.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "expect_error.h"
#include "nabla/nabla.h"

namespace nabla {
namespace {

using nabla::testing::expect_error;

std::vector<int64_t> random_lengths(int64_t n, uint64_t seed) {
  RandomGenerator gen(seed);
  std::vector<int64_t> v;
  for (double x : randint(1, 500, {n}, {}, &gen).to_vector()) v.push_back(static_cast<int64_t>(x));
  return v;
}

// Total padding of a batch list: sum over batches of (max length - length) per sample.
int64_t padding(const std::vector<std::vector<int64_t>>& batches, const std::vector<int64_t>& len) {
  int64_t pad = 0;
  for (const auto& b : batches) {
    int64_t m = 0;
    for (int64_t i : b) m = std::max(m, len[i]);
    for (int64_t i : b) pad += m - len[i];
  }
  return pad;
}

TEST(BucketBatchSampler, EveryIndexOnceAndLittlePadding) {
  const auto len = random_lengths(1000, 7);
  data::BucketBatchSampler s(len, 16, {.bucket_size_multiplier = 10});
  RandomGenerator gen(1);
  const auto batches = s.batches(gen);
  EXPECT_EQ(static_cast<int64_t>(batches.size()), s.size());
  EXPECT_EQ(s.size(), 63);  // ceil(1000 / 16)
  std::multiset<int64_t> seen;
  for (const auto& b : batches) seen.insert(b.begin(), b.end());
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 1000u);
  // Random batching of the same lengths pads far more (lengths uniform in [1, 500): about 8x here).
  data::BatchSampler plain(std::make_shared<data::RandomSampler>(1000), 16, false);
  RandomGenerator gen2(1);
  EXPECT_LT(padding(batches, len) * 5, padding(plain.batches(gen2), len));
}

TEST(BucketBatchSampler, ShuffleIsSeededAndOrderedWithout) {
  const auto len = random_lengths(100, 3);
  data::BucketBatchSampler s(len, 8);
  RandomGenerator a(5), b(5), c(6);
  const auto first = s.batches(a);
  EXPECT_EQ(first, s.batches(b));
  EXPECT_NE(first, s.batches(c));
  // shuffle=false: one pool (100 < 8 * 100), sorted by length (stably), batches in order.
  data::BucketBatchSampler sorted(len, 8, {.shuffle = false});
  RandomGenerator g(0);
  std::vector<int64_t> flat;
  for (const auto& bt : sorted.batches(g)) flat.insert(flat.end(), bt.begin(), bt.end());
  std::vector<int64_t> want(100);
  std::iota(want.begin(), want.end(), 0);
  std::stable_sort(want.begin(), want.end(), [&](int64_t x, int64_t y) { return len[x] < len[y]; });
  EXPECT_EQ(flat, want);
}

TEST(BucketBatchSampler, DropLast) {
  data::BucketBatchSampler s(std::vector<int64_t>(10, 1), 4, {.drop_last = true});
  RandomGenerator g(0);
  const auto batches = s.batches(g);
  EXPECT_EQ(s.size(), 2);
  ASSERT_EQ(batches.size(), 2u);
  for (const auto& b : batches) EXPECT_EQ(b.size(), 4u);
}

TEST(BucketBatchSampler, Errors) {
  expect_error<ValueError>(
      [] {
        data::BucketBatchSampler({1, 2}, 0);
      },
      {"BucketBatchSampler", "batch_size", "0"});
  expect_error<ValueError>([] { data::BucketBatchSampler({1, -2}, 1); }, {"lengths[1] = -2"});
  expect_error<ValueError>([] { data::BucketBatchSampler({1}, 1, {.bucket_size_multiplier = 0}); },
                           "bucket_size_multiplier");
}

TEST(BucketBatchSampler, DrivesADataLoader) {
  // Sample i is a sequence of length len[i]; a batch's samples then share a length when buckets allow.
  std::vector<int64_t> len = {5, 1, 5, 1, 3, 3, 5, 1, 3};
  data::TensorDataset ds(from_buffer(len.data(), {9}, kInt64));
  auto sampler = std::make_shared<data::BucketBatchSampler>(len, 3);
  data::DataLoader loader(ds, {.batch_sampler = sampler, .num_workers = 2, .seed = 4});
  EXPECT_EQ(loader.size(), 3);
  int64_t n = 0;
  for (data::Batch& b : loader) {
    const auto v = b.data.to_vector();
    EXPECT_EQ(v, std::vector<double>(3, v[0])) << "one pool, sorted: each batch is one length";
    n += b.data.size(0);
  }
  EXPECT_EQ(n, 9);
}

}  // namespace
}  // namespace nabla
