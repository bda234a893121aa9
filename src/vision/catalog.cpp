// catalog.cpp — see catalog.h. Mirrors the builders of resnet.cpp, vgg.cpp, mobilenetv2.cpp and
// alexnet.cpp from the same tables (architectures.h); tests/vision/models_test.cpp checks the two
// agree for every model.
#include "vision/catalog.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/check.h"
#include "vision/architectures.h"

namespace nabla::vision::models::detail {

namespace {

// Appends the state of one layer at `p` (a prefix ending in '.'), in PyTorch's order.
struct Shapes {
  StateShapes& out;
  void conv(const std::string& p, int64_t in, int64_t out_channels, int64_t k, bool bias,
            int64_t groups = 1) {
    out.parameters.push_back({p + "weight", {out_channels, in / groups, k, k}});
    if (bias) out.parameters.push_back({p + "bias", {out_channels}});
  }
  void batch_norm(const std::string& p, int64_t n) {
    out.parameters.push_back({p + "weight", {n}});
    out.parameters.push_back({p + "bias", {n}});
    out.buffers.push_back({p + "running_mean", {n}});
    out.buffers.push_back({p + "running_var", {n}});
    out.buffers.push_back({p + "num_batches_tracked", {}});
  }
  void linear(const std::string& p, int64_t in, int64_t out_features) {
    out.parameters.push_back({p + "weight", {out_features, in}});
    out.parameters.push_back({p + "bias", {out_features}});
  }
};

void resnet(Shapes& s, const ResNetSpec& spec, int64_t classes) {
  s.conv("conv1.", 3, 64, 7, false);
  s.batch_norm("bn1.", 64);
  const int64_t expansion = spec.bottleneck ? 4 : 1;
  int64_t in = 64;
  for (int64_t l = 0; l < 4; ++l) {
    const int64_t planes = int64_t{64} << l;
    for (int64_t b = 0; b < spec.layers[static_cast<size_t>(l)]; ++b) {
      const std::string p = fmt::format("layer{}.{}.", l + 1, b);
      if (spec.bottleneck) {
        s.conv(p + "conv1.", in, planes, 1, false);
        s.batch_norm(p + "bn1.", planes);
        s.conv(p + "conv2.", planes, planes, 3, false);
        s.batch_norm(p + "bn2.", planes);
        s.conv(p + "conv3.", planes, planes * 4, 1, false);
        s.batch_norm(p + "bn3.", planes * 4);
      } else {
        s.conv(p + "conv1.", in, planes, 3, false);
        s.batch_norm(p + "bn1.", planes);
        s.conv(p + "conv2.", planes, planes, 3, false);
        s.batch_norm(p + "bn2.", planes);
      }
      const bool stride2 = b == 0 && l > 0;
      if (b == 0 && (stride2 || in != planes * expansion)) {
        s.conv(p + "downsample.0.", in, planes * expansion, 1, false);
        s.batch_norm(p + "downsample.1.", planes * expansion);
      }
      in = planes * expansion;
    }
  }
  s.linear("fc.", 512 * expansion, classes);
}

void vgg(Shapes& s, const VGGSpec& spec, int64_t classes) {
  int64_t in = 3, i = 0;
  for (int64_t v : vgg_cfg(spec.cfg)) {
    if (v == 0) {
      ++i;  // MaxPool2d
      continue;
    }
    s.conv(fmt::format("features.{}.", i), in, v, 3, true);
    if (spec.batch_norm) s.batch_norm(fmt::format("features.{}.", i + 1), v);
    i += spec.batch_norm ? 3 : 2;
    in = v;
  }
  s.linear("classifier.0.", 512 * 7 * 7, 4096);
  s.linear("classifier.3.", 4096, 4096);
  s.linear("classifier.6.", 4096, classes);
}

// Conv2dNormActivation at `p`: conv "0", BatchNorm "1".
void conv_bn(Shapes& s, const std::string& p, int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  s.conv(p + "0.", in, out, k, false, groups);
  s.batch_norm(p + "1.", out);
}

void mobilenet_v2(Shapes& s, int64_t classes) {
  int64_t in = make_divisible(kMobileNetV2Stem, 8), i = 0;
  conv_bn(s, fmt::format("features.{}.", i++), 3, in, 3);
  for (const auto& [t, c, n, stride] : kMobileNetV2Blocks) {
    const int64_t out = make_divisible(static_cast<double>(c), 8);
    for (int64_t r = 0; r < n; ++r) {
      const std::string p = fmt::format("features.{}.conv.", i++);
      const int64_t hidden = in * t;
      int64_t j = 0;
      if (t != 1) conv_bn(s, fmt::format("{}{}.", p, j++), in, hidden, 1);
      conv_bn(s, fmt::format("{}{}.", p, j++), hidden, hidden, 3, hidden);
      s.conv(fmt::format("{}{}.", p, j++), hidden, out, 1, false);
      s.batch_norm(fmt::format("{}{}.", p, j), out);
      in = out;
    }
  }
  conv_bn(s, fmt::format("features.{}.", i), in, kMobileNetV2Last, 1);
  s.linear("classifier.1.", kMobileNetV2Last, classes);
}

void alexnet(Shapes& s, int64_t classes) {
  s.conv("features.0.", 3, 64, 11, true);
  s.conv("features.3.", 64, 192, 5, true);
  s.conv("features.6.", 192, 384, 3, true);
  s.conv("features.8.", 384, 256, 3, true);
  s.conv("features.10.", 256, 256, 3, true);
  s.linear("classifier.1.", 256 * 6 * 6, 4096);
  s.linear("classifier.4.", 4096, 4096);
  s.linear("classifier.6.", 4096, classes);
}

const ResNetSpec* find_resnet(const std::string& name) {
  for (const auto& r : kResNets)
    if (r.name == name) return &r;
  return nullptr;
}
const VGGSpec* find_vgg(const std::string& name) {
  for (const auto& v : kVGGs)
    if (v.name == name) return &v;
  return nullptr;
}

}  // namespace

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& r : kResNets) n.emplace_back(r.name);
    for (const auto& v : kVGGs) n.emplace_back(v.name);
    n.emplace_back("mobilenet_v2");
    n.emplace_back("alexnet");
    return n;
  }();
  return names;
}

void check_known(const std::string& name) {
  NABLA_CHECK(is_model(name), ValueError, "unknown vision model '{}' (known: {})", name.substr(0, 80),
              fmt::join(model_names(), ", "));
}

bool is_model(const std::string& name) {
  const auto& n = model_names();
  return std::find(n.begin(), n.end(), name) != n.end();
}

StateShapes state_shapes(const std::string& name, int64_t num_classes) {
  check_known(name);
  StateShapes out;
  Shapes s{out};
  if (const ResNetSpec* r = find_resnet(name))
    resnet(s, *r, num_classes);
  else if (const VGGSpec* v = find_vgg(name))
    vgg(s, *v, num_classes);
  else if (name == "mobilenet_v2")
    mobilenet_v2(s, num_classes);
  else
    alexnet(s, num_classes);
  return out;
}

int64_t min_input_side(const std::string& name) {
  check_known(name);
  return name == "alexnet" ? 63 : find_vgg(name) ? 32 : 1;
}

std::string classifier_name(const std::string& name) {
  check_known(name);
  return find_resnet(name) ? "fc" : name == "mobilenet_v2" ? "classifier.1" : "classifier.6";
}

}  // namespace nabla::vision::models::detail
