// data/: transforms against PyTorch goldens (tests/golden/transforms.json, made by
// tests/golden/gen_transforms_golden.py) and the behaviour of the random transforms; make_grid/save_image.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <nlohmann/json.hpp>

#include "data/test_util.h"
#include "golden/golden_json.h"

using namespace nabla;
using namespace nabla::data;
namespace TF = nabla::data::functional;
using nabla::testing::expect_error;
using nabla::testing::TempDir;

namespace {
Tensor decode(const nlohmann::json& j) {
  std::vector<int64_t> shape = j["shape"].get<std::vector<int64_t>>();
  std::vector<double> data = j["data"].get<std::vector<double>>();
  DType dtype = j["dtype"] == "uint8" ? kUInt8 : kFloat32;
  return from_buffer(data.data(), shape, kFloat64).to(dtype);
}

Tensor run_case(const std::string& op, const nlohmann::json& p, const Tensor& x) {
  if (op == "resize_bilinear") return TF::resize(x, p["h"], p["w"], InterpolationMode::Bilinear);
  if (op == "resize_nearest") return TF::resize(x, p["h"], p["w"], InterpolationMode::Nearest);
  if (op == "rotate_nearest") return TF::rotate(x, p["angle"], InterpolationMode::Nearest);
  if (op == "brightness") return TF::adjust_brightness(x, p["factor"]);
  if (op == "contrast") return TF::adjust_contrast(x, p["factor"]);
  if (op == "saturation") return TF::adjust_saturation(x, p["factor"]);
  if (op == "grayscale") return Grayscale(p["channels"])(x);
  if (op == "center_crop") return CenterCrop(p["h"], p["w"])(x);
  if (op == "normalize") return Normalize(p["mean"], p["std"])(x);
  if (op == "to_tensor") return ToTensor()(x);
  throw std::runtime_error("unknown golden op " + op);
}

Tensor u8_image(int64_t h, int64_t w, int64_t c) {
  std::vector<uint8_t> px(h * w * c);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>((i * 53) % 256);
  return from_buffer(px.data(), {h, w, c}, kUInt8);
}
}  // namespace

TEST(TransformsGolden, MatchPyTorch) {
  const nlohmann::json golden = golden_io::load_json("transforms.json");
  ASSERT_GE(golden["cases"].size(), 40u);
  for (const auto& c : golden["cases"]) {
    const std::string name = c["name"], op = c["op"];
    Tensor x = decode(c["input"]), expected = decode(c["output"]);
    Tensor got = run_case(op, c["params"], x);
    ASSERT_EQ(got.sizes().vec(), expected.sizes().vec()) << name;
    ASSERT_EQ(got.dtype(), expected.dtype()) << name;
    Tensor diff = (got.to(kFloat64) - expected.to(kFloat64)).abs();
    if (op == "rotate_nearest") {
      // Nearest sampling at exact .5 ties can pick the other neighbour: allow 2% of pixels to differ.
      double scale = got.dtype() == kUInt8 ? 1.0 : 1.0 / 255;
      double frac = (diff > scale * 0.5).to(kFloat64).mean().item<double>();
      EXPECT_LE(frac, 0.02) << name;
    } else if (got.dtype() == kUInt8) {
      EXPECT_LE(diff.max().item<double>(), 1.0) << name << ": more than 1/255 off";
      EXPECT_LE((diff > 0).to(kFloat64).mean().item<double>(), 0.05)
          << name << ": too many off-by-one values";
    } else {
      EXPECT_LE(diff.max().item<double>(), 1e-5) << name;
    }
  }
}

TEST(Transforms, ToTensorAndNormalizeShapes) {
  Tensor img = u8_image(4, 6, 3);
  Tensor t = ToTensor()(img);
  EXPECT_EQ(t.sizes().vec(), (std::vector<int64_t>{3, 4, 6}));
  EXPECT_FLOAT_EQ(t.at({1, 2, 3}).to<float>(), img.at({2, 3, 1}).to<float>() / 255.f);
  Tensor gray = ToTensor()(u8_image(5, 5, 1).view({5, 5}));
  EXPECT_EQ(gray.sizes().vec(), (std::vector<int64_t>{1, 5, 5}));
  expect_error<DTypeError>([] { ToTensor()(zeros({3, 4, 4})); }, {"ToTensor", "uint8"});
  expect_error<DTypeError>([&] { Normalize({0.5}, {0.5})(img); }, {"Normalize", "ToTensor first"});
  expect_error<ShapeError>([&] { Normalize({0.5, 0.5}, {1, 1})(t); }, {"Normalize", "2 means", "3 channels"});
  expect_error<ValueError>([&] { Normalize({0.5}, {0})(t); }, {"division by zero"});
  Tensor n64 = Normalize({0.5}, {0.25})(t.to(kFloat64));
  EXPECT_EQ(n64.dtype(), kFloat64);
  EXPECT_NEAR(n64.at({0, 0, 0}).to<double>(), (t.at({0, 0, 0}).to<double>() - 0.5) / 0.25, 1e-6);
}

