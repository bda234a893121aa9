// nn::RNN/LSTM/GRU in float32 run on oneDNN's RNN primitives (one autograd node per layer); the
// same module in float64 is composed from differentiable ops. With identical weights and inputs the
// two must agree on outputs, final states and every gradient (Note [Fused recurrent layers]).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>

using namespace nabla;

namespace {

enum class Kind { Tanh, Relu, LSTM, GRU };
const char* kind_name(Kind k) {
  return k == Kind::Tanh ? "RNNTanh" : k == Kind::Relu ? "RNNRelu" : k == Kind::LSTM ? "LSTM" : "GRU";
}

struct Case {
  Kind kind;
  int64_t layers;
  bool bidir, batch_first, with_h0, bias;
};

constexpr int64_t kT = 5, kN = 3, kC = 4, kH = 6;

std::unique_ptr<nn::RNNBase> make(const Case& c, double dropout = 0) {
  nn::RNNOptions o{.num_layers = c.layers,
                   .bias = c.bias,
                   .batch_first = c.batch_first,
                   .dropout = dropout,
                   .bidirectional = c.bidir,
                   .nonlinearity = c.kind == Kind::Relu ? "relu" : "tanh"};
  if (c.kind == Kind::LSTM) return std::make_unique<nn::LSTM>(kC, kH, o);
  if (c.kind == Kind::GRU) return std::make_unique<nn::GRU>(kC, kH, o);
  return std::make_unique<nn::RNN>(kC, kH, o);
}

// output, h_n, c_n (undefined unless LSTM)
std::tuple<Tensor, Tensor, Tensor> run(nn::RNNBase& m, Kind k, const Tensor& x, const Tensor& h0,
                                       const Tensor& c0) {
  if (k == Kind::LSTM) {
    auto [o, hc] = static_cast<nn::LSTM&>(m).forward(x, h0, c0);
    return {o, std::get<0>(hc), std::get<1>(hc)};
  }
  auto [o, h] =
      k == Kind::GRU ? static_cast<nn::GRU&>(m).forward(x, h0) : static_cast<nn::RNN&>(m).forward(x, h0);
  return {o, h, Tensor()};
}

// float32 result vs float64 reference: |a - b| <= atol + rtol * |b|.
void expect_close(const Tensor& a32, const Tensor& b64, const std::string& what) {
  ASSERT_EQ(a32.defined(), b64.defined()) << what;
  if (!a32.defined()) return;
  ASSERT_EQ(a32.dtype(), DType::Float32) << what;
  ASSERT_EQ(a32.sizes(), b64.sizes()) << what;
  Tensor a = a32.detach().to(DType::Float64), b = b64.detach();
  EXPECT_TRUE(allclose(a, b, 1e-4, 1e-5)) << what << ": max |diff| " << (a - b).abs().max().item<double>();
}

// Number of fused layer nodes in the graph behind t.
int count_fused_nodes(const Tensor& t) {
  std::vector<autograd::Node*> stack = {t.grad_fn().get()}, seen;
  int n = 0;
  while (!stack.empty()) {
    autograd::Node* node = stack.back();
    stack.pop_back();
    if (!node || std::find(seen.begin(), seen.end(), node) != seen.end()) continue;
    seen.push_back(node);
    n += node->name() == "MkldnnRnnLayerBackward";
    for (const auto& e : node->next_functions()) stack.push_back(e.fn.get());
  }
  return n;
}

struct Inputs {
  Tensor x, h0, c0;
};
Inputs make_inputs(const Case& c, DType dtype = DType::Float32) {
  const int64_t D = c.bidir ? 2 : 1;
  Inputs in;
  in.x = c.batch_first ? randn({kN, kT, kC}) : randn({kT, kN, kC});
  if (c.with_h0) {
    in.h0 = randn({c.layers * D, kN, kH});
    if (c.kind == Kind::LSTM) in.c0 = randn({c.layers * D, kN, kH});
  }
  for (Tensor* t : {&in.x, &in.h0, &in.c0})
    if (t->defined()) *t = t->to(dtype).requires_grad_();
  return in;
}
Inputs to64(const Inputs& in) {
  Inputs r;
  for (auto [src, dst] : {std::pair{&in.x, &r.x}, {&in.h0, &r.h0}, {&in.c0, &r.c0}})
    if (src->defined()) *dst = src->detach().to(DType::Float64).requires_grad_();
  return r;
}

class RnnDnnl : public ::testing::TestWithParam<std::tuple<Kind, int64_t, bool, bool, bool, bool>> {
 protected:
  Case c() const {
    auto [k, l, bi, bf, h0, b] = GetParam();
    return {k, l, bi, bf, h0, b};
  }
};

TEST_P(RnnDnnl, MatchesCompositeFloat64) {
  const Case cs = c();
  manual_seed(7);
  auto m32 = make(cs), m64 = make(cs);
  m64->load_state_dict(m32->state_dict());
  m64->to(DType::Float64);
  Inputs in32 = make_inputs(cs), in64 = to64(in32);
  auto [o32, h32, c32] = run(*m32, cs.kind, in32.x, in32.h0, in32.c0);
  auto [o64, h64, c64] = run(*m64, cs.kind, in64.x, in64.h0, in64.c0);
  EXPECT_EQ(count_fused_nodes(h32), cs.layers);  // one node per layer, on the float32 path only
  EXPECT_EQ(count_fused_nodes(h64), 0);
  expect_close(o32, o64, "output");
  expect_close(h32, h64, "h_n");
  expect_close(c32, c64, "c_n");
  // Backward of sum(out * gy) + sum(h_n * gh) (+ sum(c_n * gc)) with random cotangents.
  Tensor gy = randn(o64.sizes(), {.dtype = DType::Float64}),
         gh = randn(h64.sizes(), {.dtype = DType::Float64});
  Tensor gc = c64.defined() ? randn(c64.sizes(), {.dtype = DType::Float64}) : Tensor();
  auto loss = [&](const Tensor& o, const Tensor& h, const Tensor& cc) {
    Tensor l = (o * gy.to(o.dtype())).sum() + (h * gh.to(h.dtype())).sum();
    return cc.defined() ? l + (cc * gc.to(cc.dtype())).sum() : l;
  };
  loss(o32, h32, c32).backward();
  loss(o64, h64, c64).backward();
  expect_close(in32.x.grad(), in64.x.grad(), "grad input");
  if (cs.with_h0) expect_close(in32.h0.grad(), in64.h0.grad(), "grad h0");
  if (cs.with_h0 && cs.kind == Kind::LSTM) expect_close(in32.c0.grad(), in64.c0.grad(), "grad c0");
  auto p32 = m32->named_parameters(), p64 = m64->named_parameters();
  ASSERT_EQ(p32.size(), p64.size());
  for (size_t i = 0; i < p32.size(); ++i)
    expect_close(p32[i].second.grad(), p64[i].second.grad(), "grad " + p32[i].first);
}

// No grad (inference primitive, no node) and repeated calls (cached primitives) give the training
// forward's values exactly.
TEST_P(RnnDnnl, InferenceAndRepeatedCallsAgree) {
  const Case cs = c();
  manual_seed(11);
  auto m = make(cs);
  Inputs in = make_inputs(cs);
  auto [o1, h1, c1] = run(*m, cs.kind, in.x, in.h0, in.c0);
  auto [o2, h2, c2] = run(*m, cs.kind, in.x, in.h0, in.c0);
  EXPECT_TRUE(o1.requires_grad());
  EXPECT_TRUE(equal(o1, o2) && equal(h1, h2));
  m->eval();
  NoGradGuard ng;
  auto [o3, h3, c3] = run(*m, cs.kind, in.x, in.h0, in.c0);
  EXPECT_FALSE(o3.requires_grad());
  EXPECT_TRUE(allclose(o1, o3, 1e-6, 1e-7) && allclose(h1, h3, 1e-6, 1e-7));
  if (c1.defined()) {
    EXPECT_TRUE(equal(c1, c2) && allclose(c1, c3, 1e-6, 1e-7));
  }
}

std::string case_name(const ::testing::TestParamInfo<RnnDnnl::ParamType>& info) {
  auto [k, l, bi, bf, h0, b] = info.param;
  return std::string(kind_name(k)) + "_L" + std::to_string(l) + (bi ? "_bidir" : "_uni") +
         (bf ? "_batchfirst" : "_tnc") + (h0 ? "_h0" : "_noh0") + (b ? "_bias" : "_nobias");
}
INSTANTIATE_TEST_SUITE_P(All, RnnDnnl,
                         ::testing::Combine(::testing::Values(Kind::Tanh, Kind::Relu, Kind::LSTM, Kind::GRU),
                                            ::testing::Values(int64_t{1}, int64_t{2}), ::testing::Bool(),
                                            ::testing::Bool(), ::testing::Bool(), ::testing::Bool()),
                         case_name);

TEST(RnnDnnlNode, Float32LayerIsOneNodeFloat64IsComposite) {
  nn::GRU g(kC, kH);
  Tensor x = randn({kT, kN, kC});
  auto [o, h] = g(x);
  ASSERT_TRUE(h.grad_fn());
  EXPECT_EQ(h.grad_fn()->name(), "MkldnnRnnLayerBackward");
  g.to(DType::Float64);
  auto [o64, h64] = g(x.to(DType::Float64));
  EXPECT_NE(h64.grad_fn()->name(), "MkldnnRnnLayerBackward");
}

TEST(RnnDnnlNode, UnbatchedInput) {
  for (Kind k : {Kind::Tanh, Kind::LSTM, Kind::GRU}) {
    Case cs{k, 2, true, false, true, true};
    manual_seed(3);
    auto m32 = make(cs), m64 = make(cs);
    m64->load_state_dict(m32->state_dict());
    m64->to(DType::Float64);
    Tensor x = randn({kT, kC});
    Tensor h0 = randn({4, kH}), c0 = k == Kind::LSTM ? randn({4, kH}) : Tensor();
    auto [o32, h32, c32] = run(*m32, k, x, h0, c0);
    auto [o64, h64, c64] = run(*m64, k, x.to(DType::Float64), h0.to(DType::Float64),
                               c0.defined() ? c0.to(DType::Float64) : Tensor());
    EXPECT_EQ(o32.sizes(), IntArrayRef({kT, 2 * kH}));
    expect_close(o32, o64, std::string(kind_name(k)) + " unbatched output");
    expect_close(h32, h64, std::string(kind_name(k)) + " unbatched h_n");
    expect_close(c32, c64, std::string(kind_name(k)) + " unbatched c_n");
  }
}

// Inter-layer dropout draws the same mask from the same seed on both paths.
TEST(RnnDnnlNode, DropoutBetweenLayersMatchesComposite) {
  Case cs{Kind::LSTM, 3, true, true, false, true};
  manual_seed(5);
  auto m32 = make(cs, 0.5), m64 = make(cs, 0.5);
  m64->load_state_dict(m32->state_dict());
  m64->to(DType::Float64);
  Tensor x = randn({kN, kT, kC});
  manual_seed(9);
  auto [o32, h32, c32] = run(*m32, cs.kind, x, {}, {});
  manual_seed(9);
  auto [o64, h64, c64] = run(*m64, cs.kind, x.to(DType::Float64), {}, {});
  expect_close(o32, o64, "output");
  expect_close(h32, h64, "h_n");
  o32.sum().backward();
  o64.sum().backward();
  auto p32 = m32->named_parameters(), p64 = m64->named_parameters();
  for (size_t i = 0; i < p32.size(); ++i)
    expect_close(p32[i].second.grad(), p64[i].second.grad(), "grad " + p32[i].first);
}

TEST(RnnDnnlNode, DoubleBackwardIsAClearError) {
  nn::LSTM m(kC, kH);
  Tensor x = randn({kT, kN, kC}).requires_grad_();
  auto [o, hc] = m(x);
  EXPECT_THROW(autograd::grad({o.sum()}, {x}, {}, std::nullopt, /*create_graph=*/true), NotImplementedError);
}

TEST(RnnDnnlNode, BadShapesAreTypedErrors) {
  nn::GRU g(kC, kH, {.num_layers = 2});
  EXPECT_THROW(g(randn({kT, kN, kC + 1})), ShapeError);
  EXPECT_THROW(g(randn({kT, kN, kC}), randn({1, kN, kH})), ShapeError);
  EXPECT_THROW(g(randn({kN, kC, kT, 1})), ShapeError);
  nn::LSTM l(kC, kH);
  EXPECT_THROW(l(randn({kT, kN, kC}), randn({1, kN, kH}), randn({1, kN + 1, kH})), ShapeError);
}

}  // namespace

