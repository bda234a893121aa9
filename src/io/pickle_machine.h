// pickle_machine.h — the unpickler's state machine, shared by pickle.cpp (opcodes, containers) and
// pickle_globals.cpp (the allow-list: globals, REDUCE, persistent ids). See Note [Restricted unpickler].
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "io/pickle.h"
#include "nabla/tensor/error.h"

namespace nabla::io::detail {

inline const char* type_name(PyType t) {
  static constexpr const char* names[] = {"None",   "bool",  "int",     "float",       "str",
                                          "list",   "tuple", "dict",    "global",      "storage",
                                          "tensor", "bytes", "ndarray", "numpy.dtype", "object"};
  return names[static_cast<int>(t)];
}

class Unpickler {
 public:
  Unpickler(std::span<const uint8_t> bytes, const std::string& name, uint64_t base, const StorageResolver& r,
            bool partial, PickleFlavor flavor = PickleFlavor::Torch)
      : b_(bytes), name_(name), base_(base), resolve_(r), partial_(partial), flavor_(flavor) {}
  UnpickleResult run();

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw IOError(fmt::format("{}: byte {}: {}", name_, base_ + op_pos_, what));
  }
  // ---- reading the opcode stream ----
  const uint8_t* take(uint64_t n, const char* what) {
    if (n > b_.size() - pos_ && partial_) throw NeedMoreBytes{};
    if (n > b_.size() - pos_)
      fail(fmt::format("{} needs {} bytes but the pickle has {} left (truncated?)", what, n,
                       b_.size() - pos_));
    const uint8_t* p = b_.data() + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }
  uint64_t le(int n, const char* what) {
    const uint8_t* p = take(static_cast<uint64_t>(n), what);
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | p[k];
    return v;
  }
  std::string_view line(const char* what) {
    const size_t limit = std::min<size_t>(b_.size() - pos_, 1024);
    const auto* begin = b_.data() + pos_;
    const auto* nl = static_cast<const uint8_t*>(std::memchr(begin, '\n', limit));
    if (nl == nullptr && partial_ && limit < 1024) throw NeedMoreBytes{};
    if (nl == nullptr) fail(fmt::format("{}: no end of line within {} bytes", what, limit));
    pos_ += static_cast<size_t>(nl - begin) + 1;
    return {reinterpret_cast<const char*>(begin), static_cast<size_t>(nl - begin)};
  }
  // ---- values ----
  void count() {
    if (++created_ > kMaxPickleValues)
      fail(fmt::format("more than {} values: refusing to build a larger object", kMaxPickleValues));
  }
  PyVal scalar(PyType t, int64_t i = 0, double f = 0) {
    count();
    return PyVal{t, i, f, nullptr};
  }
  PyVal object(PyType t) {
    count();
    PyVal v{t, 0, 0, std::make_shared<PyObj>()};
    if (t == PyType::List || t == PyType::Tuple || t == PyType::Dict) v.obj->depth = 1;
    return v;
  }
  PyVal string(std::string s) {
    if (!valid_utf8(s)) fail("a string is not valid UTF-8");
    PyVal v = object(PyType::String);
    v.obj->str = std::move(s);
    return v;
  }
  // ---- the stack ----
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  PyVal pop(const char* op) {
    if (stack_.size() <= floor()) fail(fmt::format("{} on an empty stack", op));
    PyVal v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  PyVal& top(const char* op) {
    if (stack_.size() <= floor()) fail(fmt::format("{} on an empty stack", op));
    return stack_.back();
  }
  std::vector<PyVal> pop_mark(const char* op) {
    if (marks_.empty()) fail(fmt::format("{} without a MARK", op));
    std::vector<PyVal> items(std::make_move_iterator(stack_.begin() + static_cast<ptrdiff_t>(marks_.back())),
                             std::make_move_iterator(stack_.end()));
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  // ---- containers ----
  void adopt(PyObj& parent, const PyVal& child);
  PyObj& target(PyType type, const char* op);
  void append(PyObj& list, PyVal item);
  void set_item(PyObj& dict, PyVal key, PyVal value);
  PyVal make_tuple(std::vector<PyVal> items);
  // ---- the risky opcodes ----
  PyVal global(std::string_view module, std::string_view name);
  PyVal reduce(const PyVal& callable, const PyVal& args);
  PyVal persistent_load(const PyVal& pid);
  PyVal rebuild_tensor(const std::vector<PyVal>& a, size_t hooks_at);
  PyVal ordered_dict(const std::vector<PyVal>& a);
  // ---- the numpy/scipy allow-list (pickle_numpy.cpp, Note [Numpy pickles]) ----
  bool numpy() const { return flavor_ == PickleFlavor::Numpy; }
  PyVal numpy_global(const std::string& full);
  PyVal numpy_reduce(const PyVal& callable, const std::vector<PyVal>& a);
  PyVal numpy_newobj(const PyVal& cls, const PyVal& args);
  void numpy_build(PyVal& inst, const PyVal& state);
  void build_array(PyObj& array, const PyVal& state);
  void build_dtype(PyObj& dtype, const PyVal& state);
  PyVal instance(const PyVal& cls, const char* how);
  const std::string& text_arg(const PyVal& v, const char* what);
  int64_t int_arg(const PyVal& v, const char* what) {
    if (v.type != PyType::Int) fail(fmt::format("{} should be an int, got {}", what, type_name(v.type)));
    return v.i;
  }
  std::vector<int64_t> int_tuple(const PyVal& v, const char* what);
  void check_empty_dict(const PyVal& v, const char* what) {
    if (v.type == PyType::None) return;
    if (v.type != PyType::Dict || !v.obj->entries.empty())
      fail(fmt::format("{} should be an empty dict (nabla restores no Python hooks or attributes)", what));
  }
  bool step(uint8_t code);
  bool control_op(uint8_t code);
  bool scalar_op(uint8_t code);
  bool container_op(uint8_t code);
  bool memo_op(uint8_t code);
  bool object_op(uint8_t code);
  [[noreturn]] bool refused_op(uint8_t code);
  int64_t text_int(std::string_view s);
  uint64_t memo_index(uint8_t code);
  void append_all(PyObj& list, std::vector<PyVal>& items) {
    for (auto& item : items) append(list, std::move(item));
  }
  void set_all(PyObj& dict, std::vector<PyVal>& items, const char* op) {
    if (items.size() % 2 != 0) fail(fmt::format("{} with an odd number of items", op));
    for (size_t k = 0; k < items.size(); k += 2) set_item(dict, std::move(items[k]), std::move(items[k + 1]));
  }

  std::span<const uint8_t> b_;
  const std::string& name_;
  uint64_t base_;
  const StorageResolver& resolve_;
  bool partial_;
  PickleFlavor flavor_;
  size_t pos_ = 0, op_pos_ = 0;
  std::vector<PyVal> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, PyVal> memo_;
  uint64_t created_ = 0;
  bool stopped_ = false;
};

}  // namespace nabla::io::detail
