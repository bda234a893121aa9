// model_config.cpp — ModelConfig's JSON, its ranges, and the state_dict shapes build_model() gives it.
// Tensor-free (fuzz/fuzz_run_state compiles it alone): a checkpoint's config is checked against the
// tensors the file holds before any model is built (Note [Trust nothing a checkpoint says],
// run_metadata.h).
#include <nlohmann/json.hpp>

#include "nabla/train/models.h"
#include "train/json_checked.h"
#include "util/check.h"
#include "vision/catalog.h"

namespace nabla::training {

namespace vision_catalog = vision::models::detail;

std::string ModelConfig::to_json() const {
  return nlohmann::json{{"name", name},   {"in_channels", in_channels}, {"height", height},
                        {"width", width}, {"num_classes", num_classes}, {"n_layers", n_layers}}
      .dump();
}

ModelConfig ModelConfig::from_json(const std::string& text) {
  const nlohmann::json j = detail::parse_json_object(text, "model config");
  const detail::JsonFields f(j, "model config");
  ModelConfig c;
  c.name = f.string("name");
  c.in_channels = f.integer("in_channels", 1, kMaxModelChannels);
  c.height = f.integer("height", 1, kMaxModelSide);
  c.width = f.integer("width", 1, kMaxModelSide);
  c.num_classes = f.integer("num_classes", 2, kMaxModelClasses);
  c.n_layers = j.contains("n_layers") ? f.integer("n_layers", 1, kMaxMlpLayers) : 5;
  check_model_config(c);
  return c;
}

std::vector<std::string> model_names() {
  std::vector<std::string> names{"mlp", "fashion_cnn", "resnet"};
  for (const auto& n : vision_catalog::model_names()) names.push_back(n);
  return names;
}

void check_model_config(const ModelConfig& c) {
  auto in = [&](const char* field, int64_t v, int64_t lo, int64_t hi) {
    NABLA_CHECK(v >= lo && v <= hi, ValueError, "model config: {} must be from {} to {}, got {}", field, lo,
                hi, v);
  };
  const bool vision = vision_catalog::is_model(c.name);
  NABLA_CHECK(c.name == "mlp" || c.name == "fashion_cnn" || c.name == "resnet" || vision, ValueError,
              "unknown model '{}' (known: {})", c.name.substr(0, 80), fmt::join(model_names(), ", "));
  in("in_channels", c.in_channels, 1, kMaxModelChannels);
  in("height", c.height, 1, kMaxModelSide);
  in("width", c.width, 1, kMaxModelSide);
  in("num_classes", c.num_classes, 2, kMaxModelClasses);
  if (c.name == "mlp") in("n_layers", c.n_layers, 1, kMaxMlpLayers);
  NABLA_CHECK(c.name != "fashion_cnn" || (c.height >= 10 && c.width >= 10), ValueError,
              "fashion_cnn needs images of at least 10x10, got {}x{}", c.height, c.width);
  if (!vision) return;
  NABLA_CHECK(c.in_channels == 1 || c.in_channels == 3, ValueError,
              "{} takes RGB (or grayscale, repeated to RGB) images, not {} channels", c.name, c.in_channels);
  const int64_t side = vision_catalog::min_input_side(c.name);
  NABLA_CHECK(c.height >= side && c.width >= side, ValueError, "{} needs images of at least {}x{}, got {}x{}",
              c.name, side, side, c.height, c.width);
}

std::string classifier_name(const ModelConfig& c) {
  check_model_config(c);
  if (c.name == "mlp") return fmt::format("layers.{}", c.n_layers + 1);
  if (c.name == "fashion_cnn") return "fc3";
  if (c.name == "resnet") return "linear";
  return vision_catalog::classifier_name(c.name);
}

std::vector<int64_t> mlp_hidden_sizes(int64_t input_size, int64_t num_classes, int64_t n_layers) {
  NABLA_CHECK(n_layers >= 1 && n_layers <= kMaxMlpLayers, ValueError,
              "mlp: --n_layers must be from 1 to {}, got {}", kMaxMlpLayers, n_layers);
  const int64_t step = (input_size - num_classes) / (n_layers + 1);
  std::vector<int64_t> sizes;
  for (int64_t i = 1; i <= n_layers; ++i)
    sizes.push_back(std::max<int64_t>(input_size - i * step, num_classes));
  return sizes;
}

namespace {
// Appends the state of one module at `prefix` (PyTorch's names).
struct ShapeBuilder {
  ModelShapes& out;
  void param(const std::string& name, std::vector<int64_t> shape) {
    out.parameters.emplace_back(name, shape);
  }
  void buffer(const std::string& name, std::vector<int64_t> shape) { out.buffers.emplace_back(name, shape); }
  void linear(const std::string& p, int64_t in, int64_t out_features, bool bias = true) {
    param(p + "weight", {out_features, in});
    if (bias) param(p + "bias", {out_features});
  }
  void conv(const std::string& p, int64_t in, int64_t out_channels, int64_t k, bool bias) {
    param(p + "weight", {out_channels, in, k, k});
    if (bias) param(p + "bias", {out_channels});
  }
  void batch_norm(const std::string& p, int64_t n) {
    param(p + "weight", {n});
    param(p + "bias", {n});
    buffer(p + "running_mean", {n});
    buffer(p + "running_var", {n});
    buffer(p + "num_batches_tracked", {});
  }
};

void resnet_block(ShapeBuilder& b, const std::string& p, int64_t in, int64_t out, int64_t stride) {
  b.conv(p + "conv1.", in, out, 3, false);
  b.batch_norm(p + "bn1.", out);
  b.conv(p + "conv2.", out, out, 3, false);
  b.batch_norm(p + "bn2.", out);
  if (stride != 1 || in != out) {
    b.conv(p + "shortcut.0.", in, out, 1, false);
    b.batch_norm(p + "shortcut.1.", out);
  }
}

int64_t checked_product(std::initializer_list<int64_t> factors) {
  int64_t n = 1;
  for (int64_t f : factors)
    NABLA_CHECK(!__builtin_mul_overflow(n, f, &n), ValueError, "model config: layer size overflows int64");
  return n;
}
}  // namespace

// Mirrors the models of models.cpp (and, for vision models, src/vision/catalog.cpp mirrors the builders);
// tests/train/run_metadata_test.cpp (ModelShapes) compares the two for many configs.
ModelShapes model_state_shapes(const ModelConfig& c) {
  check_model_config(c);
  ModelShapes shapes;
  ShapeBuilder b{shapes};
  const int64_t k = c.num_classes;
  if (vision_catalog::is_model(c.name)) {
    vision_catalog::StateShapes v = vision_catalog::state_shapes(c.name, k);
    return {std::move(v.parameters), std::move(v.buffers)};
  }
  if (c.name == "mlp") {
    int64_t last = checked_product({c.in_channels, c.height, c.width});
    int64_t i = 1;
    for (int64_t width : mlp_hidden_sizes(last, k, c.n_layers)) {
      const std::string p = fmt::format("layers.{}.", i++);
      b.linear(p + "0.", last, width);
      b.batch_norm(p + "2.", width);
      last = width;
    }
    b.linear(fmt::format("layers.{}.", i), last, k);
  } else if (c.name == "fashion_cnn") {
    b.conv("layer1.0.", c.in_channels, 32, 3, true);
    b.batch_norm("layer1.1.", 32);
    b.conv("layer2.0.", 32, 64, 3, true);
    b.batch_norm("layer2.1.", 64);
    b.linear("fc1.", checked_product({64, (c.height / 2 - 2) / 2, (c.width / 2 - 2) / 2}), 600);
    b.linear("fc2.", 600, 120);
    b.linear("fc3.", 120, k);
  } else {
    b.conv("conv1.", c.in_channels, 16, 3, false);
    b.batch_norm("bn1.", 16);
    int64_t in = 16;
    for (auto [layer, planes, stride] : {std::tuple{1, 16, 1}, {2, 32, 2}, {3, 64, 2}}) {
      resnet_block(b, fmt::format("layer{}.0.", layer), in, planes, stride);
      resnet_block(b, fmt::format("layer{}.1.", layer), planes, planes, 1);
      in = planes;
    }
    b.linear("linear.", 64, k);
  }
  return shapes;
}

}  // namespace nabla::training
