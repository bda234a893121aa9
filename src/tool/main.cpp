// main.cpp — `nabla train | eval | predict | export | serve | samples | convert`. Wrong flags, missing
// data or unreadable checkpoints end with one clear line on stderr and a non-zero exit, never a stack dump.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "nabla/tensor/error.h"
#include "nabla/train/models.h"
#include "tool/commands.h"
#include "tool/flags.h"

using namespace nabla::tool;

namespace {

constexpr int64_t kMaxBatch = int64_t{1} << 31, kMaxCount = 1'000'000'000, kMaxThreads = 1024;

// `nabla trian`: CLI11 would only say that a subcommand is required.
bool unknown_command(const CLI::App& app, int argc, char** argv) {
  if (argc < 2) return false;
  if (argv[1][0] == '-') {  // `nabla --bogus` too: CLI11 said only that a subcommand is required
    const std::string flag = argv[1];
    if (flag == "-h" || flag == "--help" || flag == "--version") return false;
    std::cerr << "nabla: unknown option '" << flag.substr(0, 80)
              << "' before the command (usage: nabla <command> [options]); commands: train, eval, predict, "
              << "export, serve, samples, convert (see nabla --help)\n";
    return true;
  }
  const auto names = command_names(app);
  if (std::find(names.begin(), names.end(), argv[1]) != names.end()) return false;
  const std::string guess = closest(argv[1], names);
  std::cerr << "nabla: unknown command '" << argv[1] << "'"
            << (guess.empty() ? "" : " (did you mean '" + guess + "'?)")
            << "; commands: train, eval, predict, "
            << "export, serve, samples, convert (see nabla --help)\n";
  return true;
}

void add_train(CLI::App& app, TrainArgs& a) {
  auto* c =
      app.add_subcommand("train", "Train a model (writes a safetensors checkpoint and a run directory)");
  c->add_option("--data", a.data, "mnist | fashion-mnist | cifar10 | imagefolder:DIR")->capture_default_str();
  c->add_option("--model", a.model,
                "mlp | fashion_cnn | resnet, or torchvision's resnet18 ... resnet152, vgg11 ... vgg19_bn, "
                "mobilenet_v2, alexnet")
      ->capture_default_str()
      ->check(CLI::IsMember(nabla::training::model_names()));
  c->add_option("--model_fn", a.model_fn, "Where to save the best model (safetensors)")
      ->capture_default_str()
      ->check(non_empty());
  c->add_option("--gpu_id", a.gpu_id, "-1 for CPU")->capture_default_str();
  c->add_option(
       "--batch_size", a.batch_size,
       "Mini-batch size (per process with --distributed, as PyTorch's DDP: N processes step on N times "
       "as many samples)")
      ->capture_default_str()
      ->check(int_in(1, kMaxBatch));
  c->add_option("--n_epochs", a.n_epochs, "Epochs")->capture_default_str()->check(int_in(1, kMaxCount));
  c->add_option("--n_layers", a.n_layers, "mlp: hidden blocks")
      ->capture_default_str()
      ->check(int_in(1, 1000));
  c->add_option("--lr", a.lr, "Learning rate")->capture_default_str()->check(positive_real());
  c->add_option("--optimizer", a.optimizer, "sgd | adam | adamw | rmsprop | adagrad")
      ->capture_default_str()
      ->check(CLI::IsMember({"sgd", "adam", "adamw", "rmsprop", "adagrad"}));
  c->add_option("--scheduler", a.scheduler, "none | step | cosine | plateau | onecycle")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "step", "cosine", "plateau", "onecycle"}));
  c->add_option("--train_ratio", a.train_ratio,
                "Share of the training split used for training (rest: validation)")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 1.0));
  c->add_option("--early_stop", a.early_stop, "Stop after N epochs without val_loss improvement (0: off)")
      ->capture_default_str()
      ->check(int_in(0, kMaxCount));
  c->add_option("--kfold", a.kfold, "K-fold cross-validation over the training split (0: off)")
      ->capture_default_str()
      ->check(zero_or_in(2, 1000));
  c->add_option("--seed", a.seed, "Random seed")->capture_default_str()->check(uint64_value());
  c->add_option("--threads", a.threads, "Threads (0: all cores)")
      ->capture_default_str()
      ->check(int_in(0, kMaxThreads));
  c->add_option("--logdir", a.logdir, "Run directory: checkpoints, TensorBoard events, CSV, plots");
  c->add_option("--resume", a.resume,
                "Continue a run from this checkpoint (bitwise like an uninterrupted run)")
      ->check(non_empty());
  c->add_option("--pretrained", a.pretrained,
                "Start from this state_dict (safetensors, torchvision's names); a classifier of another "
                "size is left out (not loaded with --resume, whose checkpoint holds the weights)")
      ->check(CLI::ExistingFile);
  c->add_option("--freeze", a.freeze, "none | backbone (train only the final classifier)")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "backbone"}));
  c->add_option("--on_nan", a.on_nan, "A NaN/inf loss: stop the run, or warn and go on")
      ->capture_default_str()
      ->check(CLI::IsMember({"stop", "warn"}));
  c->add_option("--data_dir", a.data_dir, "Where data sets live (tools/fetch-data)")->capture_default_str();
  c->add_flag("--verbose", a.verbose, "Per-epoch details");
  c->add_flag(
      "--distributed", a.distributed,
      "Data-parallel training over the processes of `mpirun -np N nabla train ...` (MPI): each trains "
      "on its share, rank 0 alone prints and writes (docs/distributed.md)");
  c->callback([&a] { std::exit(run_train(a)); });
}

