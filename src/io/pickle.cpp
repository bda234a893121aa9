// pickle.cpp — the restricted unpickler's opcodes and containers (Note [Restricted unpickler] in
// pickle.h; the allow-list is pickle_globals.cpp).
#include <bit>
#include <charconv>
#include <unordered_map>

#include "io/pickle_machine.h"

namespace nabla::io::detail {

void Unpickler::adopt(PyObj& parent, const PyVal& child) {
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

PyObj& Unpickler::target(PyType type, const char* op) {
  PyVal& t = top(op);
  if (t.type != type) fail(fmt::format("{} on a {}, expected a {}", op, type_name(t.type), type_name(type)));
  if (t.obj->frozen)
    fail(
        fmt::format("{} changes a {} that is already used elsewhere (self-referential or shared "
                    "mutable data is not supported)",
                    op, type_name(type)));
  return *t.obj;
}

void Unpickler::append(PyObj& list, PyVal item) {
  if (item.obj.get() == &list) fail("a list cannot contain itself");
  adopt(list, item);
  list.items.push_back(std::move(item));
}

void Unpickler::set_item(PyObj& dict, PyVal key, PyVal value) {
  std::string id;
  if (key.type == PyType::String)
    id = "s" + key.obj->str;
  else if (key.type == PyType::Bytes)
    id = "b" + key.obj->str;
  else if (key.type == PyType::Int)
    id = "i" + std::to_string(key.i);
  else
    fail(fmt::format("a dict key is a {}; nabla reads str and int keys only", type_name(key.type)));
  if (value.obj.get() == &dict) fail("a dict cannot contain itself");
  if (!dict.keys) dict.keys = std::make_unique<std::unordered_set<std::string>>();
  if (!dict.keys->insert(id).second)
    fail(fmt::format("the dict key {} appears twice",
                     key.type == PyType::Int ? std::to_string(key.i) : "'" + key.obj->str + "'"));
  adopt(dict, key);
  adopt(dict, value);
  dict.entries.emplace_back(std::move(key), std::move(value));
}

PyVal Unpickler::make_tuple(std::vector<PyVal> items) {
  PyVal t = object(PyType::Tuple);
  for (const auto& item : items) adopt(*t.obj, item);
  t.obj->items = std::move(items);
  return t;
}

UnpickleResult Unpickler::run() {
  while (!stopped_) {
    op_pos_ = pos_;
    if (pos_ >= b_.size() && partial_) throw NeedMoreBytes{};
    if (pos_ >= b_.size()) fail("the pickle ends without a STOP opcode (truncated?)");
    const uint8_t code = b_[pos_++];
    step(code);
  }
  if (stack_.size() != 1 || !marks_.empty()) fail("STOP leaves more than the result on the stack");
  return {std::move(stack_.back()), pos_};
}

// One opcode; false for one nabla does not know. Split by family to keep each switch short.
bool Unpickler::step(uint8_t code) {
  return control_op(code) || scalar_op(code) || container_op(code) || memo_op(code) || object_op(code) ||
         refused_op(code);
}

bool Unpickler::control_op(uint8_t code) {
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
    case '(':  // MARK
      marks_.push_back(stack_.size());
      return true;
    case '0':  // POP (Python pops a MARK when nothing is above it)
      if (stack_.size() > floor())
        stack_.pop_back();
      else
        pop_mark("POP");
      return true;
    case '1':
      pop_mark("POP_MARK");
      return true;
    case '2': {
      PyVal v = top("DUP");
      stack_.push_back(std::move(v));
      return true;
    }
    default:
      return false;
  }
}

int64_t Unpickler::text_int(std::string_view s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty())
    fail("an integer is not a decimal number that fits in 64 bits");
  return v;
}

