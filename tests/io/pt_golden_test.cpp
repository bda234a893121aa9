// pt_golden_test.cpp — .pt files written by PyTorch 1.13 (tests/golden/gen_pt_golden.py) read by nabla:
// values, dtypes, shared storages, a model's state_dict driving the same forward, optimizer state
// continuing the same trajectory, the legacy format, and a pickled module refused by name.
#include <gtest/gtest.h>

#include "io/io_test_util.h"
#include "io/pt_test_util.h"
#include "nabla/nn/nn.h"
#include "nabla/optim/optim.h"

namespace nabla::io::test {
namespace {

class PtGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(PtGolden, HoldsWhatTorchSaved) {
  const std::string name = GetParam();
  const PtValue v = load_pt(pt_golden(name + ".pt"));
  EXPECT_TRUE(matches(v, pt_expected().at(name)));
}

INSTANTIATE_TEST_SUITE_P(Files, PtGolden,
                         ::testing::Values("tensor", "state_dict", "views", "dtypes", "nested", "sgd", "adam",
                                           "parameter", "legacy"));

TEST(PtGoldenFiles, FormatsAreSniffedByContent) {
  EXPECT_EQ(detect_format(pt_golden("tensor.pt")), FileFormat::PtZip);
  EXPECT_EQ(detect_format(pt_golden("legacy.pt")), FileFormat::PtLegacy);
  EXPECT_EQ(detect_format(NABLA_SOURCE_DIR "/tests/golden/safetensors/reference.safetensors"),
            FileFormat::Safetensors);
  EXPECT_EQ(detect_format(pt_golden("expected.json")), FileFormat::Unknown);
}

// The model of gen_pt_golden.py, built in nabla, computes PyTorch's output from the loaded state_dict.
TEST(PtGoldenFiles, StateDictDrivesTheSameForward) {
  nn::Sequential model{nn::Linear(4, 3), nn::BatchNorm1d(3), nn::ReLU(), nn::Linear(3, 2)};
  model.load_state_dict(load_state_dict(pt_golden("state_dict.pt")));  // strict: every key, every shape
  model.eval();
  const NamedTensors sd = model.state_dict();
  const Tensor* batches = sd.find("1.num_batches_tracked");
  ASSERT_NE(batches, nullptr);
  EXPECT_EQ(batches->dtype(), kInt64);
  EXPECT_EQ(batches->item<int64_t>(), 2);
  const auto& e = pt_expected().at("state_dict_forward");
  const Tensor out = model.forward(json_tensor(e.at("input").at("tensor")));
  const auto& want = e.at("output").at("tensor").at("data");
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(out.reshape({-1})[static_cast<int64_t>(i)].item<double>(), want[i].get<double>(), 1e-6) << i;
}

TEST(PtGoldenFiles, ViewsShareOneStorage) {
  const PtValue v = load_pt(pt_golden("views.pt"));
  Tensor base = v.at("base").to_tensor();
  const Tensor a = v.at("a").to_tensor(), b = v.at("b").to_tensor(), c = v.at("c").to_tensor();
  EXPECT_EQ(a.storage_offset(), 2);
  EXPECT_EQ(b.storage_offset(), 5);
  EXPECT_EQ(b.strides().vec(), std::vector<int64_t>{2});
  EXPECT_FALSE(c.is_contiguous());
  EXPECT_EQ(c.strides().vec(), (std::vector<int64_t>{1, 5}));
  for (const Tensor* t : {&a, &b, &c}) EXPECT_EQ(t->impl()->storage(), base.impl()->storage());
  EXPECT_NE(v.at("other").to_tensor().impl()->storage(), base.impl()->storage());
  NoGradGuard no_grad;
  base.fill_(-1.0);  // one storage: the views see it
  EXPECT_EQ(a.sum().item<double>(), -6.0);
  EXPECT_EQ(c.sum().item<double>(), -20.0);
}

TEST(PtGoldenFiles, NarrowIntegersWidenToInt32) {
  const PtValue v = load_pt(pt_golden("dtypes.pt"));
  EXPECT_EQ(v.at("int8").to_tensor().dtype(), kInt32);
  EXPECT_EQ(v.at("int16").to_tensor().dtype(), kInt32);
  EXPECT_EQ(v.at("int8").to_tensor()[0].item<int64_t>(), -128);  // sign-extended
  EXPECT_EQ(v.at("int16").to_tensor()[0].item<int64_t>(), -32768);
  EXPECT_EQ(v.at("bfloat16").to_tensor().dtype(), kBFloat16);
  EXPECT_EQ(v.at("float16").to_tensor().dtype(), kFloat16);
  EXPECT_EQ(v.at("scalar").to_tensor().dim(), 0);
}

TEST(PtGoldenFiles, ParameterRequiresGrad) {
  const Tensor p = load_pt(pt_golden("parameter.pt")).to_tensor();
  EXPECT_TRUE(p.requires_grad());
  EXPECT_TRUE(p.grad_fn() == nullptr);  // a leaf, like a Parameter
}

// nabla's optimizer, given PyTorch's state_dict, takes PyTorch's next step.
template <typename Opt, typename Options>
void continues_trajectory(const std::string& name, const std::string& optimizer, Options options) {
  const auto& e = pt_expected().at(name + "_step");
  std::vector<Tensor> params, grads;
  for (size_t i = 0; i < 2; ++i) {
    params.push_back(json_tensor(e.at("params").at("list")[i].at("tensor")).requires_grad_(true));
    grads.push_back(json_tensor(e.at("grads").at("list")[i].at("tensor")));
  }
  Opt opt(params, options);
  const PtOptimizerState s = optimizer_state_from_pt(load_pt(pt_golden(name + ".pt")), optimizer);
  opt.load_state_dict({s.tensors, s.json});
  for (size_t i = 0; i < 2; ++i) params[i].mutable_grad() = grads[i];
  opt.step();
  for (size_t i = 0; i < 2; ++i) {
    const auto& want = e.at("after").at("list")[i].at("tensor").at("data");
    const Tensor got = params[i].detach().reshape({-1});
    for (size_t k = 0; k < want.size(); ++k)
      EXPECT_NEAR(got[static_cast<int64_t>(k)].item<double>(), want[k].get<double>(), 1e-6)
          << name << " " << i;
  }
}

TEST(PtGoldenFiles, SgdStateContinuesTheTrajectory) {
  continues_trajectory<optim::SGD>("sgd", "SGD", optim::SGDConfig{.lr = 0.5});  // the file sets lr etc.
}

TEST(PtGoldenFiles, AdamStateContinuesTheTrajectory) {
  continues_trajectory<optim::Adam>("adam", "Adam", optim::AdamConfig{.lr = 0.5});
}

TEST(PtGoldenFiles, LoadStateDictRefusesAnOptimizerFile) {
  EXPECT_TRUE(throws_io_error([] { load_state_dict(pt_golden("sgd.pt")); },
                              {"sgd.pt", "a dict with keys 'state', 'param_groups'", "not a state_dict"}));
  EXPECT_TRUE(throws_io_error([] { load_state_dict(pt_golden("tensor.pt")); }, {"tensor.pt", "a tensor"}));
}

TEST(PtGoldenFiles, APickledModuleIsRefusedByName) {
  EXPECT_TRUE(
      throws_io_error([] { load_pt(pt_golden("module.pt")); },
                      {"module.pt", "data.pkl: byte ", "torch.nn.modules.linear.Linear", "not allowed"}));
}

}  // namespace
}  // namespace nabla::io::test
