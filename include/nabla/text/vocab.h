// vocab.h — torchtext.vocab: Vocab (token <-> index), build_vocab_from_iterator with torchtext's
// ordering, numericalize, and a Vocab file format (save/load; docs/text.md, "Vocab files").
//
//   text::Vocab v = text::build_vocab_from_iterator(token_lists, {.specials = text::kSpecials});
//   v.set_default_index(v["<unk>"]);
//   Tensor ids = text::numericalize(v, tokenizer("a review"));  // int64 [L]
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::text {

// The usual special tokens: unknown, padding, start and end of sequence (pass them as specials).
inline const std::vector<std::string> kSpecials = {"<unk>", "<pad>", "<sos>", "<eos>"};

class Vocab {
 public:
  Vocab() = default;
  // Tokens in index order; ValueError naming a duplicate.
  explicit Vocab(std::vector<std::string> itos);

  int64_t size() const { return static_cast<int64_t>(itos_.size()); }
  bool contains(const std::string& token) const { return stoi_.count(token) != 0; }
  // The token's index; for an unknown token the default index, or IndexError naming it when none is set.
  int64_t operator[](const std::string& token) const;
  std::vector<int64_t> operator()(const std::vector<std::string>& tokens) const {
    return lookup_indices(tokens);
  }
  // What unknown tokens map to (torchtext's set_default_index; nullopt: unknown tokens are an error).
  void set_default_index(std::optional<int64_t> index);
  std::optional<int64_t> get_default_index() const { return default_index_; }
  // Inserts at `index` (in [0, size()]), shifting later tokens; ValueError if the token is present.
  void insert_token(const std::string& token, int64_t index);
  void append_token(const std::string& token);
  const std::string& lookup_token(int64_t index) const;  // IndexError outside [0, size())
  std::vector<std::string> lookup_tokens(const std::vector<int64_t>& indices) const;
  std::vector<int64_t> lookup_indices(const std::vector<std::string>& tokens) const;
  const std::vector<std::string>& get_itos() const { return itos_; }
  const std::unordered_map<std::string, int64_t>& get_stoi() const { return stoi_; }

  // Writes the tokens and the default index (atomically: a reader sees the old file or the new one).
  void save(const std::string& path) const;
  // IOError naming the file and line for anything malformed (header, escape, duplicate, count).
  static Vocab load(const std::string& path);

 private:
  std::vector<std::string> itos_;
  std::unordered_map<std::string, int64_t> stoi_;
  std::optional<int64_t> default_index_;
};

struct VocabOptions {
  int64_t min_freq = 1;                              // tokens seen fewer times are left out
  std::vector<std::string> specials = {};            // always in, at the front (or the back)
  bool special_first = true;                         // false: specials at the back
  std::optional<int64_t> max_tokens = std::nullopt;  // the vocab's size limit, specials included
};

// torchtext's build_vocab_from_iterator: tokens ordered by decreasing count, ties in code-point order;
// with max_tokens the first max_tokens - len(specials) of that order are kept before specials are taken
// out and min_freq applied (torchtext's order of steps); then the specials go in front or at the back.
// (The legacy max_size is max_tokens - len(specials).)
Vocab build_vocab_from_counts(const std::map<std::string, int64_t>& counts, const VocabOptions& options = {});
Vocab build_vocab_from_iterator(const std::vector<std::vector<std::string>>& token_lists,
                                const VocabOptions& options = {});

// The tokens' indices as an int64 tensor [L] (unknown tokens as operator[] maps them).
Tensor numericalize(const Vocab& vocab, const std::vector<std::string>& tokens);

}  // namespace nabla::text
