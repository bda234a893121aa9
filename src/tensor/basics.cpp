// basics.cpp — dtype names, DimVec, Device: the small value types of the tensor layer (and the
// undefined-Tensor error).
#include <cstring>
#include <ostream>

#include "nabla/tensor/device.h"
#include "nabla/tensor/dtype.h"
#include "nabla/tensor/int_array.h"
#include "nabla/tensor/tensor.h"
#include "util/check.h"

namespace nabla {

std::string_view dtype_name(DType t) {
  switch (t) {
#define NABLA_DTYPE_NAME(name, type, str) \
  case DType::name:                       \
    return str;
    NABLA_FOREACH_DTYPE(NABLA_DTYPE_NAME)
#undef NABLA_DTYPE_NAME
  }
  return "?";
}

size_t dtype_size(DType t) {
  switch (t) {
#define NABLA_DTYPE_SIZE(name, type, str) \
  case DType::name:                       \
    return sizeof(type);
    NABLA_FOREACH_DTYPE(NABLA_DTYPE_SIZE)
#undef NABLA_DTYPE_SIZE
  }
  return 0;
}

DimVec::DimVec(IntArrayRef r) { assign(r); }
void DimVec::assign(IntArrayRef r) {
  NABLA_CHECK(r.size() <= static_cast<size_t>(kMaxDims), ShapeError,
              "shape {} has {} dimensions; nabla supports at most {}", shape_str(r), r.size(), kMaxDims);
  n_ = static_cast<int>(r.size());
  if (n_) std::memmove(d_, r.data(), sizeof(int64_t) * n_);  // r may view this DimVec
}
void DimVec::push_back(int64_t v) {
  NABLA_CHECK(n_ < kMaxDims, ShapeError, "tensor would have more than {} dimensions", kMaxDims);
  d_[n_++] = v;
}
void DimVec::insert(int pos, int64_t v) {
  NABLA_CHECK(n_ < kMaxDims, ShapeError, "tensor would have more than {} dimensions", kMaxDims);
  for (int i = n_; i > pos; --i) d_[i] = d_[i - 1];
  d_[pos] = v;
  ++n_;
}
void DimVec::erase(int pos) {
  for (int i = pos; i + 1 < n_; ++i) d_[i] = d_[i + 1];
  --n_;
}

std::ostream& operator<<(std::ostream& os, IntArrayRef a) { return os << shape_str(a); }

std::string shape_str(IntArrayRef s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}
int64_t shape_numel(IntArrayRef s) {
  int64_t n = 1;
  for (auto v : s)  // a net under the ops' own checks (checked_numel): never a wrapped count
    NABLA_CHECK(!__builtin_mul_overflow(n, v, &n), ValueError,
                "numel: integer multiplication overflow for shape {}", shape_str(s));
  return n;
}

void Tensor::throw_undefined(const char* method) {
  throw ValueError(
      fmt::format("{}(): called on an undefined Tensor (default-constructed, it has no data)", method));
}

Device::Device(DeviceType type, int index) : type_(type), index_(index) {
  NABLA_CHECK(type != DeviceType::CUDA || cuda_is_available(), DeviceError,
              "device 'cuda': this build of nabla has no CUDA support (CPU-only build); use 'cpu'");
}
Device::Device(const std::string& spec) : type_(DeviceType::CPU), index_(-1) {
  std::string kind = spec.substr(0, spec.find(':'));
  if (kind == "cpu") return;
  NABLA_CHECK(kind == "cuda", DeviceError, "unknown device '{}' (expected 'cpu' or 'cuda[:N]')", spec);
  NABLA_CHECK(cuda_is_available(), DeviceError,
              "device '{}': this build of nabla has no CUDA support (CPU-only build); use 'cpu'", spec);
  type_ = DeviceType::CUDA;
}
std::string Device::str() const {
  std::string s = type_ == DeviceType::CPU ? "cpu" : "cuda";
  return index_ >= 0 ? s + ":" + std::to_string(index_) : s;
}
bool cuda_is_available() { return false; }

}  // namespace nabla