// A batch of 16+ on two threads is cut in two, the second half on the helper thread (Note [Recurrent
// layers split over the helper thread]): outputs, states and every gradient still match the float64
// composite, for each cell, one and two directions, odd batches, and 16+ steps (the flushing backward).
TEST(RnnDnnlNode, BatchSplitOverTheHelperMatchesComposite) {
  const int threads = get_num_threads();
  set_num_threads(2);
  for (Kind k : {Kind::Tanh, Kind::LSTM, Kind::GRU})
    for (bool bidir : {false, true})
      for (int64_t N : {17, 32}) {
        const std::string what =
            std::string(kind_name(k)) + (bidir ? " bidir" : "") + " N=" + std::to_string(N);
        const Case cs{k, 2, bidir, false, true, true};
        manual_seed(11);
        auto m32 = make(cs), m64 = make(cs);
        m64->load_state_dict(m32->state_dict());
        m64->to(DType::Float64);
        const int64_t T = 18, D = bidir ? 2 : 1;
        Tensor x = randn({T, N, kC}).requires_grad_(), h0 = randn({2 * D, N, kH}).requires_grad_();
        Tensor c0 = k == Kind::LSTM ? randn({2 * D, N, kH}).requires_grad_() : Tensor();
        Tensor x64 = x.detach().to(DType::Float64).requires_grad_(),
               h64 = h0.detach().to(DType::Float64).requires_grad_();
        Tensor c64 = c0.defined() ? c0.detach().to(DType::Float64).requires_grad_() : Tensor();
        for (int rep = 0; rep < 2; ++rep) {  // the second finds the helper spinning
          auto [o, h, c] = run(*m32, k, x, h0, c0);
          auto [o_, h_, c_] = run(*m64, k, x64, h64, c64);
          expect_close(o, o_, what + " output");
          expect_close(h, h_, what + " h_n");
          if (rep == 1) {
            m32->zero_grad();
            m64->zero_grad();
            (o.sum() + h.pow(2).sum()).backward();
            (o_.sum() + h_.pow(2).sum()).backward();
            expect_close(x.grad(), x64.grad(), what + " grad input");
            expect_close(h0.grad(), h64.grad(), what + " grad h0");
            auto p32 = m32->named_parameters(), p64 = m64->named_parameters();
            for (size_t i = 0; i < p32.size(); ++i)
              expect_close(p32[i].second.grad(), p64[i].second.grad(), what + " grad " + p32[i].first);
          }
        }
      }
  set_num_threads(threads);
}
