// `nabla convert` end to end: PyTorch's files (tests/golden/pt) to safetensors and back, the format read
// from the content, and one clear error line for a bad input or output name.
#include <gtest/gtest.h>
#include <nabla/nabla.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_tool.h"

namespace fs = std::filesystem;
using namespace nabla;

namespace {

using Result = test::ToolResult;

class ConvertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nabla_convert_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  Result run(const std::string& args) const { return test::run_tool(args, dir_); }
  fs::path dir_;
};

const std::string kGolden = NABLA_SOURCE_DIR "/tests/golden/pt/";

TEST_F(ConvertTest, StateDictBothWays) {
  Result r = run("convert " + kGolden + "state_dict.pt " + file("w.safetensors"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote " + file("w.safetensors") + " (safetensors)"), std::string::npos) << r.out;
  const auto st = io::load_safetensors(file("w.safetensors"));
  EXPECT_EQ(st.at("1.num_batches_tracked").item<int64_t>(), 2);
  r = run("convert " + file("w.safetensors") + " " + file("w.pt"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(io::detect_format(file("w.pt")), io::FileFormat::PtZip);
  const auto a = io::load_state_dict(kGolden + "state_dict.pt"), b = io::load_state_dict(file("w.pt"));
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) EXPECT_TRUE(b.find(name)->equal(t)) << name;
  // The legacy format converts too.
  EXPECT_EQ(run("convert " + kGolden + "legacy.pt " + file("l.safetensors")).code, 0);
}

TEST_F(ConvertTest, ErrorsAreOneLine) {
  Result r = run("convert " + kGolden + "module.pt " + file("m.safetensors"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("nabla: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("global 'torch.nn.modules.linear.Linear' is not allowed"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = run("convert " + kGolden + "tensor.pt " + file("out.npy"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("name the output .safetensors or .pt"), std::string::npos) << r.err;
  r = run("convert " + file("missing.pt") + " " + file("x.pt"));
  EXPECT_EQ(r.code, 2) << r.err;  // CLI11: the input must exist
  EXPECT_FALSE(fs::exists(file("m.safetensors")));
  EXPECT_FALSE(fs::exists(file("x.pt")));
}

}  // namespace
