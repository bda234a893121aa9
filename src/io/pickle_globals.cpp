// pickle_globals.cpp — the unpickler's allow-list (Note [Restricted unpickler] in pickle.h): the globals
// torch.save writes for tensors and containers, what REDUCE makes of them, and persistent ids.
#include <fmt/ranges.h>

#include "io/pickle_machine.h"

namespace nabla::io::detail {

namespace {

constexpr StorageType kStorageTypes[] = {
    {"FloatStorage", DType::Float32, 4}, {"DoubleStorage", DType::Float64, 8},
    {"HalfStorage", DType::Float16, 2},  {"BFloat16Storage", DType::BFloat16, 2},
    {"LongStorage", DType::Int64, 8},    {"IntStorage", DType::Int32, 4},
    {"ShortStorage", DType::Int32, 2},   {"CharStorage", DType::Int32, 1},
    {"ByteStorage", DType::UInt8, 1},    {"BoolStorage", DType::Bool, 1},
};
constexpr int kNumStorageTypes = static_cast<int>(std::size(kStorageTypes));

// The allow-list: what torch.save emits for tensors, parameters and containers. Storage classes
// follow at kFirstStorageGlobal + their index in kStorageTypes (data for persistent ids, not callable).
enum Global : int64_t {
  kOrderedDict,
  kRebuildTensorV2,
  kRebuildTensor,
  kRebuildParameter,
  kRebuildParameterWithState,
  kTorchSize,
  kFirstStorageGlobal
};
constexpr const char* kGlobals[] = {"collections.OrderedDict",
                                    "torch._utils._rebuild_tensor_v2",
                                    "torch._utils._rebuild_tensor",
                                    "torch._utils._rebuild_parameter",
                                    "torch._utils._rebuild_parameter_with_state",
                                    "torch.Size"};
static_assert(std::size(kGlobals) == kFirstStorageGlobal, "one name per allowed global");

}  // namespace

PyVal Unpickler::global(std::string_view module, std::string_view name) {
  const std::string full = fmt::format("{}.{}", module, name);
  if (numpy()) return numpy_global(full);
  for (int64_t g = 0; g < kFirstStorageGlobal; ++g)
    if (full == kGlobals[g]) return scalar(PyType::Global, g);
  if (module == "torch")
    for (int s = 0; s < kNumStorageTypes; ++s)
      if (name == kStorageTypes[s].name) return scalar(PyType::Global, kFirstStorageGlobal + s);
  fail(
      fmt::format("global '{}' is not allowed: nabla's unpickler runs no code and accepts only the "
                  "globals torch.save writes for tensors and containers (docs/pt-format.md)",
                  full.size() > 200 ? full.substr(0, 200) + "..." : full));
}

std::vector<int64_t> Unpickler::int_tuple(const PyVal& v, const char* what) {
  if (v.type != PyType::Tuple && v.type != PyType::List)
    fail(fmt::format("{} should be a tuple of ints, got {}", what, type_name(v.type)));
  std::vector<int64_t> out;
  for (const auto& item : v.obj->items) out.push_back(int_arg(item, what));
  return out;
}

PyVal Unpickler::rebuild_tensor(const std::vector<PyVal>& a, size_t hooks_at) {
  if (a[0].type != PyType::Storage) fail(fmt::format("a tensor's storage is a {}", type_name(a[0].type)));
  const int64_t numel = a[0].obj->storage_numel;
  TensorRef t;
  t.storage = a[0].i;
  t.offset = int_arg(a[1], "a tensor's storage offset");
  t.sizes = int_tuple(a[2], "a tensor's size");
  t.strides = int_tuple(a[3], "a tensor's stride");
  if (t.sizes.size() != t.strides.size())
    fail(fmt::format("a tensor has {} sizes but {} strides", t.sizes.size(), t.strides.size()));
  if (t.sizes.size() > 8) fail(fmt::format("a tensor of rank {}: nabla supports at most 8", t.sizes.size()));
  if (t.offset < 0) fail(fmt::format("negative storage offset {}", t.offset));
  int64_t span = 1, last = t.offset;  // span: product of max(size, 1); last: the highest index read
  bool empty = false;
  for (size_t d = 0; d < t.sizes.size(); ++d) {
    const int64_t s = t.sizes[d], st = t.strides[d];
    if (s < 0 || st < 0)
      fail(fmt::format("negative size or stride in size {} stride {}", fmt::join(t.sizes, ","),
                       fmt::join(t.strides, ",")));
    int64_t reach = 0;
    if (__builtin_mul_overflow(span, std::max<int64_t>(s, 1), &span) ||
        (s > 0 && (__builtin_mul_overflow(s - 1, st, &reach) || __builtin_add_overflow(last, reach, &last))))
      fail(fmt::format("tensor size {} stride {} overflows", fmt::join(t.sizes, ","),
                       fmt::join(t.strides, ",")));
    empty = empty || s == 0;
  }
  if (empty ? t.offset > numel : last >= numel)
    fail(
        fmt::format("a tensor of size ({}) stride ({}) at offset {} reads past the end of its storage of {} "
                    "elements",
                    fmt::join(t.sizes, ", "), fmt::join(t.strides, ", "), t.offset, numel));
  if (a.size() > 4) {
    if (a[4].type != PyType::Bool) fail("a tensor's requires_grad should be a bool");
    t.requires_grad = a[4].i != 0;
    check_empty_dict(a[hooks_at], "a tensor's backward hooks");
  }
  if (a.size() > 6) check_empty_dict(a[6], "a tensor's metadata");
  PyVal v = object(PyType::Tensor);
  v.obj->tensor = std::move(t);
  return v;
}

PyVal Unpickler::ordered_dict(const std::vector<PyVal>& a) {
  PyVal d = object(PyType::Dict);
  d.obj->ordered = true;
  if (a.empty()) return d;
  if (a.size() != 1 || (a[0].type != PyType::List && a[0].type != PyType::Tuple))
    fail("OrderedDict(...) takes nothing or one list of (key, value) pairs");
  for (const auto& pair : a[0].obj->items) {
    if ((pair.type != PyType::Tuple && pair.type != PyType::List) || pair.obj->items.size() != 2)
      fail("OrderedDict(...)'s items should be (key, value) pairs");
    set_item(*d.obj, pair.obj->items[0], pair.obj->items[1]);
  }
  return d;
}

PyVal Unpickler::reduce(const PyVal& callable, const PyVal& args) {
  if (callable.type != PyType::Global) fail(fmt::format("REDUCE calls a {}", type_name(callable.type)));
  if (args.type != PyType::Tuple) fail(fmt::format("REDUCE's arguments are a {}", type_name(args.type)));
  const auto& a = args.obj->items;
  if (numpy()) return numpy_reduce(callable, a);
  const auto arity = [&](size_t lo, size_t hi) {
    if (a.size() < lo || a.size() > hi)
      fail(fmt::format("{} takes {} arguments, got {}", kGlobals[callable.i],
                       lo == hi ? fmt::format("{}", lo) : fmt::format("{}-{}", lo, hi), a.size()));
  };
  switch (callable.i) {
    case kOrderedDict:
      return ordered_dict(a);
    case kRebuildTensorV2:
      arity(6, 7);
      return rebuild_tensor(a, 5);
    case kRebuildTensor:
      arity(4, 4);
      return rebuild_tensor(a, 0);
    case kRebuildParameter:
    case kRebuildParameterWithState: {
      arity(callable.i == kRebuildParameter ? 3 : 4, callable.i == kRebuildParameter ? 3 : 4);
      if (a[0].type != PyType::Tensor) fail("a parameter's data is not a tensor");
      if (a[1].type != PyType::Bool) fail("a parameter's requires_grad should be a bool");
      check_empty_dict(a[2], "a parameter's backward hooks");
      if (a.size() == 4) check_empty_dict(a[3], "a parameter's state");
      PyVal v = object(PyType::Tensor);
      v.obj->tensor = a[0].obj->tensor;
      v.obj->tensor.requires_grad = a[1].i != 0;
      return v;
    }
    case kTorchSize:  // torch.Size((2, 3)) is a tuple of ints
      arity(1, 1);
      int_tuple(a[0], "torch.Size's argument");
      return make_tuple(a[0].obj->items);
    default:
      fail(fmt::format("torch.{} cannot be called (it names a storage's element type)",
                       kStorageTypes[callable.i - kFirstStorageGlobal].name));
  }
}

PyVal Unpickler::persistent_load(const PyVal& pid) {
  if (pid.type != PyType::Tuple)
    fail(fmt::format("a persistent id is a {}, expected a tuple", type_name(pid.type)));
  const auto& a = pid.obj->items;
  if (a.size() < 5 || a.size() > 6 || a[0].type != PyType::String || a[0].obj->str != "storage")
    fail("a persistent id is not ('storage', type, key, location, numel)");
  if (a[1].type != PyType::Global || a[1].i < kFirstStorageGlobal)
    fail("a persistent id's storage type is not a torch.<T>Storage class");
  if (a[2].type != PyType::String || a[3].type != PyType::String)
    fail("a persistent id's key and location should be strings");
  const int64_t numel = int_arg(a[4], "a storage's element count");
  if (numel < 0) fail(fmt::format("storage '{}' has a negative element count {}", a[2].obj->str, numel));
  if (a.size() == 6 && a[5].type != PyType::None)
    fail("storage views (PyTorch < 1.0 files) are not supported");
  const StorageType& type = kStorageTypes[a[1].i - kFirstStorageGlobal];
  PyVal v = object(PyType::Storage);
  v.i = resolve_(a[2].obj->str, type, numel, base_ + op_pos_);
  v.obj->storage_numel = numel;
  return v;
}

const StorageType& storage_type_for(DType dtype) {
  for (const auto& t : kStorageTypes)
    if (t.dtype == dtype && t.file_itemsize == static_cast<int>(dtype_size(dtype))) return t;
  throw Error("storage_type_for: no storage type");  // every nabla dtype has one (kStorageTypes)
}

}  // namespace nabla::io::detail
