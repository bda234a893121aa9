// ordered_dict.h — OrderedDict<K, V>: named values in insertion order (named_parameters(), state_dict()).
//
// A std::vector of items, so it is iterated, built and passed like the vector<pair<K, V>> it replaced;
// each item is a std::pair (`.first`, `.second`, structured bindings) with LibTorch's `.key()` and
// `.value()`, and the dict adds LibTorch's lookups by key (linear: these dicts are short).
#pragma once
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace nabla {

template <typename K, typename V>
struct OrderedDictItem : std::pair<K, V> {
  using std::pair<K, V>::pair;
  OrderedDictItem(std::pair<K, V> p) : std::pair<K, V>(std::move(p)) {}  // NOLINT
  const K& key() const { return this->first; }
  V& value() { return this->second; }
  const V& value() const { return this->second; }
};

template <typename K, typename V>
class OrderedDict : public std::vector<OrderedDictItem<K, V>> {
 public:
  using Item = OrderedDictItem<K, V>;
  using std::vector<Item>::vector;
  using std::vector<Item>::operator[];
  using std::vector<Item>::insert;
  OrderedDict() = default;
  OrderedDict(const std::vector<std::pair<K, V>>& pairs)
      : std::vector<Item>(pairs.begin(), pairs.end()) {}  // NOLINT

  V* find(const K& key) {
    for (auto& item : *this)
      if (item.first == key) return &item.second;
    return nullptr;
  }
  const V* find(const K& key) const { return const_cast<OrderedDict*>(this)->find(key); }
  bool contains(const K& key) const { return find(key) != nullptr; }
  // The value named `key`; std::out_of_range naming it when absent (as LibTorch's OrderedDict::operator[]).
  V& operator[](const K& key) {
    if (V* v = find(key)) return *v;
    throw std::out_of_range("OrderedDict: no key '" + key_text(key) + "'");
  }
  const V& operator[](const K& key) const { return const_cast<OrderedDict&>(*this)[key]; }
  V& insert(K key, V value) {
    this->emplace_back(std::move(key), std::move(value));
    return this->back().second;
  }
  std::vector<K> keys() const {
    std::vector<K> out;
    for (const auto& item : *this) out.push_back(item.first);
    return out;
  }
  std::vector<V> values() const {
    std::vector<V> out;
    for (const auto& item : *this) out.push_back(item.second);
    return out;
  }
  const std::vector<Item>& items() const { return *this; }

 private:
  static std::string key_text(const K& key) {
    if constexpr (std::is_convertible_v<K, std::string>)
      return key;
    else
      return "?";
  }
};

}  // namespace nabla
