// vision_datasets.cpp — CIFAR10 (binary version) and ImageFolder.
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "data/dataset_files.h"
#include "io/formats.h"
#include "nabla/data/datasets.h"
#include "nabla/data/download.h"
#include "nabla/io/checkpoint.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::data {

namespace fs = std::filesystem;
namespace iod = io::detail;

namespace {
constexpr const char* kCifarArchive = "cifar-10-binary.tar.gz";
constexpr const char* kCifarArchiveMd5 = "md5:c32a1d4ab5d03f1284b67883e8d87530";
constexpr const char* kCifarFolder = "cifar-10-batches-bin";

// Unpacks a .tar.gz archive under `root`.
void extract_tar_gz(const std::string& archive, const std::string& root) {
  iod::Bytes bytes = iod::gunzip(iod::read_file_bytes(archive), archive);
  for (const iod::TarEntry& e : iod::parse_tar(bytes, archive)) {
    fs::path out = fs::path(root) / e.name;
    std::error_code ec;
    fs::create_directories(out.parent_path(), ec);
    NABLA_CHECK(!ec, IOError, "{}: cannot create directory {}: {}", archive, out.parent_path().string(),
                ec.message());
    io::atomic_write_file(out.string(), iod::ByteSpan(bytes.data() + e.offset, e.size));
  }
}

std::vector<std::string> cifar_files(bool train) {
  if (!train) return {"test_batch.bin"};
  std::vector<std::string> f;
  for (int i = 1; i <= 5; ++i) f.push_back("data_batch_" + std::to_string(i) + ".bin");
  return f;
}

Example apply(Example e, const data::Transform& t, const data::Transform& tt) {
  if (t) e.data = t(e.data);
  if (tt && e.target.defined()) e.target = tt(e.target);
  return e;
}

bool has_extension(const fs::path& p, const std::vector<std::string>& extensions) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}
}  // namespace

CIFAR10::CIFAR10(const std::string& root, DatasetOptions options)
    : options_(std::move(options)), classes_{"airplane", "automobile", "bird",  "cat",  "deer",
                                             "dog",      "frog",       "horse", "ship", "truck"} {
  const fs::path dir = fs::path(root) / kCifarFolder;
  const std::vector<std::string> files = cifar_files(options_.train);
  bool missing = std::any_of(files.begin(), files.end(), [&](auto& f) { return !detail::is_file(dir / f); });
  if (missing && options_.download) {
    auto mirrors = options_.mirrors.empty() ? data::default_mirrors("CIFAR10") : options_.mirrors;
    extract_tar_gz(data::download_file(mirrors, kCifarArchive, root, kCifarArchiveMd5), root);
  }
  std::vector<uint8_t> planar;
  std::vector<int64_t> labels;
  for (auto& f : files) {
    const std::string path = (dir / f).string();
    NABLA_CHECK(detail::is_file(path), IOError,
                "CIFAR10: {} not found; pass download=true with mirrors configured (see docs/data.md)", path);
    iod::CifarBatch b = iod::parse_cifar_batch(iod::read_file_bytes(path), path, 1, 10);
    planar.insert(planar.end(), b.images.begin(), b.images.end());
    labels.insert(labels.end(), b.labels.begin(), b.labels.end());
  }
  const int64_t n = static_cast<int64_t>(labels.size());
  // Planar [N, 3, 32, 32] in the file -> HWC [N, 32, 32, 3] like torchvision's .data.
  images_ = from_buffer(planar.data(), {n, 3, 32, 32}, kUInt8).permute({0, 2, 3, 1}).contiguous();
  labels_ = from_buffer(labels.data(), {n}, kInt64);
}

Example CIFAR10::get(int64_t index) const {
  NABLA_CHECK(index >= 0 && index < size(), IndexError, "CIFAR10: index {} out of range for size {}", index,
              size());
  // A copy, not a view: a transform that writes into its input must not change the dataset.
  Tensor image =
      from_buffer(images_.data_ptr<uint8_t>() + index * iod::kCifarImageBytes, {32, 32, 3}, kUInt8);
  return apply({image, labels_.select(0, index)}, options_.transform, options_.target_transform);
}

ImageFolder::ImageFolder(const std::string& root, ImageFolderOptions options) : options_(std::move(options)) {
  std::error_code ec;
  NABLA_CHECK(fs::is_directory(root, ec), IOError, "ImageFolder: {} is not a directory", root);
  try {
    scan(root);
  } catch (const fs::filesystem_error& e) {  // an unreadable folder: a nabla error, not std's
    throw IOError(fmt::format("ImageFolder: cannot read {}: {}", e.path1().string(), e.code().message()));
  }
}

void ImageFolder::scan(const std::string& root) {
  for (auto& entry : fs::directory_iterator(root))
    if (entry.is_directory()) classes_.push_back(entry.path().filename().string());
  std::sort(classes_.begin(), classes_.end());
  NABLA_CHECK(!classes_.empty(), IOError, "ImageFolder: couldn't find any class folder in {}", root);
  for (size_t c = 0; c < classes_.size(); ++c) {
    std::vector<std::string> files;
    for (auto& entry : fs::recursive_directory_iterator(fs::path(root) / classes_[c]))
      if (entry.is_regular_file() && has_extension(entry.path(), options_.extensions))
        files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    for (auto& f : files) samples_.emplace_back(f, static_cast<int64_t>(c));
  }
  NABLA_CHECK(!samples_.empty(), IOError,
              "ImageFolder: found no valid file for the classes of {} (extensions: {})", root,
              fmt::join(options_.extensions, ", "));
}

Example ImageFolder::get(int64_t index) const {
  NABLA_CHECK(index >= 0 && index < size(), IndexError, "ImageFolder: index {} out of range for size {}",
              index, size());
  const auto& [path, label] = samples_[index];
  return apply({io::read_image(path, options_.mode), scalar_tensor(label, {.dtype = kInt64})},
               options_.transform, options_.target_transform);
}

Tensor ImageFolder::targets() const {
  std::vector<int64_t> t;
  for (auto& s : samples_) t.push_back(s.second);
  return from_buffer(t.data(), {static_cast<int64_t>(t.size())}, kInt64);
}

}  // namespace nabla::data
