// relu(batch_norm) fused (F::batch_norm_relu, BatchNorm::forward_relu, nn::Sequential's BatchNorm +
// ReLU; Note [Batch norm and ReLU in one pass]): the same bits as the two ops apart, in training
// (output, running statistics, every gradient) and eval mode, and the fusion steps aside for hooks.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <string>
#include <vector>

#include "autograd/observer.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {

// Bit-for-bit equality of float tensors (shapes and values; no NaN here).
void expect_same(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_TRUE(a.defined() && b.defined()) << what;
  EXPECT_EQ(a.sizes().vec(), b.sizes().vec()) << what;
  EXPECT_TRUE(equal(a, b)) << what << ": largest difference "
                           << (a.to(kFloat64) - b.to(kFloat64)).abs().max().item<double>();
}

struct StepResult {
  Tensor y, running_mean, running_var;
  std::vector<Tensor> grads;  // x, weight, bias
};

// One training (or eval) step of relu(batch_norm(x)), fused or apart, with gradient gy.
StepResult run(const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& gy, bool training,
               bool fused) {
  const int64_t C = x.size(1);
  StepResult r;
  Tensor xi = x.detach().requires_grad_();
  Tensor wi = w.defined() ? w.detach().requires_grad_() : Tensor();
  Tensor bi = b.defined() ? b.detach().requires_grad_() : Tensor();
  r.running_mean = zeros({C}) + 0.25;
  r.running_var = ones({C}) * 1.5;
  r.y = fused ? F::batch_norm_relu(xi, r.running_mean, r.running_var, wi, bi, training, 0.1, 1e-5)
              : relu(F::batch_norm(xi, r.running_mean, r.running_var, wi, bi, training, 0.1, 1e-5));
  (r.y * gy).sum().backward();
  r.grads = {xi.grad(), wi.defined() ? wi.grad() : Tensor(), bi.defined() ? bi.grad() : Tensor()};
  return r;
}

}  // namespace

// Shapes the fused loops take (3-D, 4-D contiguous and channels-last, large enough to be split over
// threads) and one they do not (2-D: relu after oneDNN's batch norm). Channel 0 is constant with a
// zero bias, so its normalised values are exactly 0: ReLU's boundary, where the mask must block.
TEST(BatchNormRelu, FusedEqualsApartBitForBit) {
  manual_seed(21);
  for (auto shape : {std::vector<int64_t>{4, 16, 5, 5}, {2, 24, 32, 16}, {3, 5, 7}, {6, 3}})
    for (bool channels_last : {false, true})
      for (bool affine : {true, false})
        for (bool training : {true, false}) {
          if (channels_last && shape.size() != 4) continue;
          const int64_t C = shape[1];
          Tensor x = randn(shape) * 2 + 0.5;
          x.select(1, 0).fill_(3.0);
          if (channels_last) x = x.contiguous(MemoryFormat::ChannelsLast);
          Tensor w = rand({C}) + 0.5, b = randn({C});
          b.index_put_({0}, zeros({}));
          Tensor gy = randn(shape);
          const std::string what = shape_str(shape) + (channels_last ? " channels-last" : "") +
                                   (affine ? " affine" : "") + (training ? " training" : " eval");
          StepResult fused = run(x, affine ? w : Tensor(), affine ? b : Tensor(), gy, training, true);
          StepResult apart = run(x, affine ? w : Tensor(), affine ? b : Tensor(), gy, training, false);
          expect_same(fused.y, apart.y, what + " output");
          EXPECT_EQ(fused.y.strides().vec(), apart.y.strides().vec()) << what;
          expect_same(fused.running_mean, apart.running_mean, what + " running_mean");
          expect_same(fused.running_var, apart.running_var, what + " running_var");
          for (int i = 0; i < (affine ? 3 : 1); ++i)
            expect_same(fused.grads[i], apart.grads[i], what + " grad " + std::to_string(i));
          if (training && shape.size() > 2) {
            EXPECT_EQ(fused.y.grad_fn()->name(), "BatchNormReluBackward0") << what;
          }
        }
}

// Under create_graph the fused op's backward is differentiable (double backward through the
// composite formula, ReLU's mask constant): the same second derivative as the ops apart.
TEST(BatchNormRelu, DoubleBackwardMatchesApart) {
  manual_seed(22);
  Tensor x = randn({3, 4, 3, 3}), w = rand({4}) + 0.5, b = randn({4});
  std::vector<Tensor> second[2];
  for (int fused = 0; fused < 2; ++fused) {
    Tensor xi = x.detach().requires_grad_(), wi = w.detach().requires_grad_(),
           bi = b.detach().requires_grad_();
    Tensor y = fused ? F::batch_norm_relu(xi, Tensor(), Tensor(), wi, bi, true)
                     : relu(F::batch_norm(xi, Tensor(), Tensor(), wi, bi, true));
    auto g = autograd::grad({(y * y).sum()}, {xi}, {}, /*retain_graph=*/true, /*create_graph=*/true);
    auto gg = autograd::grad({g[0].pow(2).sum()}, {xi, wi});
    second[fused] = {g[0], gg[0], gg[1]};
  }
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(allclose(second[1][i], second[0][i], 1e-4, 1e-5)) << "derivative " << i;
}

