// Sizes whose product overflows, and allocations no machine can serve: typed nabla errors naming
// the op and the sizes, never a tensor with too little storage, std::bad_alloc or a segfault.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include "expect_error.h"

using namespace nabla;
using nabla::testing::expect_error;

namespace {

constexpr int64_t kHuge = int64_t{1} << 62;  // 2^62 elements: x4 overflows int64

TEST(SizeOverflow, CreationRefusesOverflowingShapes) {
  // Was: a tensor of 0 bytes (2^62 * 4 wrapped to 0).
  expect_error<ValueError>([] { empty({kHuge, 4}); }, {"empty", "overflow", "4611686018427387904, 4"});
  expect_error<ValueError>([] { zeros({4, kHuge}); }, {"empty", "overflow", "[4, 4611686018427387904]"});
  expect_error<ValueError>([] { randn({kHuge, 2, 2}); }, {"overflow", "4611686018427387904"});
  // Element count fits but the bytes (x 8) do not.
  expect_error<ValueError>([] { empty({int64_t{1} << 61}, {.dtype = kFloat64}); },
                           {"empty", "overflow", "2305843009213693952"});
  // A zero dim does not hide an overflowing product of the others (the strides would wrap).
  expect_error<ValueError>([] { empty({0, kHuge, 4}); }, {"empty", "overflow"});
  expect_error<ValueError>([] { empty({-1, 2}); }, {"empty", "negative dimension -1", "[-1, 2]"});
}

TEST(SizeOverflow, EmptyStridedChecksTheExtent) {
  expect_error<ValueError>([] { empty_strided({kHuge, 4}, {4, 1}); }, {"empty_strided", "overflow"});
  expect_error<ValueError>(
      [] {
        empty_strided({2, 2}, {INT64_MAX, 1});
      },
      {"empty_strided", "overflow", "strides="});
  expect_error<ValueError>([] { empty_strided({2, 2}, {2}); }, {"empty_strided", "[2, 2]", "[2]"});
  EXPECT_EQ(empty_strided({2, 3}, {1, 2}).stride(1), 2);
  EXPECT_EQ(empty_strided({0, kHuge}, {1, 1}).numel(), 0);
}

TEST(SizeOverflow, ViewsRefuseOverflowingShapes) {
  // Was: 2^62 * 4 * 0 wraps to 0 and matched the 0 elements.
  expect_error<ValueError>([] { zeros({0}).reshape({kHuge, 4, 0}); }, {"reshape", "overflow"});
  expect_error<ValueError>([] { zeros({0}).view({kHuge, 4, 0}); }, {"view", "overflow"});
  expect_error<ValueError>([] { zeros({0}).reshape({kHuge, 4, -1}); }, {"reshape", "overflow"});
  expect_error<ValueError>(
      [] {
        zeros({1, 1}).expand({kHuge, 4});
      },
      {"expand", "overflow", "4611686018427387904"});
}

TEST(SizeOverflow, LayerConstructorsRaise) {
  // Was: a segfault (a 0-byte weight initialised as 2^62 x 397).
  expect_error<ValueError>([] { nn::Linear(397, kHuge); }, {"overflow", "4611686018427387904, 397"});
  expect_error<ValueError>([] { nn::Embedding(kHuge, 4); }, {"overflow", "4611686018427387904"});
  expect_error<ValueError>([] { nn::Conv2d(int64_t{1} << 40, int64_t{1} << 40, 3); }, {"overflow"});
}

TEST(Allocation, AbsurdButRepresentableSizeIsOutOfMemoryError) {
  // 2^40 float32s = 4 TiB: no overflow, but no machine here serves it.
  expect_error<OutOfMemoryError>([] { empty({int64_t{1} << 40}); }, {"allocate", "4398046511104 bytes"});
  expect_error<OutOfMemoryError>([] { nn::Linear(int64_t{1} << 20, int64_t{1} << 20); },
                                 {"allocate", "bytes"});
  static_assert(std::is_base_of_v<Error, OutOfMemoryError>);
}

}  // namespace
