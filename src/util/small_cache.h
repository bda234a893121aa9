// small_cache.h — a per-thread cache of small freed blocks, by size class, so the eager hot path
// (tiny tensors created and dropped every op) skips malloc/free. Bounded per class; a block freed on
// another thread simply joins that thread's cache. Everything left is freed at thread exit.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>

namespace nabla {

template <size_t kClassBytes, size_t kClasses, size_t kPerClass>
class SmallBlockCache {
 public:
  static constexpr size_t kMaxBytes = kClassBytes * kClasses;
  // Returns a block of at least `bytes` (<= kMaxBytes), aligned to kClassBytes, or nullptr.
  void* take(size_t bytes) {
    Bin& b = bins_[index(bytes)];
    return b.count ? b.blocks[--b.count] : nullptr;
  }
  // Keeps the block if there is room; returns false when the caller must free it.
  bool give(void* block, size_t bytes) {
    Bin& b = bins_[index(bytes)];
    if (b.count == kPerClass) return false;
    b.blocks[b.count++] = block;
    return true;
  }
  static size_t rounded(size_t bytes) { return (index(bytes) + 1) * kClassBytes; }
  ~SmallBlockCache() {
    for (Bin& b : bins_)
      while (b.count) std::free(b.blocks[--b.count]);
  }

 private:
  static size_t index(size_t bytes) { return bytes == 0 ? 0 : (bytes - 1) / kClassBytes; }
  struct Bin {
    void* blocks[kPerClass];
    size_t count = 0;
  };
  Bin bins_[kClasses];
};

}  // namespace nabla
