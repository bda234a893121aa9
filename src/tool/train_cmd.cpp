// train_cmd.cpp — `nabla train`: data, model, optimizer, scheduler, callbacks, resume and K-fold.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"
#include "nabla/train/callbacks.h"
#include "nabla/train/pretrained.h"
#include "nabla/train/run_state.h"
#include "tool/commands.h"
#include "tool/data_setup.h"
#include "tool/distributed_run.h"
#include "tool/reporting.h"
#include "util/check.h"

namespace nabla::tool {

namespace fs = std::filesystem;

void check_device(int gpu_id) {
  NABLA_CHECK(gpu_id < 0 || cuda_is_available(), DeviceError,
              "--gpu_id {}: this build of nabla has no CUDA support (CPU-only build); use --gpu_id -1",
              gpu_id);
}

namespace {

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name, std::vector<Tensor> params,
                                                 double lr) {
  if (name == "sgd") return std::make_unique<optim::SGD>(params, optim::SGDConfig{.lr = lr, .momentum = 0.9});
  if (name == "adam") return std::make_unique<optim::Adam>(params, optim::AdamConfig{.lr = lr});
  if (name == "adamw") return std::make_unique<optim::AdamW>(params, optim::AdamWConfig{.lr = lr});
  if (name == "rmsprop") return std::make_unique<optim::RMSprop>(params, optim::RMSpropConfig{.lr = lr});
  if (name == "adagrad") return std::make_unique<optim::Adagrad>(params, optim::AdagradConfig{.lr = lr});
  throw ValueError(fmt::format("unknown --optimizer '{}'", name));
}

struct Scheduler {
  std::unique_ptr<optim::LRScheduler> epochwise;
  std::unique_ptr<optim::ReduceLROnPlateau> plateau;
  bool per_batch = false;
  std::string state() const {
    return epochwise ? epochwise->state_dict() : plateau ? plateau->state_dict() : "";
  }
  void load(const std::string& s) {
    // nabla writes the state of every scheduler it runs: an empty one was removed from the file.
    NABLA_CHECK(!s.empty() || (!epochwise && !plateau), ValueError,
                "the checkpoint has no scheduler state ('nabla.scheduler') for its scheduler");
    if (s.empty()) return;
    if (epochwise) epochwise->load_state_dict(s);
    if (plateau) plateau->load_state_dict(s);
  }
};

Scheduler make_scheduler(const std::string& name, optim::Optimizer& opt, int64_t epochs,
                         int64_t steps_per_epoch, double lr) {
  Scheduler s;
  if (name == "step")
    s.epochwise = std::make_unique<optim::StepLR>(opt, std::max<int64_t>(1, epochs / 3), 0.1);
  else if (name == "cosine")
    s.epochwise = std::make_unique<optim::CosineAnnealingLR>(opt, epochs);
  else if (name == "plateau")
    s.plateau =
        std::make_unique<optim::ReduceLROnPlateau>(opt, optim::ReduceLROnPlateauOptions{.patience = 2});
  else if (name == "onecycle") {
    optim::OneCycleLROptions o;
    o.max_lr = {lr};
    o.epochs = epochs;
    o.steps_per_epoch = steps_per_epoch;
    s.epochwise = std::make_unique<optim::OneCycleLR>(opt, o);
    s.per_batch = true;
  } else if (name != "none") {
    throw ValueError(fmt::format("unknown --scheduler '{}'", name));
  }
  return s;
}

std::shared_ptr<training::EarlyStopping> make_early_stopping(const TrainArgs& a, const std::string& monitor) {
  if (a.early_stop == 0) return nullptr;
  return std::make_shared<training::EarlyStopping>(
      training::EarlyStoppingOptions{.monitor = monitor, .patience = a.early_stop});
}

// Loads a --resume checkpoint's weights and its optimizer, scheduler and early-stopping state. load_run
// checks the metadata's form; the optimizer and schedulers check their own fields, so their errors get
// the file's name here.
void restore(const TrainArgs& a, const training::LoadedRun& r, nn::Module& model, optim::Optimizer& opt,
             Scheduler& sched, training::EarlyStopping* early) {
  try {
    model.load_state_dict(r.model);
    opt.load_state_dict(r.training->optimizer);
    sched.load(r.training->scheduler);
    if (early && !r.training->callbacks.empty()) early->load_state(r.training->callbacks);
  } catch (const Error& e) {
    throw IOError(fmt::format("--resume {}: {}", a.resume, e.what()));
  }
}

// The --resume checkpoint, validated (training::load_run) and matched against the flags before any data
// loads; its states are loaded once into throwaway objects, so that a bad one is refused now too (it
// used to surface after the data loaded, as "Invalid learning rate: -0.1" without the file's name).
training::LoadedRun load_resume(const TrainArgs& a) {
  training::LoadedRun r = training::load_run(a.resume);
  NABLA_CHECK(r.training.has_value(), IOError, "--resume {}: the checkpoint has no training state", a.resume);
  auto differs = [&](const char* field, const std::string& saved, const std::string& flag) {
    NABLA_CHECK(saved == flag, ValueError, "--resume {}: the checkpoint's {} is {}, not {}", a.resume, field,
                saved, flag);
  };
  differs("model", r.config.model.name, a.model);
  differs("data", r.config.data, a.data);
  differs("optimizer", r.config.optimizer, a.optimizer);
  differs("scheduler", r.config.scheduler, a.scheduler);  // its state cannot carry over to another one
  differs("freeze", r.config.freeze, a.freeze);
  if (a.model == "mlp")
    differs("n_layers", std::to_string(r.config.model.n_layers), std::to_string(a.n_layers));
  const RandomGenerator::State rng = default_generator().state();  // build_model draws initial weights
  auto model = training::build_model(r.config.model);              // no larger than the file (load_run)
  auto opt = make_optimizer(a.optimizer, model->parameters(), a.lr);
  Scheduler sched = make_scheduler(a.scheduler, *opt, a.n_epochs, /*steps_per_epoch=*/1, a.lr);
  restore(a, r, *model, *opt, sched, make_early_stopping(a, "val_loss").get());
  try {  // one step exercises the loaded schedule (a loaded T_max of 0 divided by zero)
    if (sched.epochwise) sched.epochwise->step();
  } catch (const Error& e) {
    throw IOError(fmt::format("--resume {}: scheduler state: {}", a.resume, e.what()));
  }
  default_generator().set_state(rng);
  return r;
}

struct RunOutcome {
  double best_val_loss = 0, best_val_acc = 0;
  training::EvalResult test;
  std::vector<training::Metrics> history;
};

// --pretrained's weights into a new model (the classifier left out when its size differs: a note says so),
// then --freeze. The optimizer still gets every parameter: frozen ones get no gradient and are skipped,
// and a checkpoint's optimizer state keeps indexing the model's parameters.
void prepare_fine_tuning(const TrainArgs& a, const training::ModelConfig& config, nn::Module& model,
                         const nn::NamedTensors& pretrained, bool verbose) {
  const std::string head = training::classifier_name(config);
  if (!pretrained.empty()) {
    training::PretrainedReport r;
    try {
      r = training::load_pretrained(model, pretrained, head);
    } catch (const Error& e) {
      throw ValueError(fmt::format("--pretrained {}: {}", a.pretrained, e.what()));
    }
    if (verbose && !r.skipped.empty())
      std::cout << fmt::format(
          "note: --pretrained {}: {} not loaded ({} classes here), trained from scratch: {}\n", a.pretrained,
          head, config.num_classes, fmt::join(r.skipped, ", "));
  }
  if (a.freeze == "backbone") {
    training::freeze_backbone(model, head);
    if (verbose)
      std::cout << fmt::format("--freeze backbone: training {} of {} parameter tensors ({})\n",
                               model.trainable_parameters().size(), model.parameters().size(), head);
  }
}

// One training run: the whole data set, or one fold. `primary` runs write model_fn and the plots (on
// rank 0 alone with --distributed: the other processes train and evaluate, and write nothing).
RunOutcome train_once(const TrainArgs& a, training::RunConfig cfg, DataSplits& d, const std::string& logdir,
                      bool primary, const nn::NamedTensors& pretrained, const Processes& procs = {}) {
  const bool writes = primary && procs.writes();
  auto model = training::build_model(cfg.model);
  prepare_fine_tuning(a, cfg.model, *model, pretrained, writes);
  auto optimizer = make_optimizer(a.optimizer, model->parameters(), a.lr);
  const TrainOrder order = train_order(a, *d.train, procs);
  data::DataLoader train_loader(d.train, order.options);
  std::unique_ptr<data::DataLoader> val_loader;
  if (d.val)
    val_loader = std::make_unique<data::DataLoader>(evaluation_share(d.val, "validation", procs),
                                                    data::DataLoaderOptions{.batch_size = 512});
  Scheduler sched = make_scheduler(a.scheduler, *optimizer, a.n_epochs, train_loader.size(), a.lr);
  // With --distributed the trainer runs DDP's forward (gradients averaged in backward); checkpoints,
  // the optimizer and the final model keep the model's own parameter names.
  std::shared_ptr<distributed::DistributedDataParallel> ddp;
  if (procs.distributed) ddp = std::make_shared<distributed::DistributedDataParallel>(model);
  training::Trainer trainer(
      ddp ? static_cast<nn::Module&>(*ddp) : *model,
      [](const Tensor& o, const Tensor& t) { return F::cross_entropy(o, t); }, *optimizer);
  make_data_parallel(trainer, order);
  trainer.num_classes = cfg.model.num_classes;
  trainer.on_nan = a.on_nan == "warn" ? training::OnNan::Warn : training::OnNan::Stop;
  trainer.on_warning = [](const std::string& w) { std::cerr << "nabla: " << w << "\n"; };
  const std::string monitor = d.val ? "val_loss" : "train_loss";
  std::shared_ptr<training::EarlyStopping> early = make_early_stopping(a, monitor);
  if (early) trainer.add_callback(early);
  if (sched.plateau)
    trainer.add_callback(std::make_shared<training::LRSchedulerCallback>(*sched.plateau, monitor));
  if (sched.epochwise)
    trainer.add_callback(std::make_shared<training::LRSchedulerCallback>(
        *sched.epochwise, sched.per_batch ? training::LRSchedulerCallback::When::Batch
                                          : training::LRSchedulerCallback::When::Epoch));
  auto save = [&](training::Trainer& t, const std::string& path) {
    training::TrainingState ts{t.epoch(),
                               t.global_step(),
                               t.history(),
                               optimizer->state_dict(),
                               sched.state(),
                               early ? early->state() : "",
                               default_generator().state()};
    training::save_run(path, cfg, *model, &ts);
  };
  auto checkpoint = std::make_shared<training::ModelCheckpoint>(
      save, logdir.empty() ? "" : logdir + "/last.safetensors", primary ? a.model_fn : "", monitor);
  // The CSV row of an epoch is written before its checkpoint: a run killed between the two resumes from
  // the previous checkpoint and drops the extra row. The other order lost the row for good (found by
  // tools/adversarial: metrics.csv held epochs 2-4 after a kill at epoch 1 and a resume).
  if (procs.writes()) {  // the metrics they see are every process's (Trainer::sum_over_processes)
    add_reporting(trainer, logdir, a.verbose, d, primary);
    trainer.add_callback(checkpoint);
  }
  if (primary && !a.resume.empty()) {
    training::LoadedRun r = load_resume(a);
    NABLA_CHECK(r.config.model.to_json() == cfg.model.to_json(), ValueError,
                "--resume {}: the checkpoint's model config {} differs from this run's {}", a.resume,
                r.config.model.to_json(), cfg.model.to_json());
    restore(a, r, *model, *optimizer, sched, early.get());
    trainer.set_epoch(r.training->epoch);
    trainer.set_global_step(r.training->global_step);
    trainer.set_history(r.training->history);
    for (auto& m : r.training->history)
      if (m.count(monitor) && std::isfinite(m.at(monitor)) &&
          (!checkpoint->best() || m.at(monitor) < *checkpoint->best()))
        checkpoint->set_best(m.at(monitor));
    default_generator().set_state(r.training->rng);
    if (writes) std::cout << "resumed from " << a.resume << " at epoch " << r.training->epoch << "\n";
  }
  trainer.fit(train_loader, val_loader.get(), a.n_epochs);
  RunOutcome out;
  out.history = trainer.history();
  for (auto& m : out.history) {
    if (m.count("val_loss") && std::isfinite(m.at("val_loss")) &&
        (out.best_val_loss == 0 || m.at("val_loss") < out.best_val_loss))
      out.best_val_loss = m.at("val_loss");
    if (m.count("val_acc")) out.best_val_acc = std::max(out.best_val_acc, m.at("val_acc"));
  }
  if (primary && d.test) {
    if (writes && fs::exists(a.model_fn))
      model->load_state_dict(training::load_run(a.model_fn).model);  // the best epoch
    share_rank0_state(*model, procs);
    data::DataLoader test_loader(evaluation_share(d.test, "test", procs), {.batch_size = 512});
    out.test = trainer.evaluate(test_loader, cfg.model.num_classes);
  }
  return out;
}

// Output paths are checked before any data loads (a --model_fn naming a directory or a device, or a
// directory that cannot be created, used to fail after the first epoch, or with an untyped
// filesystem_error).
void prepare_outputs(const TrainArgs& a) {
  auto make_dir = [](const char* flag, const std::string& arg, const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    NABLA_CHECK(!ec, IOError, "{} {}: cannot create the directory {}: {}", flag, arg, dir.string(),
                ec.message());
  };
  if (!a.logdir.empty()) make_dir("--logdir", a.logdir, a.logdir);
  const fs::path model_fn(a.model_fn);
  NABLA_CHECK(model_fn.has_filename(), ValueError, "--model_fn {}: names a directory, not a file",
              a.model_fn);
  if (model_fn.has_parent_path()) make_dir("--model_fn", a.model_fn, model_fn.parent_path());
  std::error_code ec;
  const fs::file_status st = fs::status(model_fn, ec);
  NABLA_CHECK(!fs::exists(st) || fs::is_regular_file(st), IOError,
              "--model_fn {}: exists and is not a regular file; refusing to replace it", a.model_fn);
}

// The model must take the data's images (torchvision's VGG needs 32x32, AlexNet 63x63): for the data sets
// of known size this is checked before they load.
void check_model_for_data(const TrainArgs& a) {
  int64_t channels = 0, side = 0;
  if (a.data == "mnist" || a.data == "fashion-mnist") channels = 1, side = 28;
  if (a.data == "cifar10" || a.data.rfind("imagefolder:", 0) == 0) channels = 3, side = 32;  // folders: 32x32
  if (channels == 0) return;
  try {
    training::check_model_config({a.model, channels, side, side, 10, a.n_layers});
  } catch (const ValueError& e) {
    throw ValueError(fmt::format("--model {} --data {}: {}", a.model, a.data, e.what()));
  }
}

}  // namespace

