// nn_modules_test.cpp — the LibTorch-style layer modules (torch/nn/modules.h): built as a LibTorch program
// builds them (options chains, TORCH_MODULE holders, register_module), with the shapes, parameter names
// and option effects LibTorch gives.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "nabla/core.h"
#include "torch/enum.h"
#include "torch/nn/modules.h"

namespace {

using nabla::Tensor;
using Shape = std::vector<int64_t>;
namespace nn = torch::nn;

Shape shape(const Tensor& t) { return t.sizes().vec(); }
std::vector<std::string> keys(const nabla::nn::NamedTensors& d) {
  std::vector<std::string> out;
  for (const auto& item : d) out.push_back(item.key());
  return out;
}

// ---- a LibTorch program's model: holders registered by name ----

struct NetImpl : torch::nn::Module {
  NetImpl() {
    conv =
        register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1).bias(false)));
    bn = register_module("bn", torch::nn::BatchNorm2d(4));
    fc = register_module("fc", torch::nn::Linear(4 * 4 * 4, 10));
  }
  Tensor forward(Tensor x) {
    x = torch::nn::MaxPool2d(2)(nabla::relu(bn(conv(x))));
    return fc(x.flatten(1));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(Net);

TEST(TorchNnModules, RegisteredModulesGiveLibTorchNames) {
  Net net;
  EXPECT_EQ(keys(net->named_parameters()),
            (std::vector<std::string>{"conv.weight", "bn.weight", "bn.bias", "fc.weight", "fc.bias"}));
  EXPECT_EQ(keys(net->named_buffers()),
            (std::vector<std::string>{"bn.running_mean", "bn.running_var", "bn.num_batches_tracked"}));
  Tensor y = net(nabla::randn({2, 1, 8, 8}));
  EXPECT_EQ(shape(y), (Shape{2, 10}));
  // The holder shares its module with the parent: the registered parameter is the member's.
  EXPECT_TRUE(net->named_parameters()["fc.weight"].is_same(net->fc->weight));
  y.sum().backward();
  EXPECT_TRUE(net->fc->weight.grad().defined());
  EXPECT_TRUE(net->conv->weight.grad().defined());
}

TEST(TorchNnModules, HolderIsEmptyUntilAssignedAndCopiesShare) {
  nn::Linear empty{nullptr};
  EXPECT_TRUE(empty.is_empty());
  nn::Linear a(3, 4);
  nn::Linear b = a;
  EXPECT_EQ(a.get(), b.get());
  empty = a;
  EXPECT_FALSE(empty.is_empty());
}

// ---- linear, flatten, identity ----

TEST(TorchNnModules, Linear) {
  nn::Linear fc(nn::LinearOptions(3, 4).bias(false));
  EXPECT_EQ(shape(fc->weight), (Shape{4, 3}));
  EXPECT_FALSE(fc->bias.defined());
  EXPECT_EQ(fc->parameters().size(), 1u);
  EXPECT_EQ(fc->options.in_features(), 3);
  EXPECT_FALSE(fc->options.bias());
  EXPECT_EQ(shape(fc(nabla::randn({5, 3}))), (Shape{5, 4}));
  EXPECT_EQ(shape(fc->forward(nabla::randn({2, 5, 3}))), (Shape{2, 5, 4}));

  nn::Linear with_bias(3, 4);
  EXPECT_EQ(with_bias->parameters().size(), 2u);
  EXPECT_EQ(keys(with_bias->named_parameters()), (std::vector<std::string>{"weight", "bias"}));
  // reset_parameters re-draws in place within LibTorch's bound 1/sqrt(fan_in).
  Tensor w = with_bias->weight;
  nabla::NoGradGuard g;
  w.fill_(7);
  with_bias->reset_parameters();
  EXPECT_TRUE(w.is_same(with_bias->weight));
  EXPECT_LE(w.abs().max().item<float>(), 1 / std::sqrt(3.0f) + 1e-6f);
}

TEST(TorchNnModules, FlattenUnflattenIdentity) {
  Tensor x = nabla::randn({2, 3, 4, 5});
  EXPECT_EQ(shape(nn::Flatten()(x)), (Shape{2, 60}));
  EXPECT_EQ(shape(nn::Flatten(nn::FlattenOptions().start_dim(2))(x)), (Shape{2, 3, 20}));
  EXPECT_EQ(shape(nn::Flatten(nn::FlattenOptions().start_dim(0).end_dim(1))(x)), (Shape{6, 4, 5}));
  EXPECT_EQ(shape(nn::Unflatten(1, std::vector<int64_t>{3, 1})(x)), (Shape{2, 3, 1, 4, 5}));
  EXPECT_EQ(shape(nn::Unflatten(nn::UnflattenOptions(-1, {5, 1}))(x)), (Shape{2, 3, 4, 5, 1}));
  EXPECT_TRUE(nn::Identity()(x).is_same(x));
}

// ---- convolutions ----

TEST(TorchNnModules, Conv2dOptionsAreHonoured) {
  Tensor x = nabla::randn({2, 3, 8, 8});
  nn::Conv2d plain(3, 6, 3);
  EXPECT_EQ(shape(plain->weight), (Shape{6, 3, 3, 3}));
  EXPECT_EQ(shape(plain(x)), (Shape{2, 6, 6, 6}));
  nn::Conv2d same_size(nn::Conv2dOptions(3, 6, 3).stride(1).padding(1).bias(false));
  EXPECT_EQ(shape(same_size(x)), (Shape{2, 6, 8, 8}));
  EXPECT_FALSE(same_size->bias.defined());
  EXPECT_EQ(same_size->parameters().size(), 1u);
  nn::Conv2d strided(nn::Conv2dOptions(3, 6, 3).stride(2).padding(1));
  EXPECT_EQ(shape(strided(x)), (Shape{2, 6, 4, 4}));
  nn::Conv2d k_same(nn::Conv2dOptions(3, 2, 5).padding(torch::kSame));
  EXPECT_EQ(shape(k_same(x)), (Shape{2, 2, 8, 8}));
  nn::Conv2d k_valid(nn::Conv2dOptions(3, 2, 5).padding(torch::kValid));
  EXPECT_EQ(shape(k_valid(x)), (Shape{2, 2, 4, 4}));
  nn::Conv2d rect(nn::Conv2dOptions(3, 2, {3, 1}).padding({1, 0}).stride({1, 2}));
  EXPECT_EQ(shape(rect->weight), (Shape{2, 3, 3, 1}));
  EXPECT_EQ(shape(rect(x)), (Shape{2, 2, 8, 4}));
  nn::Conv2d grouped(nn::Conv2dOptions(4, 8, 3).groups(2).dilation(2));
  EXPECT_EQ(shape(grouped->weight), (Shape{8, 2, 3, 3}));
  EXPECT_EQ(shape(grouped(nabla::randn({1, 4, 9, 9}))), (Shape{1, 8, 5, 5}));
  EXPECT_EQ((*std::get<torch::ExpandingArray<2>>(strided->options.padding()))[0], 1);  // LibTorch's spelling
  EXPECT_EQ(strided->options.stride()->at(1), 2);
}

TEST(TorchNnModules, ConvPaddingModesOtherThanZerosAreRefused) {
  EXPECT_THROW(nn::Conv2d(nn::Conv2dOptions(1, 1, 3).padding_mode(torch::kReflect)),
               nabla::NotImplementedError);
  EXPECT_THROW(nn::Conv1d(nn::Conv1dOptions(1, 1, 3).padding_mode(torch::kCircular)),
               nabla::NotImplementedError);
  EXPECT_NO_THROW(nn::Conv2d(nn::Conv2dOptions(1, 1, 3).padding_mode(torch::kZeros)));
}

TEST(TorchNnModules, Conv1d) {
  nn::Conv1d conv(nn::Conv1dOptions(4, 6, 3).stride(2).padding(1));
  EXPECT_EQ(shape(conv->weight), (Shape{6, 4, 3}));
  EXPECT_EQ(shape(conv(nabla::randn({2, 4, 10}))), (Shape{2, 6, 5}));
  nn::Conv1d no_bias(nn::Conv1dOptions(4, 6, 3).bias(false));
  EXPECT_EQ(no_bias->parameters().size(), 1u);
  EXPECT_EQ(shape(no_bias(nabla::randn({2, 4, 10}))), (Shape{2, 6, 8}));
}

TEST(TorchNnModules, ConvTranspose2d) {
  nn::ConvTranspose2d up(nn::ConvTranspose2dOptions(4, 2, 3).stride(2).padding(1).output_padding(1));
  EXPECT_EQ(shape(up->weight), (Shape{4, 2, 3, 3}));
  Tensor x = nabla::randn({1, 4, 5, 5});
  EXPECT_EQ(shape(up(x)), (Shape{1, 2, 10, 10}));
  nn::ConvTranspose2d plain(nn::ConvTranspose2dOptions(4, 2, 3).stride(2).padding(1).bias(false));
  EXPECT_FALSE(plain->bias.defined());
  EXPECT_EQ(shape(plain(x)), (Shape{1, 2, 9, 9}));
  // output_size chooses the output padding: 9 or 10 are reachable, 12 is not.
  EXPECT_EQ(shape(plain->forward(x, std::vector<int64_t>{10, 10})), (Shape{1, 2, 10, 10}));
  EXPECT_EQ(shape(plain(x, std::vector<int64_t>{1, 2, 9, 10})), (Shape{1, 2, 9, 10}));
  EXPECT_THROW(plain->forward(x, std::vector<int64_t>{12, 12}), nabla::ValueError);
}

// ---- pooling ----

TEST(TorchNnModules, Pooling) {
  Tensor x = nabla::randn({2, 3, 8, 8});
  EXPECT_EQ(shape(nn::MaxPool2d(2)(x)), (Shape{2, 3, 4, 4}));
  nn::MaxPool2d overlapping(nn::MaxPool2dOptions(3).stride(2).padding(1));
  EXPECT_EQ((*overlapping->options.kernel_size())[0], 3);
  EXPECT_EQ(shape(overlapping(x)), (Shape{2, 3, 4, 4}));
  EXPECT_EQ((*nn::MaxPool2dOptions(3).stride())[0], 3);  // the stride defaults to the kernel size
  auto [out, idx] = nn::MaxPool2d(2)->forward_with_indices(x);
  EXPECT_EQ(shape(out), shape(idx));
  EXPECT_EQ(idx.dtype(), nabla::kInt64);
  EXPECT_EQ(shape(nn::MaxPool2d(nn::MaxPool2dOptions(2).ceil_mode(true))(nabla::randn({1, 1, 5, 5}))),
            (Shape{1, 1, 3, 3}));

  Tensor ones = nabla::ones({1, 1, 4, 4});
  EXPECT_TRUE(nn::AvgPool2d(2)(ones).allclose(nabla::ones({1, 1, 2, 2})));
  // count_include_pad(false) averages only real elements: all ones stays one at the padded border.
  Tensor with_pad = nn::AvgPool2d(nn::AvgPool2dOptions(2).padding(1))(ones);
  Tensor without = nn::AvgPool2d(nn::AvgPool2dOptions(2).padding(1).count_include_pad(false))(ones);
  EXPECT_NEAR(with_pad.index({0, 0, 0, 0}).item<float>(), 0.25f, 1e-6f);
  EXPECT_NEAR(without.index({0, 0, 0, 0}).item<float>(), 1.0f, 1e-6f);
  Tensor divided = nn::AvgPool2d(nn::AvgPool2dOptions(2).divisor_override(1))(ones);
  EXPECT_NEAR(divided.index({0, 0, 0, 0}).item<float>(), 4.0f, 1e-6f);

  EXPECT_EQ(shape(nn::AdaptiveAvgPool2d(1)(x)), (Shape{2, 3, 1, 1}));
  EXPECT_EQ(shape(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({3, 2}))(x)), (Shape{2, 3, 3, 2}));
  EXPECT_EQ(shape(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({std::nullopt, 2}))(x)),
            (Shape{2, 3, 8, 2}));
  EXPECT_TRUE(nn::AdaptiveAvgPool2d(1)(x).flatten(1).allclose(x.mean({2, 3}), 1e-5, 1e-6));
}

