// A run checkpoint's metadata is validated before anything is built (issue #18 item 2): every field's
// type and range, its consistency with the tensors present, and the tensors' shapes against the model the
// config builds (model_state_shapes, checked here against the real models).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "nabla/io/checkpoint.h"
#include "nabla/nabla.h"
#include "nabla/train/run_state.h"
#include "parts_test_util.h"

using namespace nabla;
using training::test::TempDir;
using training::test::throws;

namespace {
training::RunConfig config(training::ModelConfig m) {
  training::RunConfig c;
  c.model = m;
  for (int64_t i = 0; i < m.num_classes; ++i) c.classes.push_back("c" + std::to_string(i));
  return c;
}

// A run after one Adam step, saved at `path`.
void save_trained(const std::string& path) {
  const auto cfg = config({"mlp", 1, 2, 2, 3, 1});
  auto model = training::build_model(cfg.model);
  optim::Adam adam(model->parameters(), {.lr = 0.01});
  F::cross_entropy((*model)(randn({4, 1, 2, 2})), tensor({0, 1, 2, 0})).backward();
  adam.step();
  training::TrainingState ts{1, 1, {{{"epoch", 1}}}, adam.state_dict(), "", "", default_generator().state()};
  training::save_run(path, cfg, *model, &ts);
}

// Rewrites the checkpoint at `path` (with a valid checksum) after `edit`.
void rewrite(const std::string& path, const std::function<void(io::Metadata&, io::NamedTensors&)>& edit) {
  io::SafetensorsFile f = io::load_checkpoint(path);
  edit(f.metadata, f.tensors);
  io::save_checkpoint(path, f.tensors, f.metadata);
}

void set_model_field(io::Metadata& m, const std::string& key, nlohmann::json v) {
  auto j = nlohmann::json::parse(m["nabla.run"]);
  j["model"][key] = v;
  m["nabla.run"] = j.dump();
}
}  // namespace

TEST(ModelShapes, MatchTheModelsBuildModelMakes) {
  const training::ModelConfig configs[] = {
      {"mlp", 1, 28, 28, 10, 5},  {"mlp", 3, 8, 8, 3, 2},         {"mlp", 1, 2, 2, 3, 1},
      {"mlp", 2, 5, 7, 4, 30},    {"fashion_cnn", 1, 28, 28, 10}, {"fashion_cnn", 3, 32, 24, 7},
      {"resnet", 3, 32, 32, 10},  {"resnet", 1, 8, 8, 2},         {"resnet18", 1, 28, 28, 10},
      {"resnet50", 3, 32, 32, 7}, {"mobilenet_v2", 3, 32, 32, 3}, {"alexnet", 3, 63, 63, 2},
      {"vgg11_bn", 3, 32, 32, 5},
  };
  for (const auto& c : configs) {
    SCOPED_TRACE(c.to_json());
    auto model = training::build_model(c);
    const training::ModelShapes shapes = training::model_state_shapes(c);
    const auto params = model->named_parameters(), buffers = model->named_buffers();
    ASSERT_EQ(shapes.parameters.size(), params.size());
    for (size_t i = 0; i < params.size(); ++i) {  // in parameters() order: the optimizer's indices
      EXPECT_EQ(shapes.parameters[i].first, params[i].first);
      EXPECT_EQ(shapes.parameters[i].second, params[i].second.sizes().vec()) << params[i].first;
    }
    ASSERT_EQ(shapes.buffers.size(), buffers.size());
    for (size_t i = 0; i < buffers.size(); ++i) {
      EXPECT_EQ(shapes.buffers[i].first, buffers[i].first);
      EXPECT_EQ(shapes.buffers[i].second, buffers[i].second.sizes().vec()) << buffers[i].first;
    }
  }
}

