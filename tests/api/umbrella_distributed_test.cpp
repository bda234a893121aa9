// nabla/distributed/distributed.h compiles on its own and gives nabla::distributed.
#include <gtest/gtest.h>

#include "nabla/distributed/distributed.h"

TEST(UmbrellaDistributed, SamplerAndProcessGroupQueries) {
  nabla::distributed::DistributedSampler s(10, {.num_replicas = 2, .rank = 1, .shuffle = false});
  EXPECT_EQ(s.indices(), (std::vector<int64_t>{1, 3, 5, 7, 9}));
  EXPECT_FALSE(nabla::distributed::is_initialized());
}
