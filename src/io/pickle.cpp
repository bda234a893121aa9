// pickle.cpp — the restricted unpickler (Note [Restricted unpickler] in pickle.h) and PickleWriter.
#include "io/pickle.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <unordered_map>

#include "nabla/tensor/error.h"

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
constexpr const char* kGlobals[] = {"collections.OrderedDict",       "torch._utils._rebuild_tensor_v2",
                                    "torch._utils._rebuild_tensor",  "torch._utils._rebuild_parameter",
                                    "torch._utils._rebuild_parameter_with_state", "torch.Size"};
static_assert(std::size(kGlobals) == kFirstStorageGlobal, "one name per allowed global");

const char* type_name(PyType t) {
  static constexpr const char* names[] = {"None", "bool",   "int",    "float",   "str",   "list",
                                          "tuple", "dict", "global", "storage", "tensor"};
  return names[static_cast<int>(t)];
}

class Machine {
 public:
  Machine(std::span<const uint8_t> bytes, const std::string& name, uint64_t base, const StorageResolver& r,
          bool partial)
      : b_(bytes), name_(name), base_(base), resolve_(r), partial_(partial) {}
  UnpickleResult run();

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw IOError(fmt::format("{}: byte {}: {}", name_, base_ + op_pos_, what));
  }
  // ---- reading the opcode stream ----
  const uint8_t* take(uint64_t n, const char* what) {
    if (n > b_.size() - pos_ && partial_) throw NeedMoreBytes{};
    if (n > b_.size() - pos_)
      fail(fmt::format("{} needs {} bytes but the pickle has {} left (truncated?)", what, n, b_.size() - pos_));
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

  std::span<const uint8_t> b_;
  const std::string& name_;
  uint64_t base_;
  const StorageResolver& resolve_;
  bool partial_;
  size_t pos_ = 0, op_pos_ = 0;
  std::vector<PyVal> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, PyVal> memo_;
  uint64_t created_ = 0;
  bool stopped_ = false;
};

void Machine::adopt(PyObj& parent, const PyVal& child) {
  uint64_t size = 1;
  if (child.obj) {
    child.obj->frozen = true;
    child.obj->keys.reset();  // a frozen dict takes no more keys
    if (child.obj->depth + 1 > parent.depth) parent.depth = child.obj->depth + 1;
    if (parent.depth > kMaxPickleDepth)
      fail(fmt::format("containers nested deeper than {} levels", kMaxPickleDepth));
    size = child.obj->size;
  }
  parent.size = std::min(parent.size + size, kMaxPickleValues + 1);
  if (parent.size > kMaxPickleValues)
    fail(fmt::format("shared data expands to more than {} values", kMaxPickleValues));
}

PyObj& Machine::target(PyType type, const char* op) {
  PyVal& t = top(op);
  if (t.type != type) fail(fmt::format("{} on a {}, expected a {}", op, type_name(t.type), type_name(type)));
  if (t.obj->frozen)
    fail(fmt::format("{} changes a {} that is already used elsewhere (self-referential or shared "
                     "mutable data is not supported)",
                     op, type_name(type)));
  return *t.obj;
}

void Machine::append(PyObj& list, PyVal item) {
  if (item.obj.get() == &list) fail("a list cannot contain itself");
  adopt(list, item);
  list.items.push_back(std::move(item));
}

void Machine::set_item(PyObj& dict, PyVal key, PyVal value) {
  std::string id;
  if (key.type == PyType::String) id = "s" + key.obj->str;
  else if (key.type == PyType::Int) id = "i" + std::to_string(key.i);
  else fail(fmt::format("a dict key is a {}; nabla reads str and int keys only", type_name(key.type)));
  if (value.obj.get() == &dict) fail("a dict cannot contain itself");
  if (!dict.keys) dict.keys = std::make_unique<std::unordered_set<std::string>>();
  if (!dict.keys->insert(id).second)
    fail(fmt::format("the dict key {} appears twice",
                     key.type == PyType::String ? "'" + key.obj->str + "'" : std::to_string(key.i)));
  adopt(dict, key);
  adopt(dict, value);
  dict.entries.emplace_back(std::move(key), std::move(value));
}

PyVal Machine::make_tuple(std::vector<PyVal> items) {
  PyVal t = object(PyType::Tuple);
  for (const auto& item : items) adopt(*t.obj, item);
  t.obj->items = std::move(items);
  return t;
}

