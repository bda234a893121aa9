// storage.h — a refcounted, 64-byte-aligned buffer shared by a tensor and all its views.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "nabla/tensor/device.h"

namespace nabla {

class Storage {
 public:
  using Deleter = void (*)(void* data, void* ctx);
  // Allocates nbytes (64-byte aligned, possibly from the caching allocator).
  static Storage* allocate(size_t nbytes, Device device = kCPU);
  // Wraps memory the caller owns; `deleter` (may be null) runs when the last view dies.
  static Storage* wrap(void* data, size_t nbytes, Deleter deleter, void* ctx, Device device = kCPU);

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  // Version counter, shared by all views: bumped by every in-place write (autograd checks it).
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

 private:
  Storage() = default;
  void destroy();
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Deleter deleter_ = nullptr;
  void* ctx_ = nullptr;
  Device device_;
  std::atomic<int32_t> refs_{1};
  std::atomic<uint32_t> version_{0};
  bool inline_ = false;  // data lives in the same allocation as this object
  size_t alloc_bytes_ = 0;
};

}  // namespace nabla