TEST(Transforms, ResizeKeepsAspectAndLayouts) {
  Tensor img = u8_image(10, 20, 3);
  EXPECT_EQ(Resize(5)(img).sizes().vec(), (std::vector<int64_t>{5, 10, 3}));
  EXPECT_EQ(Resize(5)(ToTensor()(img)).sizes().vec(), (std::vector<int64_t>{3, 5, 10}));
  EXPECT_EQ(Resize(7, 3, InterpolationMode::Nearest)(img.select(2, 0)).sizes().vec(),
            (std::vector<int64_t>{7, 3}));
  EXPECT_TRUE(equal(Resize(10, 20)(img), img)) << "same size is the identity";
  expect_error<ShapeError>([] { Resize(3)(zeros({1, 2, 3, 4})); }, {"resize", "[1, 2, 3, 4]"});
  expect_error<DTypeError>([] { Resize(3)(zeros({3, 3}, {.dtype = kInt64})); }, {"resize", "Int64"});
}

TEST(Transforms, FlipsCropsAndPadding) {
  Tensor img = u8_image(4, 5, 3);
  EXPECT_TRUE(equal(TF::hflip(img).select(1, 0), img.select(1, 4)));
  EXPECT_TRUE(equal(TF::vflip(img).select(0, 0), img.select(0, 3)));
  EXPECT_TRUE(equal(TF::hflip(TF::hflip(img)), img));
  Tensor c = TF::crop(img, 1, 2, 2, 3);
  EXPECT_TRUE(equal(c, img.narrow(0, 1, 2).narrow(1, 2, 3)));
  Tensor out = TF::crop(img, -1, -1, 2, 2);  // partly outside: zeros there
  EXPECT_EQ(out.at({0, 0, 0}).to<int>(), 0);
  EXPECT_EQ(out.at({1, 1, 2}).to<int>(), img.at({0, 0, 2}).to<int>());
  Tensor p = TF::pad(ToTensor()(img), 1, 2, 3, 4, 0.5);
  EXPECT_EQ(p.sizes().vec(), (std::vector<int64_t>{3, 10, 9}));
  EXPECT_FLOAT_EQ(p.at({0, 0, 0}).to<float>(), 0.5f);
  RandomGenerator g(1);
  RandomCrop rc(4, 5, 2, false, &g);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(rc(img).sizes().vec(), (std::vector<int64_t>{4, 5, 3}));
  EXPECT_EQ(RandomCrop(8, 0, true, &g)(img).sizes().vec(), (std::vector<int64_t>{8, 8, 3}));
  expect_error<ValueError>([&] { RandomCrop(8, 0, false, &g)(img); }, {"RandomCrop", "[8, 8]", "[4, 5]"});
}

TEST(Transforms, RandomTransformsFollowTheirGenerator) {
  Tensor img = ToTensor()(u8_image(12, 12, 3));
  RandomGenerator g1(7), g2(7);
  Compose aug({RandomResizedCrop(8, {0.3, 1.0}, {0.75, 1.33}, InterpolationMode::Bilinear, &g1),
               RandomHorizontalFlip(0.5, &g1), RandomVerticalFlip(0.5, &g1),
               RandomRotation(20, InterpolationMode::Nearest, 0, &g1), ColorJitter(0.4, 0.4, 0.4, &g1)});
  Compose aug2({RandomResizedCrop(8, {0.3, 1.0}, {0.75, 1.33}, InterpolationMode::Bilinear, &g2),
                RandomHorizontalFlip(0.5, &g2), RandomVerticalFlip(0.5, &g2),
                RandomRotation(20, InterpolationMode::Nearest, 0, &g2), ColorJitter(0.4, 0.4, 0.4, &g2)});
  bool any_different = false;
  Tensor first = aug(img);
  EXPECT_EQ(first.sizes().vec(), (std::vector<int64_t>{3, 8, 8}));
  EXPECT_TRUE(equal(first, aug2(img)));
  for (int i = 0; i < 5; ++i) {
    Tensor a = aug(img);
    EXPECT_TRUE(equal(a, aug2(img)));
    any_different |= !equal(a, first);
  }
  EXPECT_TRUE(any_different);
  // p = 1 always flips, p = 0 never does; a flip frequency near p otherwise.
  EXPECT_TRUE(equal(RandomHorizontalFlip(1.0)(img), TF::hflip(img)));
  EXPECT_TRUE(equal(RandomVerticalFlip(0.0)(img), img));
  RandomGenerator g(3);
  RandomHorizontalFlip flip(0.3, &g);
  int flips = 0;
  for (int i = 0; i < 1000; ++i) flips += !equal(flip(img), img);
  EXPECT_NEAR(flips / 1000.0, 0.3, 0.05);
  // RandomResizedCrop's crops respect the scale range.
  RandomResizedCrop rrc(8, {0.25, 0.5}, {0.75, 1.33});
  for (int i = 0; i < 50; ++i) {
    auto [top, left, h, w] = rrc.get_params(40, 40, g);
    EXPECT_GE(top, 0);
    EXPECT_LE(top + h, 40);
    EXPECT_LE(left + w, 40);
    EXPECT_GE(h * w, 0.2 * 1600);
    EXPECT_LE(h * w, 0.56 * 1600);
  }
}

