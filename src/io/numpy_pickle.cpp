// numpy_pickle.cpp — numpy arrays, CSR matrices and dicts of int lists from pickles (numpy_pickle.h):
// the file runs in the restricted unpickler with the numpy allow-list (Note [Numpy pickles]), and its
// values become tensors here.
#include "nabla/io/numpy_pickle.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "io/pickle_machine.h"
#include "io/read_file.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::io {

namespace {
using detail::NdArray;
using detail::PyType;
using detail::PyVal;

// The pickle in `path`, run to its STOP, which must be the file's last byte.
PyVal unpickle_file(const std::string& path) {
  const detail::ReadFile file(path);
  std::vector<uint8_t> bytes(file.size());
  file.read_at(bytes.data(), bytes.size(), 0, "the pickle");
  detail::UnpickleResult r = detail::unpickle_numpy(bytes, path);
  NABLA_CHECK(r.end == bytes.size(), IOError, "{}: byte {}: {} bytes follow the end of the pickle", path,
              r.end, bytes.size() - r.end);
  return std::move(r.value);
}

std::string what_it_is(const PyVal& v) {
  switch (v.type) {
    case PyType::Array:
      return v.obj->array ? "a numpy.ndarray" : "a numpy.ndarray without its data (no BUILD)";
    case PyType::Object:
      return "a scipy.sparse.csr_matrix";
    default:
      return fmt::format("a {}", detail::type_name(v.type));
  }
}

// n elements of In in `raw` (byte-swapped when `swap`) as Out.
template <typename In, typename Out>
std::vector<Out> decode(const std::string& raw, int64_t n, bool swap) {
  std::vector<Out> out(static_cast<size_t>(n));
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned char b[sizeof(In)];
    std::memcpy(b, raw.data() + i * sizeof(In), sizeof(In));
    if (swap) std::reverse(b, b + sizeof(In));
    In v;
    std::memcpy(&v, b, sizeof(In));
    out[i] = static_cast<Out>(v);
  }
  return out;
}

template <typename In, typename Out>
Tensor make(const std::string& raw, int64_t n, bool swap, const std::vector<int64_t>& shape, DType dtype) {
  const std::vector<Out> v = decode<In, Out>(raw, n, swap);
  return from_buffer(v.data(), shape, dtype);
}

Tensor array_tensor(const NdArray& a, const std::string& path) {
  const std::string& raw = a.raw.obj->str;
  const char kind = a.dtype[1];
  const int size = a.dtype[2] - '0';
  const bool swap = a.dtype[0] == '>' && size > 1;
  int64_t n = 1;
  for (int64_t d : a.shape) n *= d;      // fits: the unpickler checked n * itemsize against the data
  std::vector<int64_t> shape = a.shape;  // in memory order: reversed for Fortran order
  if (a.fortran) std::reverse(shape.begin(), shape.end());
  Tensor t;
  if (kind == 'b') {
    std::vector<uint8_t> v(static_cast<size_t>(n));
    for (size_t i = 0; i < v.size(); ++i) v[i] = raw[i] != 0;
    t = from_buffer(v.data(), shape, kBool);
  } else if (kind == 'u' && size == 8) {
    const std::vector<uint64_t> v = decode<uint64_t, uint64_t>(raw, n, swap);
    for (uint64_t x : v)
      NABLA_CHECK(x <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), IOError,
                  "{}: a uint64 array holds {}, which does not fit in int64", path, x);
    t = from_buffer(v.data(), shape, kInt64);
  } else {
    const std::string k = a.dtype.substr(1);
    if (k == "u1") t = make<uint8_t, uint8_t>(raw, n, swap, shape, kUInt8);
    if (k == "i1") t = make<int8_t, int32_t>(raw, n, swap, shape, kInt32);
    if (k == "i2") t = make<int16_t, int32_t>(raw, n, swap, shape, kInt32);
    if (k == "u2") t = make<uint16_t, int32_t>(raw, n, swap, shape, kInt32);
    if (k == "i4") t = make<int32_t, int32_t>(raw, n, swap, shape, kInt32);
    if (k == "u4") t = make<uint32_t, int64_t>(raw, n, swap, shape, kInt64);
    if (k == "i8") t = make<int64_t, int64_t>(raw, n, swap, shape, kInt64);
    if (k == "f2") t = make<uint16_t, uint16_t>(raw, n, swap, shape, kFloat16);  // the bits, as stored
    if (k == "f4") t = make<float, float>(raw, n, swap, shape, kFloat32);
    if (k == "f8") t = make<double, double>(raw, n, swap, shape, kFloat64);
  }
  NABLA_CHECK(t.defined(), IOError, "{}: numpy dtype {} is not supported", path,
              a.dtype);  // unpickler checked
  if (a.fortran && t.dim() > 1) {
    std::vector<int64_t> dims(static_cast<size_t>(t.dim()));
    for (size_t d = 0; d < dims.size(); ++d) dims[d] = static_cast<int64_t>(dims.size() - 1 - d);
    t = t.permute(dims).contiguous();
  }
  return t;
}

Tensor expect_array(const PyVal& v, const std::string& path, const std::string& what) {
  NABLA_CHECK(v.type == PyType::Array && v.obj->array, IOError, "{}: {} is {}, expected a numpy.ndarray",
              path, what, what_it_is(v));
  return array_tensor(*v.obj->array, path);
}

