// data/: MNIST/FashionMNIST (IDX, .gz), CIFAR10 binary, ImageFolder and the synthetic datasets, on small
// files in the real formats generated here, plus the errors corrupt variants raise.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <filesystem>

#include "data/test_util.h"
#include "io/formats.h"

using namespace nabla;
using namespace nabla::data;
using nabla::testing::expect_error;
using nabla::testing::idx_bytes;
using nabla::testing::TempDir;
using nabla::testing::write_bytes;

namespace {
// n images of h x w where pixel (y, x) of image i is (i + y * w + x) % 256, labels i % 10.
void write_mnist(const std::string& raw, const std::string& prefix, int n, bool gz, int h = 28, int w = 28) {
  std::vector<uint8_t> px(static_cast<size_t>(n) * h * w), labels(n);
  for (int i = 0; i < n; ++i) {
    labels[i] = static_cast<uint8_t>(i % 10);
    for (int k = 0; k < h * w; ++k)
      px[static_cast<size_t>(i) * h * w + k] = static_cast<uint8_t>((i + k) % 256);
  }
  auto images =
      idx_bytes(0x08, {static_cast<uint32_t>(n), static_cast<uint32_t>(h), static_cast<uint32_t>(w)}, px);
  auto labs = idx_bytes(0x08, {static_cast<uint32_t>(n)}, labels);
  std::string img_name = raw + "/" + prefix + "-images-idx3-ubyte",
              lab_name = raw + "/" + prefix + "-labels-idx1-ubyte";
  if (gz) {
    write_bytes(img_name + ".gz", io::detail::gzip_compress(images));
    write_bytes(lab_name + ".gz", io::detail::gzip_compress(labs));
  } else {
    write_bytes(img_name, images);
    write_bytes(lab_name, labs);
  }
}

// CIFAR-10 binary batch: record i has label i % 10 and channel c of pixel k equal to (i + c * 50 + k) % 256.
std::vector<uint8_t> cifar_batch(int n, int first) {
  std::vector<uint8_t> b;
  for (int i = first; i < first + n; ++i) {
    b.push_back(static_cast<uint8_t>(i % 10));
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 1024; ++k) b.push_back(static_cast<uint8_t>((i + c * 50 + k) % 256));
  }
  return b;
}
}  // namespace

TEST(MNIST, LoadsPlainAndGzipIdx) {
  TempDir root;
  write_mnist(root / "MNIST/raw", "train", 30, false);
  write_mnist(root / "MNIST/raw", "t10k", 12, true);
  MNIST train(root.str());
  EXPECT_EQ(train.size(), 30);
  EXPECT_EQ(train.data().sizes().vec(), (std::vector<int64_t>{30, 28, 28}));
  Example e = train.get(7);
  EXPECT_EQ(e.data.dtype(), kUInt8);
  EXPECT_EQ(e.data.sizes().vec(), (std::vector<int64_t>{28, 28}));
  EXPECT_EQ(e.data.at({0, 0}).to<int>(), 7);
  EXPECT_EQ(e.data.at({1, 2}).to<int>(), (7 + 28 + 2) % 256);
  EXPECT_EQ(e.target.item<int64_t>(), 7);
  EXPECT_EQ(e.target.dtype(), kInt64);
  MNIST test(root.str(), {.train = false});
  EXPECT_EQ(test.size(), 12);
  EXPECT_EQ(test.get(11).target.item<int64_t>(), 1);
  EXPECT_EQ(train.classes().size(), 10u);
}

TEST(MNIST, TransformsAndLoaderGiveFloatBatches) {
  TempDir root;
  write_mnist(root / "FashionMNIST/raw", "train", 20, false);
  auto ds = share(
      FashionMNIST(root.str(), {.transform = data::Compose({data::ToTensor(), data::Normalize({0.5}, {0.5})}),
                                .target_transform = [](const Tensor& t) { return t * 2; }}));
  data::DataLoader loader(ds, {.batch_size = 8, .num_workers = 2});
  int n = 0;
  for (data::Batch& b : loader) {
    EXPECT_EQ(b.data.dim(), 4);
    EXPECT_EQ(b.data.size(1), 1);
    EXPECT_EQ(b.data.dtype(), kFloat32);
    EXPECT_NEAR(b.data.at({0, 0, 0, 0}).to<float>(), (n / 255.f - 0.5f) / 0.5f, 1e-6);
    EXPECT_EQ(b.target.at({0}).to<int64_t>(), 2 * (n % 10));
    n += static_cast<int>(b.data.size(0));
  }
  EXPECT_EQ(n, 20);
  EXPECT_EQ(FashionMNIST(root.str()).classes()[9], "Ankle boot");
}

