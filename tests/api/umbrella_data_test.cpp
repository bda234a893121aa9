// nabla/data/data.h compiles on its own and gives nabla::data.
#include <gtest/gtest.h>

#include "nabla/core.h"  // after the umbrella: only to make inputs
#include "nabla/data/data.h"

TEST(UmbrellaData, DatasetsLoadersTransforms) {
  nabla::data::TensorDataset ds(nabla::zeros({6, 2}), nabla::zeros({6}));
  nabla::data::DataLoader loader(ds, {.batch_size = 4});
  EXPECT_EQ(loader.size(), 2);
  nabla::data::Compose t({nabla::data::Normalize({0.5}, {0.5})});
  EXPECT_EQ(nabla::data::make_moons({.n_samples = 10}).size(), 10);
}
