// state_dict.h — which format a weights file is in (by content), and a state_dict from either
// safetensors or PyTorch's .pt (nabla/io/pt.h has the rest of .pt). A header of its own so that
// torch/serialize.h can offer it without the .pt value types (compile time).
//
//   model.load_state_dict(io::load_state_dict("model.pt"));  // .pt or safetensors, by content
#pragma once
#include <string>

#include "nabla/io/safetensors.h"

namespace nabla::io {

enum class FileFormat { Safetensors, PtZip, PtLegacy, Unknown };
// By content (the first bytes), not by name. IOError when the file cannot be read.
FileFormat detect_format(const std::string& path);

// A state_dict from a .pt file (a dict or OrderedDict of str -> tensor) or a safetensors file,
// whichever `path` holds. IOError naming what the file holds when it is not a state_dict.
NamedTensors load_state_dict(const std::string& path);

}  // namespace nabla::io
