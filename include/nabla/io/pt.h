// pt.h — PyTorch's .pt files (torch.save / torch.load): read and write tensors, state_dicts, optimizer
// state_dicts and dicts/lists/tuples of them with numbers and strings.
//
//   io::PtValue v = io::load_pt("model.pt");               // whatever torch.save stored
//   model.load_state_dict(io::load_state_dict("model.pt"));  // .pt or safetensors, by content
//   io::save_pt("weights.pt", model.state_dict());           // torch.load(..., weights_only=True) reads it
//
// Reading takes the zip format (torch.save since 1.6) and the legacy one (_use_new_zipfile_serialization=
// False). The pickle inside is run by a restricted unpickler that never executes code: only the globals
// torch.save writes for tensors and containers are accepted, anything else (a pickled nn.Module,
// `os.system`) is an IOError naming the global. Every size and offset is checked against the file before
// anything is allocated. See docs/pt-format.md for the supported subset.
//
// Errors: nabla::IOError naming the file (and the zip record and byte offset) for a bad file;
// ValueError for a value that cannot be written or has another kind than asked for.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "nabla/io/safetensors.h"
#include "nabla/io/state_dict.h"
#include "nabla/tensor/tensor.h"

namespace nabla::io {

// A Python object from a .pt file: None, bool, int, float, str, a tensor, or a list, tuple or dict of
// them (dict keys: str or int). Copies share their contents, like Python references; values are
// immutable once built.
class PtValue {
 public:
  enum class Kind { None, Bool, Int, Float, String, Tensor, List, Tuple, Dict };
  using Items = std::vector<PtValue>;
  using Entries = std::vector<std::pair<PtValue, PtValue>>;

  PtValue() = default;  // None
  PtValue(bool v) : v_(v) {}
  template <typename I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) PtValue(I v) : v_(static_cast<int64_t>(v)) {}
  PtValue(double v) : v_(v) {}
  PtValue(std::string v) : v_(std::move(v)) {}
  PtValue(const char* v) : v_(std::string(v)) {}
  PtValue(Tensor t) : v_(std::move(t)) {}

  static PtValue list(Items items);
  static PtValue tuple(Items items);
  // A dict (`ordered`: a collections.OrderedDict). ValueError for a key that is not a str or int, or
  // that appears twice.
  static PtValue dict(Entries entries, bool ordered = false);

  Kind kind() const;
  bool is_none() const { return kind() == Kind::None; }
  bool is_tensor() const { return kind() == Kind::Tensor; }
  bool is_dict() const { return kind() == Kind::Dict; }
  bool is_ordered_dict() const { return is_dict() && ordered_; }
  // The value as the given kind; ValueError naming both kinds otherwise (to_double also takes an int).
  bool to_bool() const;
  int64_t to_int() const;
  double to_double() const;
  const std::string& to_string() const;
  const Tensor& to_tensor() const;
  const Items& items() const;      // List or Tuple
  const Entries& entries() const;  // Dict, in insertion order
  // Dict lookups; IndexError naming the key when absent.
  bool contains(std::string_view key) const;
  const PtValue& at(std::string_view key) const;
  const PtValue& at(int64_t key) const;
  size_t size() const;  // items or entries

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Tensor, std::shared_ptr<const Items>,
               std::shared_ptr<const Entries>>
      v_;
  bool tuple_ = false, ordered_ = false;
};

std::string_view kind_name(PtValue::Kind kind);  // "None", "bool", ..., "dict"

// A state_dict as torch.save stores one: an OrderedDict of name -> tensor.
PtValue to_pt(const NamedTensors& state_dict);

// Reads a .pt file (zip or legacy format).
PtValue load_pt(const std::string& path);
// Writes `value` in torch.save's zip format, atomically (see atomic_write_file). Tensors sharing a
// storage stay views of one storage, as with torch.save. ValueError for an undefined tensor or a
// string that is not valid UTF-8; DeviceError for a tensor not on the CPU.
void save_pt(const std::string& path, const PtValue& value);
inline void save_pt(const std::string& path, const NamedTensors& state_dict) {
  save_pt(path, to_pt(state_dict));
}

// detect_format and load_state_dict (either format, by content): nabla/io/state_dict.h.

// An optimizer's state in nabla's form (optim::OptimizerStateDict's two fields): tensors named
// "state.<index>.<name>" and the hyper-parameters as JSON (docs/optim.md).
struct PtOptimizerState {
  std::map<std::string, Tensor> tensors;
  std::string json;
};
// PyTorch's optimizer.state_dict() ({'state': {index: {name: tensor}}, 'param_groups': [{...}]}) for the
// optimizer `optimizer_name` ("SGD", "Adam", ...; PyTorch does not record it). IOError when `value` does
// not have that shape.
PtOptimizerState optimizer_state_from_pt(const PtValue& value, const std::string& optimizer_name);
// The other way: what torch.optim's load_state_dict takes. ValueError for malformed JSON or keys.
PtValue optimizer_state_to_pt(const PtOptimizerState& state);

// safetensors <-> .pt. A tensor becomes the safetensors tensor "tensor", a dict of str -> tensor (a
// state_dict) its tensors; anything else is stored as tensors named by their dotted path plus the
// structure as JSON in the metadata key "nabla.pt", so that converting back gives the same value.
SafetensorsFile pt_to_safetensors(const PtValue& value);
PtValue pt_from_safetensors(const SafetensorsFile& file);
// `nabla convert`: reads `in` (either format, by content) and writes `out` in the format its extension
// names (.safetensors, or .pt/.pth/.bin). ValueError for another extension.
void convert_file(const std::string& in, const std::string& out);

}  // namespace nabla::io
