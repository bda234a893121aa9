// fuzz_run_state — the run checkpoint's metadata parser and validation (train/run_metadata.cpp), the
// step between a verified checkpoint and building a model. Input: a JSON object whose "__metadata__"
// maps keys to strings, and whose other keys map tensor names to shapes, e.g.
//   {"__metadata__": {"nabla.run": "{...}", "nabla.epoch": "1", ...}, "layers.1.0.weight": [4, 4]}
// (fuzz_seeds writes one from a real run). Accepted configs must describe models of bounded size.
#include <nlohmann/json.hpp>

#include "nabla/tensor/error.h"
#include "train/run_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla::training;
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return 0;
  std::map<std::string, std::string> meta;
  detail::TensorShapes shapes;
  for (const auto& [key, value] : j.items()) {
    if (key == "__metadata__" && value.is_object()) {
      for (const auto& [k, v] : value.items())
        if (v.is_string()) meta[k] = v.get<std::string>();
    } else if (value.is_array()) {
      std::vector<int64_t> shape;
      for (const auto& d : value)
        if (d.is_number_integer()) shape.push_back(d.get<int64_t>());
      shapes[key] = shape;
    }
  }
  try {
    detail::RunMeta r = detail::parse_run_metadata(meta, shapes);
    const ModelConfig& c = r.config.model;
    if (c.in_channels > kMaxModelChannels || c.num_classes > kMaxModelClasses || c.height > kMaxModelSide)
      __builtin_trap();
  } catch (const nabla::Error&) {
  }
  return 0;
}