TEST(Transforms, RotationAndColorProperties) {
  Tensor img = ToTensor()(u8_image(9, 9, 3));
  EXPECT_TRUE(allclose(TF::rotate(img, 0), img));
  // 90 degrees four times is the identity on a square image (up to nearest-neighbour ties at the border).
  Tensor r = img;
  for (int i = 0; i < 4; ++i) r = TF::rotate(r, 90);
  EXPECT_GE((r == img).to(kFloat32).mean().item<float>(), 0.9f);
  EXPECT_TRUE(allclose(TF::adjust_brightness(img, 1.0), img));
  EXPECT_EQ(TF::adjust_brightness(img, 0.0).abs().max().item<float>(), 0.f);
  EXPECT_LE(TF::adjust_brightness(img, 5.0).max().item<float>(), 1.f) << "clamped to the image range";
  Tensor flat = TF::adjust_contrast(img, 0.0);
  EXPECT_LT((flat - flat.mean()).abs().max().item<float>(), 1e-6);
  Tensor gray = TF::adjust_saturation(img, 0.0);
  EXPECT_TRUE(allclose(gray.select(0, 0), gray.select(0, 1)));
  EXPECT_EQ(Grayscale(3)(u8_image(4, 4, 3)).sizes().vec(), (std::vector<int64_t>{4, 4, 3}));
  EXPECT_EQ(Grayscale(1)(img).sizes().vec(), (std::vector<int64_t>{1, 9, 9}));
  expect_error<ShapeError>(
      [] {
        Grayscale()(zeros({2, 4, 4}));
      },
      {"rgb_to_grayscale", "1 or 3 channels", "2"});
  expect_error<ValueError>([&] { TF::adjust_contrast(img, -1); }, {"adjust_contrast", "-1"});
  Lambda twice([](const Tensor& x) { return x * 2; });
  EXPECT_TRUE(allclose(twice(img), img * 2));
}

TEST(Utils, MakeGridLayoutAndSaveImage) {
  Tensor batch = zeros({5, 1, 4, 3});
  for (int64_t i = 0; i < 5; ++i) batch[i].fill_(static_cast<double>(i + 1) / 10);
  Tensor grid = data::make_grid(batch, {.nrow = 2, .padding = 1, .pad_value = 0.9});
  // 2 columns, 3 rows: width 2 * (3 + 1) + 1, height 3 * (4 + 1) + 1; gray repeated to 3 channels.
  EXPECT_EQ(grid.sizes().vec(), (std::vector<int64_t>{3, 16, 9}));
  EXPECT_FLOAT_EQ(grid.at({0, 0, 0}).to<float>(), 0.9f);
  EXPECT_FLOAT_EQ(grid.at({2, 1, 1}).to<float>(), 0.1f);   // image 0
  EXPECT_FLOAT_EQ(grid.at({0, 1, 5}).to<float>(), 0.2f);   // image 1
  EXPECT_FLOAT_EQ(grid.at({1, 11, 1}).to<float>(), 0.5f);  // image 4
  EXPECT_FLOAT_EQ(grid.at({1, 11, 5}).to<float>(), 0.9f);  // empty cell keeps the pad value
  Tensor norm = data::make_grid(batch, {.normalize = true});
  EXPECT_FLOAT_EQ(norm.max().item<float>(), 1.f);
  EXPECT_EQ(data::make_grid(batch[0]).sizes().vec(), (std::vector<int64_t>{3, 4, 3}));
  TempDir dir;
  data::save_image(batch, dir / "grid.png", {.nrow = 2, .padding = 1});
  Tensor png = io::read_image(dir / "grid.png");
  EXPECT_EQ(png.sizes().vec(), (std::vector<int64_t>{16, 9, 3}));
  EXPECT_EQ(png.at({1, 5, 0}).to<int>(), 51);  // 0.2 * 255 + 0.5 truncated
}
