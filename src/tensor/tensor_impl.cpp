// tensor_impl.cpp — geometry bookkeeping of a TensorImpl.
#include "nabla/tensor/tensor_impl.h"

#include "autograd/meta.h"
#include "util/check.h"
#include "util/small_cache.h"

namespace nabla {

namespace {
std::atomic<int64_t> g_live_impls{0};
constexpr size_t kImplBytes = (sizeof(TensorImpl) + 63) / 64 * 64;
thread_local SmallBlockCache<kImplBytes, 1, 256> t_impls;
}  // namespace

void* TensorImpl::operator new(size_t bytes) {
  if (void* p = t_impls.take(bytes)) return p;
  void* p = std::aligned_alloc(64, kImplBytes);
  if (!p) throw std::bad_alloc();
  return p;
}
void TensorImpl::operator delete(void* p) {
  if (!t_impls.give(p, kImplBytes)) std::free(p);
}

TensorImpl::TensorImpl(Storage* storage, DType dtype, IntArrayRef sizes, IntArrayRef strides, int64_t offset)
    : dtype_(dtype), storage_(storage), offset_(offset) {
  set_geometry(sizes, strides, offset);
  g_live_impls.fetch_add(1, std::memory_order_relaxed);
}

TensorImpl::~TensorImpl() {
  delete autograd_;
  storage_->release();
  g_live_impls.fetch_sub(1, std::memory_order_relaxed);
}

int64_t TensorImpl::live_count() { return g_live_impls.load(); }

void TensorImpl::set_geometry(IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  NABLA_ASSERT(sizes.size() == strides.size(), "rank mismatch {} vs {}", sizes.size(), strides.size());
  sizes_.assign(sizes);
  strides_.assign(strides);
  offset_ = offset;
  numel_ = shape_numel(sizes);
  refresh_contiguity();
}

void TensorImpl::set_data(const TensorImpl& other) {
  other.storage_->retain();
  storage_->release();
  storage_ = other.storage_;
  dtype_ = other.dtype_;
  set_geometry(other.sizes(), other.strides(), other.offset_);
}

void TensorImpl::refresh_contiguity() {
  // Like PyTorch: size-1 dims may have any stride; empty tensors are contiguous.
  is_contiguous_ = true;
  if (numel_ == 0) return;
  int64_t expected = 1;
  for (int i = sizes_.size() - 1; i >= 0; --i) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      is_contiguous_ = false;
      return;
    }
    expected *= sizes_[i];
  }
}

autograd::AutogradMeta& TensorImpl::ensure_autograd_meta() {
  if (!autograd_) autograd_ = new autograd::AutogradMeta();
  return *autograd_;
}

}  // namespace nabla
