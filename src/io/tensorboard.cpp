// tensorboard.cpp — SummaryWriter: TensorBoard event files (TFRecord framing of Event protobufs).
//
// Record framing (TFRecord):  uint64 length | uint32 masked_crc32c(length) | data | uint32
// masked_crc32c(data), all little-endian; see mask_crc32c in crc32c.h.
#include "nabla/io/tensorboard.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "io/crc32c.h"
#include "nabla/io/image.h"
#include "nabla/ops/ops.h"
#include "src/io/proto/event.pb.h"
#include "util/check.h"

namespace nabla::io {

namespace {
namespace pb = nabla::tensorboard;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void append_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Appends one TFRecord holding `data`.
void append_record(std::string& out, const std::string& data) {
  std::string length;
  append_le(length, data.size(), 8);
  out += length;
  append_le(out, detail::mask_crc32c(detail::crc32c(length.data(), length.size())), 4);
  out += data;
  append_le(out, detail::mask_crc32c(detail::crc32c(data.data(), data.size())), 4);
}

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

// TensorFlow's default histogram bucket limits: -DBL_MAX, -1e20.., -1e-12, 0, 1e-12, .., 1e20.., DBL_MAX
// (powers of 1.1 from 1e-12 while below 1e20).
const std::vector<double>& default_bucket_limits() {
  static const std::vector<double> limits = [] {
    std::vector<double> pos;
    for (double v = 1e-12; v < 1e20; v *= 1.1) pos.push_back(v);
    pos.push_back(DBL_MAX);
    std::vector<double> out;
    for (auto it = pos.rbegin(); it != pos.rend(); ++it) out.push_back(-*it);
    out.push_back(0.0);
    out.insert(out.end(), pos.begin(), pos.end());
    return out;
  }();
  return limits;
}

// Like TensorFlow's Histogram::Add + EncodeToProto(preserve_zero_buckets = false): bucket i counts the
// values v with limit[i-1] <= v < limit[i]; a run of empty buckets is emitted as one, with the last limit.
void fill_histogram(pb::HistogramProto* h, const double* v, int64_t n, const std::string& tag) {
  const auto& limits = default_bucket_limits();
  std::vector<double> counts(limits.size(), 0.0);
  double mn = DBL_MAX, mx = -DBL_MAX, sum = 0, sum_sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    double x = v[i];
    NABLA_CHECK(std::isfinite(x), ValueError, "add_histogram: tag \"{}\": element {} is {}", tag, i, x);
    size_t b = static_cast<size_t>(std::upper_bound(limits.begin(), limits.end(), x) - limits.begin());
    counts[std::min(b, counts.size() - 1)] += 1;
    mn = std::min(mn, x);
    mx = std::max(mx, x);
    sum += x;
    sum_sq += x * x;
  }
  h->set_min(mn);
  h->set_max(mx);
  h->set_num(static_cast<double>(n));
  h->set_sum(sum);
  h->set_sum_squares(sum_sq);
  for (size_t i = 0; i < counts.size();) {
    double end = limits[i], count = counts[i];
    size_t j = i + 1;
    for (; count <= 0 && j < counts.size() && counts[j] <= 0; ++j) {
      end = limits[j];
      count = counts[j];
    }
    h->add_bucket_limit(end);
    h->add_bucket(count);
    i = j;
  }
}

// [H, W, C] uint8 from a CHW / HWC / HW image, uint8 or floating point in [0, 1].
Tensor to_hwc_uint8(const Tensor& image, const std::string& dataformats, const std::string& tag) {
  NABLA_CHECK(image.defined(), ValueError, "add_image: tag \"{}\": undefined tensor", tag);
  const int want = dataformats == "HW" ? 2 : 3;
  NABLA_CHECK(dataformats == "CHW" || dataformats == "HWC" || dataformats == "HW", ValueError,
              "add_image: tag \"{}\": dataformats must be CHW, HWC or HW, got \"{}\"", tag, dataformats);
  NABLA_CHECK(image.dim() == want, ShapeError, "add_image: tag \"{}\": expected a {}-d {} image, got {}", tag,
              want, dataformats, image.toString());
  Tensor hwc = dataformats == "CHW"  ? image.permute({1, 2, 0})
               : dataformats == "HW" ? image.unsqueeze(2)
                                     : image;
  NABLA_CHECK(hwc.size(2) >= 1 && hwc.size(2) <= 4 && hwc.size(0) > 0 && hwc.size(1) > 0, ShapeError,
              "add_image: tag \"{}\": expected 1 to 4 channels and a non-empty image, got {} ({})", tag,
              image.toString(), dataformats);
  if (image.dtype() == kUInt8) return hwc.contiguous();
  NABLA_CHECK(image.is_floating_point(), DTypeError,
              "add_image: tag \"{}\": expected a uint8 or floating-point image, got {}", tag,
              dtype_name(image.dtype()));
  Tensor f = hwc.detach().to(kFloat64).contiguous();
  const double* src = f.data_ptr<double>();
  std::vector<uint8_t> bytes(static_cast<size_t>(f.numel()));
  for (size_t i = 0; i < bytes.size(); ++i) {  // like torch.utils.tensorboard: * 255, clip, truncate
    double x = std::isnan(src[i]) ? 0.0 : std::clamp(src[i] * 255.0, 0.0, 255.0);
    bytes[i] = static_cast<uint8_t>(x);
  }
  return from_buffer(bytes.data(), f.sizes(), kUInt8);
}
}  // namespace

struct SummaryWriter::Impl {
  std::string path;
  SummaryWriterOptions options;
  int fd = -1;
  std::string pending;  // framed records not yet written
  int queued = 0;
  std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();

