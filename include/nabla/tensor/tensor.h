// tensor.h — nabla::Tensor, a refcounted handle to a TensorImpl (copying a Tensor shares data, like
// PyTorch). Methods mirror torch.Tensor; the same ops exist as free functions in nabla/ops/ops.h.
#pragma once
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "nabla/ops/op_table.h"
#include "nabla/tensor/error.h"
#include "nabla/tensor/nested_list.h"
#include "nabla/tensor/options.h"
#include "nabla/tensor/scalar.h"
#include "nabla/tensor/std_function.h"
#include "nabla/tensor/tensor_impl.h"

namespace nabla {

class Tensor;
namespace autograd {
struct Node;
}

// Index elements for Tensor::index: an integer, a Slice, None (new axis), Ellipsis, or a Tensor.
struct NoneType {};
inline constexpr NoneType None{};
struct EllipsisType {};
inline constexpr EllipsisType Ellipsis{};
struct Slice {
  // Slice(), Slice(1, None), Slice(None, -1, 2)... like Python's start:stop:step.
  struct Bound {
    Bound(NoneType) {}                         // NOLINT
    Bound(int64_t v) : set(true), value(v) {}  // NOLINT
    Bound(int v) : set(true), value(v) {}      // NOLINT
    bool set = false;
    int64_t value = 0;
  };
  Slice(Bound start = None, Bound stop = None, int64_t step = 1) : start(start), stop(stop), step(step) {}
  Bound start, stop;
  int64_t step;
};
class TensorIndex;

// Memory layouts of a 4-D [N, C, H, W] tensor, as PyTorch's torch.memory_format. ChannelsLast keeps
// the logical shape and stores NHWC; convolutions, batch norm and elementwise ops keep it (their
// results come out channels-last too), which saves oneDNN's layout conversions.
enum class MemoryFormat { Contiguous, ChannelsLast };

using TensorList = std::vector<Tensor>;

namespace detail {
// A dimension index given as a plain integer (not bool): picks var(dim)/std(dim) over var(unbiased).
template <typename I>
concept DimInteger = std::integral<I> && !std::same_as<I, bool>;
}  // namespace detail

class Tensor {
 public:
  Tensor() : impl_(nullptr) {}
  explicit Tensor(TensorImpl* impl) : impl_(impl) {}  // takes ownership of one reference
  Tensor(const Tensor& o) : impl_(o.impl_) {
    if (impl_) impl_->retain();
  }
  Tensor(Tensor&& o) noexcept : impl_(o.impl_) { o.impl_ = nullptr; }
  Tensor& operator=(const Tensor& o) & {
    Tensor(o).swap(*this);
    return *this;
  }
  Tensor& operator=(Tensor&& o) & noexcept {
    Tensor(std::move(o)).swap(*this);
    return *this;
  }
  // Assigning to a temporary writes into it, as in LibTorch: `y.index({Slice(1, 3)}) = v` and
  // `y.select(0, 0) = 1.5` fill the view (an lvalue Tensor is rebound instead, sharing data).
  Tensor& operator=(const Tensor& v) && { return copy_(v); }
  Tensor& operator=(Scalar v) && { return fill_(v); }
  ~Tensor() {
    if (impl_) impl_->release();
  }
  void swap(Tensor& o) noexcept { std::swap(impl_, o.impl_); }