PyVal Machine::global(std::string_view module, std::string_view name) {
  const std::string full = fmt::format("{}.{}", module, name);
  for (int64_t g = 0; g < kFirstStorageGlobal; ++g)
    if (full == kGlobals[g]) return scalar(PyType::Global, g);
  if (module == "torch")
    for (int s = 0; s < kNumStorageTypes; ++s)
      if (name == kStorageTypes[s].name) return scalar(PyType::Global, kFirstStorageGlobal + s);
  fail(fmt::format("global '{}' is not allowed: nabla's unpickler runs no code and accepts only the "
                   "globals torch.save writes for tensors and containers (docs/pt-format.md)",
                   full.size() > 200 ? full.substr(0, 200) + "..." : full));
}

std::vector<int64_t> Machine::int_tuple(const PyVal& v, const char* what) {
  if (v.type != PyType::Tuple && v.type != PyType::List)
    fail(fmt::format("{} should be a tuple of ints, got {}", what, type_name(v.type)));
  std::vector<int64_t> out;
  for (const auto& item : v.obj->items) out.push_back(int_arg(item, what));
  return out;
}

PyVal Machine::rebuild_tensor(const std::vector<PyVal>& a, size_t hooks_at) {
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
    if (s < 0 || st < 0) fail(fmt::format("negative size or stride in size {} stride {}", fmt::join(t.sizes, ","),
                                          fmt::join(t.strides, ",")));
    int64_t reach = 0;
    if (__builtin_mul_overflow(span, std::max<int64_t>(s, 1), &span) ||
        (s > 0 && (__builtin_mul_overflow(s - 1, st, &reach) || __builtin_add_overflow(last, reach, &last))))
      fail(fmt::format("tensor size {} stride {} overflows", fmt::join(t.sizes, ","), fmt::join(t.strides, ",")));
    empty = empty || s == 0;
  }
  if (empty ? t.offset > numel : last >= numel)
    fail(fmt::format("a tensor of size ({}) stride ({}) at offset {} reads past the end of its storage of {} "
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

PyVal Machine::ordered_dict(const std::vector<PyVal>& a) {
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

PyVal Machine::reduce(const PyVal& callable, const PyVal& args) {
  if (callable.type != PyType::Global) fail(fmt::format("REDUCE calls a {}", type_name(callable.type)));
  if (args.type != PyType::Tuple) fail(fmt::format("REDUCE's arguments are a {}", type_name(args.type)));
  const auto& a = args.obj->items;
  const auto arity = [&](size_t lo, size_t hi) {
    if (a.size() < lo || a.size() > hi)
      fail(fmt::format("{} takes {} arguments, got {}", kGlobals[callable.i], lo == hi ? fmt::format("{}", lo)
                                                                                      : fmt::format("{}-{}", lo, hi),
                       a.size()));
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

PyVal Machine::persistent_load(const PyVal& pid) {
  if (pid.type != PyType::Tuple) fail(fmt::format("a persistent id is a {}, expected a tuple", type_name(pid.type)));
  const auto& a = pid.obj->items;
  if (a.size() < 5 || a.size() > 6 || a[0].type != PyType::String || a[0].obj->str != "storage")
    fail("a persistent id is not ('storage', type, key, location, numel)");
  if (a[1].type != PyType::Global || a[1].i < kFirstStorageGlobal)
    fail("a persistent id's storage type is not a torch.<T>Storage class");
  if (a[2].type != PyType::String || a[3].type != PyType::String)
    fail("a persistent id's key and location should be strings");
  const int64_t numel = int_arg(a[4], "a storage's element count");
  if (numel < 0) fail(fmt::format("storage '{}' has a negative element count {}", a[2].obj->str, numel));
  if (a.size() == 6 && a[5].type != PyType::None) fail("storage views (PyTorch < 1.0 files) are not supported");
  const StorageType& type = kStorageTypes[a[1].i - kFirstStorageGlobal];
  PyVal v = object(PyType::Storage);
  v.i = resolve_(a[2].obj->str, type, numel, base_ + op_pos_);
  v.obj->storage_numel = numel;
  return v;
}

UnpickleResult Machine::run() {
  while (!stopped_) {
    op_pos_ = pos_;
    if (pos_ >= b_.size() && partial_) throw NeedMoreBytes{};
    if (pos_ >= b_.size()) fail("the pickle ends without a STOP opcode (truncated?)");
    const uint8_t code = b_[pos_++];
    if (!step(code)) fail(fmt::format("opcode 0x{:02x} is not supported", code));
  }
  if (stack_.size() != 1 || !marks_.empty()) fail("STOP leaves more than the result on the stack");
  return {std::move(stack_.back()), pos_};
}

// One opcode; false for one nabla does not run.
bool Machine::step(uint8_t code) {
  switch (code) {
    case 0x80: {  // PROTO
      const uint64_t v = le(1, "PROTO");
      if (v > 5) fail(fmt::format("pickle protocol {} is newer than 5", v));
      return true;
    }
    case 0x95: {  // FRAME: a hint for buffered readers
      const uint64_t n = le(8, "FRAME");
      if (n > b_.size() - pos_ && !partial_)
        fail(fmt::format("a frame of {} bytes runs past the end of the pickle", n));
      return true;
    }
    case '.':  // STOP
      if (stack_.size() <= floor()) fail("STOP on an empty stack");
      stopped_ = true;
      return true;
    case '(': marks_.push_back(stack_.size()); return true;
    case '0':  // POP (Python pops a MARK when nothing is above it)
      if (stack_.size() > floor()) stack_.pop_back();
      else pop_mark("POP");
      return true;
    case '1': pop_mark("POP_MARK"); return true;
    case '2': { PyVal v = top("DUP"); stack_.push_back(std::move(v)); return true; }
    case 'N': stack_.push_back(scalar(PyType::None)); return true;
    case 0x88: stack_.push_back(scalar(PyType::Bool, 1)); return true;
    case 0x89: stack_.push_back(scalar(PyType::Bool, 0)); return true;
    case 'K': stack_.push_back(scalar(PyType::Int, static_cast<int64_t>(le(1, "BININT1")))); return true;
    case 'M': stack_.push_back(scalar(PyType::Int, static_cast<int64_t>(le(2, "BININT2")))); return true;
    case 'J':
      stack_.push_back(scalar(PyType::Int, static_cast<int32_t>(static_cast<uint32_t>(le(4, "BININT")))));
      return true;
    case 0x8a: case 0x8b: {  // LONG1, LONG4: little-endian two's complement
      const uint64_t n = code == 0x8a ? le(1, "LONG1") : le(4, "LONG4");
      if (n > 8) fail(fmt::format("an integer of {} bytes does not fit in 64 bits", n));
      const uint64_t raw = n == 0 ? 0 : le(static_cast<int>(n), "LONG");
      const int shift = 64 - 8 * static_cast<int>(n);
      const int64_t v = n == 0 ? 0 : static_cast<int64_t>(raw << shift) >> shift;
      stack_.push_back(scalar(PyType::Int, v));
      return true;
    }
    case 'I': case 'L': {  // INT, LONG (text): "123\n", "01\n" is True; LONG ends in 'L'
      std::string_view s = line(code == 'I' ? "INT" : "LONG");
      if (code == 'I' && (s == "00" || s == "01")) {
        stack_.push_back(scalar(PyType::Bool, s == "01"));
        return true;
      }
      if (code == 'L' && !s.empty() && s.back() == 'L') s.remove_suffix(1);
      int64_t v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        fail("an integer is not a decimal number that fits in 64 bits");
      stack_.push_back(scalar(PyType::Int, v));
      return true;
    }
    case 'G': {  // BINFLOAT: big-endian IEEE double
      const uint8_t* p = take(8, "BINFLOAT");
      uint64_t bits = 0;
      for (int k = 0; k < 8; ++k) bits = (bits << 8) | p[k];
      double v;
      std::memcpy(&v, &bits, 8);
      stack_.push_back(scalar(PyType::Float, 0, v));
      return true;
    }
    case 'F': {  // FLOAT (text)
      const std::string_view s = line("FLOAT");
      double v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || end != s.data() + s.size() || s.empty()) fail("a float is not a decimal number");
      stack_.push_back(scalar(PyType::Float, 0, v));
      return true;
    }
    case 'X': case 0x8c: case 0x8d: case 'U': case 'T': {  // BINUNICODE(8), SHORT_BINUNICODE, (SHORT_)BINSTRING
      const int width = code == 'X' || code == 'T' ? 4 : code == 0x8d ? 8 : 1;
      uint64_t n = le(width, "a string's length");
      if (code == 'T' && static_cast<int32_t>(n) < 0) fail("a string has a negative length");
      const auto* p = take(n, "a string");
      stack_.push_back(string(std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n))));
      return true;
    }
    case ']': stack_.push_back(object(PyType::List)); return true;
    case ')': stack_.push_back(object(PyType::Tuple)); return true;
    case '}': stack_.push_back(object(PyType::Dict)); return true;
    case 'l': {  // LIST
      std::vector<PyVal> items = pop_mark("LIST");
      PyVal list = object(PyType::List);
      for (auto& item : items) append(*list.obj, std::move(item));
      stack_.push_back(std::move(list));
      return true;
    }
    case 't': stack_.push_back(make_tuple(pop_mark("TUPLE"))); return true;
    case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
      std::vector<PyVal> items(static_cast<size_t>(code - 0x84));
      for (size_t k = items.size(); k-- > 0;) items[k] = pop("TUPLE");
      stack_.push_back(make_tuple(std::move(items)));
      return true;
    }
    case 'd': {  // DICT
      std::vector<PyVal> items = pop_mark("DICT");
      if (items.size() % 2 != 0) fail("DICT with an odd number of items");
      PyVal dict = object(PyType::Dict);
      for (size_t k = 0; k < items.size(); k += 2) set_item(*dict.obj, items[k], items[k + 1]);
      stack_.push_back(std::move(dict));
      return true;
    }
    case 'a': {  // APPEND
      PyVal item = pop("APPEND");
      append(target(PyType::List, "APPEND"), std::move(item));
      return true;
    }
    case 'e': {  // APPENDS
      std::vector<PyVal> items = pop_mark("APPENDS");
      PyObj& list = target(PyType::List, "APPENDS");
      for (auto& item : items) append(list, std::move(item));
      return true;
    }
    case 's': {  // SETITEM
      PyVal value = pop("SETITEM"), key = pop("SETITEM");
      set_item(target(PyType::Dict, "SETITEM"), std::move(key), std::move(value));
      return true;
    }
    case 'u': {  // SETITEMS
      std::vector<PyVal> items = pop_mark("SETITEMS");
      if (items.size() % 2 != 0) fail("SETITEMS with an odd number of items");
      PyObj& dict = target(PyType::Dict, "SETITEMS");
      for (size_t k = 0; k < items.size(); k += 2) set_item(dict, std::move(items[k]), std::move(items[k + 1]));
      return true;
    }
    case 'c': {  // GLOBAL "module\nname\n"
      const std::string module(line("GLOBAL"));
      const std::string name(line("GLOBAL"));
      stack_.push_back(global(module, name));
      return true;
    }
    case 0x93: {  // STACK_GLOBAL
      PyVal name = pop("STACK_GLOBAL"), module = pop("STACK_GLOBAL");
      if (name.type != PyType::String || module.type != PyType::String) fail("STACK_GLOBAL needs two strings");
      stack_.push_back(global(module.obj->str, name.obj->str));
      return true;
    }
    case 'R': {  // REDUCE
      PyVal args = pop("REDUCE"), callable = pop("REDUCE");
      if (args.obj) args.obj->frozen = true;
      stack_.push_back(reduce(callable, args));
      return true;
    }
    case 'b': {  // BUILD: only a state dict's attributes (`_metadata`) on an OrderedDict; dropped
      PyVal state = pop("BUILD");
      PyObj& inst = target(PyType::Dict, "BUILD");
      if (!inst.ordered || state.type != PyType::Dict) fail("BUILD is supported only for an OrderedDict's attributes");
      return true;
    }
    case 'Q': {  // BINPERSID
      PyVal pid = pop("BINPERSID");
      stack_.push_back(persistent_load(pid));
      return true;
    }
    case 'p': case 'q': case 'r': case 0x94: {  // PUT, BINPUT, LONG_BINPUT, MEMOIZE
      uint64_t index = 0;
      if (code == 'q') index = le(1, "BINPUT");
      else if (code == 'r') index = le(4, "LONG_BINPUT");
      else if (code == 0x94) index = memo_.size();
      else {
        const std::string_view s = line("PUT");
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), index);
        if (ec != std::errc() || end != s.data() + s.size() || index > UINT32_MAX) fail("PUT's index is not a number");
      }
      count();
      memo_[static_cast<uint32_t>(index)] = top("PUT");
      return true;
    }
    case 'g': case 'h': case 'j': {  // GET, BINGET, LONG_BINGET
      uint64_t index = 0;
      if (code == 'h') index = le(1, "BINGET");
      else if (code == 'j') index = le(4, "LONG_BINGET");
      else {
        const std::string_view s = line("GET");
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), index);
        if (ec != std::errc() || end != s.data() + s.size() || index > UINT32_MAX) fail("GET's index is not a number");
      }
      auto it = memo_.find(static_cast<uint32_t>(index));
      if (it == memo_.end()) fail(fmt::format("GET of memo entry {}, which was never PUT", index));
      count();
      stack_.push_back(it->second);
      return true;
    }
    case 0x81: case 0x92: case 'i': case 'o':  // NEWOBJ, NEWOBJ_EX, INST, OBJ
      fail("the pickle creates a class instance, which nabla never does (only tensors and containers)");
    case 0x82: case 0x83: case 0x84:  // EXT1, EXT2, EXT4
      fail("the pickle names a global through the extension registry, which nabla does not allow");
    case 'P': fail("text persistent ids (PERSID) are not supported");
    case 'B': case 'C': case 0x8e: case 0x96:
      fail("bytes objects are not supported (torch.save writes tensors, not bytes)");
    case 0x8f: case 0x90: case 0x91: fail("sets are not supported");
    case 'S': case 'V': fail("protocol-0 quoted strings are not supported");
    default: return false;
  }
}

}  // namespace

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    const int n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (n < 0 || s.size() - i <= static_cast<size_t>(n)) return false;
    uint32_t cp = n == 0 ? c : c & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
      const auto d = static_cast<uint8_t>(s[i + static_cast<size_t>(k)]);
      if ((d >> 6) != 0x2) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

