// `nabla export`: a run checkpoint to an ONNX file, read back with the ModelProto classes; and one
// clear line for each kind of misuse.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nabla/nabla.h"
#include "nabla/train/run_state.h"
#include "onnx/onnx.pb.h"
#include "run_tool.h"

using namespace nabla;
namespace fs = std::filesystem;

namespace {

fs::path scratch() {
  return fs::temp_directory_path() / ("nabla_export_cli_test_" + std::to_string(getpid()));
}

using Result = test::ToolResult;
Result run(const std::string& args) { return test::run_tool(args, scratch()); }

// A fashion_cnn checkpoint as `nabla train` writes it.
fs::path checkpoint() {
  fs::create_directories(scratch());
  training::RunConfig cfg;
  cfg.model = {.name = "fashion_cnn"};
  cfg.data = "fashion-mnist";
  cfg.mean = {0.286};
  cfg.std = {0.353};
  for (int i = 0; i < 10; ++i) cfg.classes.push_back("class" + std::to_string(i));
  const fs::path path = scratch() / "run.safetensors";
  training::save_run(path.string(), cfg, *training::build_model(cfg.model));
  return path;
}

}  // namespace

TEST(ExportCli, WritesOnnx) {
  const fs::path ckpt = checkpoint();
  const fs::path out = scratch() / "model.onnx";
  Result r = run("export --model_fn " + ckpt.string() + " --format onnx -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote " + out.string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mean [0.286]"), std::string::npos) << r.out;
  ::onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(test::read_text_file(out)));
  EXPECT_EQ(m.opset_import(0).version(), 13);
  EXPECT_EQ(m.graph().node_size(), 12);
  EXPECT_EQ(m.graph().input(0).type().tensor_type().shape().dim(0).dim_param(), "batch");
  std::map<std::string, std::string> meta;
  for (const auto& p : m.metadata_props()) meta[p.key()] = p.value();
  EXPECT_EQ(meta["nabla.normalize.std"], "[0.353]");
  EXPECT_NE(meta["nabla.run"].find("fashion_cnn"), std::string::npos);
  // Without -o: beside the checkpoint, named after it.
  ASSERT_EQ(run("export --model_fn " + ckpt.string() + " --opset 17").code, 0);
  ::onnx::ModelProto m17;
  ASSERT_TRUE(m17.ParseFromString(test::read_text_file(scratch() / "run.onnx")));
  EXPECT_EQ(m17.opset_import(0).version(), 17);
  fs::remove_all(scratch());
}

TEST(ExportCli, Misuse) {
  fs::create_directories(scratch());
  Result missing = run("export --model_fn " + (scratch() / "nope.safetensors").string());
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("nope.safetensors"), std::string::npos) << missing.err;
  Result format = run("export --model_fn x.safetensors --format tflite");
  EXPECT_EQ(format.code, 2);
  EXPECT_NE(format.err.find("tflite"), std::string::npos) << format.err;
  Result opset = run("export --model_fn x.safetensors --opset 12");
  EXPECT_EQ(opset.code, 2);
  EXPECT_NE(opset.err.find("--opset"), std::string::npos) << opset.err;
  EXPECT_EQ(run("export").code, 2);  // --model_fn is required
  fs::remove_all(scratch());
}
