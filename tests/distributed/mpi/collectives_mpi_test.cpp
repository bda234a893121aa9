// Collectives on 2 ranks (run by `mpirun -np 2`, mpi_gtest_main.cpp): known per-rank values for every
// reduce op and dtype, broadcast, all_gather, barrier, async work, and the user errors.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include "expect_error.h"

using namespace nabla;
using namespace nabla::distributed;
using nabla::testing::expect_error;

namespace {
std::vector<double> V(const Tensor& t) { return t.to_vector(); }
}  // namespace

TEST(Collectives, ProcessGroupQueries) {
  ASSERT_TRUE(is_initialized());
  EXPECT_EQ(get_world_size(), 2);
  EXPECT_GE(get_rank(), 0);
  EXPECT_LT(get_rank(), 2);
  EXPECT_EQ(get_timeout(), std::chrono::seconds(60));
  init_process_group({.timeout = std::chrono::seconds(1)});  // idempotent: no change
  EXPECT_EQ(get_timeout(), std::chrono::seconds(60));
}

TEST(Collectives, AllReduceEveryOpAndDtype) {
  const double r = get_rank();  // rank 0 holds (1, -2), rank 1 holds (2, -4)
  for (DType dtype : {kFloat32, kFloat64, kInt64}) {
    auto make = [&] { return tensor({r + 1, -2 * (r + 1)}, {.dtype = dtype}); };
    Tensor sum = make(), prod = make(), mn = make(), mx = make();
    all_reduce(sum);
    all_reduce(prod, ReduceOp::PRODUCT);
    all_reduce(mn, ReduceOp::MIN);
    all_reduce(mx, ReduceOp::MAX);
    EXPECT_EQ(sum.dtype(), dtype);
    EXPECT_EQ(V(sum), (std::vector<double>{3, -6})) << dtype_name(dtype);
    EXPECT_EQ(V(prod), (std::vector<double>{2, 8})) << dtype_name(dtype);
    EXPECT_EQ(V(mn), (std::vector<double>{1, -4})) << dtype_name(dtype);
    EXPECT_EQ(V(mx), (std::vector<double>{2, -2})) << dtype_name(dtype);
    if (dtype != kInt64) {
      Tensor avg = make();
      all_reduce(avg, ReduceOp::AVG);
      EXPECT_EQ(V(avg), (std::vector<double>{1.5, -3})) << dtype_name(dtype);
    }
  }
}

TEST(Collectives, AllReduceIsInPlaceOnA2DTensorAndBumpsItsVersion) {
  Tensor t = full({2, 3}, get_rank() == 0 ? 0.25 : 0.5, {.dtype = kFloat32});
  const void* data = t.data_ptr();
  const auto version = t.version();
  all_reduce(t);
  EXPECT_EQ(t.data_ptr(), data);
  EXPECT_GT(t.version(), version);
  EXPECT_EQ(V(t), std::vector<double>(6, 0.75));
}

TEST(Collectives, AsyncAllReduce) {
  std::vector<Tensor> ts;
  std::vector<WorkPtr> works;
  for (int i = 0; i < 5; ++i) {
    ts.push_back(full({1000}, double(i + get_rank()), {.dtype = kFloat64}));
    works.push_back(all_reduce_async(ts.back()));
  }
  for (int i = 0; i < 5; ++i) {
    works[i]->wait();
    EXPECT_TRUE(works[i]->is_completed());
    EXPECT_EQ(ts[i][999].item<double>(), 2.0 * i + 1);
  }
}

TEST(Collectives, Broadcast) {
  for (int src : {0, 1}) {
    Tensor t = arange(0, 4, 1, {.dtype = kInt64}) + 10 * get_rank();
    broadcast(t, src);
    EXPECT_EQ(V(t), (std::vector<double>{10. * src, 10. * src + 1, 10. * src + 2, 10. * src + 3}));
  }
}

TEST(Collectives, AllGather) {
  Tensor mine = full({2, 2}, double(get_rank() + 1), {.dtype = kFloat32});
  std::vector<Tensor> out = {zeros({2, 2}), zeros({2, 2})};
  all_gather(out, mine);
  EXPECT_EQ(V(out[0]), std::vector<double>(4, 1));
  EXPECT_EQ(V(out[1]), std::vector<double>(4, 2));
}

TEST(Collectives, Barrier) {
  barrier();
  barrier();
  SUCCEED();
}

TEST(Collectives, UserErrorsNameTheOpAndTheTensor) {
  // Checked before anything is sent: every rank raises, no collective is left half-done.
  Tensor ok = zeros({2, 3});
  expect_error<ValueError>([] { all_reduce(Tensor()); }, {"all_reduce", "undefined"});
  expect_error<ValueError>([&] { all_reduce(ok.t()); },
                           {"all_reduce", "non-contiguous", "float32", "[3, 2]"});
  expect_error<DTypeError>([] { all_reduce(zeros({4}, {.dtype = kInt32})); }, {"all_reduce", "int32", "[4]"});
  expect_error<DTypeError>([] { broadcast(zeros({2}, {.dtype = kFloat16})); }, {"broadcast", "float16"});
  expect_error<DTypeError>([] { all_reduce(zeros({2}, {.dtype = kInt64}), ReduceOp::AVG); },
                           {"all_reduce", "AVG", "int64"});
  expect_error<ValueError>([&] { broadcast(ok, 2); }, {"broadcast", "src rank 2", "world size 2"});
  std::vector<Tensor> one = {zeros({2, 3})};
  expect_error<ValueError>([&] { all_gather(one, ok); }, {"all_gather", "1 tensors", "2"});
  std::vector<Tensor> wrong_shape = {zeros({2, 3}), zeros({3, 2})};
  expect_error<ShapeError>([&] { all_gather(wrong_shape, ok); },
                           {"all_gather", "tensor_list[1]", "[3, 2]", "[2, 3]"});
  std::vector<Tensor> wrong_dtype = {zeros({2, 3}), zeros({2, 3}, {.dtype = kFloat64})};
  expect_error<DTypeError>([&] { all_gather(wrong_dtype, ok); }, {"all_gather", "tensor_list[1]", "float64"});
  barrier();  // both ranks still agree
}
