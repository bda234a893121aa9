// checkpoint_kill_test.cpp — kill -9 at a random moment of a checkpoint write never leaves a corrupt or
// missing last good checkpoint. Each trial forks a child that writes ~4 MB checkpoints in a loop,
// alternating contents A and B and numbering them; the parent SIGKILLs it after a random delay and then
// checks that the checkpoint at the path loads, verifies, and is exactly the last one the child reported
// complete or the one it was writing (whose rename may have happened). Temporary files left behind must
// belong to killed children, and a partial one must be refused if anyone tries to load it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include "io/atomic_file.h"
#include "io/io_test_util.h"
#include "io/safetensors_golden.h"
#include "nabla/io/checkpoint.h"
#include "nabla/ops/ops.h"

namespace nabla::io::test {
namespace {

constexpr int kTrials = 50;

NamedTensors contents(uint64_t seed) {
  RandomGenerator gen(seed);
  return {{"weight", randn({1024, 1024}, {}, &gen)},  // 4 MB of float32
          {"bias", randn({1024}, {.dtype = kFloat64}, &gen)},
          {"step", scalar_tensor(static_cast<int64_t>(seed), {.dtype = kInt64})}};
}

// The child: writes checkpoints seq, seq + 1, ... (even: A, odd: B) and reports each completed one on
// `report_fd`. Never returns; no gtest here.
[[noreturn]] void writer_child(const std::string& path, const NamedTensors& a, const NamedTensors& b,
                               int64_t seq, int report_fd) {
  try {
    for (;; ++seq) {
      save_checkpoint(path, seq % 2 == 0 ? a : b, {{"seq", std::to_string(seq)}});
      if (::write(report_fd, &seq, sizeof seq) != sizeof seq) ::_exit(4);
    }
  } catch (...) {
    ::_exit(3);
  }
}

// The last sequence number the child reported, or `none` if it reported nothing.
int64_t last_reported(int fd, int64_t none) {
  int64_t seq = none, v = 0;
  while (::read(fd, &v, sizeof v) == static_cast<ssize_t>(sizeof v)) seq = v;
  return seq;
}

int64_t seq_of(const SafetensorsFile& f) { return std::stoll(f.metadata.at("seq")); }

TEST(CheckpointKill, KillDuringWritesNeverLosesTheLastGoodCheckpoint) {
  TempDir dir;
  const std::string base = "ckpt.safetensors", path = dir.file(base);
  const NamedTensors a = contents(1), b = contents(2);
  auto t0 = std::chrono::steady_clock::now();
  save_checkpoint(path, a, {{"seq", "0"}});  // the first good checkpoint
  const double write_secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::mt19937 rng(20240601);
  std::uniform_real_distribution<double> delay(0.0, 3.0 * write_secs);
  int64_t seq_in_file = 0;
  int mid_write = 0, partial_refused = 0;
  std::set<long> killed;  // a temporary may stay until a later child completes a write
  for (int trial = 0; trial < kTrials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      writer_child(path, a, b, seq_in_file + 1, fds[1]);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::duration<double>(delay(rng)));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    killed.insert(pid);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer failed on its own, status " << status;
    const int64_t done = last_reported(fds[0], seq_in_file);
    ::close(fds[0]);

    SafetensorsFile f;
    ASSERT_NO_THROW(f = load_checkpoint(path));
    ASSERT_TRUE(f.checksum_verified);
    const int64_t seq = seq_of(f);
    ASSERT_TRUE(seq == done || seq == done + 1)
        << "file holds checkpoint " << seq << ", last complete " << done;
    ASSERT_TRUE(same_tensors(f.tensors, seq % 2 == 0 ? a : b));
    seq_in_file = seq;

    for (const auto& name : dir.list()) {
      if (name == base) continue;
      const long owner = detail::temp_file_pid(name, base);
      ASSERT_TRUE(killed.count(owner)) << "unexpected file " << name;
      mid_write += owner == pid;
      try {  // a temporary is never a valid checkpoint unless it is complete
        SafetensorsFile tmp = load_checkpoint(dir.file(name));
        EXPECT_TRUE(same_tensors(tmp.tensors, seq_of(tmp) % 2 == 0 ? a : b));
      } catch (const IOError&) {
        ++partial_refused;
      }
    }
  }
  // The next write cleans up what the killed writers left.
  save_checkpoint(path, b, {{"seq", "-1"}});
  EXPECT_EQ(dir.list(), std::vector<std::string>{base});
  std::cout << "[ kill test ] " << kTrials << " trials, one write " << write_secs * 1e3
            << " ms; killed mid-write " << mid_write << " times; loads of stray temporaries refused "
            << partial_refused << "\n";
}

}  // namespace
}  // namespace nabla::io::test
