// atomic_file.cpp — atomic file replacement (temporary file, fsync, rename, fsync of the directory).
//
// Note [Atomic replacement]
// POSIX rename() replaces the directory entry of the target in one step: any process opening the path
// sees either the old inode or the new one. The new file is complete (written and fsynced) before the
// rename, so:
//  - a writer killed (SIGKILL, crash) before the rename leaves the old file untouched and a temporary
//    file behind; a writer killed after it leaves the complete new file;
//  - on power loss, fsync of the file before the rename guarantees the renamed inode has its data, and
//    fsync of the directory after it makes the rename itself durable.
// Temporary names carry the writer's pid and a per-process counter, so concurrent writers (processes or
// threads) never share one. A stale temporary is recognised by its name and removed by the next
// successful commit to the same target once kill(pid, 0) reports that its writer no longer exists
// (writers on other hosts sharing the directory over a network file system are not considered).
#include "io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "util/check.h"

namespace nabla::io::detail {

namespace {
namespace fs = std::filesystem;

std::atomic<uint64_t> temp_counter{0};

std::string directory_of(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

void fsync_directory(const std::string& dir, const std::string& path) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  NABLA_CHECK(fd >= 0, IOError, "{}: cannot open its directory {} to sync the rename: {}", path, dir,
              std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some file systems cannot sync a directory (EINVAL): the rename is then as durable as they make it.
  NABLA_CHECK(rc == 0 || err == EINVAL, IOError, "{}: cannot sync directory {}: {}", path, dir,
              std::strerror(err));
}

// The rename would replace whatever the path names: as root, `--model_fn /dev/full` turned the device
// into a regular file. Only a regular file (or a symlink to one, or nothing) may be replaced.
void refuse_special_target(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;  // nothing there (or a dangling link): created anew
  NABLA_CHECK(S_ISREG(st.st_mode), IOError,
              "{}: exists and is not a regular file ({}); refusing to replace it", path,
              S_ISDIR(st.st_mode) ? "a directory" : "a device, FIFO or socket");
}

// Best effort: never throws (the new file is already in place).
void remove_stale_temps(const std::string& path) {
  std::error_code ec;
  const std::string base = fs::path(path).filename().string();
  const long self = static_cast<long>(::getpid());
  for (fs::directory_iterator it(directory_of(path), ec), end; !ec && it != end; it.increment(ec)) {
    long pid = temp_file_pid(it->path().filename().string(), base);
    if (pid <= 0 || pid == self) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
}
}  // namespace

long temp_file_pid(const std::string& file_name, const std::string& base) {
  const std::string prefix = base + ".tmp.";
  if (file_name.size() <= prefix.size() || file_name.compare(0, prefix.size(), prefix) != 0) return -1;
  std::string rest = file_name.substr(prefix.size());  // "<pid>.<n>"
  size_t dot = rest.find('.');
  if (dot == 0 || dot == std::string::npos || dot + 1 == rest.size() || dot > 18) return -1;
  for (size_t i = 0; i < rest.size(); ++i)
    if (i != dot && (rest[i] < '0' || rest[i] > '9')) return -1;
  return std::stol(rest.substr(0, dot));
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  NABLA_CHECK(!path_.empty(), IOError, "cannot write a file with an empty path");
  refuse_special_target(path_);
  tmp_ = fmt::format("{}.tmp.{}.{}", path_, static_cast<long>(::getpid()), temp_counter++);
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  const int err = errno;
  NABLA_CHECK(fd_ >= 0, IOError, "{}: cannot create the temporary file {}: {} (errno {})", path_, tmp_,
              std::strerror(err), err);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_.c_str());
}

void AtomicFile::fail(const char* what) {
  int err = errno;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_.c_str());
  throw IOError(fmt::format("{}: {} (temporary file {}, byte {}): {} (errno {})", path_, what, tmp_, written_,
                            std::strerror(err), err));
}

void AtomicFile::write(const void* data, size_t size) {
  NABLA_ASSERT(fd_ >= 0 && !committed_, "write after commit or failure");
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      fail("write failed");
    }
    p += n;
    size -= static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
}

void AtomicFile::commit() {
  NABLA_ASSERT(fd_ >= 0 && !committed_, "commit twice or after a failure");
  if (::fsync(fd_) != 0) fail("fsync failed");
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) fail("close failed");
  refuse_special_target(path_);  // again (it may have appeared meanwhile); the destructor removes tmp_
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail("cannot rename the temporary file over it");
  committed_ = true;
  fsync_directory(directory_of(path_), path_);
  remove_stale_temps(path_);
}

}  // namespace nabla::io::detail
