// Chapter 11 — Seq2seq with teacher forcing: an encoder GRU reads a word, a decoder GRU writes another.
//
// The seed's model: one Embedding shared by both sides, an encoder GRU whose final state starts the
// decoder GRU, and a projection from the decoder's output to the vocabulary. The decoder writes one
// character at a time, starting from <sos>; at each step its next input is either its own guess or —
// with probability `teacher_forcing_ratio` during training — the true character `targets[i]` (teacher
// forcing: the decoder learns each step from a correct prefix instead of its own early mistakes).
//
// Part 1 is the seed's own toy: "hello" -> "hola". Part 2 translates English words into Spanish
// character by character, on the word pairs of Debian's English-Spanish FreeDict dictionary (the headword
// and the first translation of its first sense; single words of 2-12 letters): trained twice from the
// same start, with teacher forcing (ratio from --teacher_forcing, default 0.5) and without (ratio 0),
// evaluated by greedy decoding on held-out pairs (exact match and per-character accuracy).
//
//   build/examples/seq2seq             # both parts -> runs/seq2seq/
//   build/examples/seq2seq --smoke     # part 1, and part 2 on a small built-in word list (seconds)
//
// Options: --teacher_forcing R, --epochs N, --dict DIR (default /usr/share/dictd; package
// dict-freedict-eng-spa, `tools/install-deps --with-data`). Exits 1 if part 1 does not learn "hola", or if
// part 2's character accuracy with teacher forcing is not above the untrained model's.
#include <nabla/nabla.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace nabla;
namespace rnn = nabla::nn::utils::rnn;

// ---------------------------------------------------------------------------------------------------
// 1. Data: word pairs, characters as tokens.
// ---------------------------------------------------------------------------------------------------
struct Pair {
  std::string source, target;
};

