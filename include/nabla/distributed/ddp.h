// ddp.h — torch.nn.parallel.DistributedDataParallel: data-parallel training over the process group.
//   distributed::init_process_group();
//   auto model = std::make_shared<Net>();
//   distributed::DistributedDataParallel ddp(model);  // rank 0's parameters and buffers everywhere
//   optim::SGD opt(ddp.parameters(), {.lr = 0.1});
//   loss_fn(ddp(x), y).backward();                    // gradients averaged over the ranks
//   opt.step();
// Gradients are averaged by bucketed allreduce (Note [DDP buckets], ddp.cpp): a bucket's allreduce is
// started, on the process group's worker thread, as soon as backward has accumulated its last gradient,
// while backward goes on with the rest of the graph; the last bucket's hook waits for all of them and
// writes the averages into .grad.
#pragma once
#include <memory>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::distributed {

struct DistributedDataParallelOptions {
  // Before each forward (after a forward that will sync gradients), rank 0's buffers (BatchNorm's running
  // statistics) are broadcast to every rank, as PyTorch's broadcast_buffers=True.
  bool broadcast_buffers = true;
  // Bucket size in MiB, PyTorch's bucket_cap_mb; the first bucket (the last parameters) is capped at
  // first_bucket_cap_mb (PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES) so that communication starts early.
  double bucket_cap_mb = 25;
  double first_bucket_cap_mb = 1;
};

class DistributedDataParallel : public nn::Module {
 public:
  // Wraps module (registered as "module": state_dict keys are "module.<name>", as PyTorch's). Needs an
  // initialized process group; every rank must construct it with the same parameter shapes (ValueError
  // otherwise). Parameters and buffers are broadcast from rank 0.
  template <typename M>
  requires std::derived_from<M, nn::Module>
  explicit DistributedDataParallel(std::shared_ptr<M> module, DistributedDataParallelOptions options = {}) {
    register_module("module", module);
    setup(module, options);
  }
  template <typename H>  // a ModuleHolder (nn/holder.h)
  requires requires(const H& h) {
    h.ptr();
    typename H::ContainedType;
  }
  explicit DistributedDataParallel(H holder, DistributedDataParallelOptions options = {})
      : DistributedDataParallel(holder.ptr(), options) {}
  ~DistributedDataParallel() override;
  DistributedDataParallel(DistributedDataParallel&&) = delete;  // the gradient hooks point at this object

  // Syncs buffers (see broadcast_buffers), checks that the previous backward finished its reduction, then
  // runs the wrapped module.
  Tensor forward(Tensor input) override;
  nn::Module& module() const { return *module_; }

  // Inside a no_sync() scope backward only accumulates local gradients (gradient accumulation); the first
  // backward after it averages the accumulated gradients. PyTorch's `with ddp.no_sync():`.
  class NoSyncGuard {
   public:
    explicit NoSyncGuard(DistributedDataParallel& ddp);
    ~NoSyncGuard();
    NoSyncGuard(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(const NoSyncGuard&) = delete;

   private:
    DistributedDataParallel& ddp_;
    bool prev_;
  };
  [[nodiscard]] NoSyncGuard no_sync() { return NoSyncGuard(*this); }

  // The buckets as indices into module().parameters() (those that require grad), in launch order.
  std::vector<std::vector<size_t>> bucket_indices() const;

  class Reducer;

 private:
  void setup(std::shared_ptr<nn::Module> module, const DistributedDataParallelOptions& options);
  std::shared_ptr<nn::Module> module_;
  DistributedDataParallelOptions options_;
  std::shared_ptr<Reducer> reducer_;
  bool require_forward_param_sync_ = true;
};

// Broadcasts tensors from src, coalesced into one flat buffer per dtype (PyTorch's _sync_module_states).
void broadcast_coalesced(const std::vector<Tensor>& tensors, int src = 0);

}  // namespace nabla::distributed
