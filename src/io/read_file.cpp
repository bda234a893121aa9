// read_file.cpp — ReadFile (read_file.h).
#include "io/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/check.h"

namespace nabla::io::detail {

ReadFile::ReadFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  NABLA_CHECK(fd_ >= 0, IOError, "{}: cannot open file: {}", path, std::strerror(errno));
  struct stat st {};
  const bool ok = ::fstat(fd_, &st) == 0;
  const int err = errno;
  if (!ok || !S_ISREG(st.st_mode)) ::close(fd_);  // the destructor will not run
  NABLA_CHECK(ok, IOError, "{}: cannot stat file: {}", path, std::strerror(err));
  NABLA_CHECK(S_ISREG(st.st_mode), IOError, "{}: not a regular file", path);
  size_ = static_cast<uint64_t>(st.st_size);
}

ReadFile::~ReadFile() { ::close(fd_); }

void ReadFile::read_at(void* dst, uint64_t n, uint64_t offset, const std::string& what) const {
  auto* p = static_cast<char*>(dst);
  while (n > 0) {
    ssize_t got = ::pread(fd_, p, std::min<uint64_t>(n, uint64_t{1} << 30), static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    NABLA_CHECK(got >= 0, IOError, "{}: byte {}: read error in {}: {}", path_, offset, what,
                std::strerror(errno));
    NABLA_CHECK(got > 0, IOError, "{}: byte {}: unexpected end of file in {} (file shrank while being read?)",
                path_, offset, what);
    p += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<uint64_t>(got);
  }
}

}  // namespace nabla::io::detail
