// tensorboard.h — SummaryWriter: writes TensorBoard event files natively (like
// torch.utils.tensorboard.SummaryWriter), no Python or TensorFlow needed.
//
//   io::SummaryWriter tb("runs/mnist");
//   tb.add_scalar("loss/train", loss, step);
//   tb.add_image("samples", grid, step);          // CHW, uint8 or float in [0, 1]
//   tb.add_histogram("fc1.weight", w, epoch);
//
// The file is "<logdir>/events.out.tfevents.<unix time>.<hostname>.<pid>.<n>": TFRecord framing
// (length, masked CRC-32C of the length, an Event protobuf, masked CRC-32C of it) with a first Event
// that says file_version "brain.Event:2". Events are buffered and written by flush(), every
// `max_queue` events, when `flush_secs` have passed at an add, and by close() / the destructor.
// Errors: nabla::IOError naming the file; bad arguments: ValueError / ShapeError / DTypeError.
// One writer is not thread-safe: use it from one thread (or lock around it). See docs/io.md.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "nabla/tensor/tensor.h"

namespace nabla::io {

struct SummaryWriterOptions {
  int max_queue = 10;       // events buffered before a write
  double flush_secs = 120;  // an add after this long since the last write also writes
  std::string filename_suffix = {};
};

class SummaryWriter {
 public:
  // Creates `logdir` (and its parents) and the event file.
  explicit SummaryWriter(const std::string& logdir, SummaryWriterOptions options = {});
  ~SummaryWriter();  // close(); errors are swallowed here — call close() to see them
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;
  SummaryWriter(SummaryWriter&&) noexcept;
  SummaryWriter& operator=(SummaryWriter&&) noexcept;

  // `walltime`: seconds since the epoch (default: now).
  void add_scalar(const std::string& tag, double value, int64_t step, std::optional<double> walltime = {});
  // `image`: "CHW" (default), "HWC" or "HW"; 1 (gray), 3 (RGB) or 4 (RGBA) channels; uint8, or floating
  // point in [0, 1] (scaled by 255, clamped, rounded). Stored PNG-encoded.
  void add_image(const std::string& tag, const Tensor& image, int64_t step,
                 const std::string& dataformats = "CHW", std::optional<double> walltime = {});
  // Histogram of all elements with TensorFlow's default buckets (limits +-1e-12 * 1.1^k and 0; runs of
  // empty buckets merged, as TensorBoard's writer does). ValueError for an empty tensor or NaN/inf.
  void add_histogram(const std::string& tag, const Tensor& values, int64_t step,
                     std::optional<double> walltime = {});

  void flush();
  void close();                     // flushes and closes; later adds are a ValueError
  const std::string& path() const;  // the event file

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nabla::io