TEST(ModelShapes, HugeSizesAreATypedErrorNotACrash) {
  EXPECT_TRUE(throws<ValueError>(
      [] {
        training::build_model({"mlp", 1, 28, 28, int64_t{1} << 62, 5});
      },
      {"num_classes", "4611686018427387904"}));
  EXPECT_TRUE(throws<ValueError>(
      [] {
        training::build_model({"mlp", 1, 28, 28, 10, 1'000'000'000});
      },
      {"n_layers", "1000000000"}));
  EXPECT_TRUE(throws<ValueError>(
      [] {
        training::build_model({"resnet", 3, int64_t{1} << 40, 32, 10});
      },
      {"height"}));
  EXPECT_TRUE(throws<ValueError>(
      [] {
        training::build_model({"vit", 3, 32, 32, 10});
      },
      {"unknown model 'vit'"}));
  // torchvision's models: RGB (or gray, repeated) images of at least the size their pools need.
  EXPECT_TRUE(throws<ValueError>(
      [] {
        training::build_model({"alexnet", 3, 62, 100, 10});
      },
      {"alexnet", "63x63"}));
  EXPECT_TRUE(throws<ValueError>(
      [] {
        training::build_model({"vgg11_bn", 1, 28, 28, 10});
      },
      {"32x32", "28x28"}));
  EXPECT_TRUE(throws<ValueError>([] { training::build_model({"resnet18", 4, 32, 32, 10}); }, {"4 channels"}));
}

// A grayscale image goes through torchvision's RGB stem as three equal channels; the state_dict stays
// torchvision's.
TEST(ModelZoo, VisionModelsTakeGrayImages) {
  auto gray = training::build_model({"resnet18", 1, 28, 28, 10});
  auto rgb = training::build_model({"resnet18", 3, 28, 28, 10});
  EXPECT_EQ(gray->state_dict()["conv1.weight"].sizes().vec(), (std::vector<int64_t>{64, 3, 7, 7}));
  rgb->load_state_dict(gray->state_dict());
  gray->eval();
  rgb->eval();
  Tensor x = randn({2, 1, 28, 28});
  EXPECT_TRUE(allclose((*gray)(x), (*rgb)(x.expand({-1, 3, -1, -1}))));
  EXPECT_EQ(training::classifier_name({"resnet18", 1, 28, 28, 10}), "fc");
  EXPECT_EQ(training::classifier_name({"mlp", 1, 28, 28, 10, 3}), "layers.4");
  EXPECT_EQ(training::classifier_name({"fashion_cnn", 1, 28, 28, 10}), "fc3");
}

TEST(RunMetadata, AValidRunLoadsWithItsOptimizerState) {
  TempDir dir;
  save_trained(dir.file("run.safetensors"));
  training::LoadedRun r = training::load_run(dir.file("run.safetensors"));
  ASSERT_TRUE(r.training.has_value());
  EXPECT_EQ(r.training->optimizer.tensors.size(), 18u);  // 6 parameters x (step, exp_avg, exp_avg_sq)
  auto model = training::build_model(r.config.model);
  model->load_state_dict(r.model);
  optim::Adam adam(model->parameters(), {.lr = 0.01});
  EXPECT_NO_THROW(adam.load_state_dict(r.training->optimizer));
}

TEST(RunMetadata, SizesFromTheConfigAreCheckedBeforeBuilding) {
  TempDir dir;
  const std::string path = dir.file("run.safetensors");
  const std::pair<const char*, nlohmann::json> cases[] = {
      {"num_classes", int64_t{1} << 62},
      {"n_layers", 1'000'000'000},
      {"n_layers", 1e9},
      {"height", -4},
      {"in_channels", "1"},
  };
  for (const auto& [key, value] : cases) {
    save_trained(path);
    rewrite(path, [&](io::Metadata& m, io::NamedTensors&) { set_model_field(m, key, value); });
    EXPECT_TRUE(throws<IOError>([&] { training::load_run(path); }, {path, key})) << key << " = " << value;
  }
  // A consistent config whose tensors do not fit: the shapes are compared before any model is built.
  save_trained(path);
  rewrite(path, [&](io::Metadata& m, io::NamedTensors&) {
    set_model_field(m, "num_classes", 4);
    auto j = nlohmann::json::parse(m["nabla.run"]);
    j["classes"].push_back("d");
    m["nabla.run"] = j.dump();
  });
  EXPECT_TRUE(throws<IOError>([&] { training::load_run(path); }, {path, "layers.2.bias", "[3]", "[4]"}));
}

TEST(RunMetadata, AResumeWithANegativeEpochOrAMissingOptimizerTensorIsRefused) {
  TempDir dir;
  const std::string path = dir.file("run.safetensors");
  save_trained(path);
  rewrite(path, [](io::Metadata& m, io::NamedTensors&) { m["nabla.epoch"] = "-1"; });
  EXPECT_TRUE(throws<IOError>([&] { training::load_run(path); }, {path, "nabla.epoch", "'-1'"}));
  save_trained(path);
  rewrite(path, [](io::Metadata&, io::NamedTensors& t) {
    std::erase_if(t, [](auto& kv) { return kv.first == "_optim.state.3.exp_avg_sq"; });
  });
  EXPECT_TRUE(
      throws<IOError>([&] { training::load_run(path); }, {path, "_optim.state.3.exp_avg_sq", "missing"}));
}

TEST(RunMetadata, NablasOwnRunFilesRequireTheChecksumButForeignFilesLoad) {
  TempDir dir;
  const std::string path = dir.file("run.safetensors");
  save_trained(path);
  io::SafetensorsFile f = io::load_checkpoint(path);
  io::save_safetensors(path, f.tensors, f.metadata);  // the same file without nabla.checksum
  EXPECT_TRUE(throws<IOError>([&] { training::load_run(path); }, {path, "nabla.checksum", "refusing"}));
  // Plain safetensors from elsewhere stay loadable (unverified).
  io::save_safetensors(dir.file("foreign.safetensors"), {{"w", ones({2})}}, {{"source", "elsewhere"}});
  io::SafetensorsFile foreign = io::load_checkpoint(dir.file("foreign.safetensors"));
  EXPECT_FALSE(foreign.checksum_verified);
  EXPECT_EQ(foreign.tensors.size(), 1u);
}
