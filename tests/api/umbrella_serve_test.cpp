// nabla/serve/serve.h compiles on its own and gives nabla::serve.
#include <gtest/gtest.h>

#include "nabla/serve/serve.h"

TEST(UmbrellaServe, ServingLayer) {
  nabla::serve::ServerOptions o;
  EXPECT_EQ(o.host, "127.0.0.1");  // loopback unless asked otherwise
  EXPECT_THROW(nabla::serve::check_options({.max_batch = 0}), nabla::ValueError);
  nabla::serve::check_options(o);
}
