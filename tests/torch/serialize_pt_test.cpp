// torch::load of what Python's torch.save writes (tests/golden/pt, gen_pt_golden.py): a module from a
// state_dict .pt, a tensor, an optimizer; nabla's own torch::save files and plain safetensors still load;
// the format is read from the content.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

namespace {

std::string golden(const std::string& name) { return NABLA_SOURCE_DIR "/tests/golden/pt/" + name; }

TEST(TorchLoadPt, ModuleFromAPythonStateDict) {
  auto seq = torch::nn::Sequential(torch::nn::Linear(4, 3), torch::nn::BatchNorm1d(3), torch::nn::ReLU(),
                                   torch::nn::Linear(3, 2));
  torch::load(seq, golden("state_dict.pt"));
  const auto sd = nabla::io::load_state_dict(golden("state_dict.pt"));
  for (const auto& [name, t] : sd) EXPECT_TRUE(seq->state_dict()[name].equal(t)) << name;
  auto wrong = torch::nn::Sequential(torch::nn::Linear(4, 3));
  EXPECT_THROW(torch::load(wrong, golden("state_dict.pt")), nabla::ValueError);  // strict, as LibTorch
  EXPECT_THROW(torch::load(wrong, golden("sgd.pt")), nabla::IOError);            // not a state_dict
}

TEST(TorchLoadPt, TensorAndOptimizer) {
  torch::Tensor t;
  torch::load(t, golden("tensor.pt"));
  EXPECT_EQ(t.sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t.sum().item<double>(), 0.75);
  EXPECT_THROW(torch::load(t, golden("nested.pt")), nabla::ValueError);

  std::vector<torch::Tensor> params = {torch::zeros({2, 3}).requires_grad_(),
                                       torch::zeros({3}).requires_grad_()};
  torch::optim::SGD sgd(params, torch::optim::SGDOptions(1.0));
  torch::load(sgd, golden("sgd.pt"));
  const auto& o = static_cast<const torch::optim::SGDOptions&>(sgd.param_groups()[0].options());
  EXPECT_DOUBLE_EQ(o.lr(), 0.1);
  EXPECT_DOUBLE_EQ(o.momentum(), 0.9);
}

TEST(TorchLoadPt, SafetensorsStillLoad) {
  const auto dir = std::filesystem::temp_directory_path() / ("nabla_torch_pt_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto a = torch::nn::Linear(3, 2), b = torch::nn::Linear(3, 2);
  torch::save(a, (dir / "a.pt").string());  // nabla's torch::save: safetensors, whatever the name
  torch::load(b, (dir / "a.pt").string());
  EXPECT_TRUE(a->weight.equal(b->weight));
  nabla::io::save_safetensors((dir / "plain.safetensors").string(), a->state_dict());  // no nabla.torch tag
  auto c = torch::nn::Linear(3, 2);
  torch::load(c, (dir / "plain.safetensors").string());
  EXPECT_TRUE(a->weight.equal(c->weight));
  torch::Tensor t;
  EXPECT_THROW(torch::load(t, (dir / "a.pt").string()), nabla::ValueError);  // a module file, not a tensor
  std::filesystem::remove_all(dir);
}

}  // namespace
