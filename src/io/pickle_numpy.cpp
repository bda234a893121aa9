// pickle_numpy.cpp — the unpickler's second allow-list: numpy arrays, scipy CSR matrices and
// defaultdicts, as the Planetoid files hold them (Note [Numpy pickles] in pickle.h). Everything here
// makes data; nothing is called.
#include <fmt/ranges.h>

#include <algorithm>

#include "io/pickle_machine.h"

namespace nabla::io::detail {

namespace {

enum NumpyGlobal : int64_t {
  kReconstruct,
  kNdarray,
  kDType,
  kCsrMatrix,
  kDefaultDict,
  kList,
  kReconstructor,
  kObject
};
struct NumpyGlobalName {
  const char* name;
  NumpyGlobal id;
};
// Python 2's module names (the Planetoid files) and Python 3's (numpy 2 moved numpy.core to numpy._core;
// scipy 1.8 moved the CSR class to scipy.sparse._csr).
constexpr NumpyGlobalName kNumpyGlobals[] = {
    {"numpy.core.multiarray._reconstruct", kReconstruct},
    {"numpy._core.multiarray._reconstruct", kReconstruct},
    {"numpy.ndarray", kNdarray},
    {"numpy.dtype", kDType},
    {"scipy.sparse.csr.csr_matrix", kCsrMatrix},
    {"scipy.sparse._csr.csr_matrix", kCsrMatrix},
    {"collections.defaultdict", kDefaultDict},
    {"__builtin__.list", kList},
    {"builtins.list", kList},
    {"copy_reg._reconstructor", kReconstructor},
    {"copyreg._reconstructor", kReconstructor},
    {"__builtin__.object", kObject},
    {"builtins.object", kObject},
};
constexpr const char* kNumpyGlobalNames[] = {"numpy.core.multiarray._reconstruct",
                                             "numpy.ndarray",
                                             "numpy.dtype",
                                             "scipy.sparse.csr.csr_matrix",
                                             "collections.defaultdict",
                                             "list",
                                             "copy_reg._reconstructor",
                                             "object"};
static_assert(std::size(kNumpyGlobalNames) == kObject + 1, "one display name per numpy global");

// numpy's names of the numeric dtypes: kind letter and item size.
bool numeric_dtype(std::string_view name) {
  static constexpr std::string_view kNames[] = {"b1", "i1", "i2", "i4", "i8", "u1",
                                                "u2", "u4", "u8", "f2", "f4", "f8"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

}  // namespace

PyVal Unpickler::numpy_global(const std::string& full) {
  for (const auto& g : kNumpyGlobals)
    if (full == g.name) return scalar(PyType::Global, g.id);
  fail(fmt::format(
      "global '{}' is not allowed: nabla's unpickler runs no code, and a pickle of numpy or "
      "scipy data may name only {}",
      full.size() > 200 ? full.substr(0, 200) + "..." : full, fmt::join(kNumpyGlobalNames, ", ")));
}

const std::string& Unpickler::text_arg(const PyVal& v, const char* what) {
  if (v.type != PyType::Bytes && v.type != PyType::String)
    fail(fmt::format("{} should be a string, got {}", what, type_name(v.type)));
  return v.obj->str;
}

// An empty instance of an allowed class, for BUILD to fill.
PyVal Unpickler::instance(const PyVal& cls, const char* how) {
  if (cls.type != PyType::Global || cls.i != kCsrMatrix)
    fail(fmt::format("{} makes an instance of {}; only scipy.sparse.csr_matrix is allowed", how,
                     cls.type == PyType::Global ? kNumpyGlobalNames[cls.i] : type_name(cls.type)));
  PyVal v = object(PyType::Object);
  v.i = cls.i;
  return v;
}

PyVal Unpickler::numpy_newobj(const PyVal& cls, const PyVal& args) {
  if (args.type != PyType::Tuple || !args.obj->items.empty())
    fail("NEWOBJ's arguments should be an empty tuple (csr_matrix.__new__(csr_matrix))");
  return instance(cls, "NEWOBJ");
}

PyVal Unpickler::numpy_reduce(const PyVal& callable, const std::vector<PyVal>& a) {
  const auto arity = [&](size_t lo, size_t hi) {
    if (a.size() < lo || a.size() > hi)
      fail(fmt::format("{} takes {} arguments, got {}", kNumpyGlobalNames[callable.i],
                       lo == hi ? fmt::format("{}", lo) : fmt::format("{}-{}", lo, hi), a.size()));
  };
  switch (callable.i) {
    case kReconstruct: {  // _reconstruct(ndarray, (0,), b'b'): an empty array, filled by BUILD
      arity(3, 3);
      if (a[0].type != PyType::Global || a[0].i != kNdarray)
        fail("numpy's _reconstruct should rebuild a numpy.ndarray");
      int_tuple(a[1], "_reconstruct's shape");
      text_arg(a[2], "_reconstruct's type code");
      return object(PyType::Array);
    }
    case kDType: {  // dtype('i4', align, copy): the byte order comes with BUILD
      arity(3, 3);
      const std::string& name = text_arg(a[0], "numpy.dtype's name");
      if (!numeric_dtype(name))
        fail(fmt::format("numpy dtype '{}' is not supported (numeric dtypes b1, i1-i8, u1-u8, f2-f8 only)",
                         name.size() > 20 ? name.substr(0, 20) + "..." : name));
      PyVal v = object(PyType::DType);
      v.obj->str = "=" + name;
      return v;
    }
    case kDefaultDict: {  // defaultdict(list): a dict (the default factory matters only to Python)
      arity(0, 1);
      if (!a.empty() && a[0].type != PyType::None && (a[0].type != PyType::Global || a[0].i != kList))
        fail("collections.defaultdict's factory should be list");
      return object(PyType::Dict);
    }
    case kReconstructor: {  // copy_reg._reconstructor(cls, object, None): cls.__new__(cls)
      arity(3, 3);
      if (a[1].type != PyType::Global || a[1].i != kObject || a[2].type != PyType::None)
        fail("copy_reg._reconstructor's base should be object, with no state");
      return instance(a[0], "copy_reg._reconstructor");
    }
    default:
      fail(fmt::format("{} cannot be called", kNumpyGlobalNames[callable.i]));
  }
}

void Unpickler::numpy_build(PyVal& inst, const PyVal& state) {
  if (inst.type != PyType::Array && inst.type != PyType::DType && inst.type != PyType::Object)
    fail(fmt::format("BUILD on a {}; only an ndarray, a dtype or a csr_matrix takes a state",
                     type_name(inst.type)));
  PyObj& o = *inst.obj;
  if (o.built || o.frozen)
    fail(fmt::format("BUILD on a {} that is already built or in use", type_name(inst.type)));
  if (inst.type == PyType::Array) {
    build_array(o, state);
  } else if (inst.type == PyType::DType) {
    build_dtype(o, state);
  } else {
    if (state.type != PyType::Dict)
      fail(fmt::format("a csr_matrix's state is a {}, not a dict", type_name(state.type)));
    adopt(o, state);
    o.entries = state.obj->entries;
  }
  o.built = true;
}

// numpy.dtype.__setstate__: (3, byte order, subarray, names, fields, elsize, alignment, flags[, metadata]).
void Unpickler::build_dtype(PyObj& dtype, const PyVal& state) {
  if (state.type != PyType::Tuple || state.obj->items.size() < 8 || state.obj->items.size() > 9)
    fail("a numpy.dtype's state should be a tuple of 8 or 9 items");
  const auto& s = state.obj->items;
  const int64_t version = int_arg(s[0], "a numpy.dtype's state version");
  if (version != 3 && version != 4) fail(fmt::format("numpy.dtype state version {} is not 3 or 4", version));
  const std::string& order = text_arg(s[1], "a numpy.dtype's byte order");
  if (order != "<" && order != ">" && order != "|" && order != "=")
    fail(fmt::format("a numpy.dtype's byte order should be <, >, | or =, got '{}'",
                     order.size() > 8 ? order.substr(0, 8) + "..." : order));
  for (size_t k = 2; k <= 4; ++k)
    if (s[k].type != PyType::None) fail("structured and sub-array numpy dtypes are not supported");
  dtype.str = order + dtype.str.substr(1);
}

// ndarray.__setstate__: ([1,] shape, dtype, is_fortran, raw bytes).
void Unpickler::build_array(PyObj& array, const PyVal& state) {
  if (state.type != PyType::Tuple || state.obj->items.size() < 4 || state.obj->items.size() > 5)
    fail("an ndarray's state should be a tuple (version, shape, dtype, is_fortran, data)");
  const auto& all = state.obj->items;
  const size_t at = all.size() == 5 ? 1 : 0;
  if (at == 1 && int_arg(all[0], "an ndarray's state version") != 1)
    fail(fmt::format("ndarray state version {} is not 1", all[0].i));
  auto a = std::make_unique<NdArray>();
  a->shape = int_tuple(all[at], "an ndarray's shape");
  if (a->shape.size() > 8)
    fail(fmt::format("an ndarray of rank {}: nabla supports at most 8", a->shape.size()));
  if (all[at + 1].type != PyType::DType)
    fail(fmt::format("an ndarray's dtype is a {}", type_name(all[at + 1].type)));
  a->dtype = all[at + 1].obj->str;
  const PyVal& fortran = all[at + 2];
  if (fortran.type != PyType::Bool && fortran.type != PyType::Int)
    fail("an ndarray's is_fortran should be a bool");
  a->fortran = fortran.i != 0;
  if (all[at + 3].type != PyType::Bytes)
    fail(fmt::format("an ndarray's data is a {}; nabla reads raw bytes only (no object arrays)",
                     type_name(all[at + 3].type)));
  const uint64_t itemsize = static_cast<uint64_t>(a->dtype.back() - '0');
  uint64_t bytes = itemsize;
  for (int64_t d : a->shape)
    if (d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes))
      fail(fmt::format("an ndarray's shape ({}) is negative or too large", fmt::join(a->shape, ", ")));
  const uint64_t have = all[at + 3].obj->str.size();
  if (bytes != have)
    fail(fmt::format("an ndarray of shape ({}) and dtype {} needs {} bytes of data, the pickle holds {}",
                     fmt::join(a->shape, ", "), a->dtype, bytes, have));
  a->raw = all[at + 3];
  adopt(array, a->raw);
  array.array = std::move(a);
}

}  // namespace nabla::io::detail
