// pt.cpp — load_pt / save_pt: the tensor side of .pt files (containers: pt_archive.h; pickles: pickle.h).
#include "nabla/io/pt.h"

#include <bit>
#include <map>
#include <unordered_map>

#include "io/pickle.h"
#include "io/pt_archive.h"
#include "io/read_file.h"
#include "nabla/ops/ops.h"
#include "tensor/raw.h"
#include "util/check.h"

static_assert(std::endian::native == std::endian::little, ".pt storages are little-endian");

namespace nabla::io {

namespace {
using detail::PyType;
using detail::PyVal;

// A storage as a 1-d tensor of its nabla dtype (int8 and int16 widened to int32).
Tensor load_storage(const detail::PtArchive& archive, size_t index) {
  const detail::PtStorage& s = archive.storages()[index];
  Tensor t = empty({s.numel}, {.dtype = s.type->dtype});
  const auto itemsize = static_cast<size_t>(s.type->file_itemsize);
  if (itemsize == dtype_size(s.type->dtype)) {
    if (s.numel > 0) archive.read_storage(index, t.data_ptr());
  } else {
    std::vector<uint8_t> raw(s.bytes());
    archive.read_storage(index, raw.data());
    auto* out = t.data_ptr<int32_t>();
    for (int64_t i = 0; i < s.numel; ++i)
      out[i] = itemsize == 1 ? static_cast<int8_t>(raw[static_cast<size_t>(i)])
                             : static_cast<int16_t>(raw[2 * i] | (raw[2 * i + 1] << 8));
  }
  if (s.type->dtype == DType::Bool) {  // any non-zero byte is true; nabla's bools must be 0 or 1
    auto* p = static_cast<uint8_t*>(t.data_ptr());
    for (int64_t i = 0; i < s.numel; ++i) p[i] = p[i] != 0;
  }
  return t;
}

// The unpickler's values as PtValues; shared objects stay shared (and are converted once).
class Materializer {
 public:
  Materializer(const detail::PtArchive& archive, const std::string& path) : path_(path) {
    for (size_t i = 0; i < archive.storages().size(); ++i) storages_.push_back(load_storage(archive, i));
  }
  PtValue value(const PyVal& v) {
    switch (v.type) {
      case PyType::None:
        return {};
      case PyType::Bool:
        return PtValue(v.i != 0);
      case PyType::Int:
        return PtValue(v.i);
      case PyType::Float:
        return PtValue(v.f);
      default:
        break;
    }
    auto it = done_.find(v.obj.get());
    if (it != done_.end()) return it->second;
    PtValue out = object(v);
    done_.emplace(v.obj.get(), out);
    return out;
  }

 private:
  PtValue object(const PyVal& v) {
    const detail::PyObj& o = *v.obj;
    switch (v.type) {
      case PyType::String:
        return PtValue(o.str);
      case PyType::List:
      case PyType::Tuple: {
        PtValue::Items items;
        for (const auto& item : o.items) items.push_back(value(item));
        return v.type == PyType::List ? PtValue::list(std::move(items)) : PtValue::tuple(std::move(items));
      }
      case PyType::Dict: {
        PtValue::Entries entries;
        for (const auto& [k, x] : o.entries) entries.emplace_back(value(k), value(x));
        return PtValue::dict(std::move(entries), o.ordered);
      }
      case PyType::Tensor:
        return tensor(o.tensor);
      default:
        throw IOError(
            fmt::format("{}: holds a bare {} (nabla reads tensors, numbers, strings and containers)", path_,
                        v.type == PyType::Storage ? "storage" : "class"));
    }
  }
  PtValue tensor(const detail::TensorRef& r) {
    const Tensor& storage = storages_[static_cast<size_t>(r.storage)];
    Tensor t = raw::as_strided(storage, r.sizes, r.strides, r.offset);  // bounds checked by the unpickler
    if (r.requires_grad) {
      NABLA_CHECK(t.is_floating_point(), IOError,
                  "{}: a {} tensor requires grad; only floating point ones can", path_,
                  dtype_name(t.dtype()));
      t.requires_grad_(true);
    }
    return PtValue(std::move(t));
  }

