// nabla/onnx/onnx.h compiles on its own and gives nabla::onnx.
#include <gtest/gtest.h>

#include "nabla/onnx/onnx.h"

TEST(UmbrellaOnnx, Export) {
  nabla::onnx::ExportOptions options;
  EXPECT_EQ(options.opset_version, nabla::onnx::kMinOpset);
}
