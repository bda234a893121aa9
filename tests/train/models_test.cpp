// models_test.cpp — the tool's model zoo against PyTorch's own definitions (tests/golden/zoo.json,
// written by tests/golden/gen_zoo_golden.py): every leaf module's repr and every parameter's shape,
// then a forward pass with the output shape PyTorch gives. The library is compiled with
// -march=native, where GCC 12 once built FashionCNN's unpadded conv with padding 1 (see
// docs/ARCHITECTURE.md, "Build flags"); this is the test that catches such a model silently changing.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "golden/golden_json.h"
#include "nabla/nabla.h"

namespace nabla::training {
namespace {

using json = nlohmann::json;

const json& golden() {
  static const json j = golden_io::load_json("zoo.json");
  return j;
}

const json& golden_case(const std::string& model) {
  for (const json& c : golden()["cases"])
    if (c["model"] == model) return c;
  throw std::runtime_error("zoo.json has no case for " + model);
}

ModelConfig config_for(const json& c) {
  std::vector<int64_t> in = c["input"].get<std::vector<int64_t>>();
  return {.name = c["model"].get<std::string>(),
          .in_channels = in[1],
          .height = in[2],
          .width = in[3],
          .num_classes = c["output"][1].get<int64_t>()};
}

class ZooModel : public ::testing::TestWithParam<std::string> {};

TEST_P(ZooModel, LeafModulesMatchPyTorch) {
  const json& c = golden_case(GetParam());
  auto model = build_model(config_for(c));
  std::map<std::string, std::string> ours;
  for (auto& [name, m] : model->named_modules())
    if (!name.empty() && m->children().empty()) ours[name] = m->name() + "(" + m->extra_repr() + ")";
  std::map<std::string, std::string> theirs = c["modules"].get<std::map<std::string, std::string>>();
  EXPECT_EQ(ours, theirs);
}

TEST_P(ZooModel, ParameterShapesMatchPyTorch) {
  const json& c = golden_case(GetParam());
  auto model = build_model(config_for(c));
  std::map<std::string, std::vector<int64_t>> ours;
  for (auto& [name, p] : model->named_parameters()) ours[name] = p.sizes().vec();
  EXPECT_EQ(ours, (c["params"].get<std::map<std::string, std::vector<int64_t>>>()));
}

TEST_P(ZooModel, ForwardGivesPyTorchsOutputShape) {
  const json& c = golden_case(GetParam());
  auto model = build_model(config_for(c));
  Tensor out = (*model)(randn(c["input"].get<std::vector<int64_t>>()));
  EXPECT_EQ(out.sizes().vec(), c["output"].get<std::vector<int64_t>>());
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooModel, ::testing::Values("fashion_cnn", "resnet"));

TEST(ZooGolden, CoversEveryImageModel) {
  std::vector<std::string> models;
  for (const json& c : golden()["cases"]) models.push_back(c["model"].get<std::string>());
  EXPECT_EQ(models, (std::vector<std::string>{"fashion_cnn", "resnet"}));
}

}  // namespace
}  // namespace nabla::training
