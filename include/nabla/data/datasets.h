// datasets.h — torchvision-style datasets: MNIST, FashionMNIST, CIFAR10, ImageFolder, and the synthetic
// make_blobs / make_moons (scikit-learn's). Samples are Example {data, target}: images as uint8
// [H, W] (MNIST) or [H, W, C] (CIFAR10, ImageFolder) — apply data::ToTensor() for float CHW — and
// int64 scalar class indices. Bad files raise nabla::IOError naming the file and byte offset.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/data/transforms.h"
#include "nabla/io/image.h"

namespace nabla::data {

struct DatasetOptions {
  bool train = true;                      // the training split, else the test split
  Transform transform = {};               // applied to data in get()
  Transform target_transform = {};        // applied to the target in get()
  bool download = false;                  // fetch missing files from `mirrors` (see download.h)
  std::vector<std::string> mirrors = {};  // base URLs; empty: data::default_mirrors(<dataset name>)
};

// root/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (torchvision's layout).
class MNIST : public data::Dataset {
 public:
  explicit MNIST(const std::string& root, DatasetOptions options = {});
  int64_t size() const override { return images_.size(0); }
  Example get(int64_t index) const override;
  Tensor targets() const override { return labels_; }
  const Tensor& data() const { return images_; }  // uint8 [N, H, W]
  const std::vector<std::string>& classes() const { return classes_; }
  const std::string& raw_folder() const { return raw_folder_; }

 protected:
  struct Resource {
    std::string name;  // file name without .gz
    std::string md5;   // of the .gz file on the mirrors
  };
  MNIST(const std::string& root, DatasetOptions options, const std::string& name,
        std::vector<Resource> resources, std::vector<std::string> classes);

 private:
  void load(const std::string& images_file, const std::string& labels_file);
  DatasetOptions options_;
  std::string raw_folder_;
  std::vector<std::string> classes_;
  Tensor images_, labels_;
};

// Same files and layout under root/FashionMNIST/raw/.
class FashionMNIST : public MNIST {
 public:
  explicit FashionMNIST(const std::string& root, DatasetOptions options = {});
};

// The CIFAR-10 "binary version": root/cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin.
// Downloading fetches cifar-10-binary.tar.gz and unpacks it.
class CIFAR10 : public data::Dataset {
 public:
  explicit CIFAR10(const std::string& root, DatasetOptions options = {});
  int64_t size() const override { return images_.size(0); }
  Example get(int64_t index) const override;
  Tensor targets() const override { return labels_; }
  const Tensor& data() const { return images_; }  // uint8 [N, 32, 32, 3]
  const std::vector<std::string>& classes() const { return classes_; }

 private:
  DatasetOptions options_;
  std::vector<std::string> classes_;
  Tensor images_, labels_;
};

// root/<class>/<image> with classes in sorted order; PNG, JPEG and BMP files (by extension, any case)
// are listed at construction and decoded lazily in get().
struct ImageFolderOptions {
  Transform transform = {};
  Transform target_transform = {};
  io::ImageReadMode mode = io::ImageReadMode::RGB;  // like PIL's .convert("RGB") in torchvision's loader
  std::vector<std::string> extensions = {".png", ".jpg", ".jpeg", ".bmp"};
};
class ImageFolder : public data::Dataset {
 public:
  explicit ImageFolder(const std::string& root, ImageFolderOptions options = {});
  int64_t size() const override { return static_cast<int64_t>(samples_.size()); }
  Example get(int64_t index) const override;
  Tensor targets() const override;
  const std::vector<std::string>& classes() const { return classes_; }
  const std::vector<std::pair<std::string, int64_t>>& samples() const { return samples_; }  // (path, class)

