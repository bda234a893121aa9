// Chapter 10 — Text classification with a GRU: which fortune-cookie category does a quote come from?
//
// The seed's pipeline: tokenize -> vocabulary -> embedding -> GRU -> linear. Here on a corpus that is on
// every Debian machine: the `fortunes` package, whose quotes are filed by category
// (/usr/share/games/fortunes/<category>, quotes separated by "%" lines). Five categories with distinct
// subjects: computers, politics, science, food, sports. The quotes are split 80/20 per category
// (stratified, fixed seed) into training and test sets.
//
// Text goes through text::get_tokenizer("basic_english") (torchtext's rules), a text::Vocab of the
// training quotes' words seen at least twice (plus <unk> and <pad>), and numericalize; batches group
// quotes of similar length (data::BucketBatchSampler) and pad them (text::pad_collate); the GRU reads the
// packed batch (nn::utils::rnn::pack_padded_sequence), so its final state is each quote's own last word.
// The baseline is a bag of words: the mean of the same kind of word embeddings, then a linear layer.
//
//   build/examples/gru-text                          # fortunes -> runs/gru-text/
//   build/examples/gru-text --data_dir DIR           # IMDB sentiment from DIR/aclImdb (the seed's data)
//   build/examples/gru-text --smoke                  # generated sentences, seconds
//
// Options: --epochs N, --fortunes DIR (default /usr/share/games/fortunes; `tools/install-deps
// --with-data`). Exits 1 if the GRU's test accuracy is not clearly above always guessing the largest class.
#include <nabla/nabla.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace nabla;
namespace rnn = nabla::nn::utils::rnn;

// ---------------------------------------------------------------------------------------------------
// 1. Data: (text, label) pairs, then token ids.
// ---------------------------------------------------------------------------------------------------
struct Corpus {
  std::vector<std::string> train_texts, test_texts;
  std::vector<int64_t> train_labels, test_labels;
  std::vector<std::string> classes;
};

// A fortune file's quotes. Old fortunes underline with backspaces ("_\bx"): keep the printed character.
std::vector<std::string> read_fortunes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IOError("cannot open " + path +
                  " (install the `fortunes` package: tools/install-deps --with-data)");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str(), clean;
  for (char c : all) {
    if (c == '\b') {
      if (!clean.empty()) clean.pop_back();
    } else {
      clean += c;
    }
  }
  std::vector<std::string> quotes;
  std::string current, line;
  std::istringstream lines(clean);
  while (std::getline(lines, line)) {
    if (line == "%") {
      if (!current.empty()) quotes.push_back(current);
      current.clear();
    } else {
      current += line + "\n";
    }
  }
  if (!current.empty()) quotes.push_back(current);
  return quotes;
}

