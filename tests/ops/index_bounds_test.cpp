// Integer-tensor indices out of range, negative ones included, raise IndexError naming the op, the
// bad value and the valid range — exactly where PyTorch 1.13 raises (checked with python3-torch);
// advanced indexing wraps negatives as PyTorch does. Also set_num_threads' argument checks.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include "expect_error.h"

using namespace nabla;
using nabla::testing::expect_error;

namespace {

Tensor idx(std::vector<int64_t> v) { return from_buffer(v.data(), {static_cast<int64_t>(v.size())}, kInt64); }

TEST(IndexBounds, IndexSelectRefusesNegativeIndices) {
  Tensor x = arange(5.0);
  // Was: -1 wrapped to 4. PyTorch: IndexError "index out of range in self".
  expect_error<IndexError>([&] { x.index_select(0, idx({-1})); }, {"index_select", "-1", "[0, 5)"});
  expect_error<IndexError>([&] { x.index_select(0, idx({5})); }, {"index_select", "5", "[0, 5)"});
  EXPECT_EQ(x.index_select(0, idx({4, 0})).to_vector(), (std::vector<double>{4, 0}));
}

TEST(IndexBounds, GatherScatterRefuseNegativeIndices) {
  Tensor x = arange(5.0);
  // PyTorch: "index -1 is out of bounds for dimension 0 with size 5".
  expect_error<IndexError>([&] { x.gather(0, idx({-1})); }, {"gather", "-1", "[0, 5)"});
  expect_error<IndexError>([&] { x.gather(0, idx({5})); }, {"gather", "5", "[0, 5)"});
  expect_error<IndexError>([&] { zeros({5}).scatter(0, idx({-1}), ones({1})); }, {"scatter", "-1", "[0, 5)"});
  expect_error<IndexError>([&] { zeros({5}).scatter_add(0, idx({-2}), ones({1})); },
                           {"scatter_add", "-2", "[0, 5)"});
  expect_error<IndexError>([&] { zeros({5}).scatter_add(0, idx({5}), ones({1})); },
                           {"scatter_add", "5", "[0, 5)"});
}

TEST(IndexBounds, EmbeddingRefusesNegativeIndices) {
  nn::Embedding emb(5, 2);
  // Was: -3 wrapped to row 2.
  expect_error<IndexError>([&] { emb(idx({-3})); }, {"embedding", "-3", "[0, 5)"});
  expect_error<IndexError>([&] { emb(idx({5})); }, {"embedding", "5", "[0, 5)"});
  EXPECT_EQ(emb(idx({4})).size(0), 1);
}

TEST(IndexBounds, OneHotRefusesNegativeAndTooLargeClasses) {
  expect_error<IndexError>([&] { one_hot(idx({-1}), 3); }, {"one_hot", "-1", "[0, 3)"});
  expect_error<IndexError>([&] { one_hot(idx({3}), 3); }, {"one_hot", "3", "[0, 3)"});
  expect_error<IndexError>([&] { one_hot(idx({-1, 1})); }, {"one_hot", "-1"});
}

TEST(IndexBounds, LossTargetsOutOfRangeExceptIgnoreIndex) {
  Tensor logits = zeros({2, 3});
  expect_error<IndexError>(
      [&] {
        nn::functional::nll_loss(logits, idx({-1, 0}));
      },
      {"nll_loss", "-1", "[0, 3)"});
  expect_error<IndexError>(
      [&] {
        nn::functional::nll_loss(logits, idx({3, 0}));
      },
      {"nll_loss", "3", "[0, 3)"});
  expect_error<IndexError>([&] { nn::functional::cross_entropy(logits, idx({3, 0})); }, {"nll_loss", "3"});
  EXPECT_NO_THROW(nn::functional::nll_loss(logits, idx({-100, 0})));  // ignore_index
}

TEST(IndexBounds, AdvancedIndexingWrapsNegativesLikePyTorch) {
  Tensor x = arange(5.0);
  EXPECT_EQ(x.index({idx({-1})}).to_vector(), (std::vector<double>{4}));
  expect_error<IndexError>([&] { x.index({idx({-6})}); }, {"-6", "5"});
  expect_error<IndexError>([&] { x.index({idx({5})}); }, {"5", "size 5"});
}

TEST(Threads, SetNumThreadsRefusesNonPositiveAndClampsHuge) {
  const int before = get_num_threads();
  expect_error<ValueError>([] { set_num_threads(0); }, {"set_num_threads", "0"});
  expect_error<ValueError>([] { set_num_threads(-1); }, {"set_num_threads", "-1"});
  // Was: a segfault in the next matmul.
  set_num_threads(100000);
  EXPECT_LT(get_num_threads(), 100000);
  EXPECT_GE(get_num_threads(), 1);
  Tensor a = ones({64, 64});
  EXPECT_EQ(matmul(a, a).at({0, 0}).to<double>(), 64.0);
  set_num_threads(before);
}

}  // namespace