  const std::string& path_;
  std::vector<Tensor> storages_;
  std::unordered_map<const detail::PyObj*, PtValue> done_;
};

// The pickle torch.save writes for `value`, and the storages it names.
class PtWriter {
 public:
  explicit PtWriter(const std::string& path) : path_(path) {}
  void value(const PtValue& v, uint32_t depth);
  std::vector<detail::ZipRecord> records(const std::string& pickle) const;

  detail::PickleWriter w;

 private:
  void tensor(const Tensor& t);
  void ints(IntArrayRef values);
  struct StorageEntry {
    const Storage* storage;
    DType dtype;
    Tensor keep;  // holds the storage alive
  };
  const std::string& path_;
  std::vector<StorageEntry> storages_;
  std::map<std::pair<const Storage*, DType>, size_t> storage_keys_;
  std::unordered_map<const TensorImpl*, uint32_t> memo_;  // a tensor written twice is one object
  uint64_t written_ = 0;
};

void PtWriter::ints(IntArrayRef values) {
  if (values.size() > 3) w.mark();
  for (int64_t v : values) w.integer(v);
  w.tuple(values.size());
}

void PtWriter::tensor(const Tensor& t) {
  NABLA_CHECK(t.defined(), ValueError, "save_pt: {}: a tensor is undefined", path_);
  NABLA_CHECK(t.device().is_cpu(), DeviceError, "save_pt: {}: a tensor is not on the CPU", path_);
  if (auto it = memo_.find(t.impl()); it != memo_.end()) return w.get(it->second);
  Tensor src = t.detach();
  for (int64_t s : src.strides())
    if (s < 0) src = src.contiguous();  // torch has no negative strides
  const Storage* storage = src.impl()->storage();
  const auto [it, added] = storage_keys_.emplace(std::pair{storage, src.dtype()}, storages_.size());
  const size_t key = it->second;
  if (added) storages_.push_back({storage, src.dtype(), src});
  const auto& type = detail::storage_type_for(src.dtype());
  const auto itemsize = static_cast<int64_t>(dtype_size(src.dtype()));
  w.global("torch._utils", "_rebuild_tensor_v2");
  w.mark();
  w.mark();  // the persistent id ('storage', torch.<T>Storage, key, 'cpu', numel)
  w.string("storage");
  w.global("torch", type.name);
  w.string(std::to_string(key));
  w.string("cpu");
  w.integer(static_cast<int64_t>(storage->nbytes()) / itemsize);
  w.tuple(5);
  w.persistent_id();
  w.integer(src.storage_offset());
  ints(src.sizes());
  ints(src.strides());
  w.boolean(t.requires_grad());
  w.global("collections", "OrderedDict");  // backward hooks: none
  w.tuple(0);
  w.reduce();
  w.tuple(6);
  w.reduce();
  memo_.emplace(t.impl(), w.put());
}

void PtWriter::value(const PtValue& v, uint32_t depth) {
  using Kind = PtValue::Kind;
  NABLA_CHECK(++written_ <= detail::kMaxPickleValues, ValueError,
              "save_pt: {}: more than {} values (shared containers count once per use)", path_,
              detail::kMaxPickleValues);
  NABLA_CHECK(depth <= detail::kMaxPickleDepth, ValueError, "save_pt: {}: containers nested deeper than {}",
              path_, detail::kMaxPickleDepth);
  switch (v.kind()) {
    case Kind::None:
      return w.none();
    case Kind::Bool:
      return w.boolean(v.to_bool());
    case Kind::Int:
      return w.integer(v.to_int());
    case Kind::Float:
      return w.floating(v.to_double());
    case Kind::String:
      NABLA_CHECK(detail::valid_utf8(v.to_string()), ValueError, "save_pt: {}: a string is not valid UTF-8",
                  path_);
      return w.string(v.to_string());
    case Kind::Tensor:
      return tensor(v.to_tensor());
    case Kind::List:
      w.empty_list();
      if (v.items().empty()) return;
      w.mark();
      for (const auto& item : v.items()) value(item, depth + 1);
      return w.appends();
    case Kind::Tuple:
      if (v.items().size() > 3) w.mark();
      for (const auto& item : v.items()) value(item, depth + 1);
      return w.tuple(v.items().size());
    case Kind::Dict:
      if (v.is_ordered_dict()) {
        w.global("collections", "OrderedDict");
        w.tuple(0);
        w.reduce();
      } else {
        w.empty_dict();
      }
      if (v.entries().empty()) return;
      w.mark();
      for (const auto& [k, x] : v.entries()) {
        value(k, depth + 1);
        value(x, depth + 1);
      }
      return w.setitems();
  }
}

std::vector<detail::ZipRecord> PtWriter::records(const std::string& pickle) const {
  static const std::string kVersion = "3\n", kByteorder = "little";
  std::vector<detail::ZipRecord> out{{"archive/data.pkl", pickle.data(), pickle.size()}};
  for (size_t i = 0; i < storages_.size(); ++i)
    out.push_back(
        {fmt::format("archive/data/{}", i), storages_[i].storage->data(), storages_[i].storage->nbytes()});
  out.push_back({"archive/version", kVersion.data(), kVersion.size()});
  out.push_back({"archive/byteorder", kByteorder.data(), kByteorder.size()});
  return out;
}

std::string describe(const PtValue& v) {
  if (!v.is_dict()) return "a " + std::string(kind_name(v.kind()));
  std::string keys;
  for (size_t i = 0; i < v.entries().size() && i < 5; ++i) {
    const PtValue& k = v.entries()[i].first;
    keys += fmt::format(
        "{}{}", i ? ", " : "",
        k.kind() == PtValue::Kind::String ? "'" + k.to_string() + "'" : std::to_string(k.to_int()));
  }
  return fmt::format("a dict with keys {}{}", keys, v.entries().size() > 5 ? ", ..." : "");
}
}  // namespace

PtValue load_pt(const std::string& path) {
  detail::PtArchive archive(detail::ByteSource::file(path));
  Materializer m(archive, path);
  return m.value(archive.root());
}

void save_pt(const std::string& path, const PtValue& value) {
  PtWriter writer(path);
  writer.value(value, 0);
  const std::string pickle = writer.w.finish();
  detail::write_pt_zip(path, writer.records(pickle));
}

FileFormat detect_format(const std::string& path) {
  detail::ReadFile file(path);
  uint8_t head[16] = {};
  const uint64_t n = std::min<uint64_t>(sizeof head, file.size());
  file.read_at(head, n, 0, "the file header");
  switch (detail::sniff_format({head, static_cast<size_t>(n)}, file.size())) {
    case detail::PtFormat::Zip:
      return FileFormat::PtZip;
    case detail::PtFormat::Legacy:
      return FileFormat::PtLegacy;
    case detail::PtFormat::Safetensors:
      return FileFormat::Safetensors;
    case detail::PtFormat::Unknown:
      break;
  }
  return FileFormat::Unknown;
}

NamedTensors load_state_dict(const std::string& path) {
  const FileFormat format = detect_format(path);
  if (format == FileFormat::Safetensors) return load_safetensors(path).tensors;
  NABLA_CHECK(format != FileFormat::Unknown, IOError,
              "{}: byte 0: neither a safetensors file nor a PyTorch .pt file", path);
  const PtValue v = load_pt(path);
  bool ok = v.is_dict();
  for (size_t i = 0; ok && i < v.entries().size(); ++i)
    ok = v.entries()[i].first.kind() == PtValue::Kind::String && v.entries()[i].second.is_tensor();
  NABLA_CHECK(ok, IOError,
              "{}: holds {}, not a state_dict (a dict of str -> tensor); load_pt() reads it, and one of its "
              "entries may be the state_dict",
              path, describe(v));
  NamedTensors out;
  for (const auto& [k, t] : v.entries()) out.emplace_back(k.to_string(), t.to_tensor());
  return out;
}

}  // namespace nabla::io
