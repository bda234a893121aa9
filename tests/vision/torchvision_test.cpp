// torchvision_test.cpp — a torchvision state_dict loads into nabla::vision::models and gives
// torchvision's logits. tests/golden/gen_vision_golden.py writes, at test time, a torchvision model
// with random weights and random BatchNorm statistics (num_classes 10) with torch.save(state_dict), as
// a user's .pth weights are, with an input and torchvision's eval-mode logits (safetensors); the weights
// are too big to commit (vgg11_bn: 515 MB), so without Debian's python3-torchvision the test is skipped.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "io/io_test_util.h"
#include "nabla/nabla.h"

namespace nabla::vision::models {
namespace {

constexpr int kSkip = 77;  // the generator's exit code without torch/torchvision

struct Case {
  std::string model, input;  // input: "N,C,H,W"
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.model << " [" << c.input << "]"; }

// Runs the generator; the exit status (kSkip: no torchvision here).
int generate(const std::string& dir, const Case& c) {
  const std::string cmd = "/usr/bin/python3 " NABLA_SOURCE_DIR
                          "/tests/golden/gen_vision_golden.py --weights '" +
                          dir + "' --model " + c.model + " --input " + c.input;
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class Torchvision : public ::testing::TestWithParam<Case> {};

TEST_P(Torchvision, SameLogitsFromTheSameStateDict) {
  const Case& c = GetParam();
  io::test::TempDir dir;
  const int rc = generate(dir.path(), c);
  if (rc == kSkip || rc == 127) GTEST_SKIP() << "python3-torch or python3-torchvision not installed";
  ASSERT_EQ(rc, 0) << "gen_vision_golden.py failed";
  auto model = get_model(c.model, 10);
  // Strict: every name and shape must match torchvision's file.
  model->load_state_dict(io::load_state_dict(dir.file(c.model + ".pt")));
  std::filesystem::remove(dir.file(c.model + ".pt"));  // up to 515 MB
  model->eval();
  const io::SafetensorsFile io = io::load_safetensors(dir.file(c.model + ".io.safetensors"));
  Tensor logits;
  {
    NoGradGuard no_grad;
    logits = (*model)(io.at("input"));
  }
  const Tensor& expected = io.at("logits");
  ASSERT_EQ(logits.sizes().vec(), expected.sizes().vec());
  // float32 through up to 50 layers, summed in another order by oneDNN than by PyTorch: within 1e-4
  // of the logits' scale.
  const double scale = expected.abs().max().item<double>();
  const double diff = (logits - expected).abs().max().item<double>();
  RecordProperty("max_abs_diff", std::to_string(diff));
  RecordProperty("logit_scale", std::to_string(scale));
  std::cout << c.model << " [" << c.input << "]: max |logit difference| " << diff << ", logits' scale "
            << scale << "\n";
  EXPECT_GT(scale, 1e-3);  // the logits are not trivially zero
  EXPECT_LE(diff, 1e-4 * scale);
}

INSTANTIATE_TEST_SUITE_P(Models, Torchvision,
                         ::testing::Values(Case{"resnet18", "2,3,64,64"}, Case{"resnet34", "2,3,64,64"},
                                           Case{"resnet50", "2,3,64,64"}, Case{"vgg11_bn", "2,3,64,64"},
                                           Case{"mobilenet_v2", "2,3,64,64"}, Case{"alexnet", "2,3,64,64"},
                                           // ImageNet's size, and an odd one (padding, floor division)
                                           Case{"resnet18", "1,3,224,224"}, Case{"alexnet", "1,3,224,224"},
                                           Case{"mobilenet_v2", "1,3,97,113"}),
                         [](const auto& info) {
                           std::string name = info.param.model + "_" + info.param.input;
                           for (char& ch : name)
                             if (ch == ',') ch = 'x';
                           return name;
                         });

}  // namespace
}  // namespace nabla::vision::models
