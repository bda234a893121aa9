// tensor_methods.cpp — Tensor's metadata, element access, conversions, in-place ops and autograd
// accessors. Methods that are plain ops forward to the free functions of nabla/ops/ops.h.
#include "autograd/functions/common.h"
#include "autograd/functions/inplace.h"
#include "nabla/autograd/autograd.h"
#include "ops/dispatch_dtype.h"

namespace nabla {

Tensor binary_forward(kernels::Binary op, const Tensor& a, const Tensor& b, double alpha);

// ---- metadata ----
int64_t Tensor::size_slow(int64_t d) const { return sizes()[wrap_dim(d, dim(), "size")]; }
int64_t Tensor::stride_slow(int64_t d) const { return strides()[wrap_dim(d, dim(), "stride")]; }
TensorOptions Tensor::options() const {
  return {.dtype = dtype(), .device = device(), .requires_grad = requires_grad()};
}

template <typename T>
T* Tensor::data_ptr() const {
  NABLA_CHECK(dtype() == dtype_v<T>, DTypeError, "data_ptr: expected dtype {} but tensor is {}",
              dtype_name(dtype_v<T>), dtype_name(dtype()));
  return static_cast<T*>(impl_->data());
}
#define NABLA_INSTANTIATE_DATA_PTR(name, type, str) template type* Tensor::data_ptr<type>() const;
NABLA_FOREACH_DTYPE(NABLA_INSTANTIATE_DATA_PTR)
#undef NABLA_INSTANTIATE_DATA_PTR

// ---- element access ----
namespace {
// float16/bfloat16 elements become float Scalars (their value is exact in float).
template <typename T>
Scalar scalar_of(T v) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
    return Scalar(static_cast<float>(v));
  else
    return Scalar(v);
}
}  // namespace

Scalar Tensor::item() const {
  if (!defined()) throw_undefined("item");
  NABLA_CHECK(numel() == 1, ValueError,
              "item: a Tensor with {} elements (shape {}) cannot be converted to Scalar", numel(),
              shape_str(sizes()));
  return dispatch_storage_dtype(
      dtype(), "item", [&]<typename T>() { return scalar_of(*static_cast<const T*>(impl_->data())); });
}

Scalar Tensor::at(IntArrayRef index) const {
  NABLA_CHECK(static_cast<int64_t>(index.size()) == dim(), IndexError,
              "at: {} indices for a tensor of shape {}", index.size(), shape_str(sizes()));
  int64_t off = 0;
  for (int64_t d = 0; d < dim(); ++d) {
    int64_t i = index[d] < 0 ? index[d] + size(d) : index[d];
    NABLA_CHECK(i >= 0 && i < size(d), IndexError,
                "at: index {} is out of bounds for dimension {} with size {}", index[d], d, size(d));
    off += i * stride(d);
  }
  return dispatch_storage_dtype(
      dtype(), "at", [&]<typename T>() { return scalar_of(static_cast<const T*>(impl_->data())[off]); });
}

std::vector<double> Tensor::to_vector() const {
  Tensor c = raw::empty(sizes(), DType::Float64);
  kernels::copy(c, *this);
  const double* p = c.data_ptr<double>();
  return {p, p + c.numel()};
}

// ---- conversion and copies ----
Tensor Tensor::to(DType dt, bool copy) const {
  if (!defined()) throw_undefined("to");
  if (dt == dtype()) return copy ? clone() : *this;
  return to_dtype(*this, dt);
}
Tensor Tensor::to(Device device, bool copy) const {
  NABLA_CHECK(device.is_cpu(), DeviceError, "to: device '{}' is not available in this build", device.str());
  return copy ? clone() : *this;
}

