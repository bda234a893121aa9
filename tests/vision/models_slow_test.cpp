// models_slow_test.cpp — the other depths of torchvision's families (vgg11, vgg13 ... vgg19_bn,
// resnet101, resnet152) against torchvision's definitions, as models_test.cpp does for the six of issue
// #20: label `slow` (each VGG allocates and initialises 130M+ parameters).
#include "vision/vision_golden.h"

namespace nabla::vision::models {
namespace {

class VisionModelSlow : public ::testing::TestWithParam<std::string> {};

TEST_P(VisionModelSlow, MatchesTorchvisionsStateDictModulesAndCatalog) {
  test::expect_matches_torchvision(GetParam());
}

INSTANTIATE_TEST_SUITE_P(OtherDepths, VisionModelSlow,
                         ::testing::Values("resnet101", "resnet152", "vgg11", "vgg13", "vgg13_bn", "vgg16",
                                           "vgg16_bn", "vgg19", "vgg19_bn"));

}  // namespace
}  // namespace nabla::vision::models