// Lowercase ASCII letters plus Spanish ones (UTF-8), nothing else: single words only.
bool is_word(const std::string& w) {
  static const std::set<std::string> kSpanish = {"á", "é", "í", "ó", "ú", "ñ", "ü"};
  for (const std::string& c : text::character_tokenize(w))
    if (!(c.size() == 1 && c[0] >= 'a' && c[0] <= 'z') && !kSpanish.count(c)) return false;
  return true;
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// FreeDict entries read "headword /pronunciation/\n1. first, second\n2. ...\n" (or one unnumbered sense):
// the pair is (headword, first translation of the first sense).
std::vector<Pair> load_freedict_pairs(const std::string& dir) {
  auto entries = io::read_dictd(dir + "/freedict-eng-spa.index", dir + "/freedict-eng-spa.dict.dz");
  std::vector<Pair> pairs;
  std::set<std::string> seen;
  for (const io::DictEntry& e : entries) {
    const size_t nl = e.definition.find('\n');
    if (nl == std::string::npos) continue;
    std::string sense = e.definition.substr(nl + 1);
    sense = sense.substr(0, sense.find('\n'));
    if (const size_t dot = sense.find(". "); dot != std::string::npos && dot <= 3)
      sense = sense.substr(dot + 2);
    const std::string target = trim(sense.substr(0, sense.find(',')));
    const std::string source = e.headword;
    const int64_t ls = static_cast<int64_t>(text::character_tokenize(source).size()),
                  lt = static_cast<int64_t>(text::character_tokenize(target).size());
    if (ls < 2 || ls > 12 || lt < 2 || lt > 12 || !is_word(source) || !is_word(target)) continue;
    if (!seen.insert(source).second) continue;  // one pair per English word
    pairs.push_back({source, target});
  }
  return pairs;
}

// --smoke: a rule a small model learns in seconds — copy the word and append "o" — on random words over a
// six-letter alphabet (held-out words are new combinations of the same letters).
std::vector<Pair> smoke_pairs() {
  const std::string letters = "abdelr";
  RandomGenerator rng(4);
  std::set<std::string> seen;
  std::vector<Pair> out;
  while (out.size() < 400) {
    std::string w;
    const int len = 3 + static_cast<int>(rng.next_u64() % 3);
    for (int i = 0; i < len; ++i) w += letters[rng.next_u64() % letters.size()];
    if (seen.insert(w).second) out.push_back({w, w + "o"});
  }
  return out;
}

struct Batch {
  Tensor source, source_lengths, target;  // [B, S] padded, int64 [B], [B, T] padded (ends in <eos>)
};

Batch make_batch(const std::vector<Pair>& pairs, size_t begin, size_t end, const text::Vocab& vocab) {
  TensorList sources, targets;
  std::vector<int64_t> lengths;
  for (size_t i = begin; i < end; ++i) {
    sources.push_back(text::numericalize(vocab, text::character_tokenize(pairs[i].source)));
    std::vector<std::string> t = text::character_tokenize(pairs[i].target);
    t.push_back("<eos>");
    targets.push_back(text::numericalize(vocab, t));
    lengths.push_back(sources.back().size(0));
  }
  const double pad = static_cast<double>(vocab["<pad>"]);
  return {rnn::pad_sequence(sources, true, pad),
          from_buffer(lengths.data(), {static_cast<int64_t>(lengths.size())}, kInt64),
          rnn::pad_sequence(targets, true, pad)};
}

// ---------------------------------------------------------------------------------------------------
// 2. The model: the seed's Seq2Seq, batched.
// ---------------------------------------------------------------------------------------------------
struct Seq2Seq : nn::Module {
  int64_t sos;
  nn::Embedding embedding;
  nn::GRU encoder, decoder;
  nn::Linear project;
  Seq2Seq(int64_t vocab_size, int64_t hidden, int64_t sos_index)
      : sos(sos_index),
        embedding(vocab_size, hidden),
        encoder(hidden, hidden, {.batch_first = true}),
        decoder(hidden, hidden, {.batch_first = true}),
        project(hidden, vocab_size) {
    register_modules(
        {{"embedding", embedding}, {"encoder", encoder}, {"decoder", decoder}, {"project", project}});
  }

  // The encoder's final state for each word: packed, so padding never enters the GRU and h_n is taken at
  // each word's own last character.
  Tensor encode(const Batch& b) {
    rnn::PackedSequence packed = rnn::pack_padded_sequence(embedding(b.source), b.source_lengths,
                                                           /*batch_first=*/true, /*enforce_sorted=*/false);
    return std::get<1>(encoder(packed));  // [1, B, H]
  }

  // One decoder step: previous characters [B] and state [1, B, H] -> scores [B, V] and the new state.
  std::pair<Tensor, Tensor> step(const Tensor& previous, const Tensor& state) {
    auto [out, next] = decoder(embedding(previous).unsqueeze(1), state);
    return {project(out.squeeze(1)), next};
  }

  // Scores [B, T, V] for the target's T steps; each next input is the true character with probability
  // teacher_forcing_ratio, else the model's own best guess.
  Tensor forward_train(const Batch& b, double teacher_forcing_ratio, RandomGenerator& rng) {
    Tensor state = encode(b);
    const int64_t batch = b.target.size(0), steps = b.target.size(1);
    Tensor input = full({batch}, sos, {.dtype = kInt64});
    TensorList scores;
    for (int64_t t = 0; t < steps; ++t) {
      auto [s, next] = step(input, state);
      scores.push_back(s);
      state = next;
      const bool teacher = rng.next_double() < teacher_forcing_ratio;
      input = teacher ? b.target.select(1, t) : s.argmax(1).detach();
    }
    return stack(scores, 1);
  }

  // Greedy decoding: character ids [B, max_steps] (after <eos> the rest is ignored by the caller).
  Tensor greedy(const Batch& b, int64_t max_steps) {
    NoGradGuard no_grad;
    Tensor state = encode(b);
    Tensor input = full({b.source.size(0)}, sos, {.dtype = kInt64});
    TensorList out;
    for (int64_t t = 0; t < max_steps; ++t) {
      auto [s, next] = step(input, state);
      state = next;
      input = s.argmax(1);
      out.push_back(input);
    }
    return stack(out, 1);
  }
};

// ---------------------------------------------------------------------------------------------------
// 3. Training and evaluation.
// ---------------------------------------------------------------------------------------------------
std::string decode(const Tensor& ids, const text::Vocab& vocab) {
  std::string s;
  for (int64_t t = 0; t < ids.size(0); ++t) {
    const std::string& c = vocab.lookup_token(ids[t].item<int64_t>());
    if (c == "<eos>") break;
    if (c.front() != '<') s += c;
  }
  return s;
}

struct Scores {
  double exact = 0, chars = 0;  // exact-match rate; fraction of target characters right at their position
};

Scores evaluate(Seq2Seq& model, const std::vector<Pair>& pairs, const text::Vocab& vocab,
                std::vector<std::string>* decoded = nullptr) {
  model.eval();
  double exact = 0, right = 0, total = 0;
  for (size_t i = 0; i < pairs.size(); i += 256) {
    const size_t end = std::min(pairs.size(), i + 256);
    Tensor ids = model.greedy(make_batch(pairs, i, end, vocab), 14);
    for (size_t k = i; k < end; ++k) {
      const std::string guess = decode(ids[static_cast<int64_t>(k - i)], vocab);
      const auto g = text::character_tokenize(guess), w = text::character_tokenize(pairs[k].target);
      exact += guess == pairs[k].target;
      for (size_t c = 0; c < w.size(); ++c) right += c < g.size() && g[c] == w[c];
      total += static_cast<double>(std::max(w.size(), g.size()));  // extra characters count against
      if (decoded) decoded->push_back(guess);
    }
  }
  model.train();
  return {exact / static_cast<double>(pairs.size()), right / total};
}

struct History {
  std::vector<double> loss, char_accuracy, train_char_accuracy;  // held-out pairs; a sample of training pairs
};

// `seen`: training pairs scored like the held-out ones — how well the model has learned what it saw.
History fit(Seq2Seq& model, const std::vector<Pair>& train, const std::vector<Pair>& test,
            const std::vector<Pair>& seen, const text::Vocab& vocab, int epochs, double ratio, uint64_t seed,
            io::SummaryWriter& tb, const std::string& tag) {
  optim::Adam optimizer(model.parameters(), {.lr = 3e-3});
  RandomGenerator rng(seed);
  std::vector<Pair> order = train;
  History h;
  const int64_t pad = vocab["<pad>"];
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.next_u64() % i]);  // shuffle
    double loss_sum = 0;
    int batches = 0;
    for (size_t i = 0; i < order.size(); i += 64) {
      Batch b = make_batch(order, i, std::min(order.size(), i + 64), vocab);
      Tensor scores = model.forward_train(b, ratio, rng);
      Tensor loss =
          F::cross_entropy(scores.reshape({-1, scores.size(2)}), b.target.reshape({-1}), {}, "mean", pad);
      optimizer.zero_grad();
      loss.backward();
      optim::clip_grad_norm_(model.parameters(), 1.0);
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    const Scores s = evaluate(model, test, vocab), on_seen = evaluate(model, seen, vocab);
    h.loss.push_back(loss_sum / batches);
    h.char_accuracy.push_back(s.chars);
    h.train_char_accuracy.push_back(on_seen.chars);
    tb.add_scalar(tag + "/train_char_accuracy", on_seen.chars, epoch);
    tb.add_scalar(tag + "/train_exact_match", on_seen.exact, epoch);
    tb.add_scalar(tag + "/train_loss", h.loss.back(), epoch);
    tb.add_scalar(tag + "/test_char_accuracy", s.chars, epoch);
    tb.add_scalar(tag + "/test_exact_match", s.exact, epoch);
    if (epoch % std::max(5, epochs / 8) == 0 || epoch == epochs)
      std::printf(
          "  [%s] epoch %2d  loss %.3f  held-out: exact %.1f%%  characters %.1f%%  training pairs: exact "
          "%.1f%%  "
          "characters %.1f%%\n",
          tag.c_str(), epoch, h.loss.back(), 100 * s.exact, 100 * s.chars, 100 * on_seen.exact,
          100 * on_seen.chars);
    std::fflush(stdout);
  }
  return h;
}

