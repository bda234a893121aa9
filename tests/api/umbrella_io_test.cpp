// nabla/io/io.h compiles on its own and gives nabla::io.
#include <gtest/gtest.h>

#include "nabla/io/io.h"

TEST(UmbrellaIo, FileFormats) {
  nabla::io::SummaryWriterOptions options;
  (void)options;
  SUCCEED();
}
