// tensor_impl.cpp — geometry bookkeeping of a TensorImpl.
#include "nabla/tensor/tensor_impl.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "autograd/meta.h"
#include "util/check.h"
#include "util/small_cache.h"

namespace nabla {

namespace {
constexpr size_t kImplBytes = (sizeof(TensorImpl) + 63) / 64 * 64;
thread_local SmallBlockCache<kImplBytes, 1, 256> t_impls;

// Note [Live tensors counted per thread]
// live_count() serves leak tests, but one shared atomic counter put two locked instructions on every
// tensor's life: an eighth of a one-element add. Each thread instead keeps its own count (one writer,
// so a plain load and store) in a trivially constructed thread_local, which costs no guard to reach;
// the first count a thread makes registers it, and its exit folds what it leaves into `exited`.
// A tensor made on one thread and freed on another leaves a +1 and a -1 that sum to zero.
struct LiveSlot {
  std::atomic<int64_t> n{0};
  enum State : uint8_t { kNew, kCounting, kExited } state = kNew;
};
// initial-exec: a direct %fs-relative access (16 bytes fit the static TLS surplus glibc keeps for dlopen).
constinit thread_local LiveSlot t_live [[gnu::tls_model("initial-exec")]];

struct LiveRegistry {
  std::mutex mu;
  std::vector<LiveSlot*> slots;  // threads counting now; guarded by mu
  std::atomic<int64_t> exited{0};
};
LiveRegistry& registry() {  // leaked on purpose: threads may exit during static destruction
  static auto* r = new LiveRegistry();
  return *r;
}
struct LiveSlotRetirer {  // constructed by a thread's first count; its destructor runs at thread exit
  ~LiveSlotRetirer() {
    LiveRegistry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.exited.fetch_add(t_live.n.load(std::memory_order_relaxed), std::memory_order_relaxed);
    std::erase(r.slots, &t_live);
    t_live.state = LiveSlot::kExited;
  }
};

[[gnu::noinline]] void count_live_slow(int64_t delta) {
  if (t_live.state == LiveSlot::kExited) {  // a tensor dying in another thread_local's destructor
    registry().exited.fetch_add(delta, std::memory_order_relaxed);
    return;
  }
  static thread_local LiveSlotRetirer retirer;
  (void)retirer;
  {
    std::lock_guard<std::mutex> lock(registry().mu);
    registry().slots.push_back(&t_live);
  }
  t_live.state = LiveSlot::kCounting;
  t_live.n.store(delta, std::memory_order_relaxed);
}

inline void count_live(int64_t delta) {
  if (t_live.state != LiveSlot::kCounting) return count_live_slow(delta);
  t_live.n.store(t_live.n.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}
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
  count_live(1);
}

TensorImpl::TensorImpl(Storage* storage, DType dtype, const TensorImpl& like)
    : dtype_(dtype),
      is_contiguous_(true),
      default_strides_(true),
      storage_(storage),
      offset_(0),
      numel_(like.numel_),
      sizes_(like.sizes_),
      strides_(like.strides_) {
  NABLA_ASSERT(like.default_strides_, "geometry copied from an impl without default strides");
  count_live(1);
}

TensorImpl::~TensorImpl() {
  delete autograd_;
  storage_->release();
  count_live(-1);
}

int64_t TensorImpl::live_count() {
  LiveRegistry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  int64_t n = r.exited.load(std::memory_order_relaxed);
  for (const LiveSlot* slot : r.slots) n += slot->n.load(std::memory_order_relaxed);
  return n;
}

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
  default_strides_ = true;
  int64_t expected = 1, canonical = 1;
  for (int i = sizes_.size() - 1; i >= 0; --i) {
    if (strides_[i] != canonical) default_strides_ = false;
    canonical *= sizes_[i] > 1 ? sizes_[i] : 1;
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) is_contiguous_ = false;
    expected *= sizes_[i];
  }
  if (numel_ == 0) is_contiguous_ = true;
}

autograd::AutogradMeta& TensorImpl::ensure_autograd_meta() {
  if (!autograd_) autograd_ = new autograd::AutogradMeta();
  return *autograd_;
}

}  // namespace nabla
