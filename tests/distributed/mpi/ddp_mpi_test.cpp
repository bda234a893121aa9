// DistributedDataParallel on 2 ranks (run by `mpirun -np 2`, mpi_gtest_main.cpp).
// The key proof is equivalence: 2 processes x batch 32 end with the same weights as 1 process x batch 64
// on the same data order (DistributedSampler with num_replicas 2 vs 1, same seed), after 50 SGD steps.
// The models have no BatchNorm: without SyncBatchNorm each rank normalizes its own 32 samples, which is
// not what one process does with 64 (PyTorch's DDP differs the same way), so BN cannot be equivalent.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cmath>

#include "expect_error.h"

using namespace nabla;
using namespace nabla::distributed;
using nabla::testing::expect_error;

namespace {

struct MLP : nn::Module {
  nn::Linear fc1{20, 32}, fc2{32, 16}, fc3{16, 5};
  MLP() { register_modules({{"fc1", fc1}, {"fc2", fc2}, {"fc3", fc3}}); }
  Tensor forward(Tensor x) override { return fc3(fc2(fc1(x).relu()).relu()); }
};

struct SmallCNN : nn::Module {
  nn::Conv2d conv1{1, 4, 3, {.padding = 1}}, conv2{4, 8, 3};
  nn::Linear fc{8 * 2 * 2, 5};
  SmallCNN() { register_modules({{"conv1", conv1}, {"conv2", conv2}, {"fc", fc}}); }
  Tensor forward(Tensor x) override {
    x = nn::functional::max_pool2d(conv1(x).relu(), {.kernel_size = {2, 2}});  // [N, 4, 4, 4]
    return fc(conv2(x).relu().flatten(1));                                     // [N, 8, 2, 2] -> [N, 5]
  }
};

struct WithBN : nn::Module {
  nn::Linear fc{4, 3};
  nn::BatchNorm1d bn{3};
  WithBN() { register_modules({{"fc", fc}, {"bn", bn}}); }
  Tensor forward(Tensor x) override { return bn(fc(x)); }
};

struct WithUnused : nn::Module {
  nn::Linear used{4, 2}, unused{4, 2};
  WithUnused() { register_modules({{"used", used}, {"unused", unused}}); }
  Tensor forward(Tensor x) override { return used(x); }
};

// max |a - b| / max |b| over one tensor.
double rel_error(const Tensor& a, const Tensor& b) {
  return (a - b).abs().max().item<double>() / std::max(b.abs().max().item<double>(), 1e-30);
}

// Every rank holds bitwise the same tensor.
bool same_on_all_ranks(const Tensor& t) {
  Tensor c = t.detach().contiguous();
  std::vector<Tensor> all = {empty_like(c), empty_like(c)};
  all_gather(all, c);
  return all[0].equal(all[1]);
}

template <typename Net>
double train_and_compare(std::vector<int64_t> sample_shape, DistributedDataParallelOptions options) {
  const int world = get_world_size(), rank = get_rank();
  constexpr int64_t kSteps = 50, kGlobalBatch = 64, kN = kGlobalBatch * 25;  // 2 epochs of 25 steps
  manual_seed(1234);                                                         // the same data on every rank
  std::vector<int64_t> shape = {kN};
  shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
  data::TensorDataset ds(randn(shape), randint(0, 5, {kN}));

  manual_seed(100);  // the reference starts from rank 0's weights
  auto reference = std::make_shared<Net>();
  manual_seed(100 + rank);  // each rank starts elsewhere: DDP must broadcast rank 0's weights
  auto local = std::make_shared<Net>();
  DistributedDataParallel ddp(local, options);
  for (auto& [name, p] : reference->named_parameters())
    EXPECT_TRUE(local->named_parameters()[name].equal(p)) << name << " was not broadcast from rank 0";

  optim::SGD ref_opt(reference->parameters(), {.lr = 0.05, .momentum = 0.9});
  optim::SGD opt(ddp.parameters(), {.lr = 0.05, .momentum = 0.9});
  auto one = std::make_shared<DistributedSampler>(
      kN, DistributedSamplerOptions{.num_replicas = 1, .rank = 0, .seed = 3});
  auto shard = std::make_shared<DistributedSampler>(
      kN, DistributedSamplerOptions{.num_replicas = world, .rank = rank, .seed = 3});
  data::DataLoader whole(ds, {.batch_size = kGlobalBatch, .sampler = one});
  data::DataLoader part(ds, {.batch_size = kGlobalBatch / world, .sampler = shard});
  int64_t steps = 0;
  for (int64_t epoch = 0; steps < kSteps; ++epoch) {
    one->set_epoch(epoch);
    shard->set_epoch(epoch);
    auto it = whole.begin();
    for (auto& b : part) {
      ref_opt.zero_grad();
      nn::functional::cross_entropy((*reference)(it->data), it->target).backward();
      ref_opt.step();
      opt.zero_grad();
      nn::functional::cross_entropy(ddp(b.data), b.target).backward();
      opt.step();
      ++it;
      if (++steps == kSteps) break;
    }
  }
  double worst = 0;
  for (auto& [name, p] : reference->named_parameters()) {
    Tensor q = local->named_parameters()[name];
    worst = std::max(worst, rel_error(q, p));
    EXPECT_TRUE(same_on_all_ranks(q)) << name;
  }
  return worst;
}

}  // namespace

