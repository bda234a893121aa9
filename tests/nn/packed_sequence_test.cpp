// packed_sequence_test.cpp — nn::utils::rnn and the recurrent layers on packed batches, beyond the
// PyTorch goldens (packed_golden_test.cpp): the defining property (a packed batch gives each sequence
// what running it alone gives), float64 gradcheck and gradgradcheck through pack -> layer -> pad, and
// the user errors (typed, naming the lengths, positions and shapes).
#include <gtest/gtest.h>

#include "expect_error.h"
#include "nabla/nabla.h"

namespace nabla {
namespace {

using nabla::testing::expect_error;
namespace rnn = nn::utils::rnn;

// Runs a packed batch [T, B, I] through `m`, then every sequence alone (its first lengths[b] steps, its
// own h0 column) and checks outputs, h_n and the zeros past each end. float64, so any mismatch is a bug.
template <typename M>
void expect_each_sequence_alone(M& m, int64_t layers_dirs, bool lstm) {
  const std::vector<int64_t> lengths = {2, 5, 1, 4, 5};
  const int64_t T = 6, B = 5, H = m.hidden_size;
  RandomGenerator gen(3);
  Tensor x = randn({T, B, m.input_size}, {.dtype = kFloat64}, &gen);
  Tensor h0 = randn({layers_dirs, B, H}, {.dtype = kFloat64}, &gen);
  Tensor c0 = randn({layers_dirs, B, H}, {.dtype = kFloat64}, &gen);
  rnn::PackedSequence packed = rnn::pack_padded_sequence(x, lengths, false, false);
  Tensor out, h_n, c_n;
  rnn::PackedSequence po;
  if constexpr (std::is_same_v<M, nn::LSTM>) {
    auto [o, hc] = m(packed, h0, c0);
    po = o, h_n = std::get<0>(hc), c_n = std::get<1>(hc);
  } else {
    std::tie(po, h_n) = m(packed, h0);
  }
  auto [padded, out_len] = rnn::pad_packed_sequence(po, false, 0.0, T);
  EXPECT_EQ(out_len.to_vector(), std::vector<double>(lengths.begin(), lengths.end()));
  for (int64_t b = 0; b < B; ++b) {
    const int64_t L = lengths[b];
    Tensor xb = x.narrow(0, 0, L).narrow(1, b, 1), hb = h0.narrow(1, b, 1), cb = c0.narrow(1, b, 1);
    Tensor ob, hnb, cnb;
    if constexpr (std::is_same_v<M, nn::LSTM>) {
      auto [o, hc] = m(xb, hb, cb);
      ob = o, hnb = std::get<0>(hc), cnb = std::get<1>(hc);
    } else {
      std::tie(ob, hnb) = m(xb, hb);
    }
    EXPECT_TRUE(allclose(padded.narrow(0, 0, L).narrow(1, b, 1), ob, 1e-12, 1e-12))
        << "output of sequence " << b;
    EXPECT_TRUE(allclose(h_n.narrow(1, b, 1), hnb, 1e-12, 1e-12)) << "h_n of sequence " << b;
    if (lstm) {
      EXPECT_TRUE(allclose(c_n.narrow(1, b, 1), cnb, 1e-12, 1e-12)) << "c_n of sequence " << b;
    }
    if (L < T) {
      EXPECT_EQ(padded.narrow(0, L, T - L).narrow(1, b, 1).abs().sum().item<double>(), 0.0) << b;
    }
  }
}

TEST(PackedRnn, EachSequenceAsIfAlone) {
  const nn::RNNOptions o{.num_layers = 2, .bidirectional = true};
  nn::GRU gru(3, 4, o);
  gru.to(kFloat64);
  expect_each_sequence_alone(gru, 4, false);
  nn::LSTM lstm(3, 4, o);
  lstm.to(kFloat64);
  expect_each_sequence_alone(lstm, 4, true);
  nn::RNN relu(3, 4, {.nonlinearity = "relu"});
  relu.to(kFloat64);
  expect_each_sequence_alone(relu, 1, false);
}

// With every length equal, the packed path (per-step composite) gives the padded path's answer (the fused
// oneDNN layer in float32).
TEST(PackedRnn, FullLengthsMatchTheFusedFloat32Layer) {
  manual_seed(0);
  nn::LSTM m(3, 5, {.num_layers = 2, .batch_first = true, .bidirectional = true});
  Tensor x = randn({4, 6, 3});
  auto [y, hc] = m(x);
  auto [py, phc] = m(rnn::pack_padded_sequence(x, std::vector<int64_t>(4, 6), true));
  auto [padded, len] = rnn::pad_packed_sequence(py, true);
  EXPECT_TRUE(allclose(padded, y, 1e-5, 1e-6));
  EXPECT_TRUE(allclose(std::get<0>(phc), std::get<0>(hc), 1e-5, 1e-6));
  EXPECT_TRUE(allclose(std::get<1>(phc), std::get<1>(hc), 1e-5, 1e-6));
}

// float64 finite differences through pack -> layer -> pad w.r.t. the padded input, h0, c0 and every
// parameter (gradcheck's defaults: eps 1e-6, atol 1e-5, rtol 1e-3).
template <typename M>
void gradcheck_packed(M& m, bool batch_first) {
  m.to(kFloat64);
  const std::vector<int64_t> lengths = {3, 1, 4};  // unsorted
  const int64_t rows = m.options.num_layers * (m.options.bidirectional ? 2 : 1);
  RandomGenerator gen(11);
  Tensor x = randn(batch_first ? IntArrayRef{3, 4, 2} : IntArrayRef{4, 3, 2}, {.dtype = kFloat64}, &gen);
  Tensor h0 = randn({rows, 3, m.hidden_size}, {.dtype = kFloat64}, &gen) * 0.5;
  Tensor c0 = randn({rows, 3, m.hidden_size}, {.dtype = kFloat64}, &gen) * 0.5;
  TensorList inputs = {x.requires_grad_(true), h0.requires_grad_(true), c0.requires_grad_(true)};
  for (const Tensor& p : m.parameters()) inputs.push_back(p);
  auto fn = [&](const TensorList& in) {
    rnn::PackedSequence packed = rnn::pack_padded_sequence(in[0], lengths, batch_first, false);
    if constexpr (std::is_same_v<M, nn::LSTM>) {
      auto [o, hc] = m(packed, in[1], in[2]);
      return TensorList{std::get<0>(rnn::pad_packed_sequence(o, batch_first)), std::get<0>(hc),
                        std::get<1>(hc)};
    } else {
      auto [o, h] = m(packed, in[1]);
      return TensorList{std::get<0>(rnn::pad_packed_sequence(o, batch_first)), h, in[2].sum() * 0};
    }
  };
  EXPECT_TRUE(gradcheck(fn, inputs));
  // Not vacuous: the input's gradient is nonzero at valid steps and zero at padded ones.
  for (Tensor& t : inputs) t.mutable_grad() = Tensor();
  TensorList outs = fn(inputs);
  (outs[0].sum() + outs[1].sum()).backward();
  Tensor g = batch_first ? x.grad() : x.grad().transpose(0, 1);  // [B, T, I]
  EXPECT_GT(g.narrow(0, 1, 1).narrow(1, 0, 1).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(g.narrow(0, 1, 1).narrow(1, 1, 3).abs().sum().item<double>(), 0.0);  // sequence 1 has 1 step
  EXPECT_EQ(g.narrow(0, 0, 1).narrow(1, 3, 1).abs().sum().item<double>(), 0.0);  // sequence 0 has 3
}

TEST(PackedRnn, GradcheckGRU) {
  nn::GRU m(2, 3, {.num_layers = 2, .bidirectional = true});
  gradcheck_packed(m, false);
}
TEST(PackedRnn, GradcheckLSTM) {
  nn::LSTM m(2, 3, {.num_layers = 2, .batch_first = true, .bidirectional = true});
  gradcheck_packed(m, true);
}
TEST(PackedRnn, GradcheckRNN) {
  nn::RNN m(2, 3, {.bidirectional = true});
  gradcheck_packed(m, false);
}

TEST(PackedRnn, GradgradcheckGRU) {
  nn::GRU m(2, 2, {.bidirectional = true});
  m.to(kFloat64);
  RandomGenerator gen(5);
  Tensor x = randn({3, 2, 2}, {.dtype = kFloat64}, &gen).requires_grad_(true);
  auto fn = [&](const TensorList& in) {
    auto [o, h] = m(rnn::pack_padded_sequence(in[0], std::vector<int64_t>{3, 2}));
    return TensorList{std::get<0>(rnn::pad_packed_sequence(o)), h};
  };
  EXPECT_TRUE(gradgradcheck(fn, {x}));
}

TEST(PackedRnn, ParametersGetGradients) {
  nn::GRU m(2, 3);
  auto [o, h] = m(rnn::pack_sequence({randn({3, 2}), randn({1, 2})}));
  (o.data().sum() + h.sum()).backward();
  for (const auto& [name, p] : m.named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0) << name;
  }
}

// ---- errors ----
TEST(PackedErrors, Lengths) {
  Tensor x = zeros({3, 2, 4});
  expect_error<ValueError>(
      [&] {
        rnn::pack_padded_sequence(x, std::vector<int64_t>{3, 0});
      },
      {"pack_padded_sequence", "greater than 0", "lengths[1] = 0"});
  expect_error<ValueError>(
      [&] {
        rnn::pack_padded_sequence(x, std::vector<int64_t>{-1, 3}, false, false);
      },
      {"lengths[0] = -1"});
  expect_error<ValueError>(
      [&] {
        rnn::pack_padded_sequence(x, std::vector<int64_t>{4, 2});
      },
      {"lengths[0] = 4", "3 time steps", "[3, 2, 4]"});
  expect_error<ValueError>(
      [&] {
        rnn::pack_padded_sequence(x, std::vector<int64_t>{2, 3});
      },
      {"sorted in decreasing order", "enforce_sorted", "lengths[0] = 2 < lengths[1] = 3"});
  expect_error<ValueError>([&] { rnn::pack_padded_sequence(x, std::vector<int64_t>{3}); },
                           {"len(lengths)", "got 1", "batch_size=2"});
  expect_error<ValueError>([&] { rnn::pack_padded_sequence(x, zeros({2}).add(1)); }, {"integer", "float32"});
  expect_error<ValueError>(
      [&] {
        rnn::pack_padded_sequence(x, ones({1, 2}, {.dtype = kInt64}));
      },
      {"1-D", "[1, 2]"});
  expect_error<ValueError>(
      [&] {
        rnn::pack_padded_sequence(zeros({0, 2, 4}), std::vector<int64_t>{1, 1});
      },
      {"empty", "[0, 2, 4]"});
  expect_error<ShapeError>([&] { rnn::pack_padded_sequence(zeros({3}), std::vector<int64_t>{3}); },
                           {"at least 2 dims", "[3]"});
  // batch_first: T is dim 1
  expect_error<ValueError>(
      [&] {
        rnn::pack_padded_sequence(zeros({2, 3}), std::vector<int64_t>{4, 1}, true);
      },
      {"lengths[0] = 4"});
}

TEST(PackedErrors, PadPackedAndPadSequence) {
  rnn::PackedSequence p = rnn::pack_padded_sequence(zeros({3, 2}), std::vector<int64_t>{3, 2});
  expect_error<ValueError>([&] { rnn::pad_packed_sequence(p, false, 0.0, 2); },
                           {"total_length=2", "max sequence length being 3"});
  expect_error<ValueError>([&] { rnn::pad_sequence({}); }, "empty list of sequences");
  expect_error<ShapeError>(
      [&] {
        rnn::pad_sequence({zeros({2, 3}), zeros({3, 4})});
      },
      {"sequence 1", "[3, 4]", "[2, 3]"});
  expect_error<ShapeError>(
      [&] {
        rnn::pad_sequence({zeros({2}), scalar_tensor(1.0)});
      },
      {"sequence 1", "[]"});
  expect_error<ValueError>([&] { rnn::pack_sequence({zeros({2}), zeros({0})}); }, {"lengths[1] = 0"});
  expect_error<ValueError>([&] { rnn::PackedSequence(zeros({3}), zeros({2})); }, {"batch_sizes", "int64"});
}

TEST(PackedErrors, RecurrentLayers) {
  nn::GRU gru(4, 3);
  rnn::PackedSequence p = rnn::pack_padded_sequence(zeros({3, 2, 5}), std::vector<int64_t>{3, 2});
  expect_error<ShapeError>([&] { gru(p); }, {"GRU", "input_size = 4", "[5, 5]"});
  rnn::PackedSequence q = rnn::pack_padded_sequence(zeros({3, 2, 4}), std::vector<int64_t>{3, 2});
  expect_error<ShapeError>([&] { gru(q, zeros({1, 3, 3})); }, {"GRU", "hidden[0]", "[1, 2, 3]", "[1, 3, 3]"});
  nn::LSTM lstm(4, 3);
  expect_error<ShapeError>([&] { lstm(q, zeros({1, 2, 3}), zeros({2, 2, 3})); }, {"LSTM", "hidden[1]"});
  expect_error<ValueError>([&] { gru(rnn::PackedSequence()); }, {"GRU", "empty"});
}

// The sort is stable, so sorted_indices is predictable with ties, and unsorted_indices inverts it.
TEST(PackedUtils, StableSortAndInverse) {
  rnn::PackedSequence p = rnn::pack_padded_sequence(arange(8).view({2, 4}).to(kFloat32),
                                                    std::vector<int64_t>{1, 2, 2, 1}, false, false);
  EXPECT_EQ(p.sorted_indices().to_vector(), (std::vector<double>{1, 2, 0, 3}));
  EXPECT_EQ(p.unsorted_indices().to_vector(), (std::vector<double>{2, 0, 1, 3}));
  EXPECT_EQ(p.batch_sizes().to_vector(), (std::vector<double>{4, 2}));
  EXPECT_EQ(p.data().to_vector(), (std::vector<double>{1, 2, 0, 3, 5, 6}));
}

}  // namespace
}  // namespace nabla