void add_eval(CLI::App& app, EvalArgs& a) {
  auto* c = app.add_subcommand("eval", "Accuracy, per-class accuracy and confusion matrix of a checkpoint");
  c->add_option("--model_fn", a.model_fn, "Checkpoint written by nabla train")
      ->required()
      ->check(non_empty());
  c->add_option("--data", a.data, "Data set (default: the one the model was trained on)");
  c->add_option("--split", a.split,
                "test | train | val (the validation part train held out: its --train_ratio and --seed)")
      ->capture_default_str()
      ->check(CLI::IsMember({"test", "train", "val"}));
  c->add_option("--data_dir", a.data_dir, "Where data sets live")->capture_default_str();
  c->add_option("--threads", a.threads, "Threads (0: all cores)")->check(int_in(0, kMaxThreads));
  c->callback([&a] { std::exit(run_eval(a)); });
}

void add_predict(CLI::App& app, PredictArgs& a) {
  auto* c = app.add_subcommand("predict", "Classify PNG/JPEG images with a checkpoint");
  c->add_option("--model_fn", a.model_fn, "Checkpoint written by nabla train")
      ->required()
      ->check(non_empty());
  c->add_option("--input", a.inputs, "Image files")->required()->check(CLI::ExistingFile);
  c->add_option("--topk", a.topk, "Classes to show per image")
      ->capture_default_str()
      ->check(int_in(1, kMaxCount));
  c->add_flag("--json", a.json, "JSON output");
  c->callback([&a] { std::exit(run_predict(a)); });
}

void add_export(CLI::App& app, ExportArgs& a) {
  auto* c = app.add_subcommand("export", "Write a checkpoint's model as an ONNX file (docs/onnx.md)");
  c->add_option("--model_fn", a.model_fn, "Checkpoint written by nabla train")
      ->required()
      ->check(non_empty());
  c->add_option("--format", a.format, "onnx")->capture_default_str()->check(CLI::IsMember({"onnx"}));
  c->add_option("-o,--output", a.output, "Output file (default: the checkpoint's name with .onnx)")
      ->check(non_empty());
  c->add_option("--opset", a.opset, "ONNX opset version")->capture_default_str()->check(int_in(13, 17));
  c->callback([&a] { std::exit(run_export(a)); });
}

