// process_group.cpp — the MPI process group: init/destroy, one worker thread that runs every collective
// in order, and the watchdog.
//
// Note [One MPI thread]
// Every MPI call after init goes through one worker thread, in the order the collectives were issued
// (PyTorch's ProcessGroupMPI does the same). So the ranks' collectives match even when DDP starts
// bucket allreduces from autograd hooks while the main thread runs backward, and MPI only needs
// MPI_THREAD_SERIALIZED. The one exception is the watchdog's MPI_Abort; MPI_THREAD_MULTIPLE is
// requested so that it is legal.
//
// Note [Watchdog]
// The communicator returns errors (MPI_ERRORS_RETURN) instead of aborting, and they become
// DistributedErrors naming the collective. A rank that dies makes mpirun kill the job. What MPI cannot
// detect is a rank that hangs or never calls the collective: the others would wait forever. The
// watchdog thread sees how long the running collective has taken; past the timeout it prints which
// collective on which rank, and calls MPI_Abort, which makes mpirun end every rank with an error.
#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "distributed/process_group_impl.h"
#include "util/check.h"

namespace nabla::distributed {
namespace detail {
namespace {

using Clock = std::chrono::steady_clock;

class WorkImpl final : public Work {
 public:
  bool is_completed() const override {
    std::lock_guard lk(mu_);
    return done_;
  }
  void wait() override {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return done_; });
    if (!error_.empty()) throw DistributedError(error_);
  }
  void finish(std::string error) {
    {
      std::lock_guard lk(mu_);
      done_ = true;
      error_ = std::move(error);
    }
    cv_.notify_all();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::string error_;
};

struct Task {
  std::string what;
  std::function<std::string()> run;
  std::shared_ptr<WorkImpl> work;
};

class ProcessGroup {
 public:
  ProcessGroup(MPI_Comm comm, int rank, int size, std::chrono::milliseconds timeout)
      : comm_(comm), rank_(rank), size_(size), timeout_(timeout) {
    worker_ = std::thread([this] { work_loop(); });
    watchdog_ = std::thread([this] { watch_loop(); });
  }
  // Runs the queued collectives to the end (the watchdog still guards them), then stops.
  ~ProcessGroup() {
    {
      std::lock_guard lk(mu_);
      stop_worker_ = true;
    }
    cv_work_.notify_all();
    worker_.join();
    {
      std::lock_guard lk(mu_);
      stop_watchdog_ = true;
    }
    cv_watch_.notify_all();
    watchdog_.join();
  }
  WorkPtr enqueue(std::string what, std::function<std::string()> run) {
    auto work = std::make_shared<WorkImpl>();
    {
      std::lock_guard lk(mu_);
      queue_.push_back({std::move(what), std::move(run), work});
    }
    cv_work_.notify_one();
    return work;
  }
  MPI_Comm comm() const { return comm_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  void work_loop() {
    for (;;) {
      Task task;
      {
        std::unique_lock lk(mu_);
        cv_work_.wait(lk, [&] { return stop_worker_ || !queue_.empty(); });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
        current_ = task.what;
        started_ = Clock::now();
        busy_ = true;
      }
      std::string error;
      try {
        error = task.run();
      } catch (const std::exception& e) {
        error = e.what();
      }
      {
        std::lock_guard lk(mu_);
        busy_ = false;
      }
      task.work->finish(std::move(error));
    }
  }
  void watch_loop() {
    const auto period =
        std::clamp(timeout_ / 10, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    std::unique_lock lk(mu_);
    while (!stop_watchdog_) {
      cv_watch_.wait_for(lk, period);
      if (busy_ && Clock::now() - started_ > timeout_) abort_job(current_);
    }
  }
  [[noreturn]] void abort_job(const std::string& what) {
    std::string msg = fmt::format(
        "nabla.distributed: watchdog: rank {} of {}: collective {} did not complete within {:g} s (another "
        "rank "
        "died, hangs, or called a different collective); aborting the job. Set the timeout with "
        "InitOptions::timeout or NABLA_DIST_TIMEOUT (seconds).\n",
        rank_, size_, what, std::chrono::duration<double>(timeout_).count());
    std::fputs(msg.c_str(), stderr);
    std::fflush(stderr);
    alarm(30);  // should MPI_Abort itself hang, SIGALRM ends the process
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::_Exit(1);
  }

  MPI_Comm comm_;
  int rank_, size_;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::condition_variable cv_work_, cv_watch_;
  std::deque<Task> queue_;
  bool stop_worker_ = false, stop_watchdog_ = false;
  std::string current_;
  Clock::time_point started_;
  bool busy_ = false;
  std::thread worker_, watchdog_;
};

std::mutex g_init_mu;
std::unique_ptr<ProcessGroup> g_group;
bool g_owns_mpi = false;  // nabla called MPI_Init, so destroy_process_group finalizes
bool g_finalized = false;

std::chrono::milliseconds resolve_timeout(const InitOptions& options) {
  if (options.timeout) {
    NABLA_CHECK(options.timeout->count() > 0, ValueError,
                "init_process_group: timeout must be positive, got {} ms", options.timeout->count());
    return *options.timeout;
  }
  if (const char* env = std::getenv("NABLA_DIST_TIMEOUT"); env && *env) {
    char* end = nullptr;
    double s = std::strtod(env, &end);
    NABLA_CHECK(end && *end == '\0' && s > 0, ValueError,
                "init_process_group: NABLA_DIST_TIMEOUT must be a positive number of seconds, got '{}'", env);
    return std::chrono::milliseconds(static_cast<int64_t>(s * 1000.0 + 0.5));
  }
  return std::chrono::seconds(300);
}

ProcessGroup& group(const char* op) {
  NABLA_CHECK(
      g_group != nullptr, ValueError,
      "{}: the default process group is not initialized (call distributed::init_process_group() first)", op);
  return *g_group;
}

}  // namespace

std::string mpi_error(int rc, const std::string& what) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
  int rank = g_group ? g_group->rank() : -1, size = g_group ? g_group->size() : 0;
  return fmt::format("{} failed on rank {} of {}: MPI error {}: {}", what, rank, size, rc,
                     std::string(text, len));
}

WorkPtr enqueue(const char* op, std::string what, std::function<std::string()> run) {
  return group(op).enqueue(std::move(what), std::move(run));
}

MPI_Comm communicator(const char* op) { return group(op).comm(); }

}  // namespace detail

using namespace detail;

void init_process_group(InitOptions options) {
  std::lock_guard lk(g_init_mu);
  if (g_group) return;
  auto timeout = resolve_timeout(options);
  NABLA_CHECK(
      !g_finalized, DistributedError,
      "init_process_group: MPI was finalized by destroy_process_group() and cannot be initialized again "
      "in this process");
  int initialized = 0, provided = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
    NABLA_CHECK(rc == MPI_SUCCESS, DistributedError, "init_process_group: MPI_Init_thread failed (error {})",
                rc);
    g_owns_mpi = true;
  } else {
    MPI_Query_thread(&provided);
  }
  NABLA_CHECK(provided >= MPI_THREAD_SERIALIZED, DistributedError,
              "init_process_group: the MPI library gives thread level {}, nabla needs at least "
              "MPI_THREAD_SERIALIZED ({}) (Note [One MPI thread])",
              provided, MPI_THREAD_SERIALIZED);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm comm;
  int rc = MPI_Comm_dup(MPI_COMM_WORLD, &comm);
  NABLA_CHECK(rc == MPI_SUCCESS, DistributedError, "{}", mpi_error(rc, "init_process_group (MPI_Comm_dup)"));
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  g_group = std::make_unique<ProcessGroup>(comm, rank, size, timeout);
}

void destroy_process_group() {
  std::lock_guard lk(g_init_mu);
  if (!g_group) return;
  MPI_Comm comm = g_group->comm();
  g_group.reset();  // runs what is queued, joins the threads
  MPI_Comm_free(&comm);
  if (g_owns_mpi) {
    MPI_Finalize();
    g_finalized = true;
  }
}

bool is_initialized() {
  std::lock_guard lk(g_init_mu);
  return g_group != nullptr;
}
int get_rank() { return group("get_rank").rank(); }
int get_world_size() { return group("get_world_size").size(); }
std::chrono::milliseconds get_timeout() { return group("get_timeout").timeout(); }

}  // namespace nabla::distributed