// ---- normalization ----

TEST(TorchNnModules, BatchNorm) {
  nn::BatchNorm2d bn(3);
  EXPECT_EQ(keys(bn->named_parameters()), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(keys(bn->named_buffers()),
            (std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_EQ(bn->options.num_features(), 3);
  EXPECT_DOUBLE_EQ(bn->options.eps(), 1e-5);
  EXPECT_EQ(bn->options.momentum(), 0.1);
  Tensor x = nabla::randn({4, 3, 5, 5}) * 2 + 3;
  Tensor y = bn(x);
  EXPECT_EQ(shape(y), shape(x));
  EXPECT_NEAR(y.mean().item<float>(), 0.0f, 1e-4f);
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
  EXPECT_GT(bn->running_mean.mean().item<float>(), 0.1f);  // moved 10% of the way towards ~3
  bn->reset_running_stats();
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 0);
  EXPECT_TRUE(bn->running_mean.equal(nabla::zeros({3})));
  EXPECT_TRUE(bn->running_var.equal(nabla::ones({3})));

  nn::BatchNorm2d bare(nn::BatchNorm2dOptions(3).affine(false).track_running_stats(false));
  EXPECT_TRUE(bare->parameters().empty());
  EXPECT_FALSE(bare->running_mean.defined());
  EXPECT_FALSE(bare->weight.defined());

  // momentum 1: the running mean becomes the batch mean.
  nn::BatchNorm1d bn1(nn::BatchNorm1dOptions(2).momentum(1.0));
  Tensor z = nabla::randn({8, 2});
  bn1(z);
  EXPECT_TRUE(bn1->running_mean.allclose(z.mean({0}), 1e-5, 1e-5));
  EXPECT_EQ(shape(bn1(nabla::randn({4, 2, 7}))), (Shape{4, 2, 7}));
  bn1->eval();
  EXPECT_EQ(shape(bn1(nabla::randn({3, 2}))), (Shape{3, 2}));
}

TEST(TorchNnModules, LayerNormAndGroupNorm) {
  nn::LayerNorm ln(nn::LayerNormOptions({4}).eps(1e-6));
  EXPECT_EQ(shape(ln->weight), (Shape{4}));
  EXPECT_DOUBLE_EQ(ln->options.eps(), 1e-6);
  Tensor y = ln(nabla::randn({3, 4}) * 5 + 2);
  EXPECT_TRUE(y.mean({-1}).allclose(nabla::zeros({3}), 1e-5, 1e-5));
  nn::LayerNorm bare(nn::LayerNormOptions({2, 4}).elementwise_affine(false));
  EXPECT_TRUE(bare->parameters().empty());
  EXPECT_EQ(shape(bare(nabla::randn({3, 2, 4}))), (Shape{3, 2, 4}));
  nn::LayerNorm from_shape(std::vector<int64_t>{4});
  EXPECT_EQ(from_shape->parameters().size(), 2u);

  nn::GroupNorm gn(2, 4);
  EXPECT_EQ(shape(gn->weight), (Shape{4}));
  EXPECT_EQ(shape(gn(nabla::randn({2, 4, 3, 3}))), (Shape{2, 4, 3, 3}));
  nn::GroupNorm bare_gn(nn::GroupNormOptions(2, 4).affine(false));
  EXPECT_TRUE(bare_gn->parameters().empty());
}

// ---- dropout ----

TEST(TorchNnModules, Dropout) {
  Tensor x = nabla::ones({100, 100});
  nn::Dropout drop(0.25);
  EXPECT_DOUBLE_EQ(drop->options.p(), 0.25);
  Tensor y = drop(x);
  const double kept = (y != 0).to(nabla::kFloat32).mean().item<float>();
  EXPECT_NEAR(kept, 0.75, 0.03);
  EXPECT_NEAR(y.max().item<float>(), 1 / 0.75f, 1e-5f);  // survivors are scaled by 1 / (1 - p)
  drop->eval();
  EXPECT_TRUE(drop(x).equal(x));
  nn::Dropout defaults;
  EXPECT_DOUBLE_EQ(defaults->options.p(), 0.5);
  EXPECT_THROW(nn::Dropout(1.5), nabla::ValueError);

  Tensor target = nabla::ones({4, 4});
  nn::Dropout in_place(nn::DropoutOptions().p(1.0).inplace(true));
  Tensor out = in_place(target);
  EXPECT_EQ(target.sum().item<float>(), 0.0f);  // the input itself was overwritten
  EXPECT_TRUE(out.equal(target));

  // Dropout2d zeroes whole channels: each [H, W] plane is all zero or all 2.
  nn::Dropout2d drop2d(nn::Dropout2dOptions(0.5));
  Tensor planes = drop2d(nabla::ones({8, 16, 3, 3}));
  Tensor per_channel = planes.flatten(2);
  EXPECT_TRUE(per_channel.amax({2}).equal(per_channel.amin({2})));
}

// ---- embedding ----

TEST(TorchNnModules, Embedding) {
  nn::Embedding emb(nn::EmbeddingOptions(10, 3).padding_idx(0));
  EXPECT_EQ(shape(emb->weight), (Shape{10, 3}));
  Tensor idx = nabla::tensor({{0, 2, 4}, {1, 3, 9}}, {.dtype = nabla::kInt64});
  Tensor y = emb(idx);
  EXPECT_EQ(shape(y), (Shape{2, 3, 3}));
  EXPECT_TRUE(y.index({0, 0}).equal(nabla::zeros({3})));  // the padding row
  EXPECT_EQ(*emb->options.padding_idx(), 0);

  Tensor table = nabla::arange(6, {.dtype = nabla::kFloat32}).reshape({3, 2});
  nn::Embedding frozen = nn::Embedding::from_pretrained(table);
  EXPECT_TRUE(frozen->weight.equal(table));
  EXPECT_FALSE(frozen->weight.requires_grad());
  nn::Embedding trainable =
      nn::Embedding::from_pretrained(table, nn::EmbeddingFromPretrainedOptions().freeze(false));
  EXPECT_TRUE(trainable->weight.requires_grad());
  EXPECT_TRUE(trainable(nabla::tensor({2}, {.dtype = nabla::kInt64})).equal(nabla::tensor({{4.0f, 5.0f}})));

  EXPECT_THROW(nn::Embedding(nn::EmbeddingOptions(4, 2).max_norm(1.0)), nabla::NotImplementedError);
  EXPECT_THROW(nn::Embedding(nn::EmbeddingOptions(4, 2).sparse(true)), nabla::NotImplementedError);
}

// ---- activations ----

TEST(TorchNnModules, Activations) {
  Tensor x = nabla::tensor({-2.0f, -0.5f, 0.0f, 1.5f});
  EXPECT_TRUE(nn::ReLU()(x).equal(nabla::tensor({0.0f, 0.0f, 0.0f, 1.5f})));
  EXPECT_TRUE(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.5))(x).allclose(
      nabla::tensor({-1.0f, -0.25f, 0.0f, 1.5f})));
  EXPECT_TRUE(nn::LeakyReLU()(x).allclose(nabla::tensor({-0.02f, -0.005f, 0.0f, 1.5f})));
  EXPECT_TRUE(nn::Sigmoid()(x).allclose(nabla::sigmoid(x)));
  EXPECT_TRUE(nn::Tanh()(x).allclose(nabla::tanh(x)));
  EXPECT_TRUE(nn::SiLU()(x).allclose(x * nabla::sigmoid(x)));
  Tensor elu = nn::ELU(nn::ELUOptions().alpha(2.0))(x);
  EXPECT_NEAR(elu.index({0}).item<float>(), 2.0f * (std::exp(-2.0f) - 1), 1e-5f);
  EXPECT_NEAR(elu.index({3}).item<float>(), 1.5f, 1e-6f);
  Tensor exact = nn::GELU()(x), approx = nn::GELU(nn::GELUOptions().approximate("tanh"))(x);
  EXPECT_NEAR(exact.index({3}).item<float>(), 1.5f * 0.5f * (1 + std::erf(1.5f / std::sqrt(2.0f))), 1e-5f);
  EXPECT_FALSE(exact.equal(approx));
  EXPECT_TRUE(exact.allclose(approx, 1e-2, 1e-3));
}