void add_serve(CLI::App& app, ServeArgs& a) {
  auto* c = app.add_subcommand("serve",
                               "Serve a checkpoint over HTTP: POST /predict, GET /health /metadata /metrics");
  c->add_option("--model_fn", a.model_fn, "Checkpoint written by nabla train")
      ->required()
      ->check(non_empty());
  c->add_option("--host", a.host, "Address to listen on (0.0.0.0: every interface)")
      ->capture_default_str()
      ->check(non_empty());
  c->add_option("--port", a.port, "Port (0: any free port, printed at start)")
      ->capture_default_str()
      ->check(int_in(0, 65535));
  c->add_option("--max_batch", a.max_batch, "Inputs per forward pass (micro-batching)")
      ->capture_default_str()
      ->check(int_in(1, 4096));
  c->add_option("--max_wait_ms", a.max_wait_ms, "How long an input waits for others to join its batch")
      ->capture_default_str()
      ->check(int_in(0, 60'000));
  c->add_option("--max_queue", a.max_queue, "Inputs waiting beyond this get 503")
      ->capture_default_str()
      ->check(int_in(1, int64_t{1} << 20));
  c->add_option("--topk", a.topk, "Classes per prediction (a request may ask ?topk=N)")
      ->capture_default_str()
      ->check(int_in(1, int64_t{1} << 20));
  c->add_option("--http_threads", a.http_threads, "Connections served at once")
      ->capture_default_str()
      ->check(int_in(1, 4096));
  c->add_option("--max_body_bytes", a.max_body_bytes, "Largest request body (413 beyond)")
      ->capture_default_str()
      ->check(int_in(1024, int64_t{1} << 32));
  c->add_option("--max_image_pixels", a.max_image_pixels, "Largest image, H x W (413 beyond)")
      ->capture_default_str()
      ->check(int_in(1, int64_t{1} << 28));
  c->add_option("--read_timeout_ms", a.read_timeout_ms, "Silence allowed while a request arrives")
      ->capture_default_str()
      ->check(int_in(1, 3'600'000));
  c->add_option("--write_timeout_ms", a.write_timeout_ms, "Time allowed for a client to take its response")
      ->capture_default_str()
      ->check(int_in(1, 3'600'000));
  c->add_option("--request_timeout_ms", a.request_timeout_ms, "Time allowed for a whole request to arrive")
      ->capture_default_str()
      ->check(int_in(1, 3'600'000));
  c->add_option("--threads", a.threads, "Threads of the forward pass (0: all cores)")
      ->capture_default_str()
      ->check(int_in(0, kMaxThreads));
  c->callback([&a] { std::exit(run_serve(a)); });
}

void add_samples(CLI::App& app, SamplesArgs& a) {
  auto* c = app.add_subcommand("samples", "Write a few images of a data set as PNG files (for predict)");
  c->add_option("--data", a.data, "mnist | fashion-mnist | cifar10")->capture_default_str();
  c->add_option("--data_dir", a.data_dir, "Where data sets live")->capture_default_str();
  c->add_option("--split", a.split, "test | train")
      ->capture_default_str()
      ->check(CLI::IsMember({"test", "train"}));
  c->add_option("--count", a.count, "Images")->capture_default_str()->check(int_in(1, kMaxCount));
  c->add_option("--out", a.out, "Output directory")->capture_default_str();
  c->callback([&a] { std::exit(run_samples(a)); });
}

void add_convert(CLI::App& app, ConvertArgs& a) {
  auto* c = app.add_subcommand("convert", "Convert weights between PyTorch .pt and safetensors (either way)");
  c->add_option("in", a.in,
                "A .pt file (torch.save) or a safetensors file; the format is read from the content")
      ->required()
      ->check(CLI::ExistingFile);
  c->add_option("out", a.out, "Output: .safetensors, or .pt / .pth / .bin for torch.load")
      ->required()
      ->check(non_empty());
  c->callback([&a] { std::exit(run_convert(a)); });
}

}  // namespace

int main(int argc, char** argv) {
  // OpenMP threads that spin while idle steal the cores others need: on a busy 2-core machine two
  // spinning threads ran a CNN 30x slower than one. libgomp reads its wait policy only when it loads,
  // so unless the user chose one, re-run ourselves with the passive policy (see docs/PERFORMANCE.md).
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("NABLA_NO_REEXEC")) {
    setenv("OMP_WAIT_POLICY", "passive", 1);
    setenv("NABLA_NO_REEXEC", "1", 1);
    execv("/proc/self/exe", argv);  // on failure, just carry on
  }
  CLI::App app{"nabla — train, evaluate and use deep-learning models (PyTorch's way of working, in C++)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "nabla " NABLA_VERSION);
  TrainArgs train;
  EvalArgs eval;
  PredictArgs predict;
  ServeArgs serve;
  SamplesArgs samples;
  ConvertArgs convert;
  ExportArgs export_args;
  add_train(app, train);
  add_eval(app, eval);
  add_predict(app, predict);
  add_export(app, export_args);
  add_serve(app, serve);
  add_samples(app, samples);
  add_convert(app, convert);
  if (unknown_command(app, argc, argv)) return 2;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const CLI::App* command = nullptr;
    for (const CLI::App* s : app.get_subcommands({}))
      if (argc > 1 && s->get_name() == argv[1]) command = s;
    std::cerr << "nabla: " << e.what() << flag_hint(e.what(), command) << " (see nabla --help)\n";
    return 2;
  } catch (const nabla::Error& e) {
    std::cerr << "nabla: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "nabla: unexpected error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