TEST(DistributedDataParallel, EquivalentToOneProcessWithTheGlobalBatchMLP) {
  // Tiny buckets: one per parameter, so six allreduces start from the hooks during backward.
  DistributedDataParallelOptions tiny{.bucket_cap_mb = 1e-6, .first_bucket_cap_mb = 1e-6};
  double err = train_and_compare<MLP>({20}, tiny);
  std::printf("rank %d: MLP, 50 steps, max relative weight error vs 1 process x batch 64: %.3g\n", get_rank(),
              err);
  EXPECT_LE(err, 1e-6);
}

TEST(DistributedDataParallel, EquivalentToOneProcessWithTheGlobalBatchCNN) {
  double err = train_and_compare<SmallCNN>({1, 8, 8}, {});
  std::printf("rank %d: CNN, 50 steps, max relative weight error vs 1 process x batch 64: %.3g\n", get_rank(),
              err);
  EXPECT_LE(err, 1e-6);
}

TEST(DistributedDataParallel, BucketsFollowReverseParameterOrder) {
  auto net = std::make_shared<MLP>();  // fc1.weight, fc1.bias, fc2.weight, fc2.bias, fc3.weight, fc3.bias
  DistributedDataParallel one_each(net, {.bucket_cap_mb = 1e-6, .first_bucket_cap_mb = 1e-6});
  EXPECT_EQ(one_each.bucket_indices(), (std::vector<std::vector<size_t>>{{5}, {4}, {3}, {2}, {1}, {0}}));
  auto net2 = std::make_shared<MLP>();
  DistributedDataParallel defaults(net2);  // 3.3 KB of parameters: one bucket
  EXPECT_EQ(defaults.bucket_indices(), (std::vector<std::vector<size_t>>{{5, 4, 3, 2, 1, 0}}));
  // fc3 (16*5*4 + 5*4 = 340 bytes) fills a 300-byte first bucket; the rest share the next.
  auto net3 = std::make_shared<MLP>();
  DistributedDataParallel mixed(net3, {.bucket_cap_mb = 1.0, .first_bucket_cap_mb = 300.0 / (1024 * 1024)});
  EXPECT_EQ(mixed.bucket_indices(), (std::vector<std::vector<size_t>>{{5, 4}, {3, 2, 1, 0}}));
  auto sd = defaults.state_dict();
  EXPECT_TRUE(sd.contains("module.fc1.weight"));  // PyTorch's key names
}

TEST(DistributedDataParallel, NoSyncAccumulatesLocallyThenAverages) {
  const int rank = get_rank();
  auto net = std::make_shared<MLP>();
  DistributedDataParallel ddp(net);
  auto twin = std::make_shared<MLP>();  // the same weights, not wrapped: the local gradients
  twin->load_state_dict(net->state_dict());
  manual_seed(50 + rank);  // each rank its own micro-batches
  Tensor a = randn({8, 20}), b = randn({8, 20});
  {
    auto guard = ddp.no_sync();
    ddp(a).pow(2).mean().backward();
  }
  for (auto& p : net->parameters()) EXPECT_FALSE(same_on_all_ranks(p.grad()));  // not reduced yet
  ddp(b).pow(2).mean().backward();
  (*twin)(a).pow(2).mean().backward();
  (*twin)(b).pow(2).mean().backward();
  auto twin_params = twin->parameters();
  auto params = net->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    Tensor expected = twin_params[i].grad().clone();
    all_reduce(expected, ReduceOp::AVG);  // the average of both ranks' accumulated gradients
    EXPECT_TRUE(allclose(params[i].grad(), expected, 1e-6, 1e-7)) << "parameter " << i;
    EXPECT_TRUE(same_on_all_ranks(params[i].grad()));
  }
}

TEST(DistributedDataParallel, BroadcastsBuffersFromRankZeroBeforeForward) {
  auto net = std::make_shared<WithBN>();
  DistributedDataParallel ddp(net);
  manual_seed(70 + get_rank());
  ddp(randn({16, 4}) * (get_rank() + 1));  // each rank's running statistics move differently
  EXPECT_FALSE(same_on_all_ranks(net->bn.running_var));
  Tensor rank0_mean = net->bn.running_mean.clone();
  broadcast(rank0_mean, 0);
  ddp.eval();  // eval forward: buffers are synced first and left unchanged by the forward
  ddp(randn({16, 4}));
  EXPECT_TRUE(same_on_all_ranks(net->bn.running_var));
  EXPECT_TRUE(net->bn.running_mean.equal(rank0_mean));
  EXPECT_EQ(net->bn.num_batches_tracked.item<int64_t>(), 1);
}

TEST(DistributedDataParallel, UnusedParameterIsReportedAtTheNextForward) {
  auto net = std::make_shared<WithUnused>();
  DistributedDataParallel ddp(net, {.bucket_cap_mb = 1e-6, .first_bucket_cap_mb = 1e-6});
  ddp(ones({2, 4})).sum().backward();
  expect_error<AutogradError>(
      [&] {
        ddp(ones({2, 4}));
      },
      {"DistributedDataParallel", "finished reduction", "unused.weight", "unused.bias"});
  barrier();
}

TEST(DistributedDataParallel, RanksWithDifferentModelsAreRefused) {
  std::shared_ptr<nn::Module> net;
  if (get_rank() == 0)
    net = std::make_shared<MLP>();
  else
    net = std::make_shared<SmallCNN>();
  expect_error<ValueError>([&] { DistributedDataParallel ddp(net); },
                           {"DistributedDataParallel", "same model"});
}