TEST(MNIST, BadFilesNameFileAndOffset) {
  TempDir root;
  std::string raw = root / "MNIST/raw";
  expect_error<IOError>([&] { MNIST m(root.str()); },
                        {"train-images-idx3-ubyte", "not found", "download=true"});
  write_mnist(raw, "train", 10, false);
  // Label out of range: sample 3's label byte is at offset 8 + 3.
  auto labs = idx_bytes(0x08, {10}, {0, 1, 2, 10, 4, 5, 6, 7, 8, 9});
  write_bytes(raw + "/train-labels-idx1-ubyte", labs);
  expect_error<IOError>([&] { MNIST m(root.str()); },
                        {"train-labels-idx1-ubyte", "byte 11", "label 10", "sample 3"});
  // Counts not matching between the files.
  write_bytes(raw + "/train-labels-idx1-ubyte", idx_bytes(0x08, {9}, std::vector<uint8_t>(9, 1)));
  expect_error<IOError>([&] { MNIST m(root.str()); }, {"declares 9 labels", "10 images"});
  // Truncated image data.
  write_mnist(raw, "train", 10, false);
  auto img = nabla::testing::read_bytes(raw + "/train-images-idx3-ubyte");
  img.resize(img.size() - 100);
  write_bytes(raw + "/train-images-idx3-ubyte", img);
  expect_error<IOError>([&] { MNIST m(root.str()); }, {"train-images-idx3-ubyte", "truncated", "7840 bytes"});
  // Wrong magic.
  img[0] = 0x12;
  write_bytes(raw + "/train-images-idx3-ubyte", img);
  expect_error<IOError>([&] { MNIST m(root.str()); }, {"byte 0", "wrong magic"});
  // Labels file passed where images are expected (rank 1).
  write_bytes(raw + "/train-images-idx3-ubyte", idx_bytes(0x08, {10}, std::vector<uint8_t>(10, 1)));
  expect_error<IOError>([&] { MNIST m(root.str()); }, {"byte 3", "images must have 3 dims"});
  // Truncated gzip.
  std::filesystem::remove(raw + "/train-images-idx3-ubyte");
  write_mnist(root / "tmp", "train", 10, true);
  auto gz = nabla::testing::read_bytes(root / "tmp/train-images-idx3-ubyte.gz");
  gz.resize(gz.size() / 2);
  write_bytes(raw + "/train-images-idx3-ubyte.gz", gz);
  expect_error<IOError>([&] { MNIST m(root.str()); }, {"train-images-idx3-ubyte.gz", "truncated gzip"});
}