 private:
  ImageFolderOptions options_;
  void scan(const std::string& root);  // fills classes_ and samples_
  std::vector<std::string> classes_;
  std::vector<std::pair<std::string, int64_t>> samples_;
};

// Gaussian blobs (sklearn.datasets.make_blobs): data float32 [N, n_features], target int64 [N].
// Blob c gets n_samples / n_centers samples, the first n_samples % n_centers one more (sklearn's split).
//   make_blobs({.n_samples = 300, .centers = 4});  // 4 random centres in [center_min, center_max]^2
//   make_blobs({.n_samples = 300, .centers = {{-2, -2}, {2, 2}}, .cluster_std = {0.5, 1.0}});
// BlobCenters: a count of random centres, or the centres themselves (sklearn's centers=[[x, y], ...]):
// then their count is the number of classes and n_features is taken from them (options.n_features is
// ignored, as sklearn ignores it); every centre must have the same, non-zero, number of coordinates.
struct BlobCenters {
  BlobCenters(int64_t n = 3) : count(n) {}  // NOLINT(google-explicit-constructor): `.centers = 4`
  BlobCenters(std::initializer_list<std::vector<double>> centers) : points(centers) {}
  BlobCenters(std::vector<std::vector<double>> centers) : points(std::move(centers)) {}  // NOLINT
  bool explicit_points() const { return !points.empty(); }
  int64_t size() const { return explicit_points() ? static_cast<int64_t>(points.size()) : count; }
  int64_t count = 0;                        // random centres, used when `points` is empty
  std::vector<std::vector<double>> points;  // explicit centres, one row each
};
// ClusterStd: one standard deviation for every blob (`.cluster_std = 0.5`), or one per centre
// (`.cluster_std = {0.5, 1.0, 2.0}`; a list of another length is a ValueError, as in sklearn). `values`
// holds one value (for every centre) or one per centre.
struct ClusterStd {
  ClusterStd(double sd = 1.0) : values{sd} {}  // NOLINT(google-explicit-constructor): `.cluster_std = 0.5`
  ClusterStd(std::initializer_list<double> stds) : values(stds) {}
  ClusterStd(std::vector<double> stds) : values(std::move(stds)) {}  // NOLINT
  std::vector<double> values;
};
struct BlobsOptions {
  int64_t n_samples = 100;
  int64_t n_features = 2;  // with random centres only
  BlobCenters centers = 3;
  ClusterStd cluster_std = 1.0;
  double center_min = -10.0, center_max = 10.0;
  bool shuffle = true;
  uint64_t seed = 0;
};
data::TensorDataset make_blobs(const BlobsOptions& options = {});

// Two interleaving half circles (sklearn.datasets.make_moons): data float32 [N, 2], target int64 [N].
struct MoonsOptions {
  int64_t n_samples = 100;
  double noise = 0.0;
  bool shuffle = true;
  uint64_t seed = 0;
};
data::TensorDataset make_moons(const MoonsOptions& options = {});

// A graph for node classification: edges [2, E] int64 (each undirected edge once, u < v), one label per
// node int64 [N], and the class names.
struct Graph {
  Tensor edge_index, labels;
  std::vector<std::string> classes;
  int64_t num_nodes() const { return labels.size(0); }
};
// Zachary's karate club (1977): 34 members, 78 friendships, and the faction each member joined when the
// club split ("Mr. Hi" = 0, "Officer" = 1) — networkx's karate_club_graph().
Graph karate_club();

// A Planetoid citation graph (Yang, Cohen & Salakhutdinov 2016: Cora, CiteSeer, PubMed) with its standard
// semi-supervised split, as PyTorch Geometric's Planetoid(root, name) builds it (read_planetoid_data).
// N nodes (papers), F features (words), E directed edges (citations, each listed both ways).
struct PlanetoidGraph {
  Tensor x;           // float32 [N, F], the features as stored (0/1 words; TF-IDF for PubMed). Not
                      // row-normalised: PyG applies no transform by default either (Kipf's GCN divides each
                      // row by its sum; examples/13-gcn does)
  Tensor y;           // int64 [N], the class of each node: where its one-hot label row is largest (the first
                      // place on ties, so 0 for an all-zero row)
  Tensor edge_index;  // int64 [2, E]: the graph's edges as its file lists them (both directions), self loops
                      // and repeats removed, sorted by target then source (PyG's coalesce(sort_by_row=False))
  Tensor train_mask;  // bool [N]: the labelled nodes, 20 per class (the first len(ind.<name>.y) nodes)
  Tensor val_mask;    // bool [N]: the 500 nodes after them (fewer in a graph too small to have them)
  Tensor test_mask;   // bool [N]: the nodes of ind.<name>.test.index (1,000 for the three data sets)
  int64_t num_classes = 0;  // the width of the one-hot label rows
  int64_t num_nodes() const { return y.size(0); }
  int64_t num_features() const { return x.size(1); }
};
// Reads root/ind.<name>.{x,tx,allx,y,ty,ally,graph,test.index} (or PyG's layout, root/<name>/raw/ind.*):
// the files of Planetoid's repository (github.com/kimiyoung/planetoid, data/), also in Kipf's gcn
// repository (gcn/data/) and in PyG's raw/ folder. `name` is any case: "Cora", "CiteSeer", "PubMed".
// Test indices with gaps (CiteSeer's isolated nodes) get zero feature and label rows, as in PyG and Kipf's
// code. The pickles run in the restricted unpickler (io::load_pickled_*, numpy_pickle.h). IOError naming
// the file for a missing or malformed one, or files that do not fit together. docs/data.md, "Planetoid".
PlanetoidGraph load_planetoid(const std::string& root, const std::string& name);

}  // namespace nabla::data