  void add(pb::Event& event, std::optional<double> walltime, int64_t step);
  void write_pending();
};

void SummaryWriter::Impl::add(pb::Event& event, std::optional<double> walltime, int64_t step) {
  event.set_wall_time(walltime.value_or(now_seconds()));
  event.set_step(step);
  std::string data;
  NABLA_CHECK(event.SerializeToString(&data), IOError, "{}: cannot serialize an event", path);
  append_record(pending, data);
  ++queued;
  auto since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_write).count();
  if (queued >= options.max_queue || since >= options.flush_secs) write_pending();
}

void SummaryWriter::Impl::write_pending() {
  size_t done = 0;
  while (done < pending.size()) {
    ssize_t n = ::write(fd, pending.data() + done, pending.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      pending.erase(0, done);
      throw IOError(fmt::format("{}: cannot write events: {}", path, std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  pending.clear();
  queued = 0;
  last_write = std::chrono::steady_clock::now();
}

SummaryWriter::SummaryWriter(const std::string& logdir, SummaryWriterOptions options)
    : impl_(std::make_unique<Impl>()) {
  static std::atomic<uint64_t> counter{0};
  std::error_code ec;
  std::filesystem::create_directories(logdir.empty() ? "." : logdir, ec);
  NABLA_CHECK(!ec, IOError, "{}: cannot create the log directory: {}", logdir, ec.message());
  impl_->options = std::move(options);
  const double now = now_seconds();
  impl_->path = (std::filesystem::path(logdir.empty() ? "." : logdir) /
                 fmt::format("events.out.tfevents.{:010d}.{}.{}.{}{}", static_cast<int64_t>(now), hostname(),
                             static_cast<long>(::getpid()), counter++, impl_->options.filename_suffix))
                    .string();
  impl_->fd = ::open(impl_->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
  NABLA_CHECK(impl_->fd >= 0, IOError, "{}: cannot create the event file: {}", impl_->path,
              std::strerror(errno));
  pb::Event first;
  first.set_file_version("brain.Event:2");
  impl_->add(first, now, 0);
  impl_->write_pending();
}

SummaryWriter::~SummaryWriter() {
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; close() reports errors
  }
}

SummaryWriter::SummaryWriter(SummaryWriter&&) noexcept = default;
SummaryWriter& SummaryWriter::operator=(SummaryWriter&& other) noexcept {
  if (this != &other) {
    try {
      close();
    } catch (...) {  // NOLINT(bugprone-empty-catch): as in the destructor
    }
    impl_ = std::move(other.impl_);
  }
  return *this;
}

#define NABLA_CHECK_OPEN(op) \
  NABLA_CHECK(impl_ && impl_->fd >= 0, ValueError, "SummaryWriter::{}: the writer is closed", op)

void SummaryWriter::add_scalar(const std::string& tag, double value, int64_t step,
                               std::optional<double> walltime) {
  NABLA_CHECK_OPEN("add_scalar");
  NABLA_CHECK(!tag.empty(), ValueError, "add_scalar: empty tag");
  pb::Event event;
  auto* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  v->set_simple_value(static_cast<float>(value));
  impl_->add(event, walltime, step);
}

void SummaryWriter::add_image(const std::string& tag, const Tensor& image, int64_t step,
                              const std::string& dataformats, std::optional<double> walltime) {
  NABLA_CHECK_OPEN("add_image");
  NABLA_CHECK(!tag.empty(), ValueError, "add_image: empty tag");
  Tensor hwc = to_hwc_uint8(image, dataformats, tag);
  std::vector<uint8_t> png = encode_png(hwc);
  pb::Event event;
  auto* v = event.mutable_summary()->add_value();
  v->set_tag(tag);
  auto* img = v->mutable_image();
  img->set_height(static_cast<int32_t>(hwc.size(0)));
  img->set_width(static_cast<int32_t>(hwc.size(1)));
  img->set_colorspace(static_cast<int32_t>(hwc.size(2)));
  img->set_encoded_image_string(png.data(), png.size());
  impl_->add(event, walltime, step);
}

void SummaryWriter::add_histogram(const std::string& tag, const Tensor& values, int64_t step,
                                  std::optional<double> walltime) {
  NABLA_CHECK_OPEN("add_histogram");
  NABLA_CHECK(!tag.empty(), ValueError, "add_histogram: empty tag");
  NABLA_CHECK(values.defined() && values.numel() > 0, ValueError, "add_histogram: tag \"{}\": empty tensor",
              tag);
  Tensor v = values.detach().to(kFloat64).contiguous();
  pb::Event event;
  auto* value = event.mutable_summary()->add_value();
  value->set_tag(tag);
  fill_histogram(value->mutable_histo(), v.data_ptr<double>(), v.numel(), tag);
  impl_->add(event, walltime, step);
}

void SummaryWriter::flush() {
  NABLA_CHECK_OPEN("flush");
  impl_->write_pending();
}

void SummaryWriter::close() {
  if (!impl_ || impl_->fd < 0) return;
  int fd = impl_->fd;
  try {
    impl_->write_pending();
  } catch (...) {
    ::close(fd);
    impl_->fd = -1;
    throw;
  }
  impl_->fd = -1;
  NABLA_CHECK(::close(fd) == 0, IOError, "{}: cannot close the event file: {}", impl_->path,
              std::strerror(errno));
}

const std::string& SummaryWriter::path() const {
  NABLA_CHECK(impl_ != nullptr, ValueError, "SummaryWriter::path: moved-from writer");
  return impl_->path;
}

}  // namespace nabla::io
