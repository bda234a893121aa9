// Chapter 13 — GCN: classify the members of a club from their friendships, with one label per class.
//
// Zachary's karate club (1977): 34 members, 78 friendships. The club split in two after a dispute between
// the instructor ("Mr. Hi", member 0) and the administrator ("Officer", member 33); each member joined
// one side. We tell the network only those two members' sides and ask it for everybody else's.
//
// A graph convolutional network (Kipf & Welling 2017) updates every node from its neighbours:
//
//     H' = tanh(A_hat H W),   A_hat = D^-1/2 (A + I) D^-1/2
//
// where A is the adjacency matrix (the seed's adjacency matrix; sparse here: 156 of 1156 entries are
// non-zero), I adds each node's own features, and D normalises by degree. The features start as the
// identity matrix (each member is just "themselves"), so everything the network learns comes from the
// graph. Three layers (34 -> 4 -> 4 -> 2) end in a 2-D embedding we can draw, and a linear classifier
// reads the side off it. Training: cross-entropy on the 2 labelled nodes only (semi-supervised).
//
//   build/examples/gcn           # 10 seeds, 200 epochs each -> runs/gcn/ (embedding pictures)
//   build/examples/gcn --smoke   # 3 seeds (the same chapter is fast; the smoke run is a test)
//
// Options: --seeds N, --epochs N. The program exits 1 if the mean accuracy on the 32 unlabelled members is
// below 80% (a coin gets 50%; the sides are 17 and 17, so no constant guess does better).
#include <nabla/nabla.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

using namespace nabla;

// ---------------------------------------------------------------------------------------------------
// 1. The model: three graph convolutions down to 2-D, then a linear classifier.
// ---------------------------------------------------------------------------------------------------
struct GCN : nn::Module {
  std::shared_ptr<nn::GCNConv> conv1, conv2, conv3;
  std::shared_ptr<nn::Linear> classifier;
  explicit GCN(int64_t num_features, int64_t num_classes) {
    conv1 = register_module("conv1", std::make_shared<nn::GCNConv>(num_features, 4));
    conv2 = register_module("conv2", std::make_shared<nn::GCNConv>(4, 4));
    conv3 = register_module("conv3", std::make_shared<nn::GCNConv>(4, 2));
    classifier = register_module("classifier", std::make_shared<nn::Linear>(2, num_classes));
  }
  // Returns the class scores [N, C] and the 2-D node embedding [N, 2].
  std::pair<Tensor, Tensor> forward(const Tensor& x, const sparse::CooTensor& a_hat) {
    Tensor h = conv1->forward(x, a_hat).tanh();
    h = conv2->forward(h, a_hat).tanh();
    Tensor embedding = conv3->forward(h, a_hat).tanh();
    return {(*classifier)(embedding), embedding};
  }
};

// ---------------------------------------------------------------------------------------------------
// 2. Pictures: the embedding coloured by side, labelled members and mistakes marked.
// ---------------------------------------------------------------------------------------------------
void plot_embedding(const std::string& path, const std::string& title, const Tensor& embedding,
                    const Tensor& labels, const Tensor& predicted, const std::vector<int64_t>& labelled) {
  // Legend classes: 0/1 the sides, 2/3 the labelled members, 4 a wrong prediction.
  Tensor colour = labels.clone();
  for (int64_t i = 0; i < labels.size(0); ++i)
    if (predicted.defined() && predicted[i].item<int64_t>() != labels[i].item<int64_t>()) colour[i].fill_(4);
  for (int64_t i : labelled) colour[i].fill_(2 + labels[i].item<int64_t>());
  training::plot_scatter(path, title, embedding.detach(), colour,
                         {"Mr. Hi", "Officer", "Mr. Hi (labelled)", "Officer (labelled)", "misclassified"});
}

