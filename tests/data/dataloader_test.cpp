// data/: Dataset wrappers, splits, samplers and the DataLoader (order, shuffling, workers, errors, early
// exit).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <set>
#include <thread>

#include "data/test_util.h"

using namespace nabla;
using namespace nabla::data;
using nabla::testing::expect_error;

namespace {
// Sample i is the scalar i (float) with target i % 3.
std::shared_ptr<TensorDataset> range_dataset(int64_t n) {
  Tensor x = arange(n, {.dtype = kFloat32}).unsqueeze(1);
  std::vector<int64_t> y(n);
  for (int64_t i = 0; i < n; ++i) y[i] = i % 3;
  return std::make_shared<TensorDataset>(x, from_buffer(y.data(), {n}, kInt64));
}

std::vector<int64_t> loaded_order(DataLoader& loader) {
  std::vector<int64_t> order;
  for (Batch& b : loader)
    for (double v : b.data.to_vector()) order.push_back(static_cast<int64_t>(v));
  return order;
}

// Throws for one index; optionally sleeps per sample.
class FailingDataset : public Dataset {
 public:
  FailingDataset(int64_t n, int64_t bad, int sleep_ms = 0) : n_(n), bad_(bad), sleep_ms_(sleep_ms) {}
  int64_t size() const override { return n_; }
  Example get(int64_t i) const override {
    if (sleep_ms_) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    if (i == bad_) throw IOError("broken.bin: byte 42: corrupt record");
    return {scalar_tensor(static_cast<double>(i)), scalar_tensor(i, {.dtype = kInt64})};
  }

 private:
  int64_t n_, bad_;
  int sleep_ms_;
};
}  // namespace

TEST(Datasets, TensorDatasetSubsetConcat) {
  auto ds = range_dataset(10);
  EXPECT_EQ(ds->size(), 10);
  Example e = ds->get(4);
  EXPECT_EQ(e.data.item<float>(), 4.f);
  EXPECT_EQ(e.target.item<int64_t>(), 1);
  EXPECT_EQ((*ds)[-1].data.item<float>(), 9.f);
  expect_error<IndexError>([&] { ds->get(10); }, {"TensorDataset", "10", "size 10"});
  expect_error<ShapeError>(
      [] {
        TensorDataset(zeros({3, 2}), zeros({4}));
      },
      {"TensorDataset", "[3, 2]", "[4]"});

  auto sub = std::make_shared<Subset>(ds, std::vector<int64_t>{7, 2, 5});
  EXPECT_EQ(sub->size(), 3);
  EXPECT_EQ(sub->get(0).data.item<float>(), 7.f);
  EXPECT_EQ(sub->targets().to_vector(), (std::vector<double>{1, 2, 2}));
  expect_error<IndexError>([&] { Subset(ds, {11}); }, {"Subset", "11"});

  ConcatDataset cat_ds({ds, sub});
  EXPECT_EQ(cat_ds.size(), 13);
  EXPECT_EQ(cat_ds.get(9).data.item<float>(), 9.f);
  EXPECT_EQ(cat_ds.get(10).data.item<float>(), 7.f);
  EXPECT_EQ(cat_ds.get(12).data.item<float>(), 5.f);
  EXPECT_EQ(cat_ds.targets().size(0), 13);

  TransformDataset doubled(ds, [](const Tensor& x) { return x * 2; });
  EXPECT_EQ(doubled.get(3).data.item<float>(), 6.f);
}

TEST(Datasets, RandomSplitIsSeededAndPartitions) {
  auto ds = range_dataset(10);
  auto parts = random_split(ds, {7, 3}, 42);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0]->size(), 7);
  EXPECT_EQ(parts[1]->size(), 3);
  std::set<int64_t> all(parts[0]->indices().begin(), parts[0]->indices().end());
  all.insert(parts[1]->indices().begin(), parts[1]->indices().end());
  EXPECT_EQ(all.size(), 10u);
  EXPECT_EQ(random_split(ds, {7, 3}, 42)[0]->indices(), parts[0]->indices());
  EXPECT_NE(random_split(ds, {7, 3}, 43)[0]->indices(), parts[0]->indices());
  auto frac = random_split(ds, {0.5, 0.3, 0.2}, 1);
  EXPECT_EQ(frac[0]->size() + frac[1]->size() + frac[2]->size(), 10);
  EXPECT_EQ(frac[0]->size(), 5);
  expect_error<ValueError>([&] { random_split(ds, {5, 4}, 0); }, {"random_split", "(9)", "(10)"});
}

