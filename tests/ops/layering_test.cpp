// The boundaries between op definitions and kernels (Note [Kernel routing] in src/ops/device_check.h):
// src/nn and src/autograd never name a backend, and every kernel entry point refuses a tensor on a
// device this build has no kernels for, naming the op.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <bit>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "expect_error.h"
#include "nabla/tensor/storage.h"
#include "nabla/tensor/tensor_impl.h"
#include "ops/kernels.h"
#include "ops/nn_kernels.h"
#include "ops/norm_kernels.h"
#include "ops/optim_kernels.h"
#include "ops/rnn_kernels.h"

using namespace nabla;
using nabla::testing::expect_error;

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

// Op definitions call kernels:: entry points only; which backend runs is decided in src/ops.
TEST(Layering, NnAndAutogradNeverNameABackend) {
  const std::vector<std::string> banned = {"dnnl", "onednn", "workspace", "cpu::", "dnnl_backend"};
  int files = 0;
  for (const char* dir : {"src/nn", "src/autograd"}) {
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(std::string(NABLA_SOURCE_DIR) + "/" + dir)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text = lower(ss.str());
      ++files;
      for (const auto& word : banned)
        EXPECT_EQ(text.find(word), std::string::npos) << e.path() << " names '" << word << "'";
    }
  }
  EXPECT_GT(files, 10);
}

namespace {
// A tensor that claims to live on a CUDA device. This build cannot make one (Device("cuda") throws),
// so the Device is assembled bit for bit; kernels must refuse it before touching its data.
Tensor fake_cuda_tensor(IntArrayRef sizes, DType dtype = kFloat32) {
  struct RawDevice {
    DeviceType type;
    int index;
  };
  static_assert(sizeof(RawDevice) == sizeof(Device));
  const Device cuda = std::bit_cast<Device>(RawDevice{DeviceType::CUDA, 0});
  static double buffer[64] = {};
  Storage* st = Storage::wrap(buffer, sizeof(buffer), nullptr, nullptr, cuda);
  std::vector<int64_t> strides(sizes.size(), 1);
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * sizes[i + 1];
  return Tensor(new TensorImpl(st, dtype, sizes, strides, 0));
}
}  // namespace

TEST(Layering, KernelEntryPointsRefuseOtherDevices) {
  Tensor g = fake_cuda_tensor({2, 3});
  ASSERT_FALSE(g.device().is_cpu());
  Tensor c = zeros({2, 3});
  expect_error<DeviceError>([&] { kernels::binary(kernels::Binary::Add, c, c, g); }, {"binary", "cuda"});
  expect_error<DeviceError>([&] { kernels::unary(kernels::Unary::Exp, c, g); }, {"unary", "cuda"});
  expect_error<DeviceError>([&] { kernels::copy(c, g); }, {"copy", "cuda"});
  expect_error<DeviceError>([&] { kernels::fill(g, 1.0); }, {"fill", "cuda"});
  expect_error<DeviceError>(
      [&] {
        kernels::reduce(kernels::Reduce::Sum, zeros({1, 1}), g);
      },
      {"reduce", "cuda"});
  expect_error<DeviceError>([&] { kernels::softmax(c, g, 1, false); }, {"softmax", "cuda"});
  expect_error<DeviceError>([&] { kernels::cumsum(c, g, 1); }, {"cumsum", "cuda"});
  expect_error<DeviceError>(
      [&] {
        kernels::where(c, zeros({2, 3}, {.dtype = kBool}), g, c);
      },
      {"where", "cuda"});
  expect_error<DeviceError>([&] { kernels::count_nonzero(g); }, {"count_nonzero", "cuda"});
  expect_error<DeviceError>([&] { kernels::matmul(zeros({2, 2}), g, zeros({3, 2})); }, {"matmul", "cuda"});
  expect_error<DeviceError>([&] { kernels::linear(zeros({2, 2}), g, zeros({2, 3})); }, {"linear", "cuda"});
  RandomGenerator gen(1);
  expect_error<DeviceError>([&] { kernels::random_uniform(g, 0, 1, gen); }, {"uniform_", "cuda"});
  expect_error<DeviceError>([&] { kernels::scale_(g, 2.0); }, {"scale_", "cuda"});

  Tensor x4 = fake_cuda_tensor({1, 1, 4, 4});
  kernels::PoolGeometry pg;
  pg.kernel[0] = pg.kernel[1] = pg.stride[0] = pg.stride[1] = 2;
  expect_error<DeviceError>(
      [&] {
        kernels::max_pool2d_forward(x4, {1, 1, 2, 2}, pg, false);
      },
      {"max_pool2d", "cuda"});
  expect_error<DeviceError>(
      [&] {
        kernels::avg_pool2d_forward(x4, {1, 1, 2, 2}, pg, true);
      },
      {"avg_pool2d", "cuda"});
  expect_error<DeviceError>(
      [&] {
        kernels::conv2d_forward(zeros({1, 1, 3, 3}), x4, zeros({1, 1, 2, 2}), Tensor(), {});
      },
      {"conv2d", "cuda"});
  expect_error<DeviceError>([&] { kernels::batch_norm_training_forward(x4, {}); }, {"batch_norm", "cuda"});
  kernels::RnnShape rs{kernels::RnnCell::TanhRNN, 1, 1, 4, 4, 1, false};
  expect_error<DeviceError>(
      [&] {
        kernels::rnn_layer_has_kernel(rs, fake_cuda_tensor({1, 1, 4}), zeros({1, 1, 4}), Tensor(), {});
      },
      {"rnn", "cuda"});
}
