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
// Then, when you have its files, the model on the benchmark it was made for: Cora, 2,708 papers that cite
// each other, to be sorted into 7 topics from their words and citations with 140 labelled (sections 4-5).
//
//   build/examples/gcn           # 10 seeds, 200 epochs each -> runs/gcn/ (embedding pictures)
//   build/examples/gcn --smoke   # 3 seeds (the same chapter is fast; the smoke run is a test)
//   build/examples/gcn --cora DIR [--planetoid CiteSeer|PubMed]   # then Cora (or CiteSeer, PubMed)
//
// Options: --seeds N, --epochs N. The program exits 1 if the mean accuracy on the 32 unlabelled members is
// below 80% (a coin gets 50%; the sides are 17 and 17, so no constant guess does better). DIR holds the
// Planetoid files ind.cora.* (docs/data.md, "Planetoid"). CTest's smoke run adds --cora
// tests/golden/planetoid --planetoid tiny, a fabricated 30-node set in the same format, and fails unless
// every seed fits its training nodes.
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
// 3. The karate club: seeds x epochs of training on two labels, accuracy on the other 32 members.
// ---------------------------------------------------------------------------------------------------
// Returns the mean accuracy on the unlabelled members.
double karate_club(bool smoke, int seeds, int epochs) {
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
  return mean;
}

// ---------------------------------------------------------------------------------------------------
// 4. Cora: Kipf & Welling's GCN on a citation graph.
// ---------------------------------------------------------------------------------------------------
// Cora: 2,708 machine-learning papers, 5,278 citations (10,556 directed edges, each citation both ways),
// a 0/1 vector of 1,433 words per paper, 7 topics. The standard (Planetoid) split labels 20 papers per
// topic (140), validates on 500 and tests on 1,000. Kipf & Welling's model and recipe: dropout 0.5, a graph
// convolution to 16 units, ReLU, dropout 0.5, a graph convolution to the 7 topic scores; Adam (lr 0.01)
// with weight decay 5e-4 on the first layer only, 200 epochs; each paper's words divided by their number
// (row-normalised features, as Kipf's preprocessing does; data::load_planetoid returns them raw, as PyG).
// The paper reports 81.5% test accuracy on Cora, 70.3% on CiteSeer and 79.0% on PubMed.
struct PlanetoidGCN : nn::Module {
  std::shared_ptr<nn::GCNConv> conv1, conv2;
  PlanetoidGCN(int64_t num_features, int64_t num_classes) {
    conv1 = register_module("conv1", std::make_shared<nn::GCNConv>(num_features, 16));
    conv2 = register_module("conv2", std::make_shared<nn::GCNConv>(16, num_classes));
  }
  Tensor forward(const Tensor& x, const sparse::CooTensor& a_hat) {
    Tensor h = F::dropout(x, 0.5, is_training());
    h = conv1->forward(h, a_hat).relu();
    h = F::dropout(h, 0.5, is_training());
    return conv2->forward(h, a_hat);
  }
};

struct PlanetoidRun {
  double first_loss = 0, last_loss = 0, train = 0, val = 0, test = 0;  // accuracies after the last epoch
};

double accuracy(const Tensor& scores, const Tensor& y, const Tensor& nodes) {
  return scores.index_select(0, nodes)
      .argmax(1)
      .eq(y.index_select(0, nodes))
      .to(kFloat64)
      .mean()
      .item<double>();
}

PlanetoidRun train_planetoid(const data::PlanetoidGraph& g, const Tensor& x, const sparse::CooTensor& a_hat,
                             uint64_t seed, int epochs) {
  manual_seed(seed);
  PlanetoidGCN model(g.num_features(), g.num_classes);
  optim::Adam optimizer(std::vector<optim::Adam::Group>{
      {model.conv1->parameters(), {.lr = 0.01, .weight_decay = 5e-4}},
      {model.conv2->parameters(), {.lr = 0.01}},
  });
  const Tensor train = g.train_mask.nonzero().flatten(), val = g.val_mask.nonzero().flatten(),
               test = g.test_mask.nonzero().flatten();
  const Tensor y_train = g.y.index_select(0, train);
  PlanetoidRun run;
  model.train();
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    Tensor loss = F::cross_entropy(model.forward(x, a_hat).index_select(0, train), y_train);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    (epoch == 1 ? run.first_loss : run.last_loss) = loss.item<double>();
  }
  model.eval();
  NoGradGuard no_grad;
  Tensor scores = model.forward(x, a_hat);
  run.train = accuracy(scores, g.y, train);
  run.val = accuracy(scores, g.y, val);
  run.test = accuracy(scores, g.y, test);
  return run;
}