TEST(Datasets, KFoldCoversEverySampleOnceAndStratifies) {
  std::vector<int64_t> labels(30);
  for (int i = 0; i < 30; ++i) labels[i] = i < 20 ? 0 : 1;  // 2:1 classes
  for (bool stratify : {false, true}) {
    auto folds = kfold_indices(30, 5, 7, stratify ? std::optional(labels) : std::nullopt);
    ASSERT_EQ(folds.size(), 5u);
    std::vector<int> seen(30, 0);
    for (auto& f : folds) {
      EXPECT_EQ(f.val.size(), 6u);
      EXPECT_EQ(f.train.size() + f.val.size(), 30u);
      for (int64_t i : f.val) seen[i]++;
      std::set<int64_t> tr(f.train.begin(), f.train.end());
      for (int64_t i : f.val) EXPECT_EQ(tr.count(i), 0u);
      if (stratify) {
        int ones = 0;
        for (int64_t i : f.val) ones += labels[i];
        EXPECT_EQ(ones, 2) << "each fold keeps the 2:1 class ratio";
      }
    }
    EXPECT_EQ(seen, std::vector<int>(30, 1));
  }
  EXPECT_EQ(kfold_indices(30, 5, 7)[0].val, kfold_indices(30, 5, 7)[0].val);
  expect_error<ValueError>([] { kfold_indices(3, 5, 0); }, {"kfold_indices", "k must be"});
}

TEST(Samplers, ProduceTheRightIndexMultisets) {
  RandomGenerator gen(3);
  EXPECT_EQ(SequentialSampler(4).indices(gen), (std::vector<int64_t>{0, 1, 2, 3}));
  auto perm = RandomSampler(50).indices(gen);
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> expect(50);
  std::iota(expect.begin(), expect.end(), 0);
  EXPECT_EQ(sorted, expect);
  EXPECT_NE(perm, expect);
  auto with_rep = RandomSampler(5, true, 100).indices(gen);
  EXPECT_EQ(with_rep.size(), 100u);
  for (int64_t i : with_rep) EXPECT_TRUE(i >= 0 && i < 5);
  auto sub = SubsetRandomSampler({10, 20, 30}).indices(gen);
  std::sort(sub.begin(), sub.end());
  EXPECT_EQ(sub, (std::vector<int64_t>{10, 20, 30}));
  // Weight 0 is never drawn; weight 3 is drawn about 3x as often as weight 1.
  auto w = WeightedRandomSampler({1.0, 0.0, 3.0}, 4000).indices(gen);
  int64_t count[3] = {0, 0, 0};
  for (int64_t i : w) count[i]++;
  EXPECT_EQ(count[1], 0);
  EXPECT_NEAR(static_cast<double>(count[2]) / count[0], 3.0, 0.4);
  auto no_rep = WeightedRandomSampler({1, 1, 0, 5}, 3, false).indices(gen);
  std::sort(no_rep.begin(), no_rep.end());
  EXPECT_EQ(no_rep, (std::vector<int64_t>{0, 1, 3}));
  expect_error<ValueError>(
      [] {
        WeightedRandomSampler({1, 0}, 2, false);
      },
      {"without replacement", "1 positive"});
  BatchSampler bs(std::make_shared<SequentialSampler>(10), 4, false);
  EXPECT_EQ(bs.size(), 3);
  EXPECT_EQ(bs.batches(gen).back(), (std::vector<int64_t>{8, 9}));
  EXPECT_EQ(BatchSampler(std::make_shared<SequentialSampler>(10), 4, true).batches(gen).size(), 2u);
}

