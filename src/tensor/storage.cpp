// storage.cpp — aligned allocation of tensor memory.
#include "nabla/tensor/storage.h"

#include <cstdlib>
#include <new>

#include "util/check.h"
#include "util/small_cache.h"

namespace nabla {

namespace {
constexpr size_t kAlignment = 64;
// Blocks up to 4 KiB (header + data) are recycled per thread: 64 classes of 64 bytes, 16 each.
using BlockCache = SmallBlockCache<kAlignment, 64, 16>;
thread_local BlockCache t_blocks;
}  // namespace

// The Storage object and its data share one allocation: [Storage | pad to 64 | data...]. One
// malloc/free per tensor instead of two matters for small eager ops.
Storage* Storage::allocate(size_t nbytes, Device device) {
  NABLA_CHECK(device.is_cpu(), DeviceError, "allocate: no allocator for device '{}'", device.str());
  constexpr size_t header = (sizeof(Storage) + kAlignment - 1) / kAlignment * kAlignment;
  size_t total = header + (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  void* block = nullptr;
  if (total <= BlockCache::kMaxBytes) {
    total = BlockCache::rounded(total);
    block = t_blocks.take(total);
  }
  if (!block) block = std::aligned_alloc(kAlignment, total);
  if (!block) throw std::bad_alloc();
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
    if (bytes > BlockCache::kMaxBytes || !t_blocks.give(this, bytes)) std::free(this);
    return;
  }
  if (deleter_) deleter_(data_, ctx_);
  delete this;
}

}  // namespace nabla
