// storage.cpp — aligned allocation of tensor memory.
#include "nabla/tensor/storage.h"

#include <cstdlib>
#include <new>

#include "util/check.h"

namespace nabla {

namespace {
constexpr size_t kAlignment = 64;
void free_aligned(void* data, void*) { std::free(data); }
}  // namespace

Storage* Storage::allocate(size_t nbytes, Device device) {
  NABLA_CHECK(device.is_cpu(), DeviceError, "allocate: no allocator for device '{}'", device.str());
  size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  void* data = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (!data) throw std::bad_alloc();
  return wrap(data, nbytes, free_aligned, nullptr, device);
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
  if (deleter_) deleter_(data_, ctx_);
  delete this;
}

}  // namespace nabla
