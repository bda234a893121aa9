// atomic_file.h — AtomicFile: writes a file under a temporary name and renames it over the target, so
// readers (and a process killed mid-write) only ever see the old file or the complete new one.
// See Note [Atomic replacement] in atomic_file.cpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace nabla::io::detail {

class AtomicFile {
 public:
  // Creates "<path>.tmp.<pid>.<n>" beside `path`; IOError naming it when that fails.
  explicit AtomicFile(std::string path);
  // Without commit(): closes and removes the temporary file (an exception on the way leaves `path` as it
  // was).
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends bytes; IOError naming the file and the byte offset (disk full, I/O error).
  void write(const void* data, size_t size);
  // fsync, close, rename over the target, fsync the directory, then remove stale temporaries of the
  // same target left by writer processes that no longer exist.
  void commit();

  const std::string& temp_path() const { return tmp_; }
  uint64_t bytes_written() const { return written_; }

 private:
  [[noreturn]] void fail(const char* what);
  std::string path_, tmp_;
  int fd_ = -1;
  uint64_t written_ = 0;
  bool committed_ = false;
};

// If `file_name` is a temporary of the file named `base` ("<base>.tmp.<pid>.<n>"), its writer's pid.
long temp_file_pid(const std::string& file_name, const std::string& base);

}  // namespace nabla::io::detail
