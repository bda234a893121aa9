// process_group.h — torch.distributed on MPI: the process group of an `mpirun` job and collectives on
// CPU tensors (float32, float64, int64), in place like PyTorch's:
//   distributed::init_process_group();             // rank and world size from mpirun/srun
//   distributed::all_reduce(p.grad(), distributed::ReduceOp::AVG);
// Every collective must be called by every rank, in the same order (MPI's and PyTorch's rule).
// A collective that does not complete within the timeout (a rank died, hangs, or called another
// collective) aborts the whole job with a message naming it (Note [Watchdog], process_group.cpp).
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/tensor/tensor.h"

namespace nabla::distributed {

// torch.distributed.ReduceOp. AVG is SUM divided by the world size (floating dtypes only).
enum class ReduceOp { SUM, AVG, PRODUCT, MIN, MAX };

struct InitOptions {
  // How long one collective may take before the watchdog aborts the job. Unset: the environment
  // variable NABLA_DIST_TIMEOUT (seconds, may be fractional), else 300 s (PyTorch's default is 30 min).
  std::optional<std::chrono::milliseconds> timeout = std::nullopt;
};

// Joins the job started by mpirun (MPI_Init_thread; a program run without mpirun is a job of one).
// Idempotent: a second call while initialized does nothing. MPI cannot be re-initialized after
// destroy_process_group() finalized it: calling init again then is a DistributedError.
void init_process_group(InitOptions options = {});
// Waits for pending collectives, stops the worker and the watchdog, and finalizes MPI (if nabla
// initialized it). No-op when not initialized.
void destroy_process_group();
bool is_initialized();
int get_rank();        // 0 .. world_size - 1 (ValueError when not initialized)
int get_world_size();  // number of processes (ValueError when not initialized)
std::chrono::milliseconds get_timeout();

// The handle of an asynchronous collective (PyTorch's Work): wait() blocks until it is done and
// throws its DistributedError, if any.
class Work {
 public:
  virtual ~Work() = default;
  virtual bool is_completed() const = 0;
  virtual void wait() = 0;
};
using WorkPtr = std::shared_ptr<Work>;

// In place on every rank: tensor becomes op(tensor of rank 0, ..., tensor of rank N-1).
void all_reduce(const Tensor& tensor, ReduceOp op = ReduceOp::SUM);
// The same, returning at once; the tensor must stay untouched until wait().
WorkPtr all_reduce_async(const Tensor& tensor, ReduceOp op = ReduceOp::SUM);
// In place: every rank's tensor becomes rank src's.
void broadcast(const Tensor& tensor, int src = 0);
// tensor_list[i] (world_size tensors of tensor's shape and dtype, written in place) becomes rank i's tensor.
void all_gather(std::vector<Tensor>& tensor_list, const Tensor& tensor);
// Returns when every rank has called it.
void barrier();

}  // namespace nabla::distributed
