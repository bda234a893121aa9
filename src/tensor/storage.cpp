// storage.cpp — aligned allocation of tensor memory.
#include "nabla/tensor/storage.h"

#include <malloc.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "util/check.h"
#include "util/small_cache.h"

namespace nabla {

namespace {
constexpr size_t kAlignment = 64;
// Blocks up to 4 KiB (header + data) are recycled per thread: 64 classes of 64 bytes, 16 each.
using BlockCache = SmallBlockCache<kAlignment, 64, 16>;
thread_local BlockCache t_blocks;

// Note [Large blocks stay mapped]
// Activations of a training step are tens of MB, allocated and freed every step. glibc serves them
// with fresh mmaps and unmaps them on free, so every step page-faults all its activations again
// (a quarter of a CNN step was kernel time). Keeping large blocks in the heap makes the next step
// reuse them. Set once when the library loads; NABLA_NO_MALLOC_TUNING=1 opts out.
// glibc refuses mmap thresholds above 32 MiB (HEAP_MAX_SIZE / 2) — and setting the trim threshold
// alone freezes the mmap threshold at its 128 KiB default — so ask for exactly the maximum.
struct MallocTuning {
  MallocTuning() {
    if (std::getenv("NABLA_NO_MALLOC_TUNING")) return;
    if (mallopt(M_MMAP_THRESHOLD, 32 << 20) != 1) mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  }
} g_malloc_tuning;
// Note [Large block cache]
// Blocks above glibc's mmap threshold (32 MiB at most, see above) are mmapped and unmapped on free,
// so a step that allocates one — the GRU's 235 MB oneDNN workspace — page-faults all of it every
// time (a third of gru_train's time). The most recently freed such blocks are kept for reuse by
// exact size (a training step asks for the same sizes every time), up to kLargeCacheBytes in all.
class LargeBlockCache {
 public:
  static constexpr size_t kMinBytes = size_t{32} << 20;
  static constexpr size_t kLargeCacheBytes = size_t{1} << 30;

  void* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = blocks_.begin(); it != blocks_.end(); ++it)
      if (it->first == bytes) {
        void* p = it->second;
        total_ -= bytes;
        blocks_.erase(it);
        return p;
      }
    return nullptr;
  }
  bool give(void* p, size_t bytes) {
    if (bytes < kMinBytes || bytes > kLargeCacheBytes) return false;
    std::lock_guard<std::mutex> lock(mu_);
    while (total_ + bytes > kLargeCacheBytes) {  // evict the oldest
      std::free(blocks_.front().second);
      total_ -= blocks_.front().first;
      blocks_.erase(blocks_.begin());
    }
    blocks_.emplace_back(bytes, p);
    total_ += bytes;
    return true;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<size_t, void*>> blocks_;  // oldest first
  size_t total_ = 0;
};
// Leaked on purpose: Storages may be freed during static destruction.
LargeBlockCache& large_blocks() {
  static auto* cache = new LargeBlockCache();
  return *cache;
}

}  // namespace

// The Storage object and its data share one allocation: [Storage | pad to 64 | data...]. One
// malloc/free per tensor instead of two matters for small eager ops.
Storage* Storage::allocate(size_t nbytes, Device device) {
  NABLA_CHECK(device.is_cpu(), DeviceError, "allocate: no allocator for device '{}'", device.str());
  constexpr size_t header = (sizeof(Storage) + kAlignment - 1) / kAlignment * kAlignment;
  // Above 2^62 bytes `total` below could wrap; no machine has that much memory anyway.
  NABLA_CHECK(nbytes <= (size_t{1} << 62), OutOfMemoryError, "allocate: cannot allocate {} bytes on {}",
              nbytes, device.str());
  size_t total = header + (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  void* block = nullptr;
  if (total <= BlockCache::kMaxBytes) {
    total = BlockCache::rounded(total);
    block = t_blocks.take(total);
  }
  if (!block && total >= LargeBlockCache::kMinBytes) block = large_blocks().take(total);
  if (!block) block = std::aligned_alloc(kAlignment, total);
  NABLA_CHECK(block != nullptr, OutOfMemoryError,
              "allocate: cannot allocate {} bytes ({:.1f} GiB) on {}: out of memory", nbytes,
              static_cast<double>(nbytes) / (1 << 30), device.str());
  auto* s = new (block) Storage();
  s->data_ = static_cast<char*>(block) + header;
  s->nbytes_ = nbytes;
  s->device_ = device;
  s->inline_ = true;
  s->alloc_bytes_ = total;
  return s;
}

Storage* Storage::wrap(void* data, size_t nbytes, Deleter deleter, void* ctx, Device device) {
  auto* s = new Storage();
  s->data_ = data;
  s->nbytes_ = nbytes;
  s->deleter_ = deleter;
  s->ctx_ = ctx;
  s->device_ = device;
  return s;
}

void Storage::destroy() {
  if (inline_) {
    const size_t bytes = alloc_bytes_;
    this->~Storage();
    if (bytes <= BlockCache::kMaxBytes ? !t_blocks.give(this, bytes) : !large_blocks().give(this, bytes))
      std::free(this);
    return;
  }
  if (deleter_) deleter_(data_, ctx_);
  delete this;
}

}  // namespace nabla
