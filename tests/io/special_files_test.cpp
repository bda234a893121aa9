// Paths that name a FIFO, a device or a directory (found by tools/adversarial): readers used to block
// forever on a FIFO (open() waits for a writer), and a writer running as root replaced /dev/full by a
// regular file (the atomic rename replaces whatever the path names). Both are refused now.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "io/io_test_util.h"
#include "nabla/nabla.h"

using namespace nabla;
using io::test::TempDir;

namespace {
// Runs `read` in a child process: true when it threw an IOError within 10 s (a hang is killed).
bool refused_quickly(const std::function<void()>& read) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      read();
    } catch (const IOError&) {
      ::_exit(0);
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(1);
  }
  for (int i = 0; i < 1000; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ADD_FAILURE() << "still blocked after 10 s";
  return false;
}
}  // namespace

TEST(SpecialFiles, ReadersRefuseAFifoInsteadOfBlocking) {
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(refused_quickly([&] { io::load_checkpoint(fifo); }));
  EXPECT_TRUE(refused_quickly([&] { io::load_safetensors(fifo); }));
  EXPECT_TRUE(refused_quickly([&] { io::read_image(fifo); }));
  EXPECT_TRUE(refused_quickly([&] { io::read_idx(fifo); }));
}

TEST(SpecialFiles, ReadersRefuseDevicesAndDirectories) {
  TempDir dir;
  for (const std::string& p : {std::string("/dev/zero"), std::string("/dev/null"), dir.path()}) {
    EXPECT_THROW(io::read_image(p), IOError) << p;
    EXPECT_THROW(io::read_idx(p), IOError) << p;
    EXPECT_THROW(io::load_checkpoint(p), IOError) << p;
  }
}

TEST(SpecialFiles, WritersNeverReplaceAFifoADeviceOrADirectory) {
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::vector<std::string> targets = {fifo, dir.path()};
  const std::string dev = dir.file("full");  // a /dev/full of our own: only root may make it
  if (::mknod(dev.c_str(), S_IFCHR | 0600, makedev(1, 7)) == 0) targets.push_back(dev);
  for (const std::string& p : targets) {
    struct stat before {};
    ASSERT_EQ(::stat(p.c_str(), &before), 0);
    EXPECT_TRUE(io::test::throws_io_error([&] { io::atomic_write_file(p, std::string_view("x")); },
                                          {p, "not a regular file"}))
        << p;
    EXPECT_THROW(io::save_checkpoint(p, {{"t", zeros({2})}}), IOError) << p;
    struct stat after {};
    ASSERT_EQ(::stat(p.c_str(), &after), 0);
    EXPECT_EQ(after.st_mode, before.st_mode) << p << " was replaced";
  }
  EXPECT_EQ(dir.list(), (targets.size() == 3 ? std::vector<std::string>{"fifo", "full"}
                                             : std::vector<std::string>{"fifo"}));  // no temporary left
}