TEST(DataLoader, SequentialBatchesAndDropLast) {
  auto ds = range_dataset(10);
  DataLoader loader(ds, {.batch_size = 4});
  EXPECT_EQ(loader.size(), 3);
  std::vector<int64_t> sizes;
  for (Batch& b : loader) {
    sizes.push_back(b.data.size(0));
    EXPECT_EQ(b.data.dim(), 2);
    EXPECT_EQ(b.target.dtype(), kInt64);
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{4, 4, 2}));
  std::vector<int64_t> expect(10);
  std::iota(expect.begin(), expect.end(), 0);
  EXPECT_EQ(loaded_order(loader), expect);
  DataLoader dropping(ds, {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(dropping.size(), 2);
  EXPECT_EQ(loaded_order(dropping).size(), 8u);
}

TEST(DataLoader, ShuffleIsSeededDiffersPerEpochAndIgnoresWorkerCount) {
  auto ds = range_dataset(100);
  DataLoader a(ds, {.batch_size = 8, .shuffle = true, .seed = 5});
  DataLoader b(ds, {.batch_size = 8, .shuffle = true, .num_workers = 3, .seed = 5});
  auto a1 = loaded_order(a), a2 = loaded_order(a);
  auto b1 = loaded_order(b), b2 = loaded_order(b);
  EXPECT_EQ(a1, b1);
  EXPECT_EQ(a2, b2);
  EXPECT_NE(a1, a2) << "each epoch draws a new order";
  std::vector<int64_t> s = a1;
  std::sort(s.begin(), s.end());
  EXPECT_EQ(s.front(), 0);
  EXPECT_EQ(s.back(), 99);
  EXPECT_EQ(std::adjacent_find(s.begin(), s.end()), s.end());
  DataLoader c(ds, {.batch_size = 8, .shuffle = true, .seed = 6});
  EXPECT_NE(loaded_order(c), a1);
  a.set_epoch(0);
  EXPECT_EQ(loaded_order(a), a1);
}

TEST(DataLoader, WorkersDeliverInOrder) {
  // Uneven per-sample delays make workers finish out of order; delivery must still be in order.
  class Jittery : public Dataset {
   public:
    int64_t size() const override { return 40; }
    Example get(int64_t i) const override {
      std::this_thread::sleep_for(std::chrono::microseconds((i * 7919) % 5 * 300));
      return {scalar_tensor(static_cast<double>(i)), Tensor()};
    }
  };
  DataLoader loader(Jittery(), {.batch_size = 3, .num_workers = 4});
  std::vector<int64_t> expect(40);
  std::iota(expect.begin(), expect.end(), 0);
  EXPECT_EQ(loaded_order(loader), expect);
  for (Batch& b : loader) EXPECT_FALSE(b.target.defined());
}

TEST(DataLoader, RandomTransformsAreReproducibleAcrossWorkerCounts) {
  auto ds = std::make_shared<TransformDataset>(range_dataset(64), [](const Tensor& x) {
    return x + sample_generator().next_double();  // a "random augmentation"
  });
  auto run = [&](int workers) {
    DataLoader loader(ds, {.batch_size = 5, .shuffle = true, .num_workers = workers, .seed = 11});
    std::vector<double> v;
    for (Batch& b : loader)
      for (double x : b.data.to_vector()) v.push_back(x);
    return v;
  };
  auto v0 = run(0);
  EXPECT_EQ(v0, run(2));
  EXPECT_EQ(v0, run(3));
  EXPECT_FALSE(get_worker_info().has_value());
}

TEST(DataLoader, WorkerInfoInsideWorkers) {
  class Probe : public Dataset {
   public:
    int64_t size() const override { return 8; }
    Example get(int64_t) const override {
      auto info = get_worker_info();
      EXPECT_EQ(get_num_threads(), 1) << "workers run ops single-threaded";
      return {scalar_tensor(info ? info->id : -1.0),
              scalar_tensor(info ? info->num_workers : -1, {.dtype = kInt64})};
    }
  };
  set_num_threads(2);
  DataLoader loader(Probe(), {.batch_size = 2, .num_workers = 2});
  for (Batch& b : loader) {
    for (double id : b.data.to_vector()) EXPECT_TRUE(id == 0 || id == 1);
    for (double n : b.target.to_vector()) EXPECT_EQ(n, 2);
  }
  EXPECT_EQ(get_num_threads(), 2) << "the caller's thread count is untouched";
}

TEST(DataLoader, WorkerErrorReachesCallerNamingTheSample) {
  for (int workers : {0, 2}) {
    DataLoader loader(std::make_shared<FailingDataset>(1000, 13, 1),
                      {.batch_size = 4, .num_workers = workers});
    auto start = std::chrono::steady_clock::now();
    int batches = 0;
    try {
      for (Batch& b : loader) {
        (void)b;
        ++batches;
      }
      FAIL() << "expected the error of sample 13";
    } catch (const IOError& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find("sample 13"), std::string::npos) << msg;
      EXPECT_NE(msg.find("batch 3"), std::string::npos) << msg;
      EXPECT_NE(msg.find("broken.bin: byte 42"), std::string::npos) << msg;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(batches, 3) << "batches before the failing one are delivered";
    EXPECT_LT(seconds, 5.0);  // generous bound for "within a second"
  }
}

TEST(DataLoader, EarlyBreakStopsWorkersWithoutLeaks) {
  auto ds = range_dataset(2000);
  DataLoader loader(ds, {.batch_size = 16, .shuffle = true, .num_workers = 2, .seed = 1});
  {
    for (Batch& b : loader) {
      (void)b;
      break;
    }
  }  // warm-up allocations
  int64_t live_before = TensorImpl::live_count();
  for (int round = 0; round < 200; ++round) {
    int k = 0;
    for (Batch& b : loader) {
      EXPECT_EQ(b.data.size(0), 16);
      if (++k > round % 4) break;
    }
  }
  EXPECT_EQ(TensorImpl::live_count(), live_before);
  // Abandoning a slow epoch returns promptly (workers stop between samples).
  DataLoader slow(std::make_shared<FailingDataset>(10000, -1, 2), {.batch_size = 64, .num_workers = 2});
  auto start = std::chrono::steady_clock::now();
  for (Batch& b : slow) {
    (void)b;
    break;
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

TEST(DataLoader, BreakStopsWorkersBetweenSamples) {
  // Counts get() calls; each takes 1 ms. With 2 workers and prefetch_factor 1, batches 0 and 1 load in
  // parallel; taking batch 0 lets a worker start batch 2, and the break must stop it (and batch 1)
  // within a sample or two instead of loading them to the end (which would make ~1500 calls).
  class Counting : public Dataset {
   public:
    explicit Counting(std::atomic<int>* calls) : calls_(calls) {}
    int64_t size() const override { return 100000; }
    Example get(int64_t i) const override {
      calls_->fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return {scalar_tensor(static_cast<double>(i)), Tensor()};
    }

   private:
    std::atomic<int>* calls_;
  };
  std::atomic<int> calls{0};
  DataLoader loader(Counting(&calls), {.batch_size = 500, .num_workers = 2, .prefetch_factor = 1});
  for (Batch& b : loader) {
    EXPECT_EQ(b.data.size(0), 500);
    break;
  }
  EXPECT_GE(calls.load(), 500);
  EXPECT_LT(calls.load(), 1100);
}

TEST(DataLoader, CustomCollateSamplersAndErrors) {
  auto ds = range_dataset(12);
  auto sum_collate = [](std::vector<Example>& s) {
    double total = 0;
    for (auto& e : s) total += e.data.item<double>();
    return Batch{scalar_tensor(total), Tensor()};
  };
  DataLoader loader(ds, {.batch_size = 4, .collate = sum_collate});
  std::vector<double> sums;
  for (Batch& b : loader) sums.push_back(b.data.item<double>());
  EXPECT_EQ(sums, (std::vector<double>{6, 22, 38}));
  DataLoader sub(
      ds, {.batch_size = 2, .sampler = std::make_shared<SubsetRandomSampler>(std::vector<int64_t>{1, 3, 5})});
  auto order = loaded_order(sub);
  std::sort(order.begin(), order.end());
  EXPECT_EQ(order, (std::vector<int64_t>{1, 3, 5}));
  auto bs = std::make_shared<BatchSampler>(std::make_shared<SequentialSampler>(12), 5, true);
  DataLoader by_batch(ds, {.batch_sampler = bs});
  EXPECT_EQ(by_batch.size(), 2);
  EXPECT_EQ(loaded_order(by_batch).size(), 10u);
  expect_error<ValueError>(
      [&] { DataLoader(ds, {.shuffle = true, .sampler = std::make_shared<SequentialSampler>(12)}); },
      {"mutually exclusive"});
  expect_error<ValueError>([&] { DataLoader(ds, {.batch_size = 0}); }, {"batch_size", "0"});
  DataLoader bad_sampler(ds, {.sampler = std::make_shared<SequentialSampler>(20)});
  expect_error<IndexError>([&] { bad_sampler.begin(); }, {"index 12", "size 12"});
  // Samples of different shapes cannot be stacked by default_collate.
  TransformDataset ragged(ds, [](const Tensor& x) { return x.item<float>() < 2 ? x : cat({x, x}); });
  DataLoader ragged_loader(ragged, {.batch_size = 4, .num_workers = 1});
  expect_error<ShapeError>(
      [&] {
        for (Batch& b : ragged_loader) (void)b;
      },
      {"collating batch 0", "sample 2", "[2]", "[1]"});
}
