// pickle.h — the restricted unpickler and the pickle writer behind io::load_pt / save_pt. Tensor-free
// (standard library, fmt and nabla/tensor/{dtype,error}.h), like formats.h, so fuzz/ builds it alone.
//
// Note [Restricted unpickler]
// A pickle is a program for a stack machine; Python's unpickler calls whatever global it names
// (`os.system`, `builtins.eval`), which is why torch.load of an untrusted file runs code. This one runs
// no code: the only globals it accepts are those torch.save emits for tensors and containers (the
// allow-list in pickle.cpp, kGlobals); any other is an IOError naming it, at the GLOBAL opcode, before
// anything could call it. REDUCE applies an allowed rebuild function to validated arguments and
// produces data (a tensor descriptor, an OrderedDict, a tuple), never a call. NEWOBJ, INST, OBJ, EXT*
// and PERSID (text) are refused.
// What a hostile pickle could still try, and why it cannot:
//  - huge allocations: every length is checked against the bytes left before it is read; at most
//    kMaxPickleValues values are created (memory stays below ~100 bytes per value);
//  - exponential data through the memo (a list of a list of ... each referenced many times): every
//    container tracks its expanded size and nesting depth when an item is inserted, capped at
//    kMaxPickleValues and kMaxPickleDepth, so every later traversal is bounded;
//  - cycles (a list inserted into itself) and mutating shared data: a container is frozen once it is
//    inserted into another or used as an argument, and APPEND/SETITEM(S)/BUILD on a frozen one is
//    refused. Pickles Python writes never do either (they fill a container before using it);
//  - duplicate dict keys (Python keeps the last, silently): refused, naming the key.
// Errors: IOError "<name>: byte <offset>: <what>", the offset of the opcode at fault.
//
// Note [Numpy pickles]
// unpickle_numpy runs the same machine with another allow-list, for the Python pickles of numpy arrays,
// scipy CSR matrices and dicts of int lists that the Planetoid data sets ship (io::load_pickled_*,
// numpy_pickle.h): numpy.core.multiarray._reconstruct, numpy.ndarray, numpy.dtype,
// scipy.sparse.csr.csr_matrix, collections.defaultdict, list, copy_reg._reconstructor and object (the
// Python 3 module names too), and nothing else. What each makes is data, never a call:
//  - _reconstruct(ndarray, shape, typecode) is an empty Array; BUILD with (version, shape, dtype,
//    is_fortran, raw bytes) fills it once, after checking that the raw bytes hold exactly
//    prod(shape) elements of the dtype;
//  - dtype(name, align, copy) is a DType of a numeric kind (b1, i1..i8, u1..u8, f2..f8; no object,
//    string or structured dtypes); BUILD sets its byte order;
//  - NEWOBJ(csr_matrix, ()) and _reconstructor(csr_matrix, object, None) are an empty Object; BUILD
//    with a dict sets its attributes once (the reader then checks them: numpy_pickle.cpp);
//  - defaultdict(list) is a dict (Python 2 str keys are Bytes too).
// Python 2's str (BINSTRING, SHORT_BINSTRING) is Bytes here, unchecked, as are Python 3's bytes
// (BINBYTES*); the torch allow-list keeps reading them as UTF-8 strings. Persistent ids are refused.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nabla/tensor/dtype.h"

