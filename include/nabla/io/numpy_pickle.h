// numpy_pickle.h — numpy arrays, scipy CSR matrices and dicts of int lists from Python pickles, the way
// the Planetoid data sets (Cora, CiteSeer, PubMed; data::load_planetoid) store them: pickled by Python 2
// (protocol 2), or by Python 3.
//
//   Tensor y = io::load_pickled_ndarray("ind.cora.y");             // int32 [140, 7]
//   io::CsrMatrix x = io::load_pickled_csr_matrix("ind.cora.x");   // 140 x 1433, float32 values
//   io::DictOfLists g = io::load_pickled_dict_of_lists("ind.cora.graph");  // node -> neighbours
//
// The pickle runs in nabla's restricted unpickler, which calls no code: the only globals it accepts are
// numpy's array and dtype reconstructors, scipy.sparse's csr_matrix, collections.defaultdict, list,
// copy_reg._reconstructor and object (Note [Numpy pickles] in src/io/pickle.h); anything else (a class of
// the file's choosing, `os.system`) is an IOError naming the global. Every size is checked against the
// bytes in the file before anything is allocated.
//
// numpy dtypes: bool, uint8, int32, int64, float16, float32 and float64 load as themselves; int8, int16
// and uint16 widen to int32, uint32 to int64; uint64 loads as int64 when every value fits. Big-endian and
// Fortran-ordered arrays are converted.
//
// Errors: nabla::IOError "<path>: byte <offset>: <what>" for a bad pickle, "<path>: <what>" for a value
// of another kind than asked for or an inconsistent matrix.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::io {

// A scipy.sparse.csr_matrix: row r's non-zeros are data[indptr[r] : indptr[r + 1]], in the columns
// indices[indptr[r] : indptr[r + 1]]. Checked on loading: indptr starts at 0, never decreases and ends
// at nnz; every column index is in [0, cols). Repeated (row, column) pairs are allowed (scipy sums them).
struct CsrMatrix {
  int64_t rows = 0, cols = 0;
  Tensor data;     // [nnz], the file's dtype (converted as above)
  Tensor indices;  // int64 [nnz]
  Tensor indptr;   // int64 [rows + 1]
  int64_t nnz() const { return data.size(0); }
};

// A dict of int -> list of ints (networkx's dict_of_lists; Planetoid's graph files pickle a
// collections.defaultdict(list)), in the file's order.
using DictOfLists = std::vector<std::pair<int64_t, std::vector<int64_t>>>;

// The pickle in `path` must hold exactly that kind of value (IOError naming what it holds otherwise).
Tensor load_pickled_ndarray(const std::string& path);
CsrMatrix load_pickled_csr_matrix(const std::string& path);
DictOfLists load_pickled_dict_of_lists(const std::string& path);

}  // namespace nabla::io
