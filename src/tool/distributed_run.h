// distributed_run.h — `mpirun -np N nabla train --distributed ...`: N processes train one model
// (docs/distributed.md, "The tool"). Each process reads the data itself, trains on its
// DistributedSampler shard through DistributedDataParallel, and evaluates its own share of the
// validation and test splits, the sums added up over processes (Note [Distributed evaluation],
// src/train/trainer.cpp). Rank 0 alone prints and writes the run's files.
#pragma once
#include <memory>

#include "nabla/data/dataloader.h"
#include "nabla/data/dataset.h"
#include "nabla/distributed/sampler.h"
#include "nabla/train/trainer.h"
#include "tool/commands.h"

namespace nabla::tool {

struct Processes {
  bool distributed = false;
  int rank = 0, world_size = 1;
  bool writes() const { return rank == 0; }  // prints, writes checkpoints, logs and plots
};

// One process without --distributed (ValueError when mpirun started several: they would all write the
// same files). With it: refuses the flags it does not combine with (ValueError), then joins the mpirun
// job (a program started without mpirun is a job of one process).
Processes start_processes(const TrainArgs& a);
// After a successful run: ends the job (destroy_process_group). A process that fails exits without it,
// non-zero, and mpirun then ends the others.
void finish_processes(const Processes& p);

// The training order: with --distributed, this process's DistributedSampler shard (shuffled by --seed
// and the epoch, padded so that every process runs the same number of batches); else the whole split,
// shuffled by --seed. --batch_size is per process either way.
struct TrainOrder {
  std::shared_ptr<distributed::DistributedSampler> sampler;  // null without --distributed
  data::DataLoaderOptions options;
};
TrainOrder train_order(const TrainArgs& a, const data::TensorDataset& train, const Processes& p);

// This process's share of an evaluation split: samples rank, rank + N, rank + 2N, ... (no padding:
// each sample is evaluated once). ValueError when the split has fewer samples than processes.
std::shared_ptr<data::TensorDataset> evaluation_share(const std::shared_ptr<data::TensorDataset>& split,
                                                      const char* name, const Processes& p);

// With --distributed: the trainer's metrics summed over processes, the sampler's epoch set before each
// epoch (from the trainer's epoch count, so a resumed run continues the sequence).
void make_data_parallel(training::Trainer& trainer, const TrainOrder& order);

// Every process gets rank 0's parameters and buffers (after rank 0 alone loaded the best checkpoint).
void share_rank0_state(nn::Module& model, const Processes& p);

}  // namespace nabla::tool