Tensor& copy_into(const char* op, Tensor& self, const Tensor& src) {
  NABLA_CHECK(broadcast_shapes(src.sizes(), self.sizes()) == self.sizes().vec(), ShapeError,
              "{}: source of shape {} cannot be broadcast to destination shape {}", op,
              shape_str(src.sizes()), shape_str(self.sizes()));
  if (!(is_grad_enabled() && (self.requires_grad() || src.requires_grad()))) {
    kernels::copy(self, raw::expand(src, self.sizes()));  // dtype conversion like PyTorch (no can_cast check)
    bump(self);
    return self;
  }
  // where(false, old, src): src's values (old * 0 + src would turn an inf in old into NaN), and a
  // zero gradient for the overwritten values.
  return inplace(op, self, {&src}, [&](const Tensor& old) {
    return where(zeros({}, {.dtype = kBool}), old, to_dtype(src, old.dtype()));
  });
}
Tensor& Tensor::copy_(const Tensor& src) { return copy_into("copy_", *this, src); }
Tensor& Tensor::fill_(Scalar v) {
  if (!(is_grad_enabled() && requires_grad())) {
    kernels::fill(*this, v);
    bump(*this);
    return *this;
  }
  return inplace("fill_", *this, {}, [&](const Tensor& self) {
    return where(zeros({}, {.dtype = kBool}), self, full({}, v, {.dtype = self.dtype()}));
  });
}
Tensor& Tensor::zero_() { return fill_(0); }
void Tensor::set_data(const Tensor& other) {
  NABLA_CHECK(other.defined(), ValueError, "set_data: undefined tensor");
  impl_->set_data(*other.impl());
}
Tensor& Tensor::uniform_(double from, double to, RandomGenerator* gen) {
  NABLA_CHECK(from <= to, ValueError,
              "uniform_: expects to return a [from, to) range, but found from={} > to={}", from, to);
  NoGradGuard ng;
  Tensor t = raw::empty(sizes(), dtype());
  kernels::random_uniform(t, from, to, gen ? *gen : default_generator());
  kernels::copy(*this, t);
  bump(*this);
  return *this;
}
Tensor& Tensor::normal_(double mean, double std, RandomGenerator* gen) {
  NABLA_CHECK(std >= 0, ValueError, "normal_: expects std >= 0.0, but found std {}", std);
  NoGradGuard ng;
  Tensor t = raw::empty(sizes(), dtype());
  kernels::random_normal(t, mean, std, gen ? *gen : default_generator());
  kernels::copy(*this, t);
  bump(*this);
  return *this;
}

// ---- methods of the op table's rows (Note [Op table rows]) ----
// FM/FMI rows: the method forwards to the free function. FMI/MI rows: name_ runs the method in place.
namespace {
const Tensor* inplace_operand(const Tensor& t) { return &t; }  // tensor params join the autograd check
template <typename T>
const Tensor* inplace_operand(const T&) {
  return nullptr;
}
}  // namespace
#define NABLA_P_OPERAND(type, name, ...) inplace_operand(name),
#define NABLA_OP_METHOD_DEFS(name, arity, diff, dbl, forms, kernel, ...)                                \
  NABLA_FORM_##forms(                                                                                   \
      , ,                                                                                               \
      Tensor Tensor::name(NABLA_PP_TAIL(_ NABLA_PARAMS_DEF(__VA_ARGS__)))                               \
          const { return nabla::name(*this NABLA_PARAMS_NAMES(__VA_ARGS__)); },                         \
      ,                                                                                                 \
      Tensor& Tensor::name##_(NABLA_PP_TAIL(_ NABLA_PARAMS_DEF(__VA_ARGS__))) {                         \
        return inplace(                                                                                 \
            #name "_", *this, {NABLA_PP_FOR_EACH(NABLA_P_OPERAND, __VA_ARGS__)},                        \
            [&](const Tensor& s) { return s.name(NABLA_PP_TAIL(_ NABLA_PARAMS_NAMES(__VA_ARGS__))); }); \
      })
NABLA_FOREACH_OP(NABLA_OP_METHOD_DEFS)
#undef NABLA_OP_METHOD_DEFS
#undef NABLA_P_OPERAND

// ---- overloads of generated rows ----
Tensor& Tensor::add_(Scalar o) { return add_(wrap_scalar(o)); }
Tensor& Tensor::sub_(Scalar o) { return sub_(wrap_scalar(o)); }
Tensor& Tensor::mul_(Scalar o) { return mul_(wrap_scalar(o)); }
Tensor& Tensor::div_(Scalar o) { return div_(wrap_scalar(o)); }
Tensor& Tensor::pow_(Scalar e) {
  return inplace("pow_", *this, {}, [&](const Tensor& s) { return nabla::pow(s, e); });
}
Tensor Tensor::pow(Scalar e) const { return nabla::pow(*this, e); }

