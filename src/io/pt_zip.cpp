// pt_zip.cpp — torch.save's zip container (torch >= 1.6), read and written with libzip.
//
// Records: "<name>/data.pkl" (the pickle), "<name>/data/<key>" (one per storage: its elements, raw and
// little-endian), "<name>/version" ("3"), and from torch 2 "<name>/byteorder" ("little"). libzip parses
// the archive through a read callback over ByteSource (files and fuzz inputs take the same path) and
// checks each record's CRC-32 when its end is read. Only stored (uncompressed) records are read:
// torch.save writes nothing else, and a compressed record could claim any uncompressed size.
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>

#include "io/atomic_file.h"
#include "io/pt_archive.h"
#include "util/check.h"

namespace nabla::io::detail {

struct ZipSourceState {
  const ByteSource* source = nullptr;
  uint64_t pos = 0;
  zip_error_t error{};
  std::string message;  // a read error from the ByteSource
  ZipSourceState() { zip_error_init(&error); }
  ~ZipSourceState() { zip_error_fini(&error); }
};

void ZipCloser::operator()(::zip* archive) const { zip_discard(archive); }

namespace {

zip_int64_t zip_source_callback(void* user, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
  auto* s = static_cast<ZipSourceState*>(user);
  const uint64_t size = s->source->size();
  switch (cmd) {
    case ZIP_SOURCE_OPEN:
      s->pos = 0;
      return 0;
    case ZIP_SOURCE_READ: {
      const uint64_t n = std::min<uint64_t>(len, size - std::min(s->pos, size));
      try {
        s->source->read_at(data, n, s->pos, "the zip archive");
      } catch (const std::exception& e) {  // no exception may cross libzip's C frames
        s->message = e.what();
        zip_error_set(&s->error, ZIP_ER_READ, EIO);
        return -1;
      }
      s->pos += n;
      return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:  // the state belongs to PtArchive
      return 0;
    case ZIP_SOURCE_STAT: {
      auto* st = static_cast<zip_stat_t*>(data);
      zip_stat_init(st);
      st->size = size;
      st->valid |= ZIP_STAT_SIZE;
      return sizeof(*st);
    }
    case ZIP_SOURCE_ERROR:
      return zip_error_to_data(&s->error, data, len);
    case ZIP_SOURCE_SEEK: {
      const zip_int64_t pos = zip_source_seek_compute_offset(s->pos, size, data, len, &s->error);
      if (pos < 0) return -1;
      s->pos = static_cast<uint64_t>(pos);
      return 0;
    }
    case ZIP_SOURCE_TELL:
      return static_cast<zip_int64_t>(s->pos);
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                            ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                            ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS, -1);
    default:
      zip_error_set(&s->error, ZIP_ER_OPNOTSUPP, 0);
      return -1;
  }
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

uint64_t PtArchive::record_size(int64_t index, const std::string& name) const {
  zip_stat_t st;
  zip_stat_init(&st);
  NABLA_CHECK(zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(index), 0, &st) == 0, IOError,
              "{}: {}: {}", source_.name(), name, zip_strerror(zip_.get()));
  NABLA_CHECK(
      !(st.valid & ZIP_STAT_COMP_METHOD) || st.comp_method == ZIP_CM_STORE, IOError,
      "{}: {}: the record is compressed (method {}); torch.save stores records uncompressed and nabla "
      "reads only those",
      source_.name(), name, st.comp_method);
  NABLA_CHECK(!(st.valid & ZIP_STAT_ENCRYPTION_METHOD) || st.encryption_method == ZIP_EM_NONE, IOError,
              "{}: {}: the record is encrypted", source_.name(), name);
  NABLA_CHECK((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) && st.size == st.comp_size &&
                  st.size <= source_.size(),
              IOError,
              "{}: {}: the record claims {} bytes (stored in {}), which a file of {} bytes cannot hold",
              source_.name(), name, st.size, st.comp_size, source_.size());
  return st.size;
}

void PtArchive::read_record(int64_t index, const std::string& name, void* dst, uint64_t size) const {
  zip_file_t* f = zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(index), 0);
  NABLA_CHECK(f != nullptr, IOError, "{}: {}: cannot open the record: {} {}", source_.name(), name,
              zip_strerror(zip_.get()), zip_state_->message);
  auto* out = static_cast<char*>(dst);
  uint64_t done = 0;
  char extra = 0;
  for (;;) {
    // One byte more than the record holds: libzip checks the CRC-32 when it reaches the end.
    const uint64_t want = done < size ? std::min<uint64_t>(size - done, uint64_t{1} << 30) : 1;
    const zip_int64_t got = zip_fread(f, done < size ? out + done : &extra, want);
    if (got == 0 && done == size) break;
    if (got < 0 || got == 0 || done == size) {
      const std::string why = got < 0    ? zip_error_strerror(zip_file_get_error(f))
                              : got == 0 ? "the record ends early"
                                         : "the record is longer than it claims";
      zip_fclose(f);
      throw IOError(fmt::format("{}: {}: byte {} of the record: {} {}", source_.name(), name, done, why,
                                zip_state_->message));
    }
    done += static_cast<uint64_t>(got);
  }
  zip_fclose(f);
}

void PtArchive::open_zip() {
  const std::string& file = source_.name();
  zip_state_ = std::make_shared<ZipSourceState>();
  zip_state_->source = &source_;
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_function_create(zip_source_callback, zip_state_.get(), &err);
  if (src != nullptr) zip_.reset(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err));
  if (!zip_) {
    const std::string why = zip_error_strerror(&err);
    zip_error_fini(&err);
    if (src != nullptr) zip_source_free(src);
    throw IOError(fmt::format("{}: not a valid zip archive: {} {}", file, why, zip_state_->message));
  }
  zip_error_fini(&err);

