// inference.cpp — a run checkpoint made ready for predictions (nabla/train/inference.h).
#include "nabla/train/inference.h"

#include "nabla/data/transforms.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::training {

InferenceModel load_inference_model(const std::string& path) {
  LoadedRun run = load_run(path);
  InferenceModel m{run.config, build_model(run.config.model)};
  try {
    m.model->load_state_dict(run.model);
  } catch (const ValueError& e) {
    throw IOError(fmt::format("{}: weights do not fit a {} model: {}", path, m.config.model.name, e.what()));
  }
  // NaN/inf weights (a run with --on_nan warn, or a forged file) made predict print "nan%" and eval
  // "loss nan" with exit status 0. The file itself is fine (a resume still reads it).
  for (const auto& [name, t] : m.model->state_dict())
    NABLA_CHECK(!t.is_floating_point() || isfinite(t).all().item<bool>(), IOError,
                "{}: tensor '{}' holds NaN or inf values, so the model's outputs would be meaningless (was "
                "it trained with --on_nan warn?)",
                path, name);
  m.model->eval();
  return m;
}

// io::ImageReadMode's values are the channel counts (Gray 1, GrayAlpha 2, RGB 3, RGBA 4).
int image_read_channels(const RunConfig& config) { return static_cast<int>(config.model.in_channels); }

Tensor preprocess_image(const Tensor& image_hwc, const RunConfig& c) {
  NABLA_CHECK(image_hwc.dim() == 3 && image_hwc.size(2) == c.model.in_channels, ShapeError,
              "preprocess_image: expected a [H, W, {}] image for a {}-channel model, got {}",
              c.model.in_channels, c.model.in_channels, image_hwc.toString());
  Tensor chw = data::ToTensor()(image_hwc);
  if (chw.size(1) != c.model.height || chw.size(2) != c.model.width)
    chw = data::Resize(c.model.height, c.model.width)(chw);
  return data::Normalize(c.mean, c.std)(chw);
}

std::vector<ClassProbability> top_classes(const Tensor& probabilities, int64_t k, const RunConfig& c) {
  NABLA_CHECK(probabilities.dim() == 1 && probabilities.numel() > 0, ShapeError,
              "top_classes: expected the probabilities of one input [K], got {}", probabilities.toString());
  NABLA_CHECK(k >= 1, ValueError, "top_classes: k must be at least 1, got {}", k);
  // Finite but huge weights can still overflow (inf - inf): never report "nan%".
  NABLA_CHECK(isfinite(probabilities).all().item<bool>(), ValueError,
              "top_classes: the model's output is NaN or inf (weights too large?)");
  auto [p, idx] = probabilities.topk(std::min<int64_t>(k, probabilities.numel()));
  std::vector<ClassProbability> out;
  for (int64_t i = 0; i < p.numel(); ++i) {
    const int64_t cls = idx.at({i}).to<int64_t>();
    out.push_back({cls < static_cast<int64_t>(c.classes.size()) ? c.classes[static_cast<size_t>(cls)]
                                                                : std::to_string(cls),
                   cls, p.at({i}).to<double>()});
  }
  return out;
}

}  // namespace nabla::training