  // ---- metadata ----
  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_; }
  int dim() const { return defined_impl("dim")->dim(); }
  IntArrayRef sizes() const { return defined_impl("sizes")->sizes(); }
  IntArrayRef strides() const { return defined_impl("strides")->strides(); }
  IntArrayRef shape() const { return defined_impl("shape")->sizes(); }
  // Negative d counts from the end; out of range is an IndexError. Inline for in-range d (kernels
  // read sizes and strides many times per op).
  int64_t size(int64_t d) const {
    const int n = dim();
    return d >= 0 && d < n ? sizes()[static_cast<size_t>(d)] : size_slow(d);
  }
  int64_t stride(int64_t d) const {
    const int n = dim();
    return d >= 0 && d < n ? strides()[static_cast<size_t>(d)] : stride_slow(d);
  }
  int64_t numel() const { return defined_impl("numel")->numel(); }
  DType dtype() const { return defined_impl("dtype")->dtype(); }
  DType scalar_type() const { return dtype(); }  // LibTorch's name
  Device device() const { return defined_impl("device")->device(); }
  TensorOptions options() const;
  bool is_contiguous() const { return defined_impl("is_contiguous")->is_contiguous(); }
  bool is_contiguous(MemoryFormat format) const;
  bool is_floating_point() const { return is_floating(dtype()); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_cuda() const { return device().type() == DeviceType::CUDA; }
  int64_t ndimension() const { return dim(); }
  int64_t storage_offset() const { return defined_impl("storage_offset")->offset(); }
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  void* data_ptr() const { return defined_impl("data_ptr")->data(); }
  template <typename T>
  T* data_ptr() const;  // checks the dtype
  uint32_t version() const { return defined_impl("version")->storage()->version(); }
  std::string str() const;       // PyTorch-style printout
  std::string toString() const;  // "Float32 [2, 3]"

  // ---- element access ----
  Scalar item() const;
  template <typename T>
  T item() const {
    return item().to<T>();
  }
  Scalar at(IntArrayRef index) const;     // one element, any rank (for tests and printing)
  std::vector<double> to_vector() const;  // all elements in row-major order, as doubles

  // ---- conversion and copies ----
  Tensor to(DType dtype, bool copy = false) const;
  Tensor to(Device device, bool copy = false) const;
  Tensor cpu() const { return to(Device(DeviceType::CPU)); }
  Tensor contiguous() const;
  Tensor contiguous(MemoryFormat format) const;  // a copy in that layout unless already so
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(Scalar v);
  Tensor& relu_();  // in place without the generic path's clone (its backward reads only the output)
  Tensor& zero_();
  // Makes this tensor (and every handle to it) use other's data, dtype and shape; autograd state
  // (requires_grad, grad) is kept. Like PyTorch's `t.data = other`.
  void set_data(const Tensor& other);
  Tensor& uniform_(double from = 0, double to = 1, RandomGenerator* gen = nullptr);
  Tensor& normal_(double mean = 0, double std = 1, RandomGenerator* gen = nullptr);

  // ---- views and shape ----
  // view, reshape, flatten, unflatten, transpose, permute, unsqueeze, expand, narrow, select,
  // slice, clone: from the op table (below). Custom rows and extras:
  Tensor t() const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor expand_as(const Tensor& other) const;
  Tensor index(std::initializer_list<TensorIndex> indices) const;
  Tensor index(const std::vector<TensorIndex>& indices) const;
  Tensor& index_put_(const std::vector<TensorIndex>& indices, const Tensor& value);
  Tensor& index_put_(const std::vector<TensorIndex>& indices, Scalar value);
  TensorList split(int64_t split_size, int64_t dim = 0) const;
  TensorList chunk(int64_t chunks, int64_t dim = 0) const;
  TensorList unbind(int64_t dim = 0) const;
  TensorList split(IntArrayRef split_sizes, int64_t dim = 0) const;  // = split_with_sizes
  TensorList split_with_sizes(IntArrayRef split_sizes, int64_t dim = 0) const;

  // ---- new tensors with self's dtype unless `options` say otherwise (custom rows new_*) ----
  Tensor new_empty(IntArrayRef size, TensorOptions options = {}) const;
  Tensor new_zeros(IntArrayRef size, TensorOptions options = {}) const;
  Tensor new_ones(IntArrayRef size, TensorOptions options = {}) const;
  Tensor new_full(IntArrayRef size, Scalar fill_value, TensorOptions options = {}) const;
  Tensor new_tensor(NestedList data, TensorOptions options = {}) const;
  Tensor new_tensor(const Tensor& data, TensorOptions options = {}) const;  // detached copy

  // ---- ops declared by their op-table row ----
  // Every row of nabla/ops/op_table.h with a method form (M, FM, FMI, MI) declares
  // `Tensor name(params...) const` here, and `Tensor& name_(params...)` for FMI/MI, with the row's
  // parameter names and defaults (Note [Op table rows]). Below by hand: custom rows and overloads.
  NABLA_FOREACH_OP(NABLA_OP_METHOD_DECL)

  // ---- elementwise: overloads of generated rows ----
  Tensor pow(Scalar e) const;
  // A number operand (LibTorch's x.mul(0.5), x.gt(0)); defined after the operators below.
  Tensor add(Scalar o) const;
  Tensor sub(Scalar o) const;
  Tensor mul(Scalar o) const;
  Tensor div(Scalar o) const;
  Tensor eq(Scalar o) const;
  Tensor ne(Scalar o) const;
  Tensor lt(Scalar o) const;
  Tensor le(Scalar o) const;
  Tensor gt(Scalar o) const;
  Tensor ge(Scalar o) const;
  Tensor& add_(Scalar o);
  Tensor& sub_(Scalar o);
  Tensor& mul_(Scalar o);
  Tensor& div_(Scalar o);
  Tensor& pow_(Scalar e);

  // ---- var/std: LibTorch's `unbiased` overloads of the rows (Note [var and std overloads], ops.h) ----
  Tensor var(bool unbiased) const;
  Tensor std(bool unbiased) const;
  template <detail::DimInteger I>
  Tensor var(I dim, bool unbiased = true, bool keepdim = false) const {
    return var(std::vector<int64_t>{static_cast<int64_t>(dim)}, int64_t{unbiased}, keepdim);
  }
  template <detail::DimInteger I>
  Tensor std(I dim, bool unbiased = true, bool keepdim = false) const {
    return std(std::vector<int64_t>{static_cast<int64_t>(dim)}, int64_t{unbiased}, keepdim);
  }
  template <std::integral C = bool>  // bool: unbiased; another integer: a correction
  Tensor var(IntArrayRef dims, C unbiased = true, bool keepdim = false) const {
    return var(dims.vec(), static_cast<int64_t>(unbiased), keepdim);
  }
  template <std::integral C = bool>
  Tensor std(IntArrayRef dims, C unbiased = true, bool keepdim = false) const {
    return std(dims.vec(), static_cast<int64_t>(unbiased), keepdim);
  }

  // ---- reductions (custom rows: overload sets, tuple results) ----
  Tensor sum(std::optional<DType> dtype = std::nullopt) const;
  Tensor sum(IntArrayRef dims, bool keepdim = false, std::optional<DType> dtype = std::nullopt) const;
  Tensor mean() const;
  Tensor mean(IntArrayRef dims, bool keepdim = false) const;
  Tensor prod() const;
  Tensor prod(int64_t dim, bool keepdim = false) const;
  Tensor max() const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;  // values, indices
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor all() const;
  Tensor any() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;
  std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;
  std::tuple<Tensor, Tensor, Tensor> unique(bool sorted = true, bool return_inverse = false,
                                            bool return_counts = false) const;
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) const;
  bool equal(const Tensor& other) const;
  Tensor lerp(const Tensor& end, Scalar weight) const;  // row lerp_scalar
  Tensor& lerp_(const Tensor& end, Scalar weight);

