// optim_support.h — shared helpers of the optim tests: the PyTorch golden file and optimizer factories.
#pragma once
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "expect_error.h"
#include "golden/golden_json.h"
#include "optim/json_fields.h"

namespace optim_test {

using nabla::Tensor;
using Json = nlohmann::json;
namespace optim = nabla::optim;

// tests/golden/optim.json, written by tests/golden/gen_optim_golden.py (PyTorch 1.13).
inline const Json& golden() {
  static const Json j = golden_io::load_json("optim.json");
  return j;
}

inline const Json& golden_case(const char* section, const std::string& name) {
  for (const auto& c : golden().at(section))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no golden case " + name);
}

inline Tensor from_json(const Json& values, nabla::IntArrayRef shape, nabla::DType dtype = nabla::kFloat64) {
  const auto v = values.get<std::vector<double>>();
  return nabla::from_buffer(v.data(), shape, nabla::kFloat64).to(dtype);
}

// Typed options for `optimizer` ("SGD", "Adam", ...) read from PyTorch's keyword arguments.
inline std::unique_ptr<optim::OptimizerOptions> make_options(const std::string& optimizer,
                                                             const Json& kwargs) {
  std::unique_ptr<optim::OptimizerOptions> o;
  if (optimizer == "SGD")
    o = std::make_unique<optim::SGDOptions>(0.0);
  else if (optimizer == "Adam")
    o = std::make_unique<optim::AdamOptions>();
  else if (optimizer == "AdamW")
    o = std::make_unique<optim::AdamWOptions>();
  else if (optimizer == "RMSprop")
    o = std::make_unique<optim::RMSpropOptions>();
  else if (optimizer == "Adagrad")
    o = std::make_unique<optim::AdagradOptions>();
  else
    throw std::runtime_error("unknown optimizer " + optimizer);
  optim::detail::JsonReader reader(kwargs, "golden");
  o->visit(reader);
  return o;
}

inline std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& optimizer,
                                                        std::vector<optim::OptimizerParamGroup> groups,
                                                        const optim::OptimizerOptions& defaults) {
  if (optimizer == "SGD")
    return std::make_unique<optim::SGD>(std::move(groups), static_cast<const optim::SGDOptions&>(defaults));
  if (optimizer == "Adam")
    return std::make_unique<optim::Adam>(std::move(groups), static_cast<const optim::AdamOptions&>(defaults));
  if (optimizer == "AdamW")
    return std::make_unique<optim::AdamW>(std::move(groups),
                                          static_cast<const optim::AdamWOptions&>(defaults));
  if (optimizer == "RMSprop")
    return std::make_unique<optim::RMSprop>(std::move(groups),
                                            static_cast<const optim::RMSpropOptions&>(defaults));
  if (optimizer == "Adagrad")
    return std::make_unique<optim::Adagrad>(std::move(groups),
                                            static_cast<const optim::AdagradOptions&>(defaults));
  throw std::runtime_error("unknown optimizer " + optimizer);
}

using nabla::testing::expect_error;

}  // namespace optim_test
