// vocab.cpp — Vocab lookups and build_vocab_from_iterator (torchtext's semantics, see vocab.h).
#include "nabla/text/vocab.h"

#include <algorithm>

#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::text {

Vocab::Vocab(std::vector<std::string> itos) : itos_(std::move(itos)) {
  for (size_t i = 0; i < itos_.size(); ++i) {
    auto [it, fresh] = stoi_.emplace(itos_[i], static_cast<int64_t>(i));
    NABLA_CHECK(fresh, ValueError, "Vocab: duplicate token '{}' at indices {} and {}", itos_[i], it->second,
                i);
  }
}

int64_t Vocab::operator[](const std::string& token) const {
  auto it = stoi_.find(token);
  if (it != stoi_.end()) return it->second;
  NABLA_CHECK(default_index_.has_value(), IndexError,
              "Vocab: token '{}' not found and default index is not set (set_default_index(v[\"<unk>\"]))",
              token);
  return *default_index_;
}

void Vocab::set_default_index(std::optional<int64_t> index) {
  NABLA_CHECK(!index || (*index >= 0 && *index < size()), IndexError,
              "Vocab::set_default_index: index {} is out of range for a vocab of {} tokens", *index, size());
  default_index_ = index;
}

void Vocab::insert_token(const std::string& token, int64_t index) {
  NABLA_CHECK(index >= 0 && index <= size(), IndexError,
              "Vocab::insert_token: index {} is out of range [0, {}] for '{}'", index, size(), token);
  NABLA_CHECK(!contains(token), ValueError, "Vocab::insert_token: token '{}' already exists at index {}",
              token, stoi_.at(token));
  itos_.insert(itos_.begin() + index, token);
  for (auto& [t, i] : stoi_)
    if (i >= index) ++i;
  stoi_.emplace(token, index);  // the default index stays a number, as in torchtext
}

void Vocab::append_token(const std::string& token) { insert_token(token, size()); }

const std::string& Vocab::lookup_token(int64_t index) const {
  NABLA_CHECK(index >= 0 && index < size(), IndexError,
              "Vocab::lookup_token: index {} is out of range [0, {})", index, size());
  return itos_[static_cast<size_t>(index)];
}

std::vector<std::string> Vocab::lookup_tokens(const std::vector<int64_t>& indices) const {
  std::vector<std::string> out;
  out.reserve(indices.size());
  for (int64_t i : indices) out.push_back(lookup_token(i));
  return out;
}

std::vector<int64_t> Vocab::lookup_indices(const std::vector<std::string>& tokens) const {
  std::vector<int64_t> out;
  out.reserve(tokens.size());
  for (const std::string& t : tokens) out.push_back((*this)[t]);
  return out;
}

Vocab build_vocab_from_counts(const std::map<std::string, int64_t>& counts, const VocabOptions& o) {
  NABLA_CHECK(o.min_freq >= 1, ValueError, "build_vocab: min_freq must be at least 1, got {}", o.min_freq);
  const int64_t n_specials = static_cast<int64_t>(o.specials.size());
  NABLA_CHECK(!o.max_tokens || *o.max_tokens > n_specials, ValueError,
              "build_vocab: max_tokens = {} leaves no room besides the {} specials", o.max_tokens.value_or(0),
              n_specials);
  // Decreasing count, ties in code-point order (std::map iterates in byte order, which is UTF-8's
  // code-point order; stable_sort keeps it among equal counts).
  std::vector<std::pair<std::string, int64_t>> order(counts.begin(), counts.end());
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (o.max_tokens && static_cast<int64_t>(order.size()) > *o.max_tokens - n_specials)
    order.resize(static_cast<size_t>(*o.max_tokens - n_specials));
  std::vector<std::string> tokens;
  for (const auto& [token, count] : order)
    if (count >= o.min_freq && std::find(o.specials.begin(), o.specials.end(), token) == o.specials.end())
      tokens.push_back(token);
  tokens.insert(o.special_first ? tokens.begin() : tokens.end(), o.specials.begin(), o.specials.end());
  return Vocab(std::move(tokens));
}

Vocab build_vocab_from_iterator(const std::vector<std::vector<std::string>>& token_lists,
                                const VocabOptions& o) {
  std::map<std::string, int64_t> counts;
  for (const auto& tokens : token_lists)
    for (const std::string& t : tokens) ++counts[t];
  return build_vocab_from_counts(counts, o);
}

Tensor numericalize(const Vocab& vocab, const std::vector<std::string>& tokens) {
  const std::vector<int64_t> ids = vocab.lookup_indices(tokens);
  return from_buffer(ids.data(), {static_cast<int64_t>(ids.size())}, kInt64);
}

}  // namespace nabla::text
