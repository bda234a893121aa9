// transforms.cpp — the transform classes: parameters, random draws (torchvision's get_params), and a call
// into functional::.
#include "nabla/data/transforms.h"

#include <cmath>
#include <numeric>

#include "data/image_ops.h"
#include "nabla/data/dataloader.h"
#include "nabla/data/samplers.h"
#include "util/check.h"

namespace nabla::data {

namespace F = functional;

namespace {
RandomGenerator& gen_or_default(RandomGenerator* gen) { return gen ? *gen : data::sample_generator(); }
double uniform(RandomGenerator& g, double lo, double hi) { return lo + (hi - lo) * g.next_double(); }
// torch.randint(0, n): uniform in [0, n).
int64_t randint(RandomGenerator& g, int64_t n) {
  return static_cast<int64_t>(data::uniform_index(g, static_cast<uint64_t>(n)));
}
}  // namespace

Compose::Compose(std::vector<Transform> transforms) : transforms_(std::move(transforms)) {
  for (size_t i = 0; i < transforms_.size(); ++i)
    NABLA_CHECK(static_cast<bool>(transforms_[i]), ValueError, "Compose: transform {} is empty", i);
}

Tensor Compose::operator()(const Tensor& x) const {
  Tensor y = x;
  for (auto& t : transforms_) y = t(y);
  return y;
}

Tensor ToTensor::operator()(const Tensor& image) const { return F::to_tensor(image); }

Normalize::Normalize(std::vector<double> mean, std::vector<double> std)
    : mean_(std::move(mean)), std_(std::move(std)) {
  NABLA_CHECK(!mean_.empty() && mean_.size() == std_.size(), ValueError,
              "Normalize: mean ({} values) and std ({} values) must be non-empty and the same length",
              mean_.size(), std_.size());
}

Tensor Normalize::operator()(const Tensor& image) const { return F::normalize(image, mean_, std_); }

Resize::Resize(int64_t size, InterpolationMode mode) : height_(size), width_(-1), mode_(mode) {
  NABLA_CHECK(size > 0, ValueError, "Resize: size must be positive, got {}", size);
}

Resize::Resize(int64_t height, int64_t width, InterpolationMode mode)
    : height_(height), width_(width), mode_(mode) {
  NABLA_CHECK(height > 0 && width > 0, ValueError, "Resize: size must be positive, got [{}, {}]", height,
              width);
}

Tensor Resize::operator()(const Tensor& image) const {
  if (width_ > 0) return F::resize(image, height_, width_, mode_);
  // torchvision's _compute_resized_output_size: the short edge becomes `size`.
  detail::layout_of(image, "resize");
  auto [h, w] = F::image_size(image);
  int64_t shorter = std::min(h, w), longer = std::max(h, w);
  int64_t new_long = static_cast<int64_t>(static_cast<double>(height_) * longer / shorter);
  return w <= h ? F::resize(image, new_long, height_, mode_) : F::resize(image, height_, new_long, mode_);
}

CenterCrop::CenterCrop(int64_t height, int64_t width) : height_(height), width_(width) {
  NABLA_CHECK(height > 0 && width > 0, ValueError, "CenterCrop: size must be positive, got [{}, {}]", height,
              width);
}

Tensor CenterCrop::operator()(const Tensor& image) const { return F::center_crop(image, height_, width_); }

RandomCrop::RandomCrop(int64_t height, int64_t width, int64_t padding, bool pad_if_needed,
                       RandomGenerator* gen)
    : height_(height), width_(width), padding_(padding), pad_if_needed_(pad_if_needed), gen_(gen) {
  NABLA_CHECK(height > 0 && width > 0, ValueError, "RandomCrop: size must be positive, got [{}, {}]", height,
              width);
  NABLA_CHECK(padding >= 0, ValueError, "RandomCrop: padding must be non-negative, got {}", padding);
}

Tensor RandomCrop::operator()(const Tensor& image) const {
  Tensor img = padding_ > 0 ? F::pad(image, padding_, padding_, padding_, padding_) : image;
  auto [h, w] = F::image_size(img);
  if (pad_if_needed_ && w < width_) img = F::pad(img, width_ - w, 0, width_ - w, 0), w += 2 * (width_ - w);
  if (pad_if_needed_ && h < height_)
    img = F::pad(img, 0, height_ - h, 0, height_ - h), h += 2 * (height_ - h);
  NABLA_CHECK(h >= height_ && w >= width_, ValueError,
              "RandomCrop: required crop size [{}, {}] is larger than the input image size [{}, {}]", height_,
              width_, h, w);
  if (h == height_ && w == width_) return img;
  RandomGenerator& g = gen_or_default(gen_);
  int64_t top = randint(g, h - height_ + 1);
  int64_t left = randint(g, w - width_ + 1);
  return F::crop(img, top, left, height_, width_);
}

RandomResizedCrop::RandomResizedCrop(int64_t size, std::array<double, 2> scale, std::array<double, 2> ratio,
                                     InterpolationMode mode, RandomGenerator* gen)
    : size_(size), scale_(scale), ratio_(ratio), mode_(mode), gen_(gen) {
  NABLA_CHECK(size > 0, ValueError, "RandomResizedCrop: size must be positive, got {}", size);
  NABLA_CHECK(scale[0] > 0 && scale[0] <= scale[1] && ratio[0] > 0 && ratio[0] <= ratio[1], ValueError,
              "RandomResizedCrop: scale ({}, {}) and ratio ({}, {}) must be positive (min, max) pairs",
              scale[0], scale[1], ratio[0], ratio[1]);
}

std::array<int64_t, 4> RandomResizedCrop::get_params(int64_t height, int64_t width,
                                                     RandomGenerator& g) const {
  const double area = static_cast<double>(height * width);
  const double log_lo = std::log(ratio_[0]), log_hi = std::log(ratio_[1]);
  for (int attempt = 0; attempt < 10; ++attempt) {
    double target_area = area * uniform(g, scale_[0], scale_[1]);
    double aspect = std::exp(uniform(g, log_lo, log_hi));
    auto w = static_cast<int64_t>(std::nearbyint(std::sqrt(target_area * aspect)));
    auto h = static_cast<int64_t>(std::nearbyint(std::sqrt(target_area / aspect)));
    if (w > 0 && w <= width && h > 0 && h <= height)
      return {randint(g, height - h + 1), randint(g, width - w + 1), h, w};
  }
  // Fallback: a central crop with the ratio clamped into range.
  double in_ratio = static_cast<double>(width) / static_cast<double>(height);
  int64_t w = width, h = height;
  if (in_ratio < ratio_[0]) {
    h = static_cast<int64_t>(std::nearbyint(w / ratio_[0]));
  } else if (in_ratio > ratio_[1]) {
    w = static_cast<int64_t>(std::nearbyint(h * ratio_[1]));
  }
  return {(height - h) / 2, (width - w) / 2, h, w};
}

Tensor RandomResizedCrop::operator()(const Tensor& image) const {
  auto [h, w] = F::image_size(image);
  auto [top, left, ch, cw] = get_params(h, w, gen_or_default(gen_));
  return F::resize(F::crop(image, top, left, ch, cw), size_, size_, mode_);
}

RandomHorizontalFlip::RandomHorizontalFlip(double p, RandomGenerator* gen) : p_(p), gen_(gen) {
  NABLA_CHECK(p >= 0 && p <= 1, ValueError, "RandomHorizontalFlip: p must be in [0, 1], got {}", p);
}

Tensor RandomHorizontalFlip::operator()(const Tensor& image) const {
  return gen_or_default(gen_).next_double() < p_ ? F::hflip(image) : image;
}

RandomVerticalFlip::RandomVerticalFlip(double p, RandomGenerator* gen) : p_(p), gen_(gen) {
  NABLA_CHECK(p >= 0 && p <= 1, ValueError, "RandomVerticalFlip: p must be in [0, 1], got {}", p);
}

Tensor RandomVerticalFlip::operator()(const Tensor& image) const {
  return gen_or_default(gen_).next_double() < p_ ? F::vflip(image) : image;
}

RandomRotation::RandomRotation(std::array<double, 2> degrees, InterpolationMode mode, double fill,
                               RandomGenerator* gen)
    : degrees_(degrees), mode_(mode), fill_(fill), gen_(gen) {
  NABLA_CHECK(degrees[0] <= degrees[1], ValueError,
              "RandomRotation: degrees ({}, {}) must be a (min, max) range", degrees[0], degrees[1]);
}

Tensor RandomRotation::operator()(const Tensor& image) const {
  double angle = uniform(gen_or_default(gen_), degrees_[0], degrees_[1]);
  return F::rotate(image, angle, mode_, fill_);
}

ColorJitter::ColorJitter(double brightness, double contrast, double saturation, RandomGenerator* gen)
    : brightness_(brightness), contrast_(contrast), saturation_(saturation), gen_(gen) {
  NABLA_CHECK(brightness >= 0 && contrast >= 0 && saturation >= 0, ValueError,
              "ColorJitter: brightness, contrast and saturation must be non-negative, got {}, {}, {}",
              brightness, contrast, saturation);
}

Tensor ColorJitter::operator()(const Tensor& image) const {
  RandomGenerator& g = gen_or_default(gen_);
  std::vector<int64_t> order = {0, 1, 2};
  data::shuffle_indices(order, g);
  const double amount[3] = {brightness_, contrast_, saturation_};
  double factor[3];
  for (int k = 0; k < 3; ++k)
    factor[k] = amount[k] > 0 ? uniform(g, std::max(0.0, 1 - amount[k]), 1 + amount[k]) : 1.0;
  Tensor img = image;
  for (int64_t k : order) {
    if (amount[k] == 0) continue;
    if (k == 0) img = F::adjust_brightness(img, factor[k]);
    if (k == 1) img = F::adjust_contrast(img, factor[k]);
    if (k == 2) img = F::adjust_saturation(img, factor[k]);
  }
  return img;
}

Grayscale::Grayscale(int num_output_channels) : num_output_channels_(num_output_channels) {
  NABLA_CHECK(num_output_channels == 1 || num_output_channels == 3, ValueError,
              "Grayscale: num_output_channels should be either 1 or 3, got {}", num_output_channels);
}

Tensor Grayscale::operator()(const Tensor& image) const {
  return F::rgb_to_grayscale(image, num_output_channels_);
}

}  // namespace nabla::data
