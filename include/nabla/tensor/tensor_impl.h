// tensor_impl.h — the refcounted body behind a Tensor handle: storage, offset, sizes, strides, dtype.
#pragma once
#include <atomic>
#include <cstdint>

#include "nabla/tensor/device.h"
#include "nabla/tensor/dtype.h"
#include "nabla/tensor/int_array.h"
#include "nabla/tensor/storage.h"

namespace nabla {

namespace autograd {
struct AutogradMeta;
}

class TensorImpl {
 public:
  // Takes over one reference of `storage`.
  TensorImpl(Storage* storage, DType dtype, IntArrayRef sizes, IntArrayRef strides, int64_t offset);
  // Contiguous, offset 0, with the sizes and strides of `like`, which has_default_strides(): copies
  // the geometry instead of recomputing it (the eager hot path, raw::empty_like_layout).
  TensorImpl(Storage* storage, DType dtype, const TensorImpl& like);
  ~TensorImpl();
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;

  Storage* storage() const { return storage_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  int dim() const { return sizes_.size(); }
  IntArrayRef sizes() const { return sizes_; }
  IntArrayRef strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int64_t numel() const { return numel_; }
  bool is_contiguous() const { return is_contiguous_; }
  // Exactly the strides raw::empty gives these sizes (row-major, size-1 and size-0 dims included).
  bool has_default_strides() const { return default_strides_; }
  void* data() const {
    return static_cast<char*>(storage_->data()) + offset_ * static_cast<int64_t>(dtype_size(dtype_));
  }
  // Re-points this impl at new geometry (used by in-place shape ops like squeeze_, t_, detach_).
  void set_geometry(IntArrayRef sizes, IntArrayRef strides, int64_t offset);
  // Points this impl at other's storage, dtype and geometry (PyTorch's `t.data = other`); every
  // handle to this impl sees the change. Takes a new reference to other's storage.
  void set_data(const TensorImpl& other);

  // A 0-d tensor made from a Scalar operand: lowest priority in type promotion (PyTorch's rule).
  bool is_wrapped_number() const { return wrapped_number_; }
  void set_wrapped_number(bool w) { wrapped_number_ = w; }

  autograd::AutogradMeta* autograd_meta() const { return autograd_; }
  autograd::AutogradMeta& ensure_autograd_meta();

  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  int32_t use_count() const { return refs_.load(std::memory_order_relaxed); }

  static int64_t live_count();  // number of TensorImpls alive (leak tests)
  // Recycled per thread: creating a tensor is the eager hot path.
  static void* operator new(size_t bytes);
  static void operator delete(void* p);

 private:
  void refresh_contiguity();
  std::atomic<int32_t> refs_{1};
  DType dtype_;
  bool is_contiguous_ = true;
  bool default_strides_ = true;
  bool wrapped_number_ = false;
  Storage* storage_;
  int64_t offset_;
  int64_t numel_ = 1;
  DimVec sizes_, strides_;
  autograd::AutogradMeta* autograd_ = nullptr;
};

}  // namespace nabla