const StorageType* find_storage_type(std::string_view name) {
  for (const auto& t : kStorageTypes)
    if (name == t.name) return &t;
  return nullptr;
}

const StorageType& storage_type_for(DType dtype) {
  for (const auto& t : kStorageTypes)
    if (t.dtype == dtype && t.file_itemsize == static_cast<int>(dtype_size(dtype))) return t;
  throw Error("storage_type_for: no storage type");  // every nabla dtype has one (kStorageTypes)
}

UnpickleResult unpickle(std::span<const uint8_t> bytes, const std::string& name, uint64_t base,
                        const StorageResolver& resolve_storage, bool partial) {
  return Machine(bytes, name, base, resolve_storage, partial).run();
}

// ---- PickleWriter ----
PickleWriter::PickleWriter() {
  op(0x80);
  out_.push_back(2);
}
void PickleWriter::op(uint8_t code) { out_.push_back(static_cast<char>(code)); }
void PickleWriter::u32(uint32_t v) {
  for (int k = 0; k < 4; ++k) out_.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
}
void PickleWriter::none() { op('N'); }
void PickleWriter::boolean(bool v) { op(v ? 0x88 : 0x89); }
void PickleWriter::integer(int64_t v) {
  if (v >= 0 && v < 256) {
    op('K');
    out_.push_back(static_cast<char>(v));
  } else if (v >= 0 && v < 65536) {
    op('M');
    out_.push_back(static_cast<char>(v & 0xFF));
    out_.push_back(static_cast<char>(v >> 8));
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    op('J');
    u32(static_cast<uint32_t>(static_cast<int32_t>(v)));
  } else {  // LONG1 with the fewest bytes that keep the sign, as Python's encode_long
    int n = 8;
    while (n > 1 && (v >> (8 * (n - 1) - 1)) == (v >> 63)) --n;
    op(0x8a);
    out_.push_back(static_cast<char>(n));
    for (int k = 0; k < n; ++k) out_.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * k)) & 0xFF));
  }
}
void PickleWriter::floating(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  op('G');
  for (int k = 7; k >= 0; --k) out_.push_back(static_cast<char>((bits >> (8 * k)) & 0xFF));
}
void PickleWriter::string(std::string_view s) {
  op('X');
  u32(static_cast<uint32_t>(s.size()));
  out_.append(s);
}
void PickleWriter::global(std::string_view module, std::string_view name) {
  const std::string key = fmt::format("{}\n{}\n", module, name);
  for (const auto& [k, index] : globals_)
    if (k == key) return get(index);
  op('c');
  out_ += key;
  globals_.emplace_back(key, put());
}
void PickleWriter::mark() { op('('); }
void PickleWriter::tuple(size_t n) {
  static constexpr uint8_t small[] = {')', 0x85, 0x86, 0x87};
  op(n <= 3 ? small[n] : 't');
}
void PickleWriter::empty_list() { op(']'); }
void PickleWriter::empty_dict() { op('}'); }
void PickleWriter::appends() { op('e'); }
void PickleWriter::setitems() { op('u'); }
void PickleWriter::reduce() { op('R'); }
void PickleWriter::persistent_id() { op('Q'); }
uint32_t PickleWriter::put() {
  const uint32_t index = next_memo_++;
  if (index < 256) {
    op('q');
    out_.push_back(static_cast<char>(index));
  } else {
    op('r');
    u32(index);
  }
  return index;
}
void PickleWriter::get(uint32_t index) {
  if (index < 256) {
    op('h');
    out_.push_back(static_cast<char>(index));
  } else {
    op('j');
    u32(index);
  }
}
std::string PickleWriter::finish() {
  op('.');
  return std::move(out_);
}

}  // namespace nabla::io::detail