// ---------------------------------------------------------------------------------------------------
// 4. The chapter.
// ---------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool smoke = false;
  double ratio = 0.5;
  int epochs = -1;
  std::string dict_dir = "/usr/share/dictd";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke")
      smoke = true;
    else if (a == "--teacher_forcing" && i + 1 < argc)
      ratio = std::stod(argv[++i]);
    else if (a == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else if (a == "--dict" && i + 1 < argc)
      dict_dir = argv[++i];
    else {
      std::cerr << "usage: " << argv[0] << " [--smoke] [--teacher_forcing R] [--epochs N] [--dict DIR]\n";
      return 2;
    }
  }
  if (epochs < 1) epochs = smoke ? 12 : 40;
  const std::string out = smoke ? "runs/seq2seq-smoke" : "runs/seq2seq";
  std::filesystem::create_directories(out);
  io::SummaryWriter tb(out);
  const auto t0 = std::chrono::steady_clock::now();
  bool ok = true;

  // ---- part 1: "hello" -> "hola", the seed's toy ----
  {
    manual_seed(0);
    std::vector<Pair> toy = {{"hello", "hola"}};
    std::vector<std::vector<std::string>> chars = {text::character_tokenize("hello"),
                                                   text::character_tokenize("hola")};
    text::Vocab vocab = text::build_vocab_from_iterator(chars, {.specials = text::kSpecials});
    Seq2Seq model(vocab.size(), 16, vocab["<sos>"]);
    const std::string before = decode(model.greedy(make_batch(toy, 0, 1, vocab), 8)[0], vocab);
    History h = fit(model, toy, toy, toy, vocab, 100, 1.0, 0, tb, "hello");
    const std::string after = decode(model.greedy(make_batch(toy, 0, 1, vocab), 8)[0], vocab);
    std::printf("part 1: \"hello\" -> \"%s\" before training, \"%s\" after 100 steps (loss %.4f)\n",
                before.c_str(), after.c_str(), h.loss.back());
    if (after != "hola") {
      std::fprintf(stderr, "FAILED: part 1 decodes \"%s\", not \"hola\"\n", after.c_str());
      ok = false;
    }
  }

  // ---- part 2: English -> Spanish, character by character ----
  std::vector<Pair> pairs = smoke ? smoke_pairs() : load_freedict_pairs(dict_dir);
  RandomGenerator split_rng(1);
  for (size_t i = pairs.size(); i > 1; --i) std::swap(pairs[i - 1], pairs[split_rng.next_u64() % i]);
  const size_t n_test = pairs.size() / 10;
  std::vector<Pair> test(pairs.begin(), pairs.begin() + static_cast<std::ptrdiff_t>(n_test)),
      train(pairs.begin() + static_cast<std::ptrdiff_t>(n_test), pairs.end());
  std::vector<std::vector<std::string>> all_chars;
  for (const Pair& p : pairs) {
    all_chars.push_back(text::character_tokenize(p.source));
    all_chars.push_back(text::character_tokenize(p.target));
  }
  text::Vocab vocab = text::build_vocab_from_iterator(all_chars, {.specials = text::kSpecials});
  vocab.set_default_index(vocab["<unk>"]);
  std::printf(
      "part 2: %zu word pairs (%s), %zu for training, %zu held out; %lld characters in the vocabulary\n",
      pairs.size(), smoke ? "built-in --smoke list" : "FreeDict eng-spa", train.size(), test.size(),
      static_cast<long long>(vocab.size()));
  const int64_t hidden = smoke ? 64 : 256;
  manual_seed(1);
  Seq2Seq forced(vocab.size(), hidden, vocab["<sos>"]);
  Seq2Seq free_running(vocab.size(), hidden, vocab["<sos>"]);
  free_running.load_state_dict(forced.state_dict());  // the same start
  const Scores untrained = evaluate(forced, test, vocab);
  std::printf("untrained: exact %.1f%%, characters %.1f%%\n", 100 * untrained.exact, 100 * untrained.chars);
  // As many training pairs as held-out ones, scored the same way: memorising vs generalising.
  const std::vector<Pair> seen(train.begin(), train.begin() + static_cast<std::ptrdiff_t>(test.size()));
  History hf = fit(forced, train, test, seen, vocab, epochs, ratio, 2, tb, "teacher_forcing");
  History hn = fit(free_running, train, test, seen, vocab, epochs, 0.0, 2, tb, "no_teacher_forcing");
  std::vector<std::string> guesses_f, guesses_n;
  const Scores sf = evaluate(forced, test, vocab, &guesses_f),
               sn = evaluate(free_running, test, vocab, &guesses_n);
  const Scores seen_f = evaluate(forced, seen, vocab), seen_n = evaluate(free_running, seen, vocab);

  std::vector<double> x(static_cast<size_t>(epochs));
  for (int e = 0; e < epochs; ++e) x[e] = e + 1;
  char name_f[64];
  std::snprintf(name_f, sizeof name_f, "teacher forcing %.2g", ratio);
  training::plot_lines(out + "/char_accuracy.png", "Character accuracy (greedy decoding)", x,
                       {{std::string(name_f) + ", held-out pairs", hf.char_accuracy},
                        {"no teacher forcing, held-out pairs", hn.char_accuracy},
                        {std::string(name_f) + ", training pairs", hf.train_char_accuracy},
                        {"no teacher forcing, training pairs", hn.train_char_accuracy}},
                       "epoch", "character accuracy");
  training::plot_lines(out + "/loss.png", "Training loss", x,
                       {{name_f, hf.loss}, {"no teacher forcing", hn.loss}}, "epoch", "cross-entropy");
  tb.close();

  std::printf("\nheld-out examples (English -> true Spanish | teacher forcing | no teacher forcing):\n");
  for (size_t i = 0; i < std::min<size_t>(12, test.size()); ++i)
    std::printf("  %-12s -> %-12s | %-12s | %s\n", test[i].source.c_str(), test[i].target.c_str(),
                guesses_f[i].c_str(), guesses_n[i].c_str());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "\nresults on %zu held-out pairs after %d epochs:\n"
      "  %-24s exact %5.1f%%  characters %5.1f%%\n  %-24s exact %5.1f%%  characters %5.1f%%\n"
      "  %-24s exact %5.1f%%  characters %5.1f%%\n%.1f s; pictures and TensorBoard run in %s/\n",
      test.size(), epochs, name_f, 100 * sf.exact, 100 * sf.chars, "no teacher forcing", 100 * sn.exact,
      100 * sn.chars, "untrained", 100 * untrained.exact, 100 * untrained.chars, seconds, out.c_str());
  std::printf(
      "on %zu of the training pairs: %s exact %.1f%% characters %.1f%%; no teacher forcing exact %.1f%% "
      "characters %.1f%%\n",
      seen.size(), name_f, 100 * seen_f.exact, 100 * seen_f.chars, 100 * seen_n.exact, 100 * seen_n.chars);
  if (!(sf.chars > untrained.chars + 0.05)) {
    std::fprintf(stderr,
                 "FAILED: character accuracy with teacher forcing %.1f%% is not above the untrained %.1f%%\n",
                 100 * sf.chars, 100 * untrained.chars);
    ok = false;
  }
  return ok ? 0 : 1;
}