// A 1-D integer array as int64, for a CSR matrix's indices and indptr.
Tensor index_array(const PyVal& v, const std::string& path, const char* what) {
  Tensor t = expect_array(v, path, fmt::format("the csr_matrix's {}", what));
  NABLA_CHECK(t.dim() == 1 && (t.dtype() == kInt32 || t.dtype() == kInt64 || t.dtype() == kUInt8), IOError,
              "{}: the csr_matrix's {} should be a 1-D integer array, got {} of {} dims", path, what,
              dtype_name(t.dtype()), t.dim());
  return t.to(kInt64).contiguous();
}

const PyVal* attribute(const PyVal& obj, std::string_view name) {
  for (const auto& [k, v] : obj.obj->entries)
    if ((k.type == PyType::Bytes || k.type == PyType::String) && k.obj->str == name) return &v;
  return nullptr;
}

void check_csr(const CsrMatrix& m, const std::string& path) {
  const int64_t nnz = m.indices.size(0);
  NABLA_CHECK(m.data.size(0) == nnz, IOError, "{}: the csr_matrix has {} values but {} column indices", path,
              m.data.size(0), nnz);
  NABLA_CHECK(m.indptr.size(0) == m.rows + 1, IOError,
              "{}: the csr_matrix has {} rows, so indptr should have {} entries, not {}", path, m.rows,
              m.rows + 1, m.indptr.size(0));
  const int64_t* p = m.indptr.data_ptr<int64_t>();
  NABLA_CHECK(p[0] == 0 && p[m.rows] == nnz, IOError,
              "{}: the csr_matrix's indptr should run from 0 to {} (its non-zeros), runs from {} to {}", path,
              nnz, p[0], p[m.rows]);
  for (int64_t r = 0; r < m.rows; ++r)
    NABLA_CHECK(p[r] <= p[r + 1], IOError, "{}: the csr_matrix's indptr decreases at row {} ({} > {})", path,
                r, p[r], p[r + 1]);
  const int64_t* c = m.indices.data_ptr<int64_t>();
  for (int64_t k = 0; k < nnz; ++k)
    NABLA_CHECK(c[k] >= 0 && c[k] < m.cols, IOError,
                "{}: the csr_matrix's column index {} (non-zero {}) is outside [0, {})", path, c[k], k,
                m.cols);
}

}  // namespace

Tensor load_pickled_ndarray(const std::string& path) {
  return expect_array(unpickle_file(path), path, "the pickle");
}

CsrMatrix load_pickled_csr_matrix(const std::string& path) {
  const PyVal v = unpickle_file(path);
  NABLA_CHECK(v.type == PyType::Object && v.obj->built, IOError,
              "{}: the pickle is {}, expected a scipy.sparse.csr_matrix", path,
              v.type == PyType::Object ? "a csr_matrix without its state" : what_it_is(v));
  const auto get = [&](std::string_view name) -> const PyVal& {
    const PyVal* a = attribute(v, name);
    NABLA_CHECK(a != nullptr, IOError, "{}: the csr_matrix has no '{}'", path, name);
    return *a;
  };
  if (const PyVal* format = attribute(v, "format"))
    NABLA_CHECK(
        (format->type == PyType::Bytes || format->type == PyType::String) && format->obj->str == "csr",
        IOError, "{}: the csr_matrix's format is not 'csr'", path);
  const PyVal& shape = get("_shape");
  NABLA_CHECK(shape.type == PyType::Tuple && shape.obj->items.size() == 2 &&
                  shape.obj->items[0].type == PyType::Int && shape.obj->items[1].type == PyType::Int &&
                  shape.obj->items[0].i >= 0 && shape.obj->items[1].i >= 0,
              IOError, "{}: the csr_matrix's _shape should be two non-negative ints", path);
  CsrMatrix m;
  m.rows = shape.obj->items[0].i;
  m.cols = shape.obj->items[1].i;
  m.data = expect_array(get("data"), path, "the csr_matrix's data");
  NABLA_CHECK(m.data.dim() == 1, IOError, "{}: the csr_matrix's data should be 1-D, has {} dims", path,
              m.data.dim());
  m.indices = index_array(get("indices"), path, "indices");
  m.indptr = index_array(get("indptr"), path, "indptr");
  check_csr(m, path);
  return m;
}

DictOfLists load_pickled_dict_of_lists(const std::string& path) {
  const PyVal v = unpickle_file(path);
  NABLA_CHECK(v.type == PyType::Dict, IOError, "{}: the pickle is {}, expected a dict of int lists", path,
              what_it_is(v));
  DictOfLists out;
  out.reserve(v.obj->entries.size());
  for (const auto& [k, list] : v.obj->entries) {
    NABLA_CHECK(k.type == PyType::Int, IOError, "{}: a key of the dict is a {}, expected an int", path,
                detail::type_name(k.type));
    NABLA_CHECK(list.type == PyType::List || list.type == PyType::Tuple, IOError,
                "{}: the value of key {} is a {}, expected a list of ints", path, k.i,
                detail::type_name(list.type));
    std::vector<int64_t> items;
    items.reserve(list.obj->items.size());
    for (const auto& item : list.obj->items) {
      NABLA_CHECK(item.type == PyType::Int, IOError, "{}: the list of key {} holds a {}, expected ints", path,
                  k.i, detail::type_name(item.type));
      items.push_back(item.i);
    }
    out.emplace_back(k.i, std::move(items));
  }
  return out;
}

}  // namespace nabla::io
