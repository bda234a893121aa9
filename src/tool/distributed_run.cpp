// distributed_run.cpp — see distributed_run.h.
#include "tool/distributed_run.h"

#include <cstdlib>

#include "nabla/distributed/ddp.h"
#include "nabla/distributed/process_group.h"
#include "nabla/ops/ops.h"
#include "tool/data_setup.h"
#include "util/check.h"

namespace nabla::tool {

namespace dist = nabla::distributed;

namespace {

// Sums doubles over the processes (float64 allreduce): Trainer::sum_over_processes.
void sum_over_processes(std::vector<double>& sums) {
  if (sums.empty()) return;
  Tensor t = from_buffer(sums.data(), {static_cast<int64_t>(sums.size())}, kFloat64);
  dist::all_reduce(t, dist::ReduceOp::SUM);
  const double* p = t.data_ptr<double>();
  std::copy(p, p + sums.size(), sums.begin());
}

// The sampler's shuffle depends on (seed, epoch): set it from the trainer's count of finished epochs,
// the same on every process, and continued by --resume.
class SamplerEpoch : public training::Callback {
 public:
  explicit SamplerEpoch(std::shared_ptr<dist::DistributedSampler> sampler) : sampler_(std::move(sampler)) {}
  void on_epoch_begin(training::Trainer& t, int64_t) override { sampler_->set_epoch(t.epoch()); }

 private:
  std::shared_ptr<dist::DistributedSampler> sampler_;
};

}  // namespace

Processes start_processes(const TrainArgs& a) {
  if (!a.distributed) {
    // Under `mpirun -np 2` without the flag, each process would train alone and write the same files.
    const char* launched = std::getenv("OMPI_COMM_WORLD_SIZE");  // OpenMPI's; MPICH's Hydra: PMI_SIZE
    if (!launched) launched = std::getenv("PMI_SIZE");
    NABLA_CHECK(!launched || std::string(launched) == "1", ValueError,
                "nabla train runs as one of {} MPI processes but without --distributed: each would train "
                "alone and write the same files (add --distributed)",
                launched);
    return {};
  }
  // Each fold would train its own model on every process; not wired up (the folds run one by one).
  NABLA_CHECK(a.kfold == 0, ValueError,
              "--distributed cannot be combined with --kfold (run the folds without --distributed)");
  dist::init_process_group();
  return {true, dist::get_rank(), dist::get_world_size()};
}

void finish_processes(const Processes& p) {
  if (p.distributed) dist::destroy_process_group();
}

TrainOrder train_order(const TrainArgs& a, const data::TensorDataset& train, const Processes& p) {
  TrainOrder o;
  o.options = {.batch_size = a.batch_size, .seed = a.seed};
  if (!p.distributed) {
    o.options.shuffle = true;
    return o;
  }
  o.sampler = std::make_shared<dist::DistributedSampler>(
      train.size(), dist::DistributedSamplerOptions{.shuffle = true, .seed = a.seed});
  o.options.sampler = o.sampler;
  return o;
}

std::shared_ptr<data::TensorDataset> evaluation_share(const std::shared_ptr<data::TensorDataset>& split,
                                                      const char* name, const Processes& p) {
  if (!split || !p.distributed) return split;
  // A process without a sample would skip the forward in which DDP broadcasts rank 0's buffers.
  NABLA_CHECK(
      split->size() >= p.world_size, ValueError,
      "--distributed: the {} split has fewer samples ({}) than processes ({}), which evaluate a share "
      "of it each (use fewer processes or a larger split)",
      name, split->size(), p.world_size);
  std::vector<int64_t> mine;
  for (int64_t i = p.rank; i < split->size(); i += p.world_size) mine.push_back(i);
  return take(*split, mine);
}

void make_data_parallel(training::Trainer& trainer, const TrainOrder& order) {
  if (!order.sampler) return;
  trainer.sum_over_processes = sum_over_processes;
  trainer.add_callback(std::make_shared<SamplerEpoch>(order.sampler));
}

void share_rank0_state(nn::Module& model, const Processes& p) {
  if (!p.distributed) return;
  std::vector<Tensor> state = model.parameters();
  for (auto& b : model.buffers()) state.push_back(b);
  dist::broadcast_coalesced(state, 0);
}

}  // namespace nabla::tool
