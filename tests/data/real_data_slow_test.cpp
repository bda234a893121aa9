// data/ (slow): the real MNIST and FashionMNIST files brought by tools/fetch-data, when present
// (skipped otherwise): sizes, first labels and statistics of the official files, class balance, a full
// loader pass.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <cstdlib>
#include <filesystem>

using namespace nabla;

namespace {
std::string data_root() {
  const char* env = std::getenv("NABLA_DATA_DIR");
  return env ? env : NABLA_SOURCE_DIR "/data";
}
bool have(const std::string& name) {
  return std::filesystem::exists(data_root() + "/" + name + "/raw/t10k-labels-idx1-ubyte");
}
}  // namespace

TEST(RealData, MNIST) {
  if (!have("MNIST")) GTEST_SKIP() << "no MNIST in " << data_root() << " (run tools/fetch-data)";
  data::MNIST train(data_root()), test(data_root(), {.train = false});
  EXPECT_EQ(train.size(), 60000);
  EXPECT_EQ(test.size(), 10000);
  EXPECT_EQ(train.get(0).target.item<int64_t>(), 5);  // the official files start with a 5 and a 7
  EXPECT_EQ(test.get(0).target.item<int64_t>(), 7);
  EXPECT_EQ(train.data().sizes().vec(), (std::vector<int64_t>{60000, 28, 28}));
  double mean = train.data().to(kFloat64).mean().item<double>() / 255;
  EXPECT_NEAR(mean, 0.1307, 1e-4);
}

TEST(RealData, FashionMNISTOfficialSplit) {
  if (!have("FashionMNIST"))
    GTEST_SKIP() << "no FashionMNIST in " << data_root() << " (run tools/fetch-data)";
  data::FashionMNIST train(data_root()), test(data_root(), {.train = false});
  EXPECT_EQ(train.size(), 60000);
  EXPECT_EQ(test.size(), 10000);
  // The official files (Debian's dataset-fashion-mnist) start with these labels.
  const std::vector<int64_t> train_first{9, 0, 0, 3, 0, 2, 7, 2, 5, 5};
  const std::vector<int64_t> test_first{9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
  for (size_t i = 0; i < train_first.size(); ++i) {
    EXPECT_EQ(train.get(i).target.item<int64_t>(), train_first[i]) << "train sample " << i;
    EXPECT_EQ(test.get(i).target.item<int64_t>(), test_first[i]) << "test sample " << i;
  }
  for (int64_t c = 0; c < 10; ++c) {
    EXPECT_EQ((train.targets() == c).sum().item<int64_t>(), 6000) << "class " << c;
    EXPECT_EQ((test.targets() == c).sum().item<int64_t>(), 1000) << "class " << c;
  }
  EXPECT_NEAR(train.data().to(kFloat64).mean().item<double>() / 255, 0.2860, 1e-4);
  EXPECT_NEAR(test.data().to(kFloat64).mean().item<double>() / 255, 0.2868, 1e-4);
  auto ds = data::share(data::FashionMNIST(
      data_root(), {.transform = data::Compose({data::ToTensor(), data::Normalize({0.2860}, {0.3530})})}));
  data::DataLoader loader(ds, {.batch_size = 256, .shuffle = true, .num_workers = 2, .seed = 0});
  int64_t n = 0;
  double sum = 0;
  for (data::Batch& b : loader) {
    n += b.data.size(0);
    sum += b.data.sum().item<double>();
  }
  EXPECT_EQ(n, 60000);
  EXPECT_NEAR(sum / (n * 784.0), 0.0, 0.01) << "normalized with the dataset's own mean";
}