TEST(TorchNnModules, InplaceActivationsOverwriteTheirInput) {
  Tensor x = nabla::tensor({-1.0f, 2.0f});
  Tensor y = nn::ReLU(nn::ReLUOptions().inplace(true))(x);
  EXPECT_TRUE(x.equal(nabla::tensor({0.0f, 2.0f})));
  EXPECT_TRUE(y.equal(x));
  Tensor z = nabla::tensor({-1.0f, 2.0f});
  nn::ReLU(true)(z);  // ReLUOptions is implicit from its bool, as in LibTorch
  EXPECT_EQ(z.index({0}).item<float>(), 0.0f);
  Tensor w = nabla::tensor({-1.0f, 2.0f});
  nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.1).inplace(true))(w);
  EXPECT_NEAR(w.index({0}).item<float>(), -0.1f, 1e-6f);
  Tensor untouched = nabla::tensor({-1.0f, 2.0f});
  nn::ReLU()(untouched);
  EXPECT_EQ(untouched.index({0}).item<float>(), -1.0f);
}

TEST(TorchNnModules, SoftmaxAndLogSoftmax) {
  Tensor x = nabla::randn({3, 5});
  Tensor rows = nn::Softmax(1)(x);
  EXPECT_TRUE(rows.sum({1}).allclose(nabla::ones({3}), 1e-5, 1e-6));
  Tensor cols = nn::Softmax(nn::SoftmaxOptions(0))(x);
  EXPECT_TRUE(cols.sum({0}).allclose(nabla::ones({5}), 1e-5, 1e-6));
  EXPECT_FALSE(rows.allclose(cols));
  nn::LogSoftmax log_softmax(-1);
  EXPECT_TRUE(log_softmax(x).exp().allclose(rows, 1e-5, 1e-6));
  EXPECT_EQ(log_softmax->options.dim(), -1);
}