Tensor Tensor::var(bool unbiased) const { return nabla::var(*this, unbiased); }
Tensor Tensor::std(bool unbiased) const { return nabla::std(*this, unbiased); }

// ---- custom rows: overload sets and tuple results ----
Tensor Tensor::sum(std::optional<DType> dt) const { return nabla::sum(*this, dt); }
Tensor Tensor::sum(IntArrayRef dims, bool keepdim, std::optional<DType> dt) const {
  return nabla::sum(*this, dims, keepdim, dt);
}
Tensor Tensor::mean() const { return nabla::mean(*this); }
Tensor Tensor::mean(IntArrayRef dims, bool keepdim) const { return nabla::mean(*this, dims, keepdim); }
Tensor Tensor::prod() const { return nabla::prod(*this); }
Tensor Tensor::prod(int64_t d, bool keepdim) const { return nabla::prod(*this, d, keepdim); }
Tensor Tensor::max() const { return nabla::max(*this); }
Tensor Tensor::min() const { return nabla::min(*this); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t d, bool k) const { return nabla::max(*this, d, k); }
std::tuple<Tensor, Tensor> Tensor::min(int64_t d, bool k) const { return nabla::min(*this, d, k); }
Tensor Tensor::all() const { return nabla::all(*this); }
Tensor Tensor::any() const { return nabla::any(*this); }
Tensor Tensor::all(int64_t d, bool k) const { return nabla::all(*this, d, k); }
Tensor Tensor::any(int64_t d, bool k) const { return nabla::any(*this, d, k); }
std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t d, bool l, bool s) const {
  return nabla::topk(*this, k, d, l, s);
}
std::tuple<Tensor, Tensor> Tensor::sort(int64_t d, bool desc) const { return nabla::sort(*this, d, desc); }

