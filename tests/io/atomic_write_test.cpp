// Every writer goes through one checked, atomic write path (issue #18 item 5): on a full disk each one
// throws an IOError naming the path and the errno, and leaves neither a partial file nor a temporary.
// The disk is a 64 KiB tmpfs filled to the brim (needs root: skipped otherwise); a file-size limit
// (RLIMIT_FSIZE, any user) gives the same failure on the ordinary temporary directory.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "io/io_test_util.h"
#include "nabla/nabla.h"

using namespace nabla;
using io::test::TempDir;

namespace {
Tensor image() { return (rand({64, 64, 3}) * 255).to(kUInt8); }

// Every file writer of the library, writing under `dir`.
std::vector<std::pair<std::string, std::function<void(const std::string&)>>> writers() {
  return {
      {"a.png", [](const std::string& p) { io::write_png(p, image()); }},
      {"a.jpg", [](const std::string& p) { io::write_jpeg(p, image(), 100); }},
      {"a.bmp", [](const std::string& p) { io::write_bmp(p, image()); }},
      {"a.idx",
       [](const std::string& p) {
         io::write_idx(p, rand({64, 64}));
       }},
      {"a.idx.gz",
       [](const std::string& p) {
         io::write_idx(p, rand({64, 64}), true);
       }},
      {"grid.png",
       [](const std::string& p) {
         data::save_image(rand({4, 3, 32, 32}), p);
       }},
      {"w.safetensors",
       [](const std::string& p) {
         io::save_safetensors(p, {{"w", rand({64, 64})}});
       }},
      {"c.safetensors",
       [](const std::string& p) {
         io::save_checkpoint(p, {{"w", rand({64, 64})}});
       }},
      {"w.pt",
       [](const std::string& p) {
         io::save_pt(p, io::NamedTensors{{"w", rand({64, 64})}});
       }},
      {"bytes.bin", [](const std::string& p) { io::atomic_write_file(p, std::string(100000, 'x')); }},
  };
}

// Each writer must fail with an IOError naming the path and the errno, and leave only `keep` behind.
void expect_clean_failures(const TempDir& dir, const std::vector<std::string>& keep,
                           const std::string& errno_text) {
  for (const auto& [name, write] : writers()) {
    const std::string path = dir.file(name);
    try {
      write(path);
      ADD_FAILURE() << name << ": written without an error";
    } catch (const IOError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(path), std::string::npos) << msg;
      EXPECT_NE(msg.find(errno_text), std::string::npos) << msg;
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << ": not an IOError: " << e.what();
    }
    EXPECT_EQ(dir.list(), keep) << name << " left a file behind";
  }
}
}  // namespace

TEST(AtomicWrite, EveryWriterFailsCleanlyOnAFullTmpfs) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  TempDir dir;
  if (::mount("tmpfs", dir.path().c_str(), "tmpfs", 0, "size=64k") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{dir.path()};
  {  // fill it
    std::ofstream fill(dir.file("filler"), std::ios::binary);
    const std::string block(4096, 'f');
    while (fill.write(block.data(), static_cast<std::streamsize>(block.size())) && fill.flush()) {
    }
  }
  expect_clean_failures(dir, {"filler"}, "No space left on device (errno 28)");
  // With room again, the same writers succeed: the failures were the disk's.
  std::filesystem::remove(dir.file("filler"));
  io::write_png(dir.file("a.png"), image());
  EXPECT_EQ(io::read_image(dir.file("a.png")).size(0), 64);
}

TEST(AtomicWrite, EveryWriterFailsCleanlyAtTheFileSizeLimit) {
  TempDir dir;
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing us
  rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  expect_clean_failures(dir, {}, "(errno 27)");
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);
}
