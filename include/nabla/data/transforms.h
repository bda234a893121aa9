// transforms.h — image transforms like torchvision.transforms (tensor semantics of torchvision 0.14).
//
// Images are uint8 [H, W, C] / [H, W] (as decoded from files, like a PIL image) or floating [C, H, W] /
// [H, W] (after ToTensor). Geometric and colour transforms keep the input's layout and dtype; uint8
// results are rounded where torchvision rounds (resize) and truncated where it truncates (colour blends,
// grayscale). Random transforms draw from the RandomGenerator given to them or, by default, from
// data::sample_generator() (per sample inside a DataLoader, so augmentation is reproducible).
//
//   auto t = data::Compose({data::RandomCrop(32, 4), data::RandomHorizontalFlip(),
//                                 data::ToTensor(), data::Normalize({0.5, 0.5, 0.5}, {0.5, 0.5,
//                                 0.5})});
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::data {

using Transform = std::function<Tensor(const Tensor&)>;
enum class InterpolationMode { Nearest, Bilinear };

// ---- functional forms (torchvision.transforms.functional) ----
namespace functional {
Tensor to_tensor(const Tensor& image);  // uint8 HWC/HW -> float32 CHW in [0, 1]
Tensor normalize(const Tensor& image, const std::vector<double>& mean, const std::vector<double>& std);
// size {h, w}; antialias off (F.interpolate, align_corners=False).
Tensor resize(const Tensor& image, int64_t height, int64_t width,
              InterpolationMode mode = InterpolationMode::Bilinear);
// Crops [top, top + height) x [left, left + width); regions outside the image are filled with 0.
Tensor crop(const Tensor& image, int64_t top, int64_t left, int64_t height, int64_t width);
Tensor center_crop(const Tensor& image, int64_t height, int64_t width);
Tensor pad(const Tensor& image, int64_t left, int64_t top, int64_t right, int64_t bottom, double fill = 0);
Tensor hflip(const Tensor& image);
Tensor vflip(const Tensor& image);
// Counter-clockwise by `degrees` about the centre, same size, outside filled with `fill`.
Tensor rotate(const Tensor& image, double degrees, InterpolationMode mode = InterpolationMode::Nearest,
              double fill = 0);
Tensor adjust_brightness(const Tensor& image, double factor);
Tensor adjust_contrast(const Tensor& image, double factor);
Tensor adjust_saturation(const Tensor& image, double factor);
Tensor rgb_to_grayscale(const Tensor& image, int num_output_channels = 1);
// Image height and width, from either layout.
std::array<int64_t, 2> image_size(const Tensor& image);
}  // namespace functional

class Compose {
 public:
  explicit Compose(std::vector<Transform> transforms);
  Tensor operator()(const Tensor& x) const;

 private:
  std::vector<Transform> transforms_;
};

// uint8 HWC/HW in [0, 255] -> float32 CHW in [0, 1].
struct ToTensor {
  Tensor operator()(const Tensor& image) const;
};

// (x - mean[c]) / std[c] on float CHW; one value broadcasts over all channels.
class Normalize {
 public:
  Normalize(std::vector<double> mean, std::vector<double> std);
  Tensor operator()(const Tensor& image) const;

 private:
  std::vector<double> mean_, std_;
};

class Resize {
 public:
  // The smaller edge becomes `size`, keeping the aspect ratio (torchvision's int size).
  explicit Resize(int64_t size, InterpolationMode mode = InterpolationMode::Bilinear);
  Resize(int64_t height, int64_t width, InterpolationMode mode = InterpolationMode::Bilinear);
  Tensor operator()(const Tensor& image) const;

 private:
  int64_t height_, width_;  // width_ < 0: smaller edge = height_
  InterpolationMode mode_;
};

class CenterCrop {
 public:
  explicit CenterCrop(int64_t size) : CenterCrop(size, size) {}
  CenterCrop(int64_t height, int64_t width);
  Tensor operator()(const Tensor& image) const;

 private:
  int64_t height_, width_;
};

class RandomCrop {
 public:
  // Zero padding of `padding` pixels on every side first; pad_if_needed pads images smaller than the crop.
  explicit RandomCrop(int64_t size, int64_t padding = 0, bool pad_if_needed = false,
                      RandomGenerator* gen = nullptr)
      : RandomCrop(size, size, padding, pad_if_needed, gen) {}
  RandomCrop(int64_t height, int64_t width, int64_t padding, bool pad_if_needed = false,
             RandomGenerator* gen = nullptr);
  Tensor operator()(const Tensor& image) const;

 private:
  int64_t height_, width_, padding_;
  bool pad_if_needed_;
  RandomGenerator* gen_;
};

class RandomResizedCrop {
 public:
  explicit RandomResizedCrop(int64_t size, std::array<double, 2> scale = {0.08, 1.0},
                             std::array<double, 2> ratio = {3.0 / 4.0, 4.0 / 3.0},
                             InterpolationMode mode = InterpolationMode::Bilinear,
                             RandomGenerator* gen = nullptr);
  Tensor operator()(const Tensor& image) const;
  // torchvision's get_params: the crop (top, left, height, width) for an image of height x width.
  std::array<int64_t, 4> get_params(int64_t height, int64_t width, RandomGenerator& gen) const;

 private:
  int64_t size_;
  std::array<double, 2> scale_, ratio_;
  InterpolationMode mode_;
  RandomGenerator* gen_;
};

class RandomHorizontalFlip {
 public:
  explicit RandomHorizontalFlip(double p = 0.5, RandomGenerator* gen = nullptr);
  Tensor operator()(const Tensor& image) const;

 private:
  double p_;
  RandomGenerator* gen_;
};

class RandomVerticalFlip {
 public:
  explicit RandomVerticalFlip(double p = 0.5, RandomGenerator* gen = nullptr);
  Tensor operator()(const Tensor& image) const;

 private:
  double p_;
  RandomGenerator* gen_;
};

// Rotates by an angle uniform in [-degrees, degrees].
class RandomRotation {
 public:
  explicit RandomRotation(double degrees, InterpolationMode mode = InterpolationMode::Nearest,
                          double fill = 0, RandomGenerator* gen = nullptr)
      : RandomRotation({-degrees, degrees}, mode, fill, gen) {}
  RandomRotation(std::array<double, 2> degrees, InterpolationMode mode = InterpolationMode::Nearest,
                 double fill = 0, RandomGenerator* gen = nullptr);
  Tensor operator()(const Tensor& image) const;

 private:
  std::array<double, 2> degrees_;
  InterpolationMode mode_;
  double fill_;
  RandomGenerator* gen_;
};

// Factors uniform in [max(0, 1 - v), 1 + v], applied in a random order (hue is not supported).
class ColorJitter {
 public:
  explicit ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0,
                       RandomGenerator* gen = nullptr);
  Tensor operator()(const Tensor& image) const;

 private:
  double brightness_, contrast_, saturation_;
  RandomGenerator* gen_;
};

class Grayscale {
 public:
  explicit Grayscale(int num_output_channels = 1);
  Tensor operator()(const Tensor& image) const;

 private:
  int num_output_channels_;
};

// Any callable as a transform.
class Lambda {
 public:
  explicit Lambda(Transform fn) : fn_(std::move(fn)) {}
  Tensor operator()(const Tensor& x) const { return fn_(x); }

 private:
  Transform fn_;
};

}  // namespace nabla::data