// ---- recurrent ----

TEST(TorchNnModules, RNN) {
  nn::RNN rnn(nn::RNNOptions(4, 6).num_layers(2).nonlinearity(torch::kReLU));
  EXPECT_EQ(keys(rnn->named_parameters()),
            (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                      "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"}));
  std::tuple<Tensor, Tensor> result = rnn(nabla::randn({5, 3, 4}));
  auto [out, h_n] = result;
  EXPECT_EQ(shape(out), (Shape{5, 3, 6}));
  EXPECT_EQ(shape(h_n), (Shape{2, 3, 6}));
  EXPECT_GE(out.min().item<float>(), 0.0f);  // relu, not tanh
  auto [out2, h2] = rnn->forward(nabla::randn({5, 3, 4}), h_n);
  EXPECT_EQ(shape(h2), (Shape{2, 3, 6}));
  EXPECT_EQ(rnn->all_weights().size(), 8u);

  nn::RNN no_bias(nn::RNNOptions(4, 6).bias(false).bidirectional(true));
  EXPECT_EQ(keys(no_bias->named_parameters()),
            (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse",
                                      "weight_hh_l0_reverse"}));
  EXPECT_EQ(shape(std::get<0>(no_bias(nabla::randn({5, 3, 4})))), (Shape{5, 3, 12}));
}