// Stratified split: in each class, a seeded shuffle, then the first 20% go to the test set.
void split_into(Corpus& c, const std::vector<std::string>& texts, int64_t label, RandomGenerator& rng) {
  std::vector<int64_t> order(texts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  data::shuffle_indices(order, rng);
  const size_t n_test = texts.size() / 5;
  for (size_t k = 0; k < order.size(); ++k) {
    auto& texts_out = k < n_test ? c.test_texts : c.train_texts;
    auto& labels_out = k < n_test ? c.test_labels : c.train_labels;
    texts_out.push_back(texts[order[k]]);
    labels_out.push_back(label);
  }
}

Corpus load_fortunes(const std::string& dir) {
  Corpus c;
  c.classes = {"computers", "politics", "science", "food", "sports"};
  RandomGenerator rng(10);
  for (size_t k = 0; k < c.classes.size(); ++k)
    split_into(c, read_fortunes(dir + "/" + c.classes[k]), static_cast<int64_t>(k), rng);
  return c;
}

Corpus load_imdb(const std::string& root) {
  Corpus c;
  for (bool train : {true, false}) {
    text::IMDB ds(root, {.train = train});
    c.classes = ds.classes();
    for (int64_t i = 0; i < ds.size(); ++i) {
      (train ? c.train_texts : c.test_texts).push_back(ds.text(i));
      (train ? c.train_labels : c.test_labels).push_back(ds.label(i));
    }
  }
  return c;
}

// --smoke: sentences from three small topic vocabularies with shared filler words.
Corpus make_smoke_corpus() {
  const std::vector<std::vector<std::string>> topics = {{"bug", "compiler", "kernel", "code", "byte"},
                                                        {"vote", "senate", "law", "party", "tax"},
                                                        {"cake", "bread", "soup", "salt", "wine"}};
  const std::vector<std::string> filler = {"the", "a", "is", "of", "and", "very", "my"};
  Corpus c;
  c.classes = {"computers", "politics", "food"};
  RandomGenerator rng(3);
  for (int64_t k = 0; k < 3; ++k) {
    std::vector<std::string> texts;
    for (int i = 0; i < 150; ++i) {
      std::string s;
      const int words = 4 + static_cast<int>(rng.next_u64() % 8);
      for (int w = 0; w < words; ++w)
        s += (rng.next_double() < 0.4 ? topics[k][rng.next_u64() % 5] : filler[rng.next_u64() % 7]) + " ";
      texts.push_back(s);
    }
    split_into(c, texts, k, rng);
  }
  return c;
}

constexpr int64_t kMaxTokens = 200;  // long quotes/reviews are cut (the GRU's cost grows with length)

// ---------------------------------------------------------------------------------------------------
// 2. Models: the GRU classifier and the bag-of-words baseline.
// ---------------------------------------------------------------------------------------------------
struct GRUClassifier : nn::Module {
  nn::Embedding embed;
  nn::GRU gru;
  nn::Linear out;
  GRUClassifier(int64_t vocab, int64_t pad, int64_t classes)
      : embed(vocab, 64, pad), gru(64, 128, {.batch_first = true}), out(128, classes) {
    register_modules({{"embed", embed}, {"gru", gru}, {"out", out}});
  }
  Tensor classify(const Tensor& tokens, const Tensor& lengths) {
    rnn::PackedSequence packed =
        rnn::pack_padded_sequence(embed(tokens), lengths, true, /*enforce_sorted=*/false);
    Tensor h_n = std::get<1>(gru(packed));  // [1, B, 128]: each quote's state after its last word
    return out(h_n[0]);
  }
};

struct BagOfWords : nn::Module {
  int64_t pad;
  nn::Embedding embed;
  nn::Linear out;
  BagOfWords(int64_t vocab, int64_t pad_index, int64_t classes)
      : pad(pad_index), embed(vocab, 64, pad_index), out(64, classes) {
    register_modules({{"embed", embed}, {"out", out}});
  }
  Tensor classify(const Tensor& tokens, const Tensor& lengths) {
    // The mean of the words' embeddings (padding embeds to zeros and is not counted).
    Tensor summed = embed(tokens).sum(1);
    return out(summed / lengths.to(kFloat32).unsqueeze(1));
  }
};

// ---------------------------------------------------------------------------------------------------
// 3. Training and evaluation.
// ---------------------------------------------------------------------------------------------------
struct Encoded {
  std::vector<Tensor> tokens;  // int64 [L_i], 1 <= L_i <= kMaxTokens
  std::vector<int64_t> labels;
};

Encoded encode(const std::vector<std::string>& texts, const std::vector<int64_t>& labels,
               const text::Vocab& vocab, const text::Tokenizer& tokenizer) {
  Encoded e;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<std::string> toks = tokenizer(texts[i]);
    if (toks.empty()) continue;
    if (static_cast<int64_t>(toks.size()) > kMaxTokens) toks.resize(kMaxTokens);
    e.tokens.push_back(text::numericalize(vocab, toks));
    e.labels.push_back(labels[i]);
  }
  return e;
}

// Batches of similar lengths: [B, L] padded tokens, lengths [B], labels [B].
struct TextBatch {
  Tensor tokens, lengths, labels;
};
std::vector<TextBatch> batches(const Encoded& e, int64_t pad, int64_t batch_size, uint64_t seed) {
  std::vector<int64_t> lengths;
  for (const Tensor& t : e.tokens) lengths.push_back(t.size(0));
  data::BucketBatchSampler sampler(lengths, batch_size);
  RandomGenerator rng(seed);
  std::vector<TextBatch> out;
  for (const std::vector<int64_t>& idx : sampler.batches(rng)) {
    TensorList seqs;
    std::vector<int64_t> lens, labs;
    for (int64_t i : idx)
      seqs.push_back(e.tokens[i]), lens.push_back(lengths[i]), labs.push_back(e.labels[i]);
    const int64_t b = static_cast<int64_t>(idx.size());
    out.push_back({rnn::pad_sequence(seqs, true, static_cast<double>(pad)),
                   from_buffer(lens.data(), {b}, kInt64), from_buffer(labs.data(), {b}, kInt64)});
  }
  return out;
}

template <typename Model>
double accuracy(Model& model, const std::vector<TextBatch>& data) {
  NoGradGuard no_grad;
  model.eval();
  int64_t right = 0, total = 0;
  for (const TextBatch& b : data) {
    right += model.classify(b.tokens, b.lengths).argmax(1).eq(b.labels).sum().template item<int64_t>();
    total += b.labels.size(0);
  }
  model.train();
  return static_cast<double>(right) / static_cast<double>(total);
}

template <typename Model>
std::vector<double> fit(Model& model, const Encoded& train, const std::vector<TextBatch>& test, int64_t pad,
                        int epochs, double lr, io::SummaryWriter& tb, const std::string& tag) {
  optim::Adam optimizer(model.parameters(), {.lr = lr});
  std::vector<double> test_acc;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    double loss_sum = 0;
    int n = 0;
    for (const TextBatch& b : batches(train, pad, 32, static_cast<uint64_t>(epoch))) {
      Tensor loss = F::cross_entropy(model.classify(b.tokens, b.lengths), b.labels);
      optimizer.zero_grad();
      loss.backward();
      optim::clip_grad_norm_(model.parameters(), 5.0);
      optimizer.step();
      loss_sum += loss.item<double>();
      ++n;
    }
    test_acc.push_back(accuracy(model, test));
    tb.add_scalar(tag + "/train_loss", loss_sum / n, epoch);
    tb.add_scalar(tag + "/test_accuracy", test_acc.back(), epoch);
    std::printf("  [%s] epoch %2d  train loss %.3f  test accuracy %.1f%%\n", tag.c_str(), epoch, loss_sum / n,
                100 * test_acc.back());
    std::fflush(stdout);
  }
  return test_acc;
}

