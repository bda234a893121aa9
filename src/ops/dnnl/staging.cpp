// staging.cpp — reorders between a tensor's layout and the layout a oneDNN primitive prefers
// (e.g. NCHW activations into the NHWC the direct AVX-512 convolutions want), cached by descriptor.
#include <atomic>
#include <cstring>
#include <map>
#include <string>

#include "ops/dnnl/dnnl_kernels.h"
#include "ops/dnnl/engine.h"
#include "tensor/raw.h"
#include "util/check.h"

namespace nabla::dnnl_backend {

using dnnl::memory;

void rethrow_as_nabla_error(const char* op) {
  try {
    throw;
  } catch (const dnnl::error& e) {
    if (e.status == dnnl_out_of_memory)
      throw OutOfMemoryError(fmt::format("{}: out of memory in oneDNN", op));
    if (e.status == dnnl_unimplemented)
      throw NotImplementedError(
          fmt::format("{}: oneDNN has no implementation for this case ({})", op, e.what()));
    throw ValueError(fmt::format("{}: oneDNN rejected the arguments ({})", op, e.what()));
  } catch (const std::bad_alloc&) {
    throw OutOfMemoryError(fmt::format("{}: out of memory", op));
  }
}

int64_t thread_slot() {
  static std::atomic<int64_t> next{0};
  thread_local int64_t slot = -1;
  if (slot < 0) slot = next.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

Tensor attach_scratchpad(std::unordered_map<int, memory>& args, const memory::desc& d) {
  if (d.get_size() == 0) return Tensor();
  Tensor scratch = raw::empty({static_cast<int64_t>(d.get_size())}, DType::UInt8);
  args.insert({DNNL_ARG_SCRATCHPAD, memory(d, engine(), scratch.data_ptr())});
  return scratch;
}

memory::desc strided_desc(const Tensor& t) {
  memory::dims dims(t.sizes().begin(), t.sizes().end()), strides(t.strides().begin(), t.strides().end());
  return memory::desc(dims, memory::data_type::f32, strides);
}

// Note [Small reorders on one thread]
// A convolution's weights are reordered into oneDNN's blocked layout on every training step (they
// change), 3-4 times per layer: ResNet's ~40 per step took ~80 us each whatever their size (2K-37K
// floats), the cost of waking OpenMP's sleeping worker under OMP_WAIT_POLICY=passive. Up to this
// many bytes a reorder runs on the calling thread (~5 us).
constexpr size_t kSerialReorderBytes = size_t{512} << 10;

void reorder(const memory::desc& from, const void* from_ptr, const memory::desc& to, void* to_ptr) {
  const ThreadLimit limit(from.get_size() <= kSerialReorderBytes);
  static std::mutex mu;
  static std::map<std::string, dnnl::reorder> cache;
  std::string key(sizeof(from.data) * 2 + sizeof(int) + sizeof(int64_t), '\0');
  const int threads = omp_get_max_threads();
  const int64_t slot = thread_slot();  // Note [Primitives stay on their thread]
  std::memcpy(key.data(), &from.data, sizeof(from.data));
  std::memcpy(key.data() + sizeof(from.data), &to.data, sizeof(to.data));
  std::memcpy(key.data() + 2 * sizeof(from.data), &threads, sizeof(int));
  std::memcpy(key.data() + 2 * sizeof(from.data) + sizeof(int), &slot, sizeof(int64_t));
  dnnl::reorder prim;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it == cache.end()) {
      if (cache.size() > 1024) cache.clear();
      it = cache.emplace(key, dnnl::reorder(dnnl::reorder::primitive_desc(engine(), from, engine(), to)))
               .first;
    }
    prim = it->second;
  }
  memory src(from, engine(), const_cast<void*>(from_ptr)), dst(to, engine(), to_ptr);
  prim.execute(stream(), src, dst);
  stream().wait();
}

Staged::Staged(const Tensor& t, const memory::desc& want, Dir dir)
    : tensor_(t), have_(strided_desc(t)), dir_(dir) {
  if (have_ == want) {
    mem_ = memory(want, engine(), t.data_ptr());
    return;
  }
  scratch_ = raw::empty({static_cast<int64_t>((want.get_size() + 3) / 4)}, DType::Float32);
  mem_ = memory(want, engine(), scratch_.data_ptr());
  if (dir == Dir::In) reorder(have_, t.data_ptr(), want, scratch_.data_ptr());
}

void Staged::finish() {
  if (dir_ == Dir::Out && scratch_.defined())
    reorder(mem_.get_desc(), scratch_.data_ptr(), have_, tensor_.data_ptr());
}

}  // namespace nabla::dnnl_backend
