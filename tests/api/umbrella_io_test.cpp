// nabla/io/io.h compiles on its own and gives nabla::io.
#include "nabla/io/io.h"

#include <gtest/gtest.h>

TEST(UmbrellaIo, FileFormats) {
  nabla::io::SummaryWriterOptions options;
  (void)options;
  SUCCEED();
}