// ---------------------------------------------------------------------------------------------------
// 5. The Planetoid experiment: load, normalise, train with several seeds, report val and test accuracy.
// ---------------------------------------------------------------------------------------------------
// Returns false when the smoke run did not learn its training nodes.
bool planetoid(const std::string& dir, const std::string& name, bool smoke, int seeds, int epochs) {
  const auto t0 = std::chrono::steady_clock::now();
  data::PlanetoidGraph g = data::load_planetoid(dir, name);
  const int64_t n = g.num_nodes();
  sparse::CooTensor a_hat =
      nn::normalized_adjacency(nn::adjacency_from_edges(g.edge_index, n, /*symmetric=*/false));
  Tensor words = g.x.sum(1, /*keepdim=*/true);
  Tensor x = g.x / words.masked_fill(words.eq(0), 1.0);  // rows sum to 1 (a paper without words stays 0)
  std::printf(
      "\n%s: %lld nodes, %lld edges, %lld features, %lld classes; %lld labelled, %lld validation, %lld test "
      "nodes\n",
      name.c_str(), static_cast<long long>(n), static_cast<long long>(g.edge_index.size(1)),
      static_cast<long long>(g.num_features()), static_cast<long long>(g.num_classes),
      static_cast<long long>(g.train_mask.sum().item<int64_t>()),
      static_cast<long long>(g.val_mask.sum().item<int64_t>()),
      static_cast<long long>(g.test_mask.sum().item<int64_t>()));
  bool learned = true;
  double val = 0, test = 0, test_sq = 0;
  for (int s = 0; s < seeds; ++s) {
    const PlanetoidRun r = train_planetoid(g, x, a_hat, static_cast<uint64_t>(s), epochs);
    std::printf("  seed %d: loss %.3f -> %.3f; accuracy train %.1f%%, val %.1f%%, test %.1f%%\n", s,
                r.first_loss, r.last_loss, 100 * r.train, 100 * r.val, 100 * r.test);
    val += r.val / seeds, test += r.test / seeds, test_sq += r.test * r.test / seeds;
    learned = learned && r.train == 1.0 && r.last_loss < r.first_loss / 2;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("result: %s over %d seeds: val accuracy %.1f%%, test accuracy %.1f%% +- %.1f; %.1f s\n",
              name.c_str(), seeds, 100 * val, 100 * test,
              100 * std::sqrt(std::max(0.0, test_sq - test * test)), seconds);
  if (smoke && !learned) std::fprintf(stderr, "FAILED: a seed did not fit its training nodes\n");
  return !smoke || learned;
}

// ---------------------------------------------------------------------------------------------------
// 6. The chapter.
// ---------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool smoke = false;
  int seeds = -1, epochs = 200;
  std::string planetoid_dir, planetoid_name = "Cora";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke")
      smoke = true;
    else if (a == "--seeds" && i + 1 < argc)
      seeds = std::stoi(argv[++i]);
    else if (a == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else if (a == "--cora" && i + 1 < argc)
      planetoid_dir = argv[++i];
    else if (a == "--planetoid" && i + 1 < argc)
      planetoid_name = argv[++i];
    else {
      std::cerr << "usage: " << argv[0]
                << " [--smoke] [--seeds N] [--epochs N] [--cora DIR [--planetoid Cora|CiteSeer|PubMed]]\n";
      return 2;
    }
  }
  if (seeds < 1) seeds = smoke ? 3 : 10;

  const double mean = karate_club(smoke, seeds, epochs);
  if (mean < 0.8) {
    std::fprintf(stderr, "FAILED: mean accuracy %.1f%% is below 80%%\n", 100 * mean);
    return 1;
  }
  if (planetoid_dir.empty()) {
    std::printf(
        "\nCora: not run. Give --cora DIR, a folder with Planetoid's files "
        "ind.cora.{x,tx,allx,y,ty,ally,graph,"
        "test.index} (github.com/kimiyoung/planetoid, data/; docs/data.md).\n");
    return 0;
  }
  return planetoid(planetoid_dir, planetoid_name, smoke, seeds, epochs) ? 0 : 1;
}