  // ---- autograd ----
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);
  bool is_leaf() const;
  const Tensor& grad() const;  // undefined Tensor when no gradient has been accumulated
  Tensor& mutable_grad();
  void set_grad(const Tensor& g);
  std::shared_ptr<autograd::Node> grad_fn() const;
  int output_nr() const;
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false,
                bool create_graph = false) const;
  Tensor detach() const;
  Tensor data() const { return detach(); }  // LibTorch's .data(): the same storage, outside autograd
  Tensor& detach_();
  void retain_grad() const;
  bool retains_grad() const;
  // The hook sees the gradient; returning a defined Tensor replaces it. Returns a handle for remove_hook.
  // A hook returning void only observes (LibTorch takes both `Tensor(Tensor)` and `void(Tensor)`).
  int register_hook(std::function<Tensor(const Tensor&)> hook) const;
  template <typename F>
  requires std::is_invocable_v<F&, const Tensor&> && std::is_void_v<std::invoke_result_t<F&, const Tensor&>>
  int register_hook(F hook) const {
    return register_hook(std::function<Tensor(const Tensor&)>([h = std::move(hook)](const Tensor& g) mutable {
      h(g);
      return Tensor();
    }));
  }
  void remove_hook(int handle) const;
  // PyTorch's register_post_accumulate_grad_hook: on a leaf that requires grad, runs after backward has
  // accumulated a gradient into .grad (the hook sees the leaf; read its grad()). remove_hook removes it.
  int register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const;

  // ---- operators ----
  Tensor operator-() const { return neg(); }
  Tensor& operator+=(const Tensor& o) { return add_(o); }
  Tensor& operator-=(const Tensor& o) { return sub_(o); }
  Tensor& operator*=(const Tensor& o) { return mul_(o); }
  Tensor& operator/=(const Tensor& o) { return div_(o); }
  Tensor& operator+=(Scalar o) { return add_(o); }
  Tensor& operator-=(Scalar o) { return sub_(o); }
  Tensor& operator*=(Scalar o) { return mul_(o); }
  Tensor& operator/=(Scalar o) { return div_(o); }
  Tensor operator[](int64_t i) const { return select(0, i); }

 private:
  // impl_, or a ValueError naming `method` for an undefined (default-constructed) Tensor.
  TensorImpl* defined_impl(const char* method) const {
    if (__builtin_expect(impl_ == nullptr, 0)) throw_undefined(method);
    return impl_;
  }
  [[noreturn]] static void throw_undefined(const char* method);
  int64_t size_slow(int64_t d) const;
  int64_t stride_slow(int64_t d) const;
  TensorImpl* impl_;
};

