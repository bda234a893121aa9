// pt_archive.cpp — ByteSource, format sniffing and what the zip and legacy readers share (pt_archive.h;
// the containers themselves: pt_zip.cpp, pt_legacy.cpp).
#include "io/pt_archive.h"

#include <algorithm>
#include <cstring>

#include "util/check.h"

namespace nabla::io::detail {

// ---- ByteSource ----
ByteSource ByteSource::file(const std::string& path) {
  ByteSource s;
  s.file_ = std::make_shared<ReadFile>(path);
  s.name_ = path;
  s.size_ = s.file_->size();
  return s;
}

ByteSource ByteSource::memory(std::span<const uint8_t> bytes, std::string name) {
  ByteSource s;
  s.memory_ = bytes;
  s.name_ = std::move(name);
  s.size_ = bytes.size();
  return s;
}

void ByteSource::read_at(void* dst, uint64_t n, uint64_t offset, const std::string& what) const {
  if (file_) return file_->read_at(dst, n, offset, what);
  NABLA_CHECK(offset <= size_ && n <= size_ - offset, IOError, "{}: byte {}: unexpected end of file in {}",
              name_, std::min(offset, size_), what);
  if (n > 0) std::memcpy(dst, memory_.data() + offset, n);
}

PtFormat sniff_format(std::span<const uint8_t> head, uint64_t file_size) {
  if (head.size() >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
    return PtFormat::Zip;
  // PROTO n, then LONG1 of the legacy magic number, then STOP.
  static constexpr uint8_t kMagic[] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9,
                                       0x20, 0x6a, 0xa8, 0x50, 0x19, '.'};
  if (head.size() >= 15 && head[0] == 0x80 && std::memcmp(head.data() + 2, kMagic, sizeof kMagic) == 0)
    return PtFormat::Legacy;
  if (head.size() >= 9) {
    uint64_t n = 0;
    for (int k = 7; k >= 0; --k) n = (n << 8) | head[static_cast<size_t>(k)];
    if (n <= file_size - 8 && head[8] == '{') return PtFormat::Safetensors;
  }
  return PtFormat::Unknown;
}

PtArchive::PtArchive(ByteSource source) : source_(std::move(source)) {
  uint8_t head[16] = {};
  const uint64_t n = std::min<uint64_t>(sizeof head, source_.size());
  source_.read_at(head, n, 0, "the file header");
  format_ = sniff_format({head, static_cast<size_t>(n)}, source_.size());
  const std::string& name = source_.name();
  switch (format_) {
    case PtFormat::Zip:
      open_zip();
      return;
    case PtFormat::Legacy:
      open_legacy();
      return;
    case PtFormat::Safetensors:
      throw IOError(
          fmt::format("{}: byte 0: a safetensors file, not a torch.save file (load_safetensors "
                      "reads it; load_state_dict takes either)",
                      name));
    case PtFormat::Unknown:
      break;
  }
  throw IOError(
      fmt::format("{}: byte 0: not a PyTorch file: neither a zip archive (torch.save since 1.6) nor "
                  "the legacy format's magic number{}",
                  name, source_.size() < 16 ? " (the file has only " + std::to_string(n) + " bytes)" : ""));
}

int64_t PtArchive::add_storage(const std::string& key, const StorageType& type, int64_t numel, uint64_t limit,
                               const std::string& where) {
  auto it = storage_index_.find(key);
  if (it != storage_index_.end()) {
    const PtStorage& s = storages_[static_cast<size_t>(it->second)];
    NABLA_CHECK(
        s.type == &type && s.numel == numel, IOError,
        "{}: storage '{}' is named twice with different types or sizes (torch.{} of {} and torch.{} of "
        "{} elements)",
        where, key, s.type->name, s.numel, type.name, numel);
    return it->second;
  }
  NABLA_CHECK(static_cast<uint64_t>(numel) <= limit / static_cast<uint64_t>(type.file_itemsize), IOError,
              "{}: storage '{}' claims {} elements of torch.{}, more than the file holds", where, key, numel,
              type.name);
  PtStorage s{key, &type, numel};
  storage_bytes_ += s.bytes();
  NABLA_CHECK(storage_bytes_ <= limit, IOError,
              "{}: the storages claim {} bytes together, more than the {} bytes the file holds", where,
              storage_bytes_, limit);
  storages_.push_back(std::move(s));
  storage_index_.emplace(key, static_cast<int64_t>(storages_.size() - 1));
  return static_cast<int64_t>(storages_.size() - 1);
}

void PtArchive::read_storage(size_t index, void* dst) const {
  const PtStorage& s = storages_.at(index);
  if (format_ == PtFormat::Zip) return read_record(s.zip_index, s.key, dst, s.bytes());
  source_.read_at(dst, s.bytes(), s.offset, fmt::format("storage '{}'", s.key));
}

}  // namespace nabla::io::detail
