// int_array.h — DimVec (inline storage for sizes/strides) and IntArrayRef (a non-owning view).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <vector>

namespace nabla {

// Like PyTorch's kernels we cap rank; 8 keeps sizes+strides inline (no heap per tensor).
inline constexpr int kMaxDims = 8;

class IntArrayRef {
 public:
  IntArrayRef() = default;
  IntArrayRef(const int64_t* data, size_t size) : data_(data), size_(size) {}
  // Points into the caller's braced list, which lives until the end of the full expression: fine
  // for arguments (zeros({2, 3})), wrong for storing. Same contract as LibTorch's IntArrayRef.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
  IntArrayRef(std::initializer_list<int64_t> il) : data_(il.begin()), size_(il.size()) {}  // NOLINT
#pragma GCC diagnostic pop
  IntArrayRef(const std::vector<int64_t>& v) : data_(v.data()), size_(v.size()) {}  // NOLINT
  // One element: zeros(5) is zeros({5}) and x.sum(0) is x.sum({0}), as in LibTorch (same lifetime contract).
  IntArrayRef(const int64_t& one) : data_(&one), size_(1) {}  // NOLINT
  const int64_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const int64_t* begin() const { return data_; }
  const int64_t* end() const { return data_ + size_; }
  int64_t operator[](size_t i) const { return data_[i]; }
  int64_t back() const { return data_[size_ - 1]; }
  std::vector<int64_t> vec() const { return {begin(), end()}; }
  bool operator==(IntArrayRef o) const {
    if (size_ != o.size_) return false;
    for (size_t i = 0; i < size_; ++i)
      if (data_[i] != o.data_[i]) return false;
    return true;
  }

 private:
  const int64_t* data_ = nullptr;
  size_t size_ = 0;
};

// Fixed-capacity vector of dims; the rank limit is checked where shapes are created.
class DimVec {
 public:
  DimVec() = default;
  explicit DimVec(int n, int64_t v = 0) : n_(n) {
    for (int i = 0; i < n; ++i) d_[i] = v;
  }
  DimVec(IntArrayRef r);  // NOLINT: throws ShapeError beyond kMaxDims
  // Same as `*this = DimVec(r)` without the temporary: copying a freshly written temporary with wide
  // loads stalled on store forwarding (a sixth of a 1-element add's time).
  void assign(IntArrayRef r);
  int size() const { return n_; }
  int64_t* data() { return d_; }
  const int64_t* data() const { return d_; }
  int64_t& operator[](int i) { return d_[i]; }
  int64_t operator[](int i) const { return d_[i]; }
  void push_back(int64_t v);
  void insert(int pos, int64_t v);
  void erase(int pos);
  void resize(int n, int64_t v = 0) {
    for (int i = n_; i < n; ++i) d_[i] = v;
    n_ = n;
  }
  operator IntArrayRef() const { return {d_, static_cast<size_t>(n_)}; }  // NOLINT
  IntArrayRef ref() const { return *this; }
  std::vector<int64_t> vec() const { return {d_, d_ + n_}; }
  const int64_t* begin() const { return d_; }
  const int64_t* end() const { return d_ + n_; }

 private:
  int64_t d_[kMaxDims] = {};
  int n_ = 0;
};

std::string shape_str(IntArrayRef s);  // "[2, 3]"
int64_t shape_numel(IntArrayRef s);

// "[2, 3]", as LibTorch prints sizes.
std::ostream& operator<<(std::ostream& os, IntArrayRef a);

}  // namespace nabla