TEST(TorchNnModules, LSTM) {
  nn::LSTM lstm(nn::LSTMOptions(4, 6).num_layers(2).batch_first(true));
  EXPECT_EQ(shape(lstm->named_parameters()["weight_ih_l0"]), (Shape{24, 4}));
  EXPECT_EQ(shape(lstm->named_parameters()["weight_ih_l1"]), (Shape{24, 6}));
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> result = lstm(nabla::randn({3, 5, 4}));
  Tensor out = std::get<0>(result);
  auto [h_n, c_n] = std::get<1>(result);
  EXPECT_EQ(shape(out), (Shape{3, 5, 6}));  // batch first
  EXPECT_EQ(shape(h_n), (Shape{2, 3, 6}));
  EXPECT_EQ(shape(c_n), (Shape{2, 3, 6}));
  // The state returned is the state accepted: feeding it changes the result.
  Tensor next = nabla::randn({3, 1, 4});
  auto fresh = std::get<0>(lstm->forward(next));
  auto continued = std::get<0>(lstm->forward(next, std::get<1>(result)));
  EXPECT_FALSE(fresh.allclose(continued));
  auto explicit_zero =
      std::get<0>(lstm(next, std::make_tuple(nabla::zeros({2, 3, 6}), nabla::zeros({2, 3, 6}))));
  EXPECT_TRUE(fresh.allclose(explicit_zero));
  EXPECT_THROW(nn::LSTM(nn::LSTMOptions(4, 6).proj_size(2)), nabla::NotImplementedError);
}