// ---- autograd ----
bool Tensor::requires_grad() const {
  auto* m = autograd::fresh_meta(*this);
  return m && (m->requires_grad || m->grad_fn);
}
Tensor& Tensor::requires_grad_(bool r) {
  NABLA_CHECK(
      is_leaf() || r, AutogradError,
      "requires_grad_: you can only change requires_grad flags of leaf variables. If you want to use a "
      "computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
  NABLA_CHECK(!r || is_floating(dtype()), AutogradError,
              "requires_grad_: only Tensors of floating point dtype can require gradients (got {})",
              dtype_name(dtype()));
  impl_->ensure_autograd_meta().requires_grad = r;
  return *this;
}
bool Tensor::is_leaf() const {
  auto* m = autograd::fresh_meta(*this);
  return !m || !m->grad_fn;
}
const Tensor& Tensor::grad() const {
  static const Tensor kUndefined;
  auto* m = impl_->autograd_meta();
  if (!m) return kUndefined;
  if (m->retained_grad) return *m->retained_grad;
  return m->grad;
}
Tensor& Tensor::mutable_grad() { return impl_->ensure_autograd_meta().grad; }
void Tensor::set_grad(const Tensor& g) {
  NABLA_CHECK(!g.defined() || g.sizes() == sizes(), ShapeError,
              "set_grad: assigned grad has shape {} but tensor has shape {}",
              g.defined() ? shape_str(g.sizes()) : std::string("[]"), shape_str(sizes()));
  impl_->ensure_autograd_meta().grad = g;
}
std::shared_ptr<autograd::Node> Tensor::grad_fn() const {
  auto* m = autograd::fresh_meta(*this);
  return m ? m->grad_fn : nullptr;
}
int Tensor::output_nr() const {
  auto* m = autograd::fresh_meta(*this);
  return m ? static_cast<int>(m->output_nr) : 0;
}
void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph, create_graph);
}
Tensor Tensor::detach() const { return raw::as_strided(*this, sizes(), strides(), storage_offset()); }
Tensor& Tensor::detach_() {
  auto* m = impl_->autograd_meta();
  if (m) {
    m->grad_fn.reset();
    m->requires_grad = false;
  }
  return *this;
}
void Tensor::retain_grad() const {
  NABLA_CHECK(requires_grad(), AutogradError,
              "retain_grad: can't retain_grad on Tensor that has requires_grad=False");
  if (is_leaf()) return;  // leaves keep their grad anyway
  auto& m = impl_->ensure_autograd_meta();
  if (m.retains_grad) return;
  m.retains_grad = true;
  m.retained_grad = std::make_shared<Tensor>();
  std::shared_ptr<Tensor> slot = m.retained_grad;
  m.grad_fn->pre_hooks.push_back({m.output_nr, -1, [slot](const Tensor& g) {
                                    if (!slot->defined())
                                      *slot = g.detach().clone();
                                    else {
                                      NoGradGuard ng;
                                      *slot = *slot + g;
                                    }
                                    return Tensor();
                                  }});
}
bool Tensor::retains_grad() const {
  auto* m = impl_->autograd_meta();
  return m && m->retains_grad;
}
int Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) const {
  NABLA_CHECK(requires_grad(), AutogradError,
              "register_hook: cannot register a hook on a tensor that doesn't require gradient");
  auto& m = impl_->ensure_autograd_meta();
  int id = m.next_hook_id++;
  if (m.grad_fn)
    m.grad_fn->pre_hooks.push_back({m.output_nr, id, std::move(hook)});
  else
    m.leaf_hooks.push_back({id, std::move(hook)});
  return id;
}
int Tensor::register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const {
  NABLA_CHECK(requires_grad(), AutogradError,
              "register_post_accumulate_grad_hook: cannot register a hook on a tensor that doesn't require "
              "gradient");
  NABLA_CHECK(
      is_leaf(), AutogradError,
      "register_post_accumulate_grad_hook: post accumulate grad hooks cannot be registered on non-leaf "
      "tensors");
  auto& m = impl_->ensure_autograd_meta();
  int id = m.next_hook_id++;
  m.post_accumulate_hooks.push_back({id, std::move(hook)});
  return id;
}
void Tensor::remove_hook(int id) const {
  auto* m = autograd::fresh_meta(*this);
  if (!m) return;
  std::erase_if(m->leaf_hooks, [id](const auto& h) { return h.id == id; });
  std::erase_if(m->post_accumulate_hooks, [id](const auto& h) { return h.id == id; });
  if (m->grad_fn)
    std::erase_if(m->grad_fn->pre_hooks,
                  [&](const auto& h) { return h.id == id && h.output_nr == m->output_nr; });
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  check_defined("allclose", a, b);
  NABLA_CHECK(a.dtype() == b.dtype(), DTypeError,
              "allclose: {} did not match {} (both tensors need one dtype)", dtype_name(a.dtype()),
              dtype_name(b.dtype()));
  std::vector<int64_t> shape;
  try {
    shape = broadcast_shapes(a.sizes(), b.sizes());
  } catch (const ShapeError&) {
    throw ShapeError(fmt::format("allclose: shapes {} and {} are not broadcastable", shape_str(a.sizes()),
                                 shape_str(b.sizes())));
  }
  auto x = raw::expand(a, shape).to_vector(), y = raw::expand(b, shape).to_vector();
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) {
      if (!(equal_nan && std::isnan(x[i]) && std::isnan(y[i]))) return false;
      continue;
    }
    if (x[i] == y[i]) continue;
    // PyTorch's isclose: an infinite difference (a finite value against an infinity) is never close,
    // although inf <= atol + rtol * inf.
    const double diff = std::abs(x[i] - y[i]);
    if (!std::isfinite(diff) || diff > atol + rtol * std::abs(y[i])) return false;
  }
  return true;
}
bool equal(const Tensor& a, const Tensor& b) {
  check_defined("equal", a, b);
  return a.sizes() == b.sizes() && a.to_vector() == b.to_vector();
}
bool Tensor::allclose(const Tensor& other, double rtol, double atol, bool equal_nan) const {
  return nabla::allclose(*this, other, rtol, atol, equal_nan);
}
bool Tensor::equal(const Tensor& other) const { return nabla::equal(*this, other); }

}  // namespace nabla