namespace nabla::io::detail {

inline constexpr uint64_t kMaxPickleValues = uint64_t{1} << 21;  // values created, and any expanded tree
inline constexpr uint32_t kMaxPickleDepth = 100;                 // containers within containers

// A torch.<Name>Storage class: the element type in the file, and the nabla dtype it loads as (int8 and
// int16 widen to int32, exactly; nabla has no narrower integer than uint8).
struct StorageType {
  const char* name;  // "FloatStorage"
  DType dtype;
  int file_itemsize;  // bytes per element in the file
};
// The storage class nabla writes for `dtype` ("FloatStorage").
const StorageType& storage_type_for(DType dtype);

// Strict UTF-8 (no surrogates, no overlong forms): what Python's str holds and the unpickler accepts.
bool valid_utf8(std::string_view s);

enum class PyType : uint8_t {
  None,
  Bool,
  Int,
  Float,
  String,
  List,
  Tuple,
  Dict,
  Global,
  Storage,
  Tensor,
  Bytes,
  Array,
  DType,
  Object  // unpickle_numpy only (Note [Numpy pickles])
};
// Which allow-list a pickle runs with: torch.save's (tensors, containers) or numpy's and scipy's.
enum class PickleFlavor : uint8_t { Torch, Numpy };

// A tensor as torch's _rebuild_tensor_v2 describes it, checked against its storage's element count.
struct TensorRef {
  int64_t storage = 0;  // index into the archive's storages
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
  bool requires_grad = false;
};

struct PyObj;
// One value on the unpickler's stack: scalars inline, everything else shared (the memo aliases).
struct PyVal {
  PyType type = PyType::None;
  int64_t i = 0;  // Bool, Int; Global: the allow-list index; Storage: its index; Object: its class's
  double f = 0;   // Float
  std::shared_ptr<PyObj> obj;
};

// A numpy.ndarray once BUILD has filled it: the dtype as numpy spells it with its byte order ("<i4",
// "|b1"), the shape, and the elements in C order (Fortran order when `fortran`), prod(shape) * itemsize
// bytes, checked.
struct NdArray {
  std::string dtype;
  std::vector<int64_t> shape;
  bool fortran = false;
  PyVal raw;  // the Bytes holding the elements
};

struct PyObj {
  std::string str;                                        // String, Bytes; DType: "<i4" (order, kind, size)
  std::vector<PyVal> items;                               // List, Tuple
  std::vector<std::pair<PyVal, PyVal>> entries;           // Dict (keys: String or Int)
  std::unique_ptr<std::unordered_set<std::string>> keys;  // Dict being filled: its keys, for duplicates
  TensorRef tensor;                                       // Tensor
  std::unique_ptr<NdArray> array;                         // Array (set by BUILD)
  int64_t storage_numel = 0;                              // Storage
  bool ordered = false;                                   // Dict: a collections.OrderedDict
  bool frozen = false;                                    // inserted somewhere: no more changes
  bool built = false;                                     // Array, DType, Object: BUILD has run
  uint32_t depth = 0;  // nesting depth (containers: 1 + their deepest item)
  uint64_t size = 1;   // values in the expanded tree
};

// The result of a persistent id ('storage', torch.<T>Storage, key, location, numel[, view]): the
// archive's storage index for `key`. The callback validates it against the archive (IOError).
using StorageResolver =
    std::function<int64_t(const std::string& key, const StorageType& type, int64_t numel, uint64_t offset)>;

struct UnpickleResult {
  PyVal value;
  uint64_t end = 0;  // offset just past the STOP opcode, relative to `bytes`
};
// Thrown instead of "truncated" when `partial`: the caller may retry with more of the file.
struct NeedMoreBytes {};
// Runs the pickle in `bytes` (stops at STOP; bytes after it are the caller's). `name` and `base`
// (added to offsets) make the messages name the file and the file offset. `partial`: `bytes` is only
// a window of a longer file (NeedMoreBytes when the pickle runs past its end).
UnpickleResult unpickle(std::span<const uint8_t> bytes, const std::string& name, uint64_t base,
                        const StorageResolver& resolve_storage, bool partial = false);
// The same with the numpy/scipy allow-list (Note [Numpy pickles]); no persistent ids.
UnpickleResult unpickle_numpy(std::span<const uint8_t> bytes, const std::string& name);

// Pickle protocol 2 in the subset torch 1.13's weights_only unpickler reads (plus BINFLOAT, which it
// lacks; floats cannot be written otherwise).
class PickleWriter {
 public:
  PickleWriter();  // writes PROTO 2
  void none();
  void boolean(bool v);
  void integer(int64_t v);
  void floating(double v);
  void string(std::string_view s);
  void global(std::string_view module, std::string_view name);  // memoized: each is written once
  void mark();
  void tuple(size_t n);  // of the last n values when n <= 3, else of those since the mark
  void empty_list();
  void empty_dict();
  void appends();   // since the mark
  void setitems();  // since the mark
  void reduce();
  void persistent_id();  // BINPERSID
  uint32_t put();        // memoizes the top of the stack; returns its index
  void get(uint32_t index);
  std::string finish();  // STOP and the bytes

 private:
  void op(uint8_t code);
  void u32(uint32_t v);
  std::string out_;
  uint32_t next_memo_ = 0;
  std::vector<std::pair<std::string, uint32_t>> globals_;
};

}  // namespace nabla::io::detail