TEST(TorchNnModules, GRU) {
  nn::GRU gru(nn::GRUOptions(4, 6).bidirectional(true));
  EXPECT_EQ(shape(gru->named_parameters()["weight_hh_l0_reverse"]), (Shape{18, 6}));
  auto [out, h_n] = gru(nabla::randn({5, 2, 4}));
  EXPECT_EQ(shape(out), (Shape{5, 2, 12}));
  EXPECT_EQ(shape(h_n), (Shape{2, 2, 6}));
  EXPECT_TRUE(gru->options.bidirectional());
  EXPECT_EQ(shape(std::get<1>(gru->forward(nabla::randn({5, 2, 4}), h_n))), (Shape{2, 2, 6}));
}

// LibTorch's packed-sequence API: torch::nn::utils::rnn and forward_with_packed_input.
TEST(TorchNnModules, PackedSequences) {
  namespace rnn = torch::nn::utils::rnn;
  Tensor x = nabla::randn({4, 3, 2});
  rnn::PackedSequence packed = rnn::pack_padded_sequence(x, nabla::tensor({2, 4, 1}), false, false);
  nn::GRU gru(nn::GRUOptions(2, 3));
  auto [out, h_n] = gru->forward_with_packed_input(packed);
  EXPECT_EQ(shape(out.data()), (Shape{7, 3}));
  EXPECT_EQ(shape(h_n), (Shape{1, 3, 3}));
  nn::LSTM lstm(nn::LSTMOptions(2, 3));
  auto [lout, state] = lstm->forward_with_packed_input(
      packed, std::make_tuple(nabla::zeros({1, 3, 3}), nabla::zeros({1, 3, 3})));
  auto [padded, lengths] = rnn::pad_packed_sequence(lout, false, 0.0, 4);
  EXPECT_EQ(shape(padded), (Shape{4, 3, 3}));
  EXPECT_EQ(lengths.to_vector(), (std::vector<double>{2, 4, 1}));
  EXPECT_EQ(shape(rnn::pad_sequence({nabla::zeros({2}), nabla::zeros({3})}, true)), (Shape{2, 3}));
  EXPECT_EQ(shape(rnn::pack_sequence({nabla::zeros({3, 2}), nabla::zeros({1, 2})}).data()), (Shape{4, 2}));
}

