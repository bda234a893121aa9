// commands.h — the subcommands of the `nabla` tool and their options.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nabla::tool {

struct TrainArgs {
  std::string data = "mnist", model = "mlp", model_fn = "model.safetensors", data_dir = "data";
  std::string optimizer = "adam", scheduler = "none", logdir, resume, on_nan = "stop";
  std::string pretrained, freeze = "none";  // fine-tuning: initial weights, and what to freeze
  int gpu_id = -1, threads = 0, num_workers = 0;
  int64_t batch_size = 256, n_epochs = 20, n_layers = 5, early_stop = 0, kfold = 0;
  double lr = 1e-3, train_ratio = 0.8;
  uint64_t seed = 0;
  bool verbose = false;
  bool distributed = false;  // one of the processes of an mpirun job (docs/distributed.md, "The tool")
};
int run_train(const TrainArgs& args);

struct EvalArgs {
  std::string model_fn, data, data_dir = "data", split = "test";
  int threads = 0;
};
int run_eval(const EvalArgs& args);

struct PredictArgs {
  std::string model_fn;
  std::vector<std::string> inputs;
  int64_t topk = 3;
  bool json = false;
};
int run_predict(const PredictArgs& args);

struct SamplesArgs {
  std::string data = "fashion-mnist", data_dir = "data", out = "samples", split = "test";
  int64_t count = 4;
};
int run_samples(const SamplesArgs& args);

// `nabla convert in out`: .pt <-> safetensors (io::convert_file).
struct ConvertArgs {
  std::string in, out;
};
int run_convert(const ConvertArgs& args);
struct ServeArgs {
  std::string model_fn, host = "127.0.0.1";
  int port = 8080, threads = 0;
  int64_t max_batch = 32, max_wait_ms = 5, max_queue = 1024, topk = 3, http_threads = 64;
  int64_t max_body_bytes = int64_t{8} << 20, max_image_pixels = int64_t{16} << 20;
  int64_t read_timeout_ms = 5000, write_timeout_ms = 5000, request_timeout_ms = 30000;
};
int run_serve(const ServeArgs& args);
// `nabla export --model_fn run.safetensors --format onnx -o model.onnx` (onnx::export_model).
struct ExportArgs {
  std::string model_fn, format = "onnx", output;  // output: model_fn with .onnx by default
  int64_t opset = 13;
};
int run_export(const ExportArgs& args);

void check_device(int gpu_id);  // DeviceError unless -1 (CPU) in a CPU-only build

}  // namespace nabla::tool