bool Unpickler::scalar_op(uint8_t code) {
  switch (code) {
    case 'N':
      stack_.push_back(scalar(PyType::None));
      return true;
    case 0x88:
      stack_.push_back(scalar(PyType::Bool, 1));
      return true;  // NEWTRUE
    case 0x89:
      stack_.push_back(scalar(PyType::Bool, 0));
      return true;  // NEWFALSE
    case 'K':
      stack_.push_back(scalar(PyType::Int, static_cast<int64_t>(le(1, "BININT1"))));
      return true;
    case 'M':
      stack_.push_back(scalar(PyType::Int, static_cast<int64_t>(le(2, "BININT2"))));
      return true;
    case 'J':
      stack_.push_back(scalar(PyType::Int, static_cast<int32_t>(static_cast<uint32_t>(le(4, "BININT")))));
      return true;
    case 0x8a:
    case 0x8b: {  // LONG1, LONG4: little-endian two's complement
      const uint64_t n = code == 0x8a ? le(1, "LONG1") : le(4, "LONG4");
      if (n > 8) fail(fmt::format("an integer of {} bytes does not fit in 64 bits", n));
      const int shift = 64 - 8 * static_cast<int>(n);
      const int64_t v = n == 0 ? 0 : static_cast<int64_t>(le(static_cast<int>(n), "LONG") << shift) >> shift;
      stack_.push_back(scalar(PyType::Int, v));
      return true;
    }
    case 'I':
    case 'L': {  // INT, LONG (text): "123\n"; INT "01"/"00" are True/False; LONG ends in 'L'
      std::string_view s = line(code == 'I' ? "INT" : "LONG");
      if (code == 'L' && !s.empty() && s.back() == 'L') s.remove_suffix(1);
      const bool boolean = code == 'I' && (s == "00" || s == "01");
      stack_.push_back(boolean ? scalar(PyType::Bool, s == "01") : scalar(PyType::Int, text_int(s)));
      return true;
    }
    case 'G': {  // BINFLOAT: big-endian IEEE double
      const uint8_t* p = take(8, "BINFLOAT");
      uint64_t bits = 0;
      for (int k = 0; k < 8; ++k) bits = (bits << 8) | p[k];
      stack_.push_back(scalar(PyType::Float, 0, std::bit_cast<double>(bits)));
      return true;
    }
    case 'F': {  // FLOAT (text)
      const std::string_view s = line("FLOAT");
      double v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        fail("a float is not a decimal number");
      stack_.push_back(scalar(PyType::Float, 0, v));
      return true;
    }
    case 'B':
    case 'C':
    case 0x8e:  // BINBYTES, SHORT_BINBYTES, BINBYTES8: Bytes for numpy's data, refused by torch's list
      if (!numpy()) return false;
      [[fallthrough]];
    case 'X':
    case 0x8c:
    case 0x8d:
    case 'U':
    case 'T': {  // BINUNICODE(8), SHORT_BINUNICODE, (SHORT_)BINSTRING
      const int width = code == 'X' || code == 'T' || code == 'B' ? 4 : code == 0x8d || code == 0x8e ? 8 : 1;
      const uint64_t n = le(width, "a string's length");
      if ((code == 'T' || code == 'B') && static_cast<int32_t>(n) < 0) fail("a string has a negative length");
      const auto* p = take(n, "a string");
      std::string s(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
      // Python 2's str and Python 3's bytes: raw bytes in a numpy pickle (Note [Numpy pickles]).
      const bool bytes = numpy() && code != 'X' && code != 0x8c && code != 0x8d;
      if (!bytes) {
        stack_.push_back(string(std::move(s)));
        return true;
      }
      stack_.push_back(object(PyType::Bytes));
      stack_.back().obj->str = std::move(s);
      return true;
    }
    default:
      return false;
  }
}

bool Unpickler::container_op(uint8_t code) {
  switch (code) {
    case ']':
      stack_.push_back(object(PyType::List));
      return true;
    case ')':
      stack_.push_back(object(PyType::Tuple));
      return true;
    case '}':
      stack_.push_back(object(PyType::Dict));
      return true;
    case 't':
      stack_.push_back(make_tuple(pop_mark("TUPLE")));
      return true;
    case 0x85:
    case 0x86:
    case 0x87: {  // TUPLE1..3
      std::vector<PyVal> items(static_cast<size_t>(code - 0x84));
      for (size_t k = items.size(); k-- > 0;) items[k] = pop("TUPLE");
      stack_.push_back(make_tuple(std::move(items)));
      return true;
    }
    case 'l':    // LIST: the items since the mark, appended to a new list
    case 'd': {  // DICT: the pairs since the mark
      std::vector<PyVal> items = pop_mark(code == 'l' ? "LIST" : "DICT");
      stack_.push_back(object(code == 'l' ? PyType::List : PyType::Dict));
      code == 'l' ? append_all(*stack_.back().obj, items) : set_all(*stack_.back().obj, items, "DICT");
      return true;
    }
    case 'a': {  // APPEND
      PyVal item = pop("APPEND");
      append(target(PyType::List, "APPEND"), std::move(item));
      return true;
    }
    case 'e': {  // APPENDS
      std::vector<PyVal> items = pop_mark("APPENDS");
      append_all(target(PyType::List, "APPENDS"), items);
      return true;
    }
    case 's': {  // SETITEM
      PyVal value = pop("SETITEM"), key = pop("SETITEM");
      set_item(target(PyType::Dict, "SETITEM"), std::move(key), std::move(value));
      return true;
    }
    case 'u': {  // SETITEMS
      std::vector<PyVal> items = pop_mark("SETITEMS");
      set_all(target(PyType::Dict, "SETITEMS"), items, "SETITEMS");
      return true;
    }
    default:
      return false;
  }
}

uint64_t Unpickler::memo_index(uint8_t code) {
  if (code == 'q' || code == 'h') return le(1, "the memo index");
  if (code == 'r' || code == 'j') return le(4, "the memo index");
  if (code == 0x94) return memo_.size();  // MEMOIZE
  const int64_t index = text_int(line("PUT/GET"));
  if (index < 0 || index > INT32_MAX) fail("a memo index is out of range");
  return static_cast<uint64_t>(index);
}

bool Unpickler::memo_op(uint8_t code) {
  switch (code) {
    case 'p':
    case 'q':
    case 'r':
    case 0x94: {  // PUT, BINPUT, LONG_BINPUT, MEMOIZE
      const uint64_t index = memo_index(code);
      count();
      memo_[static_cast<uint32_t>(index)] = top("PUT");
      return true;
    }
    case 'g':
    case 'h':
    case 'j': {  // GET, BINGET, LONG_BINGET
      const uint64_t index = memo_index(code);
      auto it = memo_.find(static_cast<uint32_t>(index));
      if (it == memo_.end()) fail(fmt::format("GET of memo entry {}, which was never PUT", index));
      count();
      stack_.push_back(it->second);
      return true;
    }
    default:
      return false;
  }
}

// The opcodes that could run code in Python: each checked against the allow-list.
bool Unpickler::object_op(uint8_t code) {
  switch (code) {
    case 'c': {  // GLOBAL "module\nname\n"
      const std::string module(line("GLOBAL"));
      const std::string name(line("GLOBAL"));
      stack_.push_back(global(module, name));
      return true;
    }
    case 0x93: {  // STACK_GLOBAL
      PyVal name = pop("STACK_GLOBAL"), module = pop("STACK_GLOBAL");
      if (name.type != PyType::String || module.type != PyType::String)
        fail("STACK_GLOBAL needs two strings");
      stack_.push_back(global(module.obj->str, name.obj->str));
      return true;
    }
    case 'R': {  // REDUCE
      PyVal args = pop("REDUCE"), callable = pop("REDUCE");
      if (args.obj) args.obj->frozen = true;
      stack_.push_back(reduce(callable, args));
      return true;
    }
    case 'b': {  // BUILD: only a state_dict's attributes (`_metadata`) on an OrderedDict; dropped
      PyVal state = pop("BUILD");
      if (numpy()) {
        numpy_build(top("BUILD"), state);
        return true;
      }
      PyObj& inst = target(PyType::Dict, "BUILD");
      if (!inst.ordered || state.type != PyType::Dict)
        fail("BUILD is supported only for an OrderedDict's attributes");
      return true;
    }
    case 0x81: {  // NEWOBJ: cls.__new__(cls, *args), for the numpy allow-list's classes only
      if (!numpy()) return false;
      PyVal args = pop("NEWOBJ"), cls = pop("NEWOBJ");
      stack_.push_back(numpy_newobj(cls, args));
      return true;
    }
    case 'Q': {  // BINPERSID
      if (numpy()) fail("persistent ids are not allowed in a pickle of numpy or scipy data");
      PyVal pid = pop("BINPERSID");
      stack_.push_back(persistent_load(pid));
      return true;
    }
    default:
      return false;
  }
}

[[noreturn]] bool Unpickler::refused_op(uint8_t code) {
  switch (code) {
    case 0x81:
    case 0x92:
    case 'i':
    case 'o':  // NEWOBJ, NEWOBJ_EX, INST, OBJ
      fail("the pickle creates a class instance, which nabla never does (only tensors and containers)");
    case 0x82:
    case 0x83:
    case 0x84:  // EXT1, EXT2, EXT4
      fail("the pickle names a global through the extension registry, which nabla does not allow");
    case 'P':
      fail("text persistent ids (PERSID) are not supported");
    case 'B':
    case 'C':
    case 0x8e:
    case 0x96:
      fail("bytes objects are not supported (torch.save writes tensors, not bytes)");
    case 0x8f:
    case 0x90:
    case 0x91:
      fail("sets are not supported");
    case 'S':
    case 'V':
      fail("protocol-0 quoted strings are not supported");
    default:
      fail(fmt::format("opcode 0x{:02x} is not supported", code));
  }
}

UnpickleResult unpickle(std::span<const uint8_t> bytes, const std::string& name, uint64_t base,
                        const StorageResolver& resolve_storage, bool partial) {
  return Unpickler(bytes, name, base, resolve_storage, partial).run();
}

UnpickleResult unpickle_numpy(std::span<const uint8_t> bytes, const std::string& name) {
  static const StorageResolver none = [](const std::string&, const StorageType&, int64_t,
                                         uint64_t) -> int64_t { return 0; };  // never called
  return Unpickler(bytes, name, 0, none, false, PickleFlavor::Numpy).run();
}

}  // namespace nabla::io::detail
