// pt_legacy.cpp — torch.save's legacy format (torch < 1.6, or _use_new_zipfile_serialization=False),
// read only. Five pickles back to back — the magic number 0x1950a86a20f9469cfc6c, the protocol version
// 1001, a system-info dict, the data, and the sorted list of storage keys — then, for each key in that
// order, the storage: its element count (int64, little-endian) and its elements.
#include <algorithm>

#include "io/pt_archive.h"
#include "util/check.h"

namespace nabla::io::detail {

namespace {
constexpr uint64_t kMagicPickleBytes = 15;  // PROTO 2, LONG1 (10 bytes), STOP: checked by sniff_format

const PyVal* dict_get(const PyVal& dict, std::string_view key) {
  for (const auto& [k, v] : dict.obj->entries)
    if (k.type == PyType::String && k.obj->str == key) return &v;
  return nullptr;
}
}  // namespace

// The pickle's length is known only once it has run, and storages follow it: run it on a window of the
// file, and on a larger one when it runs past the window's end.
UnpickleResult PtArchive::legacy_pickle(uint64_t pos, const char* what, const StorageResolver& resolve) {
  const uint64_t left = source_.size() - pos;
  uint64_t window = std::min<uint64_t>(left, uint64_t{1} << 16);
  const size_t known = storages_.size();
  for (;;) {
    std::vector<uint8_t> bytes(window);
    source_.read_at(bytes.data(), window, pos, what);
    for (; storages_.size() > known; storages_.pop_back()) {  // the resolver's work from a previous attempt
      storage_index_.erase(storages_.back().key);
      storage_bytes_ -= storages_.back().bytes();
    }
    try {
      return unpickle(bytes, source_.name(), pos, resolve, /*partial=*/window < left);
    } catch (const NeedMoreBytes&) {
      window = std::min(left, window * 4);
    }
  }
}

void PtArchive::open_legacy() {
  const std::string& file = source_.name();
  const uint64_t size = source_.size();
  const StorageResolver no_storages = [&](const std::string& key, const StorageType&, int64_t,
                                          uint64_t at) -> int64_t {
    throw IOError(fmt::format("{}: byte {}: storage '{}' outside the data pickle", file, at, key));
  };
  UnpickleResult r = legacy_pickle(kMagicPickleBytes, "the protocol version", no_storages);
  uint64_t pos = kMagicPickleBytes + r.end;
  NABLA_CHECK(r.value.type == PyType::Int && r.value.i == 1001, IOError,
              "{}: byte {}: legacy protocol version is not 1001", file, kMagicPickleBytes);
  const uint64_t info_at = pos;
  r = legacy_pickle(pos, "the system info", no_storages);
  pos += r.end;
  const PyVal* little = r.value.type == PyType::Dict ? dict_get(r.value, "little_endian") : nullptr;
  NABLA_CHECK(little != nullptr && little->type == PyType::Bool, IOError,
              "{}: byte {}: the system info is not a dict with 'little_endian'", file, info_at);
  NABLA_CHECK(little->i == 1, IOError,
              "{}: byte {}: written on a big-endian machine; nabla reads little-endian "
              "data only",
              file, info_at);

  const uint64_t data_at = pos;
  const StorageResolver resolve = [&](const std::string& key, const StorageType& type, int64_t numel,
                                      uint64_t at) {
    return add_storage(key, type, numel, size - data_at, fmt::format("{}: byte {}", file, at));
  };
  r = legacy_pickle(pos, "the data", resolve);
  pos += r.end;
  root_ = std::move(r.value);

  const uint64_t keys_at = pos;
  r = legacy_pickle(pos, "the storage keys", no_storages);
  pos += r.end;
  NABLA_CHECK(r.value.type == PyType::List, IOError, "{}: byte {}: the storage keys are not a list", file,
              keys_at);
  const std::vector<PyVal>& keys = r.value.obj->items;
  NABLA_CHECK(keys.size() == storages_.size(), IOError,
              "{}: byte {}: {} storage keys listed, but the data uses {} storages", file, keys_at,
              keys.size(), storages_.size());
  std::vector<bool> seen(storages_.size(), false);
  for (const PyVal& k : keys) {
    NABLA_CHECK(k.type == PyType::String, IOError, "{}: byte {}: a storage key is not a string", file,
                keys_at);
    auto it = storage_index_.find(k.obj->str);
    NABLA_CHECK(it != storage_index_.end() && !seen[static_cast<size_t>(it->second)], IOError,
                "{}: byte {}: storage key '{}' is listed twice or not used by the data", file, keys_at,
                k.obj->str);
    seen[static_cast<size_t>(it->second)] = true;
    PtStorage& s = storages_[static_cast<size_t>(it->second)];
    NABLA_CHECK(size - pos >= 8, IOError, "{}: byte {}: the file ends before storage '{}'", file, pos, s.key);
    uint8_t count[8];
    source_.read_at(count, 8, pos, fmt::format("storage '{}'", s.key));
    uint64_t numel = 0;
    for (int b = 7; b >= 0; --b) numel = (numel << 8) | count[b];
    NABLA_CHECK(numel == static_cast<uint64_t>(s.numel), IOError,
                "{}: byte {}: storage '{}' has {} elements here, but the data says {}", file, pos, s.key,
                static_cast<int64_t>(numel), s.numel);
    s.offset = pos + 8;
    NABLA_CHECK(s.bytes() <= size - s.offset, IOError,
                "{}: byte {}: storage '{}' ({} bytes) runs past the end of the file (truncated?)", file,
                s.offset, s.key, s.bytes());
    pos = s.offset + s.bytes();
  }
  NABLA_CHECK(pos == size, IOError, "{}: byte {}: {} unexpected bytes after the last storage", file, pos,
              size - pos);
}

}  // namespace nabla::io::detail
