// pt_archive.h — the containers of torch.save files, tensor-free (fuzz/ builds it): the zip archive of
// torch >= 1.6 (read and written with libzip) and the legacy format (a sequence of pickles followed by
// raw storages), which is read only. See docs/pt-format.md.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/pickle.h"
#include "io/read_file.h"

struct zip;  // libzip's zip_t, private to pt_zip.cpp

namespace nabla::io::detail {

struct ZipSourceState;  // pt_zip.cpp
struct ZipCloser {
  void operator()(::zip* archive) const;  // zip_discard
};

enum class PtFormat { Zip, Legacy, Safetensors, Unknown };
// From the first bytes of a file of `file_size` bytes (at least 16 of them when the file has them).
PtFormat sniff_format(std::span<const uint8_t> head, uint64_t file_size);

// The bytes of a file: the file itself (pread), or memory (fuzzing). `name` names it in messages.
class ByteSource {
 public:
  static ByteSource file(const std::string& path);
  static ByteSource memory(std::span<const uint8_t> bytes, std::string name);
  uint64_t size() const { return size_; }
  const std::string& name() const { return name_; }
  // Exactly `n` bytes at `offset` (IOError naming `what` when the source ends early).
  void read_at(void* dst, uint64_t n, uint64_t offset, const std::string& what) const;

 private:
  ByteSource() = default;
  std::shared_ptr<ReadFile> file_;
  std::span<const uint8_t> memory_;
  std::string name_;
  uint64_t size_ = 0;
};

// A storage the pickle names: key, element type and count, and where its bytes are.
struct PtStorage {
  std::string key;
  const StorageType* type = nullptr;
  int64_t numel = 0;
  int64_t zip_index = -1;  // zip: the record's index
  uint64_t offset = 0;     // legacy: the data's file offset
  uint64_t bytes() const { return static_cast<uint64_t>(numel) * static_cast<uint64_t>(type->file_itemsize); }
};

// Opens a torch.save file and validates everything but the storage bytes themselves: the container
// (zip records, or the legacy pickles and storage headers), the pickle (pickle.h), and that each storage
// has exactly numel * itemsize bytes in the file; the storages together are no larger than the file.
class PtArchive {
 public:
  explicit PtArchive(ByteSource source);
  PtArchive(const PtArchive&) = delete;
  PtArchive& operator=(const PtArchive&) = delete;

  PtFormat format() const { return format_; }
  const PyVal& root() const { return root_; }
  const std::vector<PtStorage>& storages() const { return storages_; }
  // Reads storage `index`'s bytes (storages()[index].bytes() of them) into `dst`; IOError on a short
  // read or a zip CRC mismatch.
  void read_storage(size_t index, void* dst) const;

 private:
  void open_zip();
  void open_legacy();
  int64_t add_storage(const std::string& key, const StorageType& type, int64_t numel, uint64_t limit,
                      const std::string& where);
  // zip: a stored record's size (IOError for a compressed or encrypted one), and its bytes.
  uint64_t record_size(int64_t index, const std::string& name) const;
  void read_record(int64_t index, const std::string& name, void* dst, uint64_t size) const;
  UnpickleResult legacy_pickle(uint64_t pos, const char* what, const StorageResolver& resolve);

  ByteSource source_;
  PtFormat format_ = PtFormat::Unknown;
  std::shared_ptr<ZipSourceState> zip_state_;  // read by zip_'s callbacks: declared first, freed last
  std::unique_ptr<::zip, ZipCloser> zip_;
  PyVal root_;
  std::vector<PtStorage> storages_;
  std::unordered_map<std::string, int64_t> storage_index_;
  uint64_t storage_bytes_ = 0;
};

// One zip record to write: its name and bytes (not copied: they must outlive write_pt_zip).
struct ZipRecord {
  std::string name;
  const void* data = nullptr;
  uint64_t size = 0;
};
// Writes `records` as an uncompressed zip archive (what torch.save writes) to `path`, atomically.
void write_pt_zip(const std::string& path, const std::vector<ZipRecord>& records);

}  // namespace nabla::io::detail