// An element of Tensor::index: x.index({Slice(1, None, 2), 0, None, Ellipsis, mask}).
class TensorIndex {
 public:
  enum class Kind { Integer, Slice, None, Ellipsis, Tensor };
  TensorIndex(int64_t i) : kind_(Kind::Integer), integer_(i) {}                 // NOLINT
  TensorIndex(int i) : kind_(Kind::Integer), integer_(i) {}                     // NOLINT
  TensorIndex(nabla::Slice s) : kind_(Kind::Slice), slice_(s) {}                // NOLINT
  TensorIndex(NoneType) : kind_(Kind::None) {}                                  // NOLINT
  TensorIndex(EllipsisType) : kind_(Kind::Ellipsis) {}                          // NOLINT
  TensorIndex(nabla::Tensor t) : kind_(Kind::Tensor), tensor_(std::move(t)) {}  // NOLINT
  Kind kind() const { return kind_; }
  int64_t integer() const { return integer_; }
  const nabla::Slice& slice() const { return slice_; }
  const nabla::Tensor& tensor() const { return tensor_; }

 private:
  Kind kind_;
  int64_t integer_ = 0;
  nabla::Slice slice_;
  nabla::Tensor tensor_;
};

// Binary operators with broadcasting; a Scalar operand is a "wrapped number" for type promotion.
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, Scalar b);
Tensor operator-(const Tensor& a, Scalar b);
Tensor operator*(const Tensor& a, Scalar b);
Tensor operator/(const Tensor& a, Scalar b);
Tensor operator+(Scalar a, const Tensor& b);
Tensor operator-(Scalar a, const Tensor& b);
Tensor operator*(Scalar a, const Tensor& b);
Tensor operator/(Scalar a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, Scalar b);
Tensor operator!=(const Tensor& a, Scalar b);
Tensor operator<(const Tensor& a, Scalar b);
Tensor operator<=(const Tensor& a, Scalar b);
Tensor operator>(const Tensor& a, Scalar b);
Tensor operator>=(const Tensor& a, Scalar b);
Tensor operator&&(const Tensor& a, const Tensor& b);
Tensor operator||(const Tensor& a, const Tensor& b);
Tensor operator!(const Tensor& a);

std::ostream& operator<<(std::ostream& os, const Tensor& t);

inline Tensor Tensor::add(Scalar o) const { return *this + o; }
inline Tensor Tensor::sub(Scalar o) const { return *this - o; }
inline Tensor Tensor::mul(Scalar o) const { return *this * o; }
inline Tensor Tensor::div(Scalar o) const { return *this / o; }
inline Tensor Tensor::eq(Scalar o) const { return *this == o; }
inline Tensor Tensor::ne(Scalar o) const { return *this != o; }
inline Tensor Tensor::lt(Scalar o) const { return *this < o; }
inline Tensor Tensor::le(Scalar o) const { return *this <= o; }
inline Tensor Tensor::gt(Scalar o) const { return *this > o; }
inline Tensor Tensor::ge(Scalar o) const { return *this >= o; }

}  // namespace nabla