TEST(CIFAR10, LoadsBinaryBatchesAsHWC) {
  TempDir root;
  std::string dir = root / "cifar-10-batches-bin";
  for (int b = 1; b <= 5; ++b)
    write_bytes(dir + "/data_batch_" + std::to_string(b) + ".bin", cifar_batch(4, (b - 1) * 4));
  write_bytes(dir + "/test_batch.bin", cifar_batch(3, 100));
  CIFAR10 train(root.str());
  EXPECT_EQ(train.size(), 20);
  EXPECT_EQ(train.data().sizes().vec(), (std::vector<int64_t>{20, 32, 32, 3}));
  Example e = train.get(13);
  EXPECT_EQ(e.target.item<int64_t>(), 3);
  // Pixel (y=1, x=2) is k = 34; channel c holds (13 + 50c + 34) % 256.
  EXPECT_EQ(e.data.at({1, 2, 0}).to<int>(), 47);
  EXPECT_EQ(e.data.at({1, 2, 2}).to<int>(), 147);
  CIFAR10 test(root.str(), {.train = false, .transform = data::ToTensor()});
  EXPECT_EQ(test.size(), 3);
  EXPECT_EQ(test.get(0).data.sizes().vec(), (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(test.get(0).target.item<int64_t>(), 0);
}

TEST(CIFAR10, BadBatchesNameFileAndOffset) {
  TempDir root;
  std::string dir = root / "cifar-10-batches-bin";
  expect_error<IOError>([&] { CIFAR10 c(root.str(), {.train = false}); }, {"test_batch.bin", "not found"});
  auto batch = cifar_batch(3, 0);
  batch.resize(batch.size() - 10);
  write_bytes(dir + "/test_batch.bin", batch);
  expect_error<IOError>([&] { CIFAR10 c(root.str(), {.train = false}); },
                        {"test_batch.bin", "byte 6146", "truncated CIFAR batch", "3073-byte records"});
  batch = cifar_batch(3, 0);
  batch[2 * 3073] = 12;  // record 2's label
  write_bytes(dir + "/test_batch.bin", batch);
  expect_error<IOError>([&] { CIFAR10 c(root.str(), {.train = false}); },
                        {"test_batch.bin", "byte 6146", "label 12 of record 2"});
  write_bytes(dir + "/test_batch.bin", {});
  expect_error<IOError>([&] { CIFAR10 c(root.str(), {.train = false}); }, {"empty CIFAR batch"});
}

TEST(ImageFolder, ClassesFromFoldersAndAllFormats) {
  TempDir root;
  for (auto d : {"cat", "dog", "empty"}) std::filesystem::create_directories(root / d);
  Tensor red = zeros({4, 5, 3}, {.dtype = kUInt8});
  red.select(2, 0).fill_(200);
  io::write_png(root / "dog/b.png", red);
  io::write_png(root / "dog/a.PNG", full({6, 3, 1}, 77, {.dtype = kUInt8}));  // gray, extension in upper case
  io::write_bmp(root / "cat/z.bmp", red);
  io::write_jpeg(root / "cat/y.jpeg", full({8, 8, 3}, 100, {.dtype = kUInt8}), 95);
  write_bytes(root / "cat/notes.txt", {'x'});
  ImageFolder ds(root.str());
  EXPECT_EQ(ds.classes(), (std::vector<std::string>{"cat", "dog", "empty"}));
  ASSERT_EQ(ds.size(), 4);
  EXPECT_EQ(ds.targets().to_vector(), (std::vector<double>{0, 0, 1, 1}));
  EXPECT_NE(ds.samples()[0].first.find("y.jpeg"), std::string::npos);
  Example jpg = ds.get(0);
  EXPECT_EQ(jpg.data.sizes().vec(), (std::vector<int64_t>{8, 8, 3}));
  EXPECT_NEAR(jpg.data.to(kFloat32).mean().item<float>(), 100, 2);
  EXPECT_TRUE(equal(ds.get(1).data, red));  // BMP is lossless
  Example g = ds.get(2);
  EXPECT_EQ(g.data.sizes().vec(), (std::vector<int64_t>{6, 3, 3})) << "gray converted to RGB";
  EXPECT_EQ(g.data.at({0, 0, 2}).to<int>(), 77);
  EXPECT_EQ(g.target.item<int64_t>(), 1);
  auto resize = data::Compose({data::Resize(4, 4), data::ToTensor()});
  ImageFolder t(root.str(), {.transform = resize});
  data::DataLoader loader(share(t), {.batch_size = 4, .num_workers = 2});
  for (data::Batch& b : loader) EXPECT_EQ(b.data.sizes().vec(), (std::vector<int64_t>{4, 3, 4, 4}));
  // An undecodable image fails when loaded, naming the file.
  write_bytes(root / "dog/c.png", {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3});
  ImageFolder broken(root.str(), {.transform = resize});
  expect_error<IOError>([&] { broken.get(4); }, {"c.png", "PNG"});
  data::DataLoader bad_loader(share(broken), {.batch_size = 2, .num_workers = 2});
  expect_error<IOError>(
      [&] {
        for (data::Batch& b : bad_loader) (void)b;
      },
      {"sample 4", "c.png"});
  TempDir none;
  std::filesystem::create_directories(none / "a");
  expect_error<IOError>([&] { ImageFolder f(none.str()); }, {"found no valid file"});
  expect_error<IOError>([&] { ImageFolder f(none / "missing"); }, {"missing", "not a directory"});
  // A file the scan cannot examine (a symlink loop) is a nabla IOError, not std::filesystem_error.
  std::filesystem::create_symlink(none / "a/loop.png", none / "a/loop.png");
  expect_error<IOError>([&] { ImageFolder f(none.str()); }, {"ImageFolder: cannot read", "loop.png"});
  EXPECT_FALSE(data::check_integrity((none / "a/loop.png"), ""));
}

TEST(Synthetic, BlobsAndMoons) {
  auto blobs = make_blobs({.n_samples = 301, .n_features = 3, .centers = 4, .cluster_std = 0.1, .seed = 5});
  EXPECT_EQ(blobs.size(), 301);
  EXPECT_EQ(blobs.data().sizes().vec(), (std::vector<int64_t>{301, 3}));
  Tensor y = blobs.targets();
  EXPECT_EQ((y == 0).sum().item<int64_t>(), 76);
  EXPECT_EQ((y == 3).sum().item<int64_t>(), 75);
  // Tight clusters: every point is near the mean of its class.
  for (int64_t c = 0; c < 4; ++c) {
    Tensor pts = blobs.data().index({y == c});
    Tensor spread = (pts - pts.mean({0}, true)).abs().max();
    EXPECT_LT(spread.item<float>(), 1.0f);
  }
  auto again = make_blobs({.n_samples = 301, .n_features = 3, .centers = 4, .cluster_std = 0.1, .seed = 5});
  EXPECT_TRUE(equal(again.data(), blobs.data()));
  auto moons = make_moons({.n_samples = 100, .noise = 0.0, .shuffle = false});
  EXPECT_EQ(moons.data().sizes().vec(), (std::vector<int64_t>{100, 2}));
  EXPECT_NEAR(moons.get(0).data.at({0}).to<float>(), 1.0f, 1e-6);   // outer moon starts at (1, 0)
  EXPECT_NEAR(moons.get(50).data.at({1}).to<float>(), 0.5f, 1e-6);  // inner moon starts at (0, 0.5)
  EXPECT_EQ(moons.get(99).target.item<int64_t>(), 1);
  Tensor r = (moons.data().narrow(0, 0, 50).pow(2).sum({1})).sqrt();
  EXPECT_LT((r - 1).abs().max().item<float>(), 1e-5) << "outer points lie on the unit circle";
  expect_error<ValueError>([] { make_moons({.n_samples = 1}); }, {"make_moons", "n_samples"});
}