int run_train(const TrainArgs& a) {
  check_device(a.gpu_id);
  if (a.threads > 0) set_num_threads(a.threads);
  manual_seed(a.seed);
  NABLA_CHECK(a.kfold == 0 || a.resume.empty(), ValueError, "--resume cannot be combined with --kfold");
  // PyTorch's OneCycleLR cycles the momentum, which Adagrad lacks (it failed after the data loaded).
  NABLA_CHECK(a.scheduler != "onecycle" || a.optimizer != "adagrad", ValueError,
              "--scheduler onecycle needs an optimizer with momentum (sgd, adam, adamw, rmsprop), not "
              "--optimizer adagrad");
  NABLA_CHECK(a.freeze == "none" || !a.pretrained.empty() || !a.resume.empty(), ValueError,
              "--freeze backbone needs --pretrained FILE (a frozen random backbone would learn nothing)");
  check_model_for_data(a);
  const Processes procs = start_processes(a);
  if (procs.writes()) prepare_outputs(a);  // the other processes write nothing
  if (!a.resume.empty()) load_resume(a);   // a bad checkpoint is refused before the data loads
  nn::NamedTensors
      pretrained;  // read before the data loads too; with --resume the checkpoint has the weights
  if (!a.pretrained.empty() && a.resume.empty()) {
    try {
      pretrained = training::load_state_dict_file(a.pretrained);
    } catch (const Error& e) {
      throw IOError(fmt::format("--pretrained {}: {}", a.pretrained, e.what()));
    }
  }
  DataSplits d = load_data(a.data, a.data_dir, a.kfold > 0 ? 1.0 : a.train_ratio, a.seed);
  training::RunConfig cfg;
  cfg.model = {a.model, d.channels, d.height, d.width, static_cast<int64_t>(d.classes.size()), a.n_layers};
  cfg.data = a.data;
  cfg.classes = d.classes;
  cfg.mean = d.mean;
  cfg.std = d.std;
  cfg.optimizer = a.optimizer;
  cfg.lr = a.lr;
  cfg.scheduler = a.scheduler;
  cfg.batch_size = a.batch_size;
  cfg.epochs = a.n_epochs;
  cfg.train_ratio = a.train_ratio;
  cfg.seed = a.seed;
  cfg.threads = a.threads;
  cfg.freeze = a.freeze;
  if (procs.writes())
    std::cout << fmt::format("nabla train: {} on {} ({} train / {} val / {} test samples), {} threads\n",
                             a.model, a.data, d.train->size(), d.val ? d.val->size() : 0,
                             d.test ? d.test->size() : 0, get_num_threads());
  if (procs.distributed && procs.writes())
    std::cout << fmt::format("distributed: {} process{}, batch size {} per process ({} per step)\n",
                             procs.world_size, procs.world_size == 1 ? "" : "es", a.batch_size,
                             a.batch_size * procs.world_size);
  if (a.kfold > 0)
    return run_kfold(a, cfg, d, [&](DataSplits& fold, int k) {
      manual_seed(a.seed + static_cast<uint64_t>(k));
      return train_once(a, cfg, fold, "", false, pretrained).best_val_acc;
    });
  RunOutcome r = train_once(a, cfg, d, a.logdir, true, pretrained, procs);
  if (procs.writes()) report_final(a, cfg, r.test, r.history);
  finish_processes(procs);
  return 0;
}

}  // namespace nabla::tool
