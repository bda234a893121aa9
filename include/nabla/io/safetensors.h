// safetensors.h — reading and writing the safetensors format (https://huggingface.co/docs/safetensors),
// the file format of nabla's weights and checkpoints. Files nabla writes load with the reference
// `safetensors` library and vice versa (dtypes F64, F32, F16, BF16, I64, I32, U8, BOOL).
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON header, then the data buffer:
//   {"__metadata__": {"key": "value", ...},
//    "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
// with offsets relative to the start of the data buffer. See docs/io.md for the exact rules.
//
// Errors: a file that is missing, truncated or malformed is a nabla::IOError naming the file and the
// byte offset or tensor at fault; the header is fully validated before any tensor is allocated.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nabla/tensor/ordered_dict.h"
#include "nabla/tensor/tensor.h"

namespace nabla::io {

// Name -> tensor, in order. The same type as nn::NamedTensors (what Module::state_dict() returns).
using NamedTensors = OrderedDict<std::string, Tensor>;
using Metadata = std::map<std::string, std::string>;

struct SafetensorsFile {
  NamedTensors tensors;  // in file order (by data offset)
  Metadata metadata;     // the header's "__metadata__" (empty when absent)
  // load_checkpoint() sets this when the file carried a `nabla.checksum` that matched.
  bool checksum_verified = false;

  bool contains(const std::string& name) const;
  // The tensor called `name`; nabla::IndexError naming it when absent.
  const Tensor& at(const std::string& name) const;
};

// Writes `tensors` (any dtype, contiguous or not; written contiguously) and string `metadata`.
// Like the reference implementation, tensors are laid out by dtype width (widest first, keeping every
// tensor aligned to its element size) and then by name, so the bytes do not depend on the order given.
// The file is replaced atomically (see atomic_write_file in checkpoint.h).
// ValueError on an undefined tensor, an empty, duplicate or reserved ("__metadata__") name.
void save_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata = {});

// Reads a safetensors file. Does not verify a `nabla.checksum` (load_checkpoint does).
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace nabla::io
