// engine.h — the process-wide oneDNN CPU engine and stream, and a small primitive cache.
#pragma once
#include <dnnl.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace nabla::dnnl_backend {

dnnl::engine& engine();
dnnl::stream& stream();

// Primitive caches keyed by a fixed-size array of shape/stride numbers.
template <size_t N>
struct KeyHash {
  size_t operator()(const std::array<int64_t, N>& k) const {
    size_t h = 1469598103934665603ull;
    for (int64_t v : k) h = (h ^ static_cast<size_t>(v)) * 1099511628211ull;
    return h;
  }
};

template <size_t N, typename Prim>
class PrimitiveCache {
 public:
  template <typename Make>
  Prim get(const std::array<int64_t, N>& key, Make&& make) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    if (cache_.size() > 1024) cache_.clear();  // bound memory if shapes keep changing
    return cache_.emplace(key, make()).first->second;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::array<int64_t, N>, Prim, KeyHash<N>> cache_;
};

}  // namespace nabla::dnnl_backend
