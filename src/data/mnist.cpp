// mnist.cpp — MNIST and FashionMNIST from IDX files (plain or .gz), with optional download.
#include <filesystem>

#include "data/dataset_files.h"
#include "io/formats.h"
#include "nabla/data/datasets.h"
#include "nabla/data/download.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::data {

namespace fs = std::filesystem;
namespace iod = io::detail;

namespace {
// The IDX bytes of a file (decompressed when gzip) and a description of offsets for messages.
struct IdxFile {
  std::string path;
  iod::Bytes bytes;
  iod::IdxHeader header;
  std::string where(size_t offset) const {
    return fmt::format("{}: byte {}{}", path, offset,
                       path.ends_with(".gz") ? " (of the decompressed data)" : "");
  }
};

IdxFile read_idx_file(const std::string& path, uint8_t type_code, int rank, const char* what) {
  IdxFile f{path, iod::read_file_bytes(path), {}};
  if (iod::is_gzip(f.bytes)) f.bytes = iod::gunzip(f.bytes, path);
  f.header = iod::parse_idx_header(f.bytes, path);
  NABLA_CHECK(f.header.type_code == type_code, IOError,
              "{}: IDX type 0x{:02x} for {}, expected 0x{:02x} (unsigned byte)", f.where(2),
              f.header.type_code, what, type_code);
  NABLA_CHECK(static_cast<int>(f.header.dims.size()) == rank, IOError,
              "{}: {} must have {} dims, the header declares {}", f.where(3), what, rank,
              f.header.dims.size());
  return f;
}
}  // namespace

MNIST::MNIST(const std::string& root, DatasetOptions options)
    : MNIST(root, std::move(options), "MNIST",
            {{"train-images-idx3-ubyte", "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
             {"train-labels-idx1-ubyte", "d53e105ee54ea40749a09fcbcd1e9432"},
             {"t10k-images-idx3-ubyte", "9fb629c4189551a2d022fa330f9573f3"},
             {"t10k-labels-idx1-ubyte", "ec29112dd5afa0611ce80d1b7f02629c"}},
            {"0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
             "8 - eight", "9 - nine"}) {}

FashionMNIST::FashionMNIST(const std::string& root, DatasetOptions options)
    : MNIST(root, std::move(options), "FashionMNIST",
            {{"train-images-idx3-ubyte", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
             {"train-labels-idx1-ubyte", "25c81989df183df01b3e8a0aad5dffbe"},
             {"t10k-images-idx3-ubyte", "bef4ecab320f06d8554ea6380940ec79"},
             {"t10k-labels-idx1-ubyte", "bb300cfdad3c16e7a12a480ee83cd310"}},
            {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
             "Ankle boot"}) {}

MNIST::MNIST(const std::string& root, DatasetOptions options, const std::string& name,
             std::vector<Resource> resources, std::vector<std::string> classes)
    : options_(std::move(options)),
      raw_folder_((fs::path(root) / name / "raw").string()),
      classes_(std::move(classes)) {
  const size_t first = options_.train ? 0 : 2;
  std::string files[2];
  for (size_t k = 0; k < 2; ++k) {
    const Resource& r = resources[first + k];
    files[k] = detail::find_or_download(raw_folder_, r.name, {".gz"}, options_, name, r.name + ".gz",
                                        "md5:" + r.md5);
  }
  load(files[0], files[1]);
}

void MNIST::load(const std::string& images_file, const std::string& labels_file) {
  IdxFile images = read_idx_file(images_file, 0x08, 3, "images");
  IdxFile labels = read_idx_file(labels_file, 0x08, 1, "labels");
  const int64_t n = images.header.dims[0];
  NABLA_CHECK(labels.header.dims[0] == n, IOError,
              "{}: the label file declares {} labels but {} declares {} images (byte 4 of both)", labels.path,
              labels.header.dims[0], images.path, n);
  const size_t num_classes = classes_.size();
  const uint8_t* lab = labels.bytes.data() + labels.header.data_offset;
  std::vector<int64_t> targets(n);
  for (int64_t i = 0; i < n; ++i) {
    NABLA_CHECK(lab[i] < num_classes, IOError, "{}: label {} of sample {} is out of range [0, {})",
                labels.where(labels.header.data_offset + i), lab[i], i, num_classes);
    targets[i] = lab[i];
  }
  images_ = from_buffer(images.bytes.data() + images.header.data_offset,
                        {n, images.header.dims[1], images.header.dims[2]}, kUInt8);
  labels_ = from_buffer(targets.data(), {n}, kInt64);
}

Example MNIST::get(int64_t index) const {
  NABLA_CHECK(index >= 0 && index < size(), IndexError, "MNIST: index {} out of range for size {}", index,
              size());
  // A copy, not a view: a transform that writes into its input must not change the dataset.
  const int64_t h = images_.size(1), w = images_.size(2);
  Example e{from_buffer(images_.data_ptr<uint8_t>() + index * h * w, {h, w}, kUInt8),
            labels_.select(0, index)};
  if (options_.transform) e.data = options_.transform(e.data);
  if (options_.target_transform) e.target = options_.target_transform(e.target);
  return e;
}

}  // namespace nabla::data