// nn::Sequential runs a BatchNorm2d followed by a ReLU as one op, with the same results as calling
// the modules one by one; a hook on either module turns the fusion off, and the hook sees what it
// would see without fusion.
TEST(BatchNormRelu, SequentialFusesUnlessHooked) {
  manual_seed(23);
  nn::Sequential seq{nn::Conv2d(3, 8, 3, {.padding = 1}), nn::BatchNorm2d(8), nn::ReLU(), nn::MaxPool2d(2)};
  Tensor x = randn({4, 3, 8, 8});
  auto step = [&](bool apart) {
    seq.zero_grad();
    Tensor y = apart ? seq[3](seq[2](seq[1](seq[0](x)))) : seq(x);
    y.pow(2).sum().backward();
    std::vector<Tensor> out{y.detach().clone()};
    for (const Tensor& p : seq.parameters()) out.push_back(p.grad().clone());
    for (const Tensor& t : seq.buffers()) out.push_back(t.clone());
    return out;
  };
  nn::NamedTensors state;  // copies: state_dict() shares the module's tensors
  for (const auto& [name, t] : seq.state_dict()) state.insert(name, t.clone());
  std::vector<Tensor> fused = step(false);
  seq.load_state_dict(state);
  std::vector<Tensor> apart = step(true);
  ASSERT_EQ(fused.size(), apart.size());
  for (size_t i = 0; i < fused.size(); ++i) expect_same(fused[i], apart[i], "result " + std::to_string(i));

  // The fused op is what produced the ReLU's output (the max-pool's input).
  Tensor seen;
  auto pool_hook = seq[3].register_forward_hook([&](nn::Module&, const Tensor& in, const Tensor&) {
    seen = in;
    return Tensor();
  });
  seq(x);
  ASSERT_TRUE(seen.defined());
  EXPECT_EQ(seen.grad_fn()->name(), "BatchNormReluBackward0");

  // A hook on the ReLU: it runs, on batch norm's output, and the ops run apart.
  int relu_calls = 0;
  auto relu_hook = seq[2].register_forward_hook([&](nn::Module&, const Tensor& in, const Tensor&) {
    ++relu_calls;
    EXPECT_LT(in.min().item<float>(), 0.0f) << "the ReLU's input is batch norm's output";
    return Tensor();
  });
  seq(x);
  EXPECT_EQ(relu_calls, 1);
  EXPECT_EQ(seen.grad_fn()->name(), "ReluBackward0");
  relu_hook.remove();

  // A hook on the batch norm: the same.
  Tensor bn_out;
  auto bn_hook = seq[1].register_forward_hook([&](nn::Module&, const Tensor&, const Tensor& out) {
    bn_out = out;
    return Tensor();
  });
  seq(x);
  ASSERT_TRUE(bn_out.defined());
  EXPECT_EQ(bn_out.grad_fn()->name(), "BatchNormBackward0");
  EXPECT_EQ(seen.grad_fn()->name(), "ReluBackward0");
  bn_hook.remove();
  seq(x);
  EXPECT_EQ(seen.grad_fn()->name(), "BatchNormReluBackward0");
  pool_hook.remove();
}

// A subclass of BatchNorm2d may override forward: Sequential then calls it as written.
TEST(BatchNormRelu, SequentialLeavesSubclassesAlone) {
  struct Shifted : nn::BatchNorm2d {
    Shifted() : nn::BatchNorm2d(2) {}
    Tensor forward(Tensor x) override { return nn::BatchNorm2d::forward(x) + 100.0; }
  };
  nn::Sequential seq{Shifted(), nn::ReLU()};
  Tensor y = seq(randn({3, 2, 4, 4}));
  EXPECT_GT(y.min().item<float>(), 90.0f);
}

// Under a tracer (the ONNX export) the modules run apart, through Sequential or forward_relu called
// directly: the tracer sees batch_norm then relu, never the fused op.
TEST(BatchNormRelu, TracerSeesTheOpsApart) {
  struct Recorder : autograd::OpObserver {
    std::vector<std::string> ops;
    void on_op(OpId op, const TensorList&, const TensorList&) override {  // not the stats' updates
      if (op == OpId::batch_norm || op == OpId::batch_norm_relu || op == OpId::relu)
        ops.emplace_back(op_info(op).name);
    }
    void on_custom(const std::string&, const TensorList&, const TensorList&) override {}
  } recorder;
  nn::Sequential seq{nn::BatchNorm2d(3), nn::ReLU()};
  nn::BatchNorm2d bn(3);
  Tensor x = randn({2, 3, 4, 4});
  autograd::OpObserver* previous = autograd::set_op_observer(&recorder);
  seq(x);
  bn.forward_relu(x);
  autograd::set_op_observer(previous);
  EXPECT_EQ(recorder.ops, (std::vector<std::string>{"batch_norm", "relu", "batch_norm", "relu"}));
}
