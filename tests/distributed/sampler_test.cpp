// DistributedSampler against PyTorch's (tests/golden/distributed_sampler.json, written by
// gen_distributed_sampler_golden.py): the same index list for every rank, size, shuffle, seed, epoch
// and drop_last; and with a DataLoader. No process group needed: num_replicas and rank are given.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <set>

#include "expect_error.h"
#include "golden/golden_json.h"

using namespace nabla;
using distributed::DistributedSampler;
using distributed::DistributedSamplerOptions;
using nabla::testing::expect_error;

TEST(DistributedSampler, TorchRandpermMatchesPyTorch) {
  auto golden = golden_io::load_json("distributed_sampler.json");
  for (auto& c : golden["randperm"]) {
    auto perm = distributed::torch_randperm(c["n"], c["seed"]);
    EXPECT_EQ(perm, c["perm"].get<std::vector<int64_t>>()) << "n=" << c["n"] << " seed=" << c["seed"];
  }
}

TEST(DistributedSampler, IndexListsMatchPyTorch) {
  auto golden = golden_io::load_json("distributed_sampler.json");
  ASSERT_GT(golden["sampler"].size(), 100u);
  for (auto& c : golden["sampler"]) {
    const int64_t replicas = c["num_replicas"];
    for (int64_t rank = 0; rank < replicas; ++rank) {
      DistributedSampler s(c["size"], {.num_replicas = replicas,
                                       .rank = rank,
                                       .shuffle = c["shuffle"].get<bool>(),
                                       .seed = c["seed"].get<uint64_t>(),
                                       .drop_last = c["drop_last"].get<bool>()});
      s.set_epoch(c["epoch"]);
      const std::string where = c.dump().substr(0, 120) + " rank " + std::to_string(rank);
      EXPECT_EQ(s.size(), c["num_samples"].get<int64_t>()) << where;
      EXPECT_EQ(s.total_size(), c["total_size"].get<int64_t>()) << where;
      EXPECT_EQ(s.indices(), c["ranks"][rank].get<std::vector<int64_t>>()) << where;
    }
  }
}

TEST(DistributedSampler, RanksCoverTheDatasetAndSetEpochReshuffles) {
  // 10 samples on 4 ranks: 3 each, 2 indices repeated as padding; every index appears.
  std::multiset<int64_t> seen;
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t i : DistributedSampler(10, {.num_replicas = 4, .rank = r}).indices()) seen.insert(i);
  EXPECT_EQ(seen.size(), 12u);
  for (int64_t i = 0; i < 10; ++i) EXPECT_GE(seen.count(i), 1u);
  DistributedSampler s(100, {.num_replicas = 2, .rank = 1, .seed = 5});
  auto epoch0 = s.indices();
  EXPECT_EQ(s.indices(), epoch0);  // deterministic within an epoch
  s.set_epoch(1);
  EXPECT_NE(s.indices(), epoch0);
  EXPECT_EQ(s.epoch(), 1);
}

TEST(DistributedSampler, DrivesADataLoader) {
  // Two ranks' loaders with batch 4 together visit what one loader with batch 8 visits, per step.
  Tensor x = arange(0, 16, 1, {.dtype = kFloat32});
  data::TensorDataset ds(x);
  auto one =
      std::make_shared<DistributedSampler>(16, DistributedSamplerOptions{.num_replicas = 1, .rank = 0});
  data::DataLoader whole(ds, {.batch_size = 8, .sampler = one});
  std::vector<std::set<double>> global;
  for (auto& b : whole) {
    auto v = b.data.to_vector();
    global.emplace_back(v.begin(), v.end());
  }
  std::vector<std::set<double>> shards(global.size());
  for (int64_t r = 0; r < 2; ++r) {
    auto s =
        std::make_shared<DistributedSampler>(16, DistributedSamplerOptions{.num_replicas = 2, .rank = r});
    data::DataLoader loader(ds, {.batch_size = 4, .sampler = s});
    size_t step = 0;
    for (auto& b : loader) {
      ASSERT_LT(step, shards.size());
      for (double v : b.data.to_vector()) shards[step].insert(v);
      ++step;
    }
  }
  EXPECT_EQ(shards, global);
}

TEST(DistributedSampler, Errors) {
  expect_error<ValueError>([] { DistributedSampler(10, {.num_replicas = 2, .rank = 2}); },
                           {"DistributedSampler", "Invalid rank 2", "[0, 1]"});
  expect_error<ValueError>([] { DistributedSampler(10, {.num_replicas = 0, .rank = 0}); },
                           {"DistributedSampler", "num_replicas", "0"});
  expect_error<ValueError>([] { DistributedSampler(-1, {.num_replicas = 1, .rank = 0}); },
                           {"DistributedSampler", "-1"});
  // No process group in this test program: num_replicas/rank must be given.
  expect_error<ValueError>([] { DistributedSampler(10); }, {"DistributedSampler", "init_process_group"});
}
