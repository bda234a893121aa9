// read_file.h — ReadFile: a regular file read by offset (pread), for the readers that validate a header
// before reading the data it describes (safetensors, .pt). Tensor-free, so fuzz/ can build its users.
#pragma once
#include <cstdint>
#include <string>

namespace nabla::io::detail {

class ReadFile {
 public:
  // Opens with O_NONBLOCK (a FIFO would block the open until a writer comes) and refuses anything but
  // a regular file; IOError naming the path.
  explicit ReadFile(const std::string& path);
  ~ReadFile();
  ReadFile(const ReadFile&) = delete;
  ReadFile& operator=(const ReadFile&) = delete;
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Reads exactly `n` bytes at `offset`; IOError naming `what` and the offset when the file ends early.
  void read_at(void* dst, uint64_t n, uint64_t offset, const std::string& what) const;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace nabla::io::detail
