// run_state.h — what a `nabla train` checkpoint holds, in one safetensors file:
//   tensors  : the model's state_dict under PyTorch's names (so any safetensors reader + a PyTorch
//              model of the same architecture can load it), and the optimizer state under "_optim.".
//   metadata : "nabla.run" (the RunConfig JSON: model config, data set, normalisation, classes,
//              hyper-parameters), "nabla.epoch", "nabla.global_step", "nabla.history",
//              "nabla.optimizer", "nabla.optimizer_tensors" (the names of the "_optim." tensors),
//              "nabla.scheduler", "nabla.callbacks", "nabla.rng", plus the checksum written by
//              io::save_checkpoint, which load_run requires.
// load_run validates all of it before returning (Note [Trust nothing a checkpoint says],
// src/train/run_metadata.h).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "nabla/nn/module.h"
#include "nabla/optim/optimizer.h"
#include "nabla/train/models.h"
#include "nabla/train/trainer.h"

namespace nabla::training {

struct RunConfig {
  ModelConfig model;
  std::string data = "mnist";  // mnist | fashion-mnist | cifar10 | imagefolder:DIR
  std::vector<std::string> classes;
  std::vector<double> mean = {0.5}, std = {0.5};  // Normalize applied to ToTensor'd images
  std::string optimizer = "adam";
  double lr = 1e-3;
  std::string scheduler = "none";
  int64_t batch_size = 256, epochs = 20;
  double train_ratio = 0.8;
  uint64_t seed = 0;
  int threads = 0;
  std::string freeze = "none";  // none | backbone (all but the classifier frozen: --freeze)
  std::string to_json() const;
  static RunConfig from_json(const std::string& json);
};

struct TrainingState {  // present in checkpoints written during training
  int64_t epoch = 0, global_step = 0;
  std::vector<Metrics> history;
  optim::OptimizerStateDict optimizer;
  std::string scheduler, callbacks;
  RandomGenerator::State rng{};
};

struct LoadedRun {
  RunConfig config;
  nn::NamedTensors model;
  std::optional<TrainingState> training;
};

// Writes atomically with a checksum (io::save_checkpoint).
void save_run(const std::string& path, const RunConfig& config, const nn::Module& model,
              const TrainingState* training = nullptr);
// IOError when the file is missing/corrupt or was not written by `nabla train`.
LoadedRun load_run(const std::string& path);

}  // namespace nabla::training