// ---------------------------------------------------------------------------------------------------
// 4. The chapter.
// ---------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool smoke = false;
  int epochs = -1;
  std::string fortunes_dir = "/usr/share/games/fortunes", imdb_root;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke")
      smoke = true;
    else if (a == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else if (a == "--fortunes" && i + 1 < argc)
      fortunes_dir = argv[++i];
    else if (a == "--data_dir" && i + 1 < argc)
      imdb_root = argv[++i];
    else {
      std::cerr << "usage: " << argv[0]
                << " [--smoke] [--epochs N] [--fortunes DIR] [--data_dir DIR (aclImdb)]\n";
      return 2;
    }
  }
  if (epochs < 1) epochs = smoke ? 8 : 15;
  const std::string out = smoke ? "runs/gru-text-smoke" : "runs/gru-text";
  std::filesystem::create_directories(out);
  const auto t0 = std::chrono::steady_clock::now();
  manual_seed(0);

  // ---- data ----
  Corpus corpus =
      smoke ? make_smoke_corpus() : (imdb_root.empty() ? load_fortunes(fortunes_dir) : load_imdb(imdb_root));
  text::Tokenizer tokenizer = text::get_tokenizer("basic_english");
  std::vector<std::vector<std::string>> train_tokens;
  for (const std::string& t : corpus.train_texts) train_tokens.push_back(tokenizer(t));
  text::Vocab vocab =
      text::build_vocab_from_iterator(train_tokens, {.min_freq = 2, .specials = {"<unk>", "<pad>"}});
  vocab.set_default_index(vocab["<unk>"]);
  const int64_t pad = vocab["<pad>"];
  Encoded train = encode(corpus.train_texts, corpus.train_labels, vocab, tokenizer);
  Encoded test_enc = encode(corpus.test_texts, corpus.test_labels, vocab, tokenizer);
  std::vector<TextBatch> test = batches(test_enc, pad, 256, 0);
  std::vector<int64_t> counts(corpus.classes.size(), 0);
  for (int64_t l : test_enc.labels) ++counts[l];
  const double majority = static_cast<double>(*std::max_element(counts.begin(), counts.end())) /
                          static_cast<double>(test_enc.labels.size());
  std::printf(
      "%s: %zu training and %zu test texts in %zu classes; vocabulary %lld words (min count 2); always "
      "guessing the largest class: %.1f%%\n",
      smoke ? "generated sentences" : (imdb_root.empty() ? "fortunes" : "IMDB"), train.tokens.size(),
      test_enc.tokens.size(), corpus.classes.size(), static_cast<long long>(vocab.size()), 100 * majority);

  // ---- models ----
  io::SummaryWriter tb(out);
  const int64_t n_classes = static_cast<int64_t>(corpus.classes.size());
  GRUClassifier gru(vocab.size(), pad, n_classes);
  BagOfWords bow(vocab.size(), pad, n_classes);
  std::vector<double> acc_gru = fit(gru, train, test, pad, epochs, 2e-3, tb, "gru");
  std::vector<double> acc_bow = fit(bow, train, test, pad, epochs, 5e-3, tb, "bag_of_words");
  tb.close();
  std::vector<double> x(static_cast<size_t>(epochs));
  for (int e = 0; e < epochs; ++e) x[e] = e + 1;
  training::plot_lines(out + "/test_accuracy.png", "Test accuracy", x,
                       {{"GRU", acc_gru},
                        {"bag of words", acc_bow},
                        {"largest class", std::vector<double>(x.size(), majority)}},
                       "epoch", "accuracy");

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "\nresults after %d epochs (test set, %zu texts): GRU %.1f%% (best epoch %.1f%%), bag of words %.1f%% "
      "(best %.1f%%), largest class %.1f%%; %.1f s\npicture and TensorBoard run in %s/\n",
      epochs, test_enc.tokens.size(), 100 * acc_gru.back(),
      100 * *std::max_element(acc_gru.begin(), acc_gru.end()), 100 * acc_bow.back(),
      100 * *std::max_element(acc_bow.begin(), acc_bow.end()), 100 * majority, seconds, out.c_str());
  if (!(acc_gru.back() > majority + 0.1)) {
    std::fprintf(stderr,
                 "FAILED: GRU test accuracy %.1f%% is not 10 points above the largest class's %.1f%%\n",
                 100 * acc_gru.back(), 100 * majority);
    return 1;
  }
  return 0;
}