// ---------------------------------------------------------------------------------------------------
// 3. The chapter.
// ---------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool smoke = false;
  int seeds = -1, epochs = 200;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke")
      smoke = true;
    else if (a == "--seeds" && i + 1 < argc)
      seeds = std::stoi(argv[++i]);
    else if (a == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: " << argv[0] << " [--smoke] [--seeds N] [--epochs N]\n";
      return 2;
    }
  }
  if (seeds < 1) seeds = smoke ? 3 : 10;
  const std::string out = smoke ? "runs/gcn-smoke" : "runs/gcn";
  std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();

  // ---- data: the graph, identity features, one labelled member per side ----
  data::Graph club = data::karate_club();
  const int64_t n = club.num_nodes();
  sparse::CooTensor a_hat = nn::normalized_adjacency(nn::adjacency_from_edges(club.edge_index, n));
  Tensor x = eye(n);
  const std::vector<int64_t> labelled = {0, 33};  // Mr. Hi and the Officer themselves
  Tensor train_idx = tensor({int64_t{0}, int64_t{33}});
  Tensor others = ones({n}, {.dtype = kBool});
  others.index_put_({train_idx}, false);
  const int64_t n_hi = (club.labels == 0).sum().item<int64_t>();
  std::printf(
      "karate club: %lld members, %lld friendships (A_hat has %lld non-zeros); sides: %lld Mr. Hi, "
      "%lld Officer; labelled: members 0 and 33\n",
      static_cast<long long>(n), static_cast<long long>(club.edge_index.size(1)),
      static_cast<long long>(a_hat.nnz()), static_cast<long long>(n_hi), static_cast<long long>(n - n_hi));

  io::SummaryWriter tb(out);
  std::vector<double> accuracies;
  for (int s = 0; s < seeds; ++s) {
    manual_seed(static_cast<uint64_t>(s));
    GCN model(n, 2);
    optim::Adam optimizer(model.parameters(), {.lr = 0.01});
    Tensor embedding0 = model.forward(x, a_hat).second;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      auto [scores, embedding] = model.forward(x, a_hat);
      Tensor loss =
          F::cross_entropy(scores.index_select(0, train_idx), club.labels.index_select(0, train_idx));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      if (s == 0) tb.add_scalar("seed0/train_loss", loss.item<double>(), epoch);
    }
    NoGradGuard no_grad;
    auto [scores, embedding] = model.forward(x, a_hat);
    Tensor predicted = scores.argmax(1);
    const double acc = predicted.masked_select(others)
                           .eq(club.labels.masked_select(others))
                           .to(kFloat64)
                           .mean()
                           .item<double>();
    accuracies.push_back(acc);
    std::string wrong;
    for (int64_t i = 0; i < n; ++i)
      if (predicted[i].item<int64_t>() != club.labels[i].item<int64_t>()) wrong += " " + std::to_string(i);
    std::printf("  seed %d: accuracy on the 32 unlabelled members %.1f%% (misclassified:%s)\n", s, 100 * acc,
                wrong.empty() ? " none" : wrong.c_str());
    tb.add_scalar("unlabelled_accuracy", acc, s);
    if (s == 0) {
      plot_embedding(out + "/embedding_before.png", "GCN embedding before training (seed 0)", embedding0,
                     club.labels, Tensor(), labelled);
      plot_embedding(out + "/embedding_after.png", "GCN embedding after training (seed 0)", embedding,
                     club.labels, predicted, labelled);
    }
  }
  tb.close();

  double mean = 0, lo = 1, hi = 0;
  for (double a : accuracies) mean += a / accuracies.size(), lo = std::min(lo, a), hi = std::max(hi, a);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "\nresult: accuracy on the unlabelled members over %d seeds: mean %.1f%%, min %.1f%%, max %.1f%% "
      "(a constant guess of the bigger side: %.1f%%); %.1f s\npictures and TensorBoard run in %s/ "
      "(embedding_before.png embedding_after.png)\n",
      seeds, 100 * mean, 100 * lo, 100 * hi, 100.0 * std::max(n_hi - 1, n - n_hi - 1) / 32, seconds,
      out.c_str());
  if (mean < 0.8) {
    std::fprintf(stderr, "FAILED: mean accuracy %.1f%% is below 80%%\n", 100 * mean);
    return 1;
  }
  return 0;
}
