// chapter_data.h — the data the curriculum chapters share: FashionMNIST as float tensors, and for --smoke
// (no files: CI has no datasets) ten Gaussian blobs in pixel space standing in for it.
#pragma once
#include <nabla/nabla.h>

#include <cstdint>
#include <string>
#include <vector>

// Images as float [N, 1, 28, 28] in [0, 1], labels as int64 [N].
struct Split {
  nabla::Tensor images, labels;
};
struct Data {
  Split train, test;
  std::vector<std::string> classes;
};

inline Split as_float(const nabla::data::MNIST& ds) {  // uint8 [N, 28, 28] -> float [N, 1, 28, 28] / 255
  return {ds.data().to(nabla::kFloat32).div(255.0).unsqueeze(1), ds.targets()};
}

inline Data load_fashion_mnist(const std::string& root) {
  nabla::data::FashionMNIST train(root, {.train = true});
  nabla::data::FashionMNIST test(root, {.train = false});
  return {as_float(train), as_float(test), train.classes()};
}

// Ten Gaussian blobs in pixel space (sklearn's make_blobs with 784 features), clamped to [0, 1]: each class
// is a fixed random "picture" (about half its pixels black) plus noise. The first n_train are the train
// split, the next n_test the test split.
struct BlobImages {
  int64_t n_train, n_test;
  double cluster_std;
  uint64_t seed;
};
inline Data make_blob_images(const BlobImages& o) {
  using nabla::None;
  using nabla::Slice;
  nabla::data::TensorDataset blobs = nabla::data::make_blobs({.n_samples = o.n_train + o.n_test,
                                                              .n_features = 28 * 28,
                                                              .centers = 10,
                                                              .cluster_std = o.cluster_std,
                                                              .center_min = -1.0,
                                                              .center_max = 1.0,
                                                              .seed = o.seed});
  nabla::Tensor images = blobs.data().clamp(0.0, 1.0).reshape({-1, 1, 28, 28});
  nabla::Tensor labels = blobs.targets();
  Split train{images.index({Slice(0, o.n_train)}), labels.index({Slice(0, o.n_train)})};
  Split test{images.index({Slice(o.n_train, None)}), labels.index({Slice(o.n_train, None)})};
  std::vector<std::string> classes;
  for (int c = 0; c < 10; ++c) classes.push_back("blob " + std::to_string(c));
  return {train, test, classes};
}