  std::unordered_map<std::string, int64_t> records;
  const zip_int64_t n = zip_get_num_entries(zip_.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* entry = zip_get_name(zip_.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    NABLA_CHECK(entry != nullptr, IOError, "{}: zip record {}: {}", file, i, zip_strerror(zip_.get()));
    NABLA_CHECK(records.emplace(entry, i).second, IOError, "{}: the zip record '{}' appears twice", file,
                entry);
  }
  // Like torch's reader: the first record's folder is the archive's name.
  const std::string first = n > 0 ? zip_get_name(zip_.get(), 0, ZIP_FL_ENC_RAW) : "";
  const size_t slash = first.find('/');
  NABLA_CHECK(slash != std::string::npos && slash > 0, IOError,
              "{}: the zip archive's first record '{}' is not in a folder: not a torch.save file", file,
              first);
  const std::string prefix = first.substr(0, slash + 1);
  const auto record = [&](const std::string& rest, bool required) -> int64_t {
    auto it = records.find(prefix + rest);
    NABLA_CHECK(it != records.end() || !required, IOError,
                "{}: the zip archive has no record {}{}: not a "
                "torch.save file",
                file, prefix, rest);
    return it == records.end() ? -1 : it->second;
  };
  const auto small_record = [&](int64_t index, const std::string& rest) {
    const uint64_t size = record_size(index, prefix + rest);
    NABLA_CHECK(size <= 64, IOError, "{}: {}{}: {} bytes, expected a few", file, prefix, rest, size);
    std::string text(size, '\0');
    read_record(index, prefix + rest, text.data(), size);
    return trimmed(text);
  };
  const std::string version = small_record(record("version", true), "version");
  NABLA_CHECK(version.size() == 1 && version[0] >= '1' && version[0] <= '9', IOError,
              "{}: {}version: format version '{}', expected 1 to 9", file, prefix, version.substr(0, 16));
  if (const int64_t order = record("byteorder", false); order >= 0) {
    const std::string byteorder = small_record(order, "byteorder");
    NABLA_CHECK(byteorder == "little", IOError, "{}: {}byteorder: '{}': nabla reads little-endian data only",
                file, prefix, byteorder.substr(0, 16));
  }

  const int64_t pkl = record("data.pkl", true);
  std::vector<uint8_t> bytes(record_size(pkl, prefix + "data.pkl"));
  read_record(pkl, prefix + "data.pkl", bytes.data(), bytes.size());
  const std::string where = fmt::format("{}: {}data.pkl", file, prefix);
  const StorageResolver resolve = [&](const std::string& key, const StorageType& type, int64_t numel,
                                      uint64_t offset) {
    const std::string at = fmt::format("{}: byte {}", where, offset);
    const int64_t rec = record("data/" + key, false);
    NABLA_CHECK(rec >= 0, IOError, "{}: storage '{}' has no record {}data/{}", at, key, prefix, key);
    const int64_t index = add_storage(key, type, numel, source_.size(), at);
    PtStorage& s = storages_[static_cast<size_t>(index)];
    if (s.zip_index < 0) {
      const uint64_t size = record_size(rec, prefix + "data/" + key);
      NABLA_CHECK(size == s.bytes(), IOError,
                  "{}: storage '{}' is torch.{} of {} elements ({} bytes), but its record {}data/{} has {} "
                  "bytes",
                  at, key, type.name, numel, s.bytes(), prefix, key, size);
      s.zip_index = rec;
    }
    return index;
  };
  root_ = unpickle(bytes, where, 0, resolve).value;
}

void write_pt_zip(const std::string& path, const std::vector<ZipRecord>& records) {
  static const char kEmpty = 0;
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_t* za = out != nullptr ? zip_open_from_source(out, ZIP_TRUNCATE, &err) : nullptr;
  if (za == nullptr) {
    const std::string why = zip_error_strerror(&err);
    zip_error_fini(&err);
    if (out != nullptr) zip_source_free(out);
    throw IOError(fmt::format("save_pt: {}: cannot create a zip archive: {}", path, why));
  }
  zip_error_fini(&err);
  zip_source_keep(out);  // read back after zip_close
  const auto fail = [&](const std::string& what) {
    const std::string why = zip_strerror(za);
    zip_discard(za);
    zip_source_free(out);
    throw IOError(fmt::format("save_pt: {}: {}: {}", path, what, why));
  };
  for (const auto& r : records) {
    zip_source_t* s = zip_source_buffer(za, r.size > 0 ? r.data : &kEmpty, r.size, 0);
    if (s == nullptr) fail("cannot add " + r.name);
    const zip_int64_t index = zip_file_add(za, r.name.c_str(), s, 0);
    if (index < 0) {
      zip_source_free(s);
      fail("cannot add " + r.name);
    }
    // Stored, as torch.save writes them, and a fixed time so that the bytes depend on the data only.
    if (zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_mtime(za, static_cast<zip_uint64_t>(index), 946684800, 0) != 0)
      fail("cannot add " + r.name);
  }
  if (zip_close(za) != 0) fail("cannot write the zip archive");

  // The archive is in memory (libzip seeks back to finish each record); now the one checked write path.
  const std::unique_ptr<zip_source_t, void (*)(zip_source_t*)> owned(out, zip_source_free);
  NABLA_CHECK(zip_source_open(out) == 0, IOError, "save_pt: {}: cannot read back the zip archive", path);
  AtomicFile file(path);
  std::vector<char> chunk(size_t{1} << 20);
  zip_int64_t got = 0;
  while ((got = zip_source_read(out, chunk.data(), chunk.size())) > 0)
    file.write(chunk.data(), static_cast<size_t>(got));
  zip_source_close(out);
  NABLA_CHECK(got == 0, IOError, "save_pt: {}: cannot read back the zip archive", path);
  file.commit();
}

}  // namespace nabla::io::detail