// A model holding a recurrent layer calls it through the holder inside its own forward.
struct TaggerImpl : torch::nn::Module {
  TaggerImpl()
      : lstm(register_module("lstm", torch::nn::LSTM(3, 5))),
        out(register_module("out", torch::nn::Linear(5, 2))) {}
  Tensor forward(Tensor x) { return out(std::get<0>(lstm(x))); }
  torch::nn::LSTM lstm;
  torch::nn::Linear out;
};
TORCH_MODULE(Tagger);

TEST(TorchNnModules, RecurrentLayerInsideAModel) {
  Tagger tagger;
  EXPECT_EQ(shape(tagger(nabla::randn({7, 2, 3}))), (Shape{7, 2, 2}));
  auto names = keys(tagger->named_parameters());
  EXPECT_EQ(names.front(), "lstm.weight_ih_l0");
  EXPECT_EQ(names.back(), "out.bias");
}

// ---- losses ----

TEST(TorchNnModules, RegressionLosses) {
  Tensor a = nabla::tensor({1.0f, 2.0f, 3.0f}), b = nabla::tensor({1.0f, 0.0f, 6.0f});
  EXPECT_NEAR(nn::MSELoss()(a, b).item<float>(), (0 + 4 + 9) / 3.0f, 1e-5f);
  EXPECT_NEAR(nn::MSELoss(nn::MSELossOptions(torch::kSum))(a, b).item<float>(), 13.0f, 1e-5f);
  EXPECT_NEAR(nn::MSELoss(nn::MSELossOptions().reduction(torch::kSum))->forward(a, b).item<float>(), 13.0f,
              1e-5f);
  EXPECT_EQ(shape(nn::MSELoss(nn::MSELossOptions(torch::kNone))(a, b)), (Shape{3}));
  EXPECT_NEAR(nn::L1Loss()(a, b).item<float>(), 5.0f / 3, 1e-5f);
  // smooth L1 with beta 1: |d| < 1 -> d^2 / 2, else |d| - 1/2: 0, 1.5, 2.5
  EXPECT_NEAR(nn::SmoothL1Loss(nn::SmoothL1LossOptions(torch::kSum))(a, b).item<float>(), 4.0f, 1e-5f);
  EXPECT_NEAR(nn::SmoothL1Loss(nn::SmoothL1LossOptions(torch::kSum).beta(4))(a, b).item<float>(),
              0 + 0.5f * 4 / 4 + 0.5f * 9 / 4, 1e-5f);  // d^2 / (2 beta) below beta
  // Huber with delta 2: |d| <= 2 -> d^2 / 2, else 2 (|d| - 1): 0, 2, 4
  EXPECT_NEAR(nn::HuberLoss(nn::HuberLossOptions().reduction(torch::kSum).delta(2))(a, b).item<float>(), 6.0f,
              1e-5f);
}

TEST(TorchNnModules, ClassificationLosses) {
  Tensor logits = nabla::randn({4, 3});
  Tensor target = nabla::tensor({0, 2, 1, 2}, {.dtype = nabla::kInt64});
  Tensor log_p = nabla::log_softmax(logits, 1);
  float manual = 0;
  for (int64_t i = 0; i < 4; ++i) manual -= log_p.index({i, target.index({i}).item<int64_t>()}).item<float>();
  EXPECT_NEAR(nn::CrossEntropyLoss()(logits, target).item<float>(), manual / 4, 1e-5f);
  EXPECT_NEAR(nn::NLLLoss()(log_p, target).item<float>(), manual / 4, 1e-5f);
  EXPECT_NEAR(nn::NLLLoss(nn::NLLLossOptions().reduction(torch::kSum))(log_p, target).item<float>(), manual,
              1e-4f);
  nn::CrossEntropyLoss ignoring(nn::CrossEntropyLossOptions().ignore_index(2));
  const float kept = -(log_p.index({0, 0}).item<float>() + log_p.index({2, 1}).item<float>()) / 2;
  EXPECT_NEAR(ignoring(logits, target).item<float>(), kept, 1e-5f);
  nn::CrossEntropyLoss smoothed(nn::CrossEntropyLossOptions().label_smoothing(0.2));
  EXPECT_GT(std::abs(smoothed(logits, target).item<float>() - manual / 4), 1e-4f);

  Tensor w = nabla::tensor({1.0f, 0.0f, 0.0f});
  nn::CrossEntropyLoss weighted(nn::CrossEntropyLossOptions().weight(w));
  EXPECT_EQ(keys(weighted->named_buffers()), (std::vector<std::string>{"weight"}));
  EXPECT_TRUE(weighted->weight.equal(w));
  EXPECT_NEAR(weighted(logits, target).item<float>(), -log_p.index({0, 0}).item<float>(), 1e-5f);
}

