// use_cmds.cpp — `nabla eval`, `nabla predict` and `nabla samples`: using a trained checkpoint.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "nabla/data/datasets.h"
#include "nabla/data/utils.h"
#include "nabla/io/image.h"
#include "nabla/nabla.h"
#include "nabla/train/inference.h"
#include "tool/commands.h"
#include "tool/data_setup.h"
#include "tool/reporting.h"
#include "util/check.h"

namespace nabla::tool {

namespace {
std::shared_ptr<nn::Module> load_model(const std::string& path, training::RunConfig& cfg) {
  training::InferenceModel m = training::load_inference_model(path);
  cfg = m.config;
  return m.model;
}
}  // namespace

int run_eval(const EvalArgs& a) {
  if (a.threads > 0) set_num_threads(a.threads);
  training::RunConfig cfg;
  auto model = load_model(a.model_fn, cfg);
  const std::string spec = a.data.empty() ? cfg.data : a.data;
  // val: the part of the training split that `nabla train` held out (its --train_ratio and --seed).
  const bool val = a.split == "val";
  NABLA_CHECK(!val || cfg.train_ratio < 1, ValueError,
              "--split val: {} was trained without a validation split (--train_ratio 1)", a.model_fn);
  DataSplits d = load_data(spec, a.data_dir, val ? cfg.train_ratio : 1.0, cfg.seed);
  auto ds = val ? d.val : a.split == "train" ? d.train : d.test;
  NABLA_CHECK(ds != nullptr, ValueError, "--data {} has no {} split", spec, a.split);
  NABLA_CHECK(
      d.channels == cfg.model.in_channels && d.height == cfg.model.height && d.width == cfg.model.width,
      ValueError, "--data {}: images are {}x{}x{} but the model was trained on {}x{}x{}", spec, d.channels,
      d.height, d.width, cfg.model.in_channels, cfg.model.height, cfg.model.width);
  data::DataLoader loader(ds, {.batch_size = 512});
  auto dummy = optim::SGD(model->parameters(), {.lr = 0.0});
  training::Trainer trainer(
      *model, [](const Tensor& o, const Tensor& t) { return F::cross_entropy(o, t); }, dummy);
  training::EvalResult r = trainer.evaluate(loader, cfg.model.num_classes);
  NABLA_CHECK(std::isfinite(r.loss), ValueError,
              "{}: the model's loss on --data {} is {} (its outputs overflow: weights too large?)",
              a.model_fn, spec, r.loss);
  std::cout << fmt::format("{} on {} ({} split, {} samples): accuracy {:.2f}%, loss {:.4f}\n", cfg.model.name,
                           spec, a.split, r.samples, 100 * r.accuracy, r.loss);
  std::cout << confusion_report(r.confusion, cfg.classes);
  return 0;
}

int run_predict(const PredictArgs& a) {
  training::RunConfig cfg;
  auto model = load_model(a.model_fn, cfg);
  NoGradGuard no_grad;
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& path : a.inputs) {
    Tensor probs = softmax((*model)(preprocess_image(path, cfg)), 1).squeeze(0);
    std::vector<training::ClassProbability> best;
    try {
      best = training::top_classes(probs, a.topk, cfg);
    } catch (const ValueError&) {
      throw ValueError(
          fmt::format("{}: the model's output for {} is NaN or inf (weights too large?)", a.model_fn, path));
    }
    nlohmann::json top = nlohmann::json::array();
    std::string line = path + ":";
    for (const auto& b : best) {
      top.push_back({{"class", b.name}, {"index", b.index}, {"probability", b.probability}});
      line += fmt::format("  {} {:.1f}%", b.name, 100 * b.probability);
    }
    out.push_back({{"input", path}, {"top", top}});
    if (!a.json) std::cout << line << "\n";
  }
  if (a.json) std::cout << out.dump(2) << "\n";
  return 0;
}

int run_samples(const SamplesArgs& a) {
  data::DatasetOptions o;
  o.train = a.split == "train";
  std::unique_ptr<data::Dataset> ds;
  std::vector<std::string> classes;
  if (a.data == "mnist") {
    auto m = std::make_unique<data::MNIST>(a.data_dir, o);
    classes = m->classes();
    ds = std::move(m);
  } else if (a.data == "fashion-mnist") {
    auto m = std::make_unique<data::FashionMNIST>(a.data_dir, o);
    classes = m->classes();
    ds = std::move(m);
  } else if (a.data == "cifar10") {
    auto m = std::make_unique<data::CIFAR10>(a.data_dir, o);
    classes = m->classes();
    ds = std::move(m);
  } else {
    throw ValueError(fmt::format("samples: unsupported --data '{}'", a.data));
  }
  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  NABLA_CHECK(!ec, IOError, "samples: cannot create --out directory {}: {}", a.out, ec.message());
  for (int64_t i = 0; i < std::min(a.count, ds->size()); ++i) {
    auto e = ds->get(i);
    std::string label = classes[e.target.item<int64_t>()];
    for (char& ch : label)
      if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    const std::string path = fmt::format("{}/{}_{}.png", a.out, i, label);
    io::write_png(path, e.data);
    std::cout << path << "\n";
  }
  return 0;
}

}  // namespace nabla::tool
