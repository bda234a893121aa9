// vision_golden.h — the check of a vision model against torchvision's definition (tests/golden/vision.json,
// written by tests/golden/gen_vision_golden.py), shared by models_test.cpp (the six models of issue #20)
// and models_slow_test.cpp (the other depths of the same families).
#pragma once
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "golden/golden_json.h"
#include "nabla/nabla.h"
#include "vision/catalog.h"

namespace nabla::vision::models::test {

using json = nlohmann::json;
using Shapes = std::vector<std::pair<std::string, std::vector<int64_t>>>;

inline const json& golden() {
  static const json j = golden_io::load_json("vision.json");
  return j;
}

inline const json& golden_case(const std::string& model) {
  for (const json& c : golden()["cases"])
    if (c["model"] == model) return c;
  throw std::runtime_error("vision.json has no case for " + model);
}

inline Shapes shapes_of(const nn::NamedTensors& tensors) {
  Shapes out;
  for (const auto& [name, t] : tensors) out.emplace_back(name, t.sizes().vec());
  return out;
}

// One build per model (VGG's classifier alone is 120M parameters): the state_dict's names, order and
// shapes exactly torchvision's, every module in named_modules() order with torchvision's class name, the
// tensor-free catalog (what checkpoints are validated against) equal to the built model, and the
// classifier fine-tuning replaces a Linear with num_classes outputs.
inline void expect_matches_torchvision(const std::string& name) {
  const json& c = golden_case(name);
  const int64_t classes = c["num_classes"].get<int64_t>();
  auto model = get_model(name, classes);
  Shapes theirs;
  for (const json& e : c["state"])
    theirs.emplace_back(e[0].get<std::string>(), e[1].get<std::vector<int64_t>>());
  EXPECT_EQ(shapes_of(model->state_dict()), theirs);
  std::vector<std::pair<std::string, std::string>> ours;
  for (auto& [n, m] : model->named_modules()) ours.emplace_back(n, m->name());
  EXPECT_EQ(ours, (c["modules"].get<std::vector<std::pair<std::string, std::string>>>()));
  const detail::StateShapes catalog = detail::state_shapes(name, classes);
  EXPECT_EQ(catalog.parameters, shapes_of(model->named_parameters()));
  EXPECT_EQ(catalog.buffers, shapes_of(model->named_buffers()));
  auto* head = model->named_modules()[detail::classifier_name(name)]->as<nn::Linear>();
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->out_features, classes);
}

}  // namespace nabla::vision::models::test
