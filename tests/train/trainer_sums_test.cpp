// Trainer::sum_over_processes, without MPI: two "processes" are two evaluations of the halves of a
// data set, the second adding the sums the first one handed to the hook. The result must be the
// evaluation of the whole set (the distributed tool test checks the same over mpirun).
#include <gtest/gtest.h>

#include "nabla/data/dataset.h"
#include "nabla/nn/nn.h"
#include "nabla/optim/sgd.h"
#include "nabla/train/trainer.h"

using namespace nabla;

namespace {

std::shared_ptr<data::TensorDataset> rows(const Tensor& x, const Tensor& y, int64_t first, int64_t step) {
  std::vector<int64_t> idx;
  for (int64_t i = first; i < x.size(0); i += step) idx.push_back(i);
  Tensor index = from_buffer(idx.data(), {static_cast<int64_t>(idx.size())}, kInt64);
  return std::make_shared<data::TensorDataset>(x.index_select(0, index), y.index_select(0, index));
}

TEST(TrainerSumOverProcesses, TwoSharesGiveTheWholeEvaluation) {
  manual_seed(3);
  nn::Linear fc{4, 3};
  optim::SGD opt{fc.parameters(), {.lr = 0.1}};
  training::Trainer trainer(
      fc, [](const Tensor& o, const Tensor& t) { return F::cross_entropy(o, t); }, opt);
  Tensor x = randn({23, 4});  // odd: shares of 12 and 11
  Tensor y = randint(0, 3, {23}, {.dtype = kInt64});
  data::DataLoader whole_loader(std::make_shared<data::TensorDataset>(x, y), {.batch_size = 5});
  const training::EvalResult whole = trainer.evaluate(whole_loader, 3);

  std::vector<std::vector<double>> handed;  // the second process's sums, call by call
  trainer.sum_over_processes = [&](std::vector<double>& s) { handed.push_back(s); };
  data::DataLoader odd_loader(rows(x, y, 1, 2), {.batch_size = 5});
  trainer.evaluate(odd_loader, 3);
  ASSERT_EQ(handed.size(), 2u);  // the scalars, then the confusion matrix
  size_t call = 0;
  trainer.sum_over_processes = [&](std::vector<double>& s) {
    ASSERT_EQ(s.size(), handed[call].size());
    for (size_t i = 0; i < s.size(); ++i) s[i] += handed[call][i];
    ++call;
  };
  data::DataLoader even_loader(rows(x, y, 0, 2), {.batch_size = 5});
  const training::EvalResult summed = trainer.evaluate(even_loader, 3);

  EXPECT_EQ(summed.samples, 23);
  EXPECT_EQ(summed.accuracy, whole.accuracy);
  EXPECT_NEAR(summed.loss, whole.loss, 1e-6 * std::abs(whole.loss));
  ASSERT_TRUE(summed.confusion.defined());
  EXPECT_TRUE(equal(summed.confusion, whole.confusion));
}

}  // namespace