TEST(TorchNnModules, BinaryAndDivergenceLosses) {
  Tensor p = nabla::tensor({0.9f, 0.2f}), y = nabla::tensor({1.0f, 0.0f});
  const float bce = -(std::log(0.9f) + std::log(0.8f)) / 2;
  EXPECT_NEAR(nn::BCELoss()(p, y).item<float>(), bce, 1e-5f);
  Tensor logits = nabla::log(p / (1 - p));
  EXPECT_NEAR(nn::BCEWithLogitsLoss()(logits, y).item<float>(), bce, 1e-5f);
  nn::BCEWithLogitsLoss pos(nn::BCEWithLogitsLossOptions().pos_weight(nabla::tensor({3.0f})));
  EXPECT_NEAR(pos(logits, y).item<float>(), -(3 * std::log(0.9f) + std::log(0.8f)) / 2, 1e-5f);
  EXPECT_EQ(keys(pos->named_buffers()), (std::vector<std::string>{"pos_weight"}));
  nn::BCELoss weighted(nn::BCELossOptions().weight(nabla::tensor({2.0f, 0.0f})).reduction(torch::kSum));
  EXPECT_NEAR(weighted(p, y).item<float>(), -2 * std::log(0.9f), 1e-5f);

  Tensor log_q = nabla::log_softmax(nabla::randn({2, 3}), 1);
  Tensor target = nabla::softmax(nabla::randn({2, 3}), 1);
  Tensor pointwise = target * (target.log() - log_q);
  EXPECT_NEAR(nn::KLDivLoss(nn::KLDivLossOptions(torch::kBatchMean))(log_q, target).item<float>(),
              pointwise.sum().item<float>() / 2, 1e-5f);
  EXPECT_NEAR(nn::KLDivLoss()(log_q, target).item<float>(), pointwise.mean().item<float>(), 1e-5f);
  EXPECT_NEAR(
      nn::KLDivLoss(nn::KLDivLossOptions().reduction(torch::kSum).log_target(true))(log_q, target.log())
          .item<float>(),
      pointwise.sum().item<float>(), 1e-5f);
}

TEST(TorchNnModules, LossesTrainAModel) {
  nn::Linear fc(2, 1);
  Tensor loss = nn::MSELoss()(fc(nabla::randn({4, 2})), nabla::randn({4, 1}));
  loss.backward();
  EXPECT_EQ(shape(fc->weight.grad()), (Shape{1, 2}));
  EXPECT_TRUE(fc->bias.grad().defined());
}

// ---- enum tags ----

TEST(TorchNnModules, EnumTags) {
  nn::MSELossOptions::reduction_t r = torch::kSum;
  EXPECT_EQ(torch::enumtype::get_enum_name(r), "kSum");
  EXPECT_EQ(torch::enumtype::reduction_get_enum(r), at::Reduction::Sum);
  EXPECT_EQ(torch::Reduction::Mean, at::Reduction::Mean);  // one enum, both spellings
  EXPECT_NE(torch::Reduction::Mean, torch::Reduction::Sum);
  EXPECT_EQ(torch::enumtype::lower_name(nn::KLDivLossOptions::reduction_t(torch::kBatchMean)), "batchmean");
  EXPECT_THROW(torch::enumtype::reduction_get_enum(nn::KLDivLossOptions::reduction_t(torch::kBatchMean)),
               nabla::ValueError);
  EXPECT_TRUE(std::holds_alternative<torch::enumtype::kMean>(nn::CrossEntropyLossOptions().reduction()));
  EXPECT_TRUE(std::holds_alternative<torch::enumtype::kTanh>(nn::RNNOptions(1, 1).nonlinearity()));
}

}  // namespace
