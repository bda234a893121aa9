// models_test.cpp — nabla::vision::models against torchvision's own definitions (tests/golden/vision.json,
// written by tests/golden/gen_vision_golden.py; always run, no PyTorch needed), for the six models of
// issue #20 (the other depths: models_slow_test.cpp): state_dict names, order and shapes, every module's
// name and class, the tensor-free catalog against the built models; then input sizes, defaults, a new
// head. The logits are compared where torchvision is installed: torchvision_test.cpp.
#include "vision/vision_golden.h"

namespace nabla::vision::models {
namespace {

class VisionModel : public ::testing::TestWithParam<std::string> {};

TEST_P(VisionModel, MatchesTorchvisionsStateDictModulesAndCatalog) {
  test::expect_matches_torchvision(GetParam());
}

// The six of issue #20; the other depths (vgg13 ... vgg19_bn, resnet101/152) are in models_slow_test.cpp.
INSTANTIATE_TEST_SUITE_P(Issue20, VisionModel,
                         ::testing::Values("resnet18", "resnet34", "resnet50", "vgg11_bn", "mobilenet_v2",
                                           "alexnet"));

TEST(VisionModels, GoldenCoversEveryModel) {
  std::vector<std::string> names;
  for (const test::json& c : test::golden()["cases"]) names.push_back(c["model"].get<std::string>());
  EXPECT_EQ(names, list_models());
}

// Any input size torchvision accepts works (the pooling before the classifier is adaptive), and the
// first size it refuses is refused with a typed error.
TEST(VisionModels, SmallestInputsTorchvisionAccepts) {
  for (const std::string name : {"resnet18", "mobilenet_v2", "vgg11_bn", "alexnet"}) {
    SCOPED_TRACE(name);
    auto model = get_model(name, 10);
    model->eval();
    NoGradGuard no_grad;
    const int64_t side = detail::min_input_side(name);
    EXPECT_EQ((*model)(randn({1, 3, side, side + 5})).sizes().vec(), (std::vector<int64_t>{1, 10}));
    if (side > 1) {
      EXPECT_THROW((*model)(randn({1, 3, side - 1, side})), Error);
    }
  }
}

TEST(VisionModels, DefaultsAreImageNets) {
  auto model = resnet18();
  EXPECT_EQ(model->fc.weight.sizes().vec(), (std::vector<int64_t>{1000, 512}));
  EXPECT_EQ(mobilenet_v2()->classifier.size(), 2u);
  EXPECT_EQ(mobilenet_v2()->state_dict()["classifier.1.weight"].sizes().vec(),
            (std::vector<int64_t>{1000, 1280}));
}

// torchvision's fine-tuning recipe: a new head replaces fc, keeping the name.
TEST(VisionModels, ReplacingTheHead) {
  auto model = resnet18({.num_classes = 10});
  model->fc = nn::Linear(512, 2);
  EXPECT_EQ(model->state_dict()["fc.weight"].sizes().vec(), (std::vector<int64_t>{2, 512}));
  model->eval();
  EXPECT_EQ((*model)(randn({3, 3, 32, 32})).sizes().vec(), (std::vector<int64_t>{3, 2}));
}

// Training mode: the loss's gradient reaches the stem's convolution through every block.
TEST(VisionModels, TrainsAndGradientsFlowToTheStem) {
  auto model = mobilenet_v2({.num_classes = 4});
  Tensor x = randn({2, 3, 16, 16});
  F::cross_entropy((*model)(x), tensor({1, 3})).backward();
  auto& stem = static_cast<nn::Sequential&>(model->features[0]);
  Tensor g = stem[0].as<nn::Conv2d>()->weight.grad();
  ASSERT_TRUE(g.defined());
  EXPECT_GT(g.abs().sum().item<double>(), 0);
}

TEST(VisionModels, UnknownNameListsTheKnownOnes) {
  try {
    get_model("resnet19");
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("resnet19"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("mobilenet_v2"), std::string::npos);
  }
}

}  // namespace
}  // namespace nabla::vision::models
