// Float32 fast paths (few-row matmul, oneDNN convolution in blocked layouts, oneDNN batch norm)
// against the float64 reference kernels on the same inputs, across the shapes that pick each path.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <atomic>
#include <thread>
#include <tuple>
#include <vector>

#include "ops/cpu/helper_thread.h"
#include "ops/cpu/loops.h"

using namespace nabla;
namespace F = nabla::nn::functional;

namespace {
void expect_close(const Tensor& got32, const Tensor& want64, double tol, const std::string& what) {
  ASSERT_EQ(got32.sizes().vec(), want64.sizes().vec()) << what;
  auto g = got32.to_vector(), w = want64.to_vector();
  for (size_t i = 0; i < g.size(); ++i)
    ASSERT_NEAR(g[i], w[i], tol * (1 + std::abs(w[i]))) << what << " at " << i;
}
}  // namespace

// Few rows times a transposed weight (nn.Linear on a single sample): remainder columns (N % 8) and
// a K that is not a multiple of 16 exercise the masked tails; batched and 2-thread variants too.
TEST(KernelPaths, FewRowMatmulMatchesFloat64) {
  manual_seed(1);
  for (int64_t M : {1, 2, 4, 5})
    for (auto [K, N] : {std::pair<int64_t, int64_t>{784, 256}, {17, 3}, {5, 9}, {16, 8}, {1, 1}, {33, 130}}) {
      Tensor x = randn({M, K}), W = randn({N, K});
      expect_close(mm(x, W.t()), mm(x.to(kFloat64), W.to(kFloat64).t()), 1e-4,
                   "mm M=" + std::to_string(M) + " K=" + std::to_string(K) + " N=" + std::to_string(N));
    }
  Tensor a = randn({3, 2, 40}), b = randn({3, 24, 40});
  expect_close(bmm(a, b.transpose(1, 2)), bmm(a.to(kFloat64), b.to(kFloat64).transpose(1, 2)), 1e-4, "bmm");
  const int threads = get_num_threads();
  set_num_threads(2);
  Tensor x = randn({1, 4096}), W = randn({2048, 4096});  // large enough to split across threads
  expect_close(mm(x, W.t()), mm(x.to(kFloat64), W.to(kFloat64).t()), 1e-4, "mm 2 threads");
  set_num_threads(threads);
}

// Few-row products between the helper-thread threshold and OpenMP's (Note [Spinning helper thread]),
// at 1 and 2 threads: the second half of the columns may run on the helper.
TEST(KernelPaths, FewRowMatmulWithHelperThreadMatchesFloat64) {
  manual_seed(3);
  const int threads = get_num_threads();
  for (int t : {1, 2}) {
    set_num_threads(t);
    for (auto [M, K, N] : {std::tuple<int64_t, int64_t, int64_t>{1, 784, 256},
                           {1, 256, 128},
                           {2, 512, 300},
                           {1, 131072, 1},
                           {4, 1000, 37}}) {
      Tensor x = randn({M, K}), W = randn({N, K});
      for (int rep = 0; rep < 3; ++rep)  // back-to-back calls find the helper spinning
        expect_close(
            mm(x, W.t()), mm(x.to(kFloat64), W.to(kFloat64).t()), 1e-4,
            "mm threads=" + std::to_string(t) + " M=" + std::to_string(M) + " N=" + std::to_string(N));
    }
  }
  set_num_threads(threads);
}

// Products between 1M and 16M multiply-adds are cut in two along M or N, the second half on the
// helper thread, halves that oneDNN cannot take as plain matrices staged through copies (Note [Matmuls
// split over the helper thread]): operands in every layout, odd extents, the bias, at 1 and 2 threads.
TEST(KernelPaths, SplitMatmulMatchesFloat64) {
  manual_seed(6);
  const int threads = get_num_threads();
  for (int t : {1, 2}) {
    set_num_threads(t);
    for (auto [M, K, N] : {std::tuple<int64_t, int64_t, int64_t>{64, 784, 256},
                           {256, 64, 784},
                           {64, 128, 256},
                           {100, 300, 70},
                           {70, 200, 100},
                           {33, 1000, 65}}) {
      const std::string what = "threads=" + std::to_string(t) + " M=" + std::to_string(M) +
                               " K=" + std::to_string(K) + " N=" + std::to_string(N);
      for (bool a_t : {false, true})
        for (bool b_t : {false, true}) {
          Tensor a = a_t ? randn({K, M}).t() : randn({M, K});
          Tensor b = b_t ? randn({N, K}).t() : randn({K, N});
          for (int rep = 0; rep < 2; ++rep)
            expect_close(mm(a, b), mm(a.to(kFloat64), b.to(kFloat64)), 1e-4,
                         what + " a_t=" + std::to_string(a_t) + " b_t=" + std::to_string(b_t));
        }
      Tensor x = randn({M, K}), W = randn({N, K}), bias = randn({N});
      NoGradGuard no_grad;
      expect_close(F::linear(x, W, bias), F::linear(x.to(kFloat64), W.to(kFloat64), bias.to(kFloat64)), 1e-4,
                   "linear " + what);
    }
  }
  set_num_threads(threads);
}

namespace {
// Four user threads each multiply their own [rows, 784] input by one shared W^T `reps` times at once,
// threads 0 and 2 with 2 OpenMP threads and 1 and 3 with `odd_threads`; every product must be right.
void products_from_four_threads(int64_t rows, int odd_threads, int reps) {
  Tensor W = randn({256, 784});
  std::vector<Tensor> xs, want;
  for (int i = 0; i < 4; ++i) {
    xs.push_back(randn({rows, 784}));
    want.push_back(mm(xs.back().to(kFloat64), W.to(kFloat64).t()));
  }
  std::vector<Tensor> got(4);
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([&, i] {
      set_num_threads(i % 2 == 0 ? 2 : odd_threads);
      for (int rep = 0; rep < reps; ++rep) got[i] = mm(xs[i], W.t());
    });
  for (auto& w : workers) w.join();
  for (int i = 0; i < 4; ++i) expect_close(got[i], want[i], 1e-4, "thread " + std::to_string(i));
}
}  // namespace

// Several user threads running products at once: each has its own oneDNN primitives (Note [Primitives
// stay on their thread]; shared ones computed garbage), and they share one helper thread: whoever does
// not get it runs both halves itself. Split products (1 and 2 threads) and few-row ones.
TEST(KernelPaths, SplitMatmulFromSeveralThreadsAtOnce) {
  manual_seed(8);
  products_from_four_threads(64, 1, 30);
}

TEST(KernelPaths, FewRowMatmulFromSeveralThreadsAtOnce) {
  manual_seed(4);
  products_from_four_threads(1, 2, 200);
}

// nn.Linear without autograd adds the bias inside the product's kernel (few-row, oneDNN and the
// float64/int loops); the result must equal `bias + x @ W^T` computed as two ops, bit for bit.
TEST(KernelPaths, AddmmWithBiasInTheKernelEqualsTwoOps) {
  manual_seed(5);
  for (DType dt : {kFloat32, kFloat64, kInt64})
    for (auto [M, K, N] :
         {std::tuple<int64_t, int64_t, int64_t>{1, 784, 256}, {3, 17, 9}, {64, 256, 128}, {1, 0, 5}}) {
      Tensor x = (randn({M, K}) * 4).to(dt), W = (randn({N, K}) * 4).to(dt), b = (randn({N}) * 4).to(dt);
      Tensor two_ops = b + mm(x, W.t());
      Tensor fused;
      {
        NoGradGuard ng;
        fused = addmm(b, x, W.t());
      }
      std::string what = std::string(dtype_name(dt)) + " M=" + std::to_string(M) + " K=" + std::to_string(K);
      ASSERT_EQ(fused.sizes().vec(), two_ops.sizes().vec()) << what;
      EXPECT_TRUE(equal(fused, two_ops)) << what;
    }
  // With autograd the composite path records the graph, and gives the same values.
  Tensor x = randn({2, 8}), W = randn({4, 8}).requires_grad_(), b = randn({4}).requires_grad_();
  Tensor y = addmm(b, x, W.t());
  EXPECT_TRUE(y.requires_grad());
  NoGradGuard ng;
  EXPECT_TRUE(equal(y.detach(), addmm(b, x, W.t())));
}

// F::linear without autograd hands the weight to the kernel as [out, in] (no transposed view): equal
// to `bias + x @ W^T` as two ops, bit for bit, for every path (few-row, oneDNN, float64/int loops),
// with and without a bias, and for weights and inputs that are views with other strides.
TEST(KernelPaths, LinearWithoutAutogradEqualsTwoOps) {
  manual_seed(6);
  for (DType dt : {kFloat32, kFloat64, kInt64})
    for (auto [M, K, N] :
         {std::tuple<int64_t, int64_t, int64_t>{1, 784, 256}, {3, 17, 9}, {64, 256, 128}, {1, 0, 5}})
      for (bool strided : {false, true}) {
        // strided: W is the transpose of a [K, N] tensor and x a column slice of a wider one
        Tensor W = strided ? (randn({K, N}) * 4).to(dt).t() : (randn({N, K}) * 4).to(dt);
        Tensor x = strided ? (randn({M, K + 3}) * 4).to(dt).narrow(1, 2, K) : (randn({M, K}) * 4).to(dt);
        Tensor b = (randn({N}) * 4).to(dt);
        std::string what = std::string(dtype_name(dt)) + " M=" + std::to_string(M) +
                           " K=" + std::to_string(K) + (strided ? " strided" : "");
        NoGradGuard ng;
        Tensor with_bias = F::linear(x, W, b), no_bias = F::linear(x, W);
        ASSERT_EQ(with_bias.sizes().vec(), (std::vector<int64_t>{M, N})) << what;
        EXPECT_TRUE(equal(with_bias, b + mm(x, W.t()))) << what;
        EXPECT_TRUE(equal(no_bias, mm(x, W.t()))) << what;
      }
}

// The helper thread runs a copy of the job (Note [Spinning helper thread]): each part runs exactly
// once per call, with the captured values, whether the helper, the caller or (from several user
// threads at once) whoever does not get the helper runs it.
TEST(KernelPaths, RunTwoPartsRunsEachPartOnceWithItsCopy) {
  const int threads = get_num_threads();
  for (int t : {1, 2}) {
    set_num_threads(t);
    std::vector<int64_t> hits(2000 * 2, 0);
    for (int64_t call = 0; call < 2000; ++call) {
      int64_t* slots = hits.data() + 2 * call;
      const int64_t tag = call * 7 + 1;
      cpu::run_two_parts([slots, tag](int part) { slots[part] += tag; });
    }
    for (int64_t call = 0; call < 2000; ++call)
      ASSERT_TRUE(hits[2 * call] == call * 7 + 1 && hits[2 * call + 1] == call * 7 + 1)
          << "threads=" << t << " call " << call << ": " << hits[2 * call] << ", " << hits[2 * call + 1];
  }
  set_num_threads(threads);
  std::vector<std::vector<int64_t>> per_thread(4, std::vector<int64_t>(2 * 500, 0));
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([&, i] {
      set_num_threads(2);
      for (int64_t call = 0; call < 500; ++call) {
        int64_t* slots = per_thread[i].data() + 2 * call;
        cpu::run_two_parts([slots, call](int part) { slots[part] += call + 1; });
      }
    });
  for (auto& w : workers) w.join();
  for (int i = 0; i < 4; ++i)
    for (int64_t call = 0; call < 500; ++call)
      ASSERT_TRUE(per_thread[i][2 * call] == call + 1 && per_thread[i][2 * call + 1] == call + 1)
          << i << " " << call;
}

// Note [Two-part loops on the helper thread]: every index is visited once, on 1, 2 (the helper
// thread, or OpenMP when the helper lags) and 3 threads (OpenMP), and an exception from any part
// reaches the caller after all parts are done.
TEST(KernelPaths, ParallelForCoversEachIndexOnceAndRethrows) {
  const int threads = get_num_threads();
  const int64_t n = 3 * cpu::kGrain + 5;  // two parts on 2 threads, three on 3
  for (int t : {1, 2, 3}) {
    set_num_threads(t);
    std::vector<int> hits(n, 0);
    for (int round = 0; round < 20; ++round)
      cpu::parallel_for(n, 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) ++hits[i];
      });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i], 20) << "threads=" << t << " index " << i;
    for (int64_t bad : {int64_t{0}, n - 1}) {  // the first part, then the second
      std::atomic<int64_t> visited{0};
      try {
        cpu::parallel_for(n, 1, [&](int64_t b, int64_t e) {
          visited += e - b;
          if (b <= bad && bad < e) throw IndexError("index " + std::to_string(bad) + " is out of bounds");
        });
        ADD_FAILURE() << "no exception, threads=" << t;
      } catch (const IndexError& e) {
        EXPECT_NE(std::string(e.what()).find(std::to_string(bad)), std::string::npos) << e.what();
      }
      EXPECT_EQ(visited.load(), n) << "both parts ran to the end before the rethrow, threads=" << t;
    }
  }
  set_num_threads(threads);
}

// Convolutions whose layouts oneDNN picks differently (1 and 3 input channels stay plain, 16+ go
// blocked; grouped; strided 1x1): forward and both gradients against the float64 reference.
TEST(KernelPaths, ConvolutionLayoutsMatchFloat64) {
  manual_seed(2);
  struct Case {
    int64_t n, c, o, h, k, stride, pad, groups;
  };
  for (Case c :
       {Case{2, 1, 32, 9, 3, 1, 1, 1}, Case{2, 3, 16, 8, 3, 1, 1, 1}, Case{3, 16, 32, 8, 3, 2, 1, 1},
        Case{2, 16, 32, 8, 1, 2, 0, 1}, Case{2, 32, 32, 6, 3, 1, 1, 4}, Case{1, 64, 64, 4, 3, 1, 1, 1}}) {
    Tensor x = randn({c.n, c.c, c.h, c.h}), w = randn({c.o, c.c / c.groups, c.k, c.k}) * 0.2,
           b = randn({c.o});
    Tensor gy =
        randn({c.n, c.o, (c.h + 2 * c.pad - c.k) / c.stride + 1, (c.h + 2 * c.pad - c.k) / c.stride + 1});
    F::ConvOptions o;
    o.stride = {c.stride, c.stride};
    o.padding = {c.pad, c.pad};
    o.groups = c.groups;
    std::vector<Tensor> grads[2];
    Tensor y[2];
    for (int d = 0; d < 2; ++d) {
      DType dt = d ? kFloat64 : kFloat32;
      Tensor xd = x.to(dt).detach().requires_grad_(), wd = w.to(dt).detach().requires_grad_(),
             bd = b.to(dt).detach().requires_grad_();
      y[d] = F::conv2d(xd, wd, bd, o);
      (y[d] * gy.to(dt)).sum().backward();
      grads[d] = {xd.grad(), wd.grad(), bd.grad()};
    }
    const std::string what =
        "conv c=" + std::to_string(c.c) + " o=" + std::to_string(c.o) + " g=" + std::to_string(c.groups);
    expect_close(y[0], y[1], 1e-4, what + " output");
    for (int i = 0; i < 3; ++i)
      expect_close(grads[0][i], grads[1][i], 1e-4, what + " grad " + std::to_string(i));
  }
}

// Batch norm in training mode: oneDNN (float32) against the composite (float64): output, running
// statistics, and the gradients of input, weight and bias; also without affine parameters.
// 3-D and more take nabla's own loops (Note [Batch norm off oneDNN's barriers]), 2-D oneDNN's primitive.
TEST(KernelPaths, BatchNormTrainingMatchesFloat64) {
  manual_seed(3);
  for (auto shape : {std::vector<int64_t>{8, 3}, {4, 5, 7}, {3, 16, 5, 5}, {5, 24, 9, 7}})
    for (bool affine : {true, false})
      for (bool channels_last : {false, true}) {
        if (channels_last && shape.size() != 4) continue;
        const int64_t C = shape[1];
        Tensor x = randn(shape) * 3 + 1, gy = randn(shape), w = rand({C}) + 0.5, b = randn({C});
        if (channels_last) x = x.contiguous(MemoryFormat::ChannelsLast);
        Tensor y[2], rm[2], rv[2];
        std::vector<Tensor> grads[2];
        for (int d = 0; d < 2; ++d) {
          DType dt = d ? kFloat64 : kFloat32;
          Tensor xd = x.to(dt).detach().requires_grad_(), wd = w.to(dt).detach().requires_grad_(),
                 bd = b.to(dt).detach().requires_grad_();
          rm[d] = zeros({C}, {.dtype = dt});
          rv[d] = ones({C}, {.dtype = dt});
          y[d] = F::batch_norm(xd, rm[d], rv[d], affine ? wd : Tensor(), affine ? bd : Tensor(), true, 0.1,
                               1e-5);
          (y[d] * gy.to(dt)).sum().backward();
          grads[d] = {xd.grad(), affine ? wd.grad() : Tensor(), affine ? bd.grad() : Tensor()};
        }
        const std::string what = "batch_norm " + std::to_string(shape.size()) +
                                 "-D affine=" + std::to_string(affine) +
                                 (channels_last ? " channels-last" : "");
        expect_close(y[0], y[1], 1e-4, what + " output");
        expect_close(rm[0], rm[1], 1e-5, what + " running_mean");
        expect_close(rv[0], rv[1], 1e-4, what + " running_var");
        for (int i = 0; i < (affine ? 3 : 1); ++i)
          expect_close(grads[0][i], grads[1][i], 2e-4, what + " grad " + std::to_string(i));
      }
}

// nabla's batch norm loops sum per block (of rows, or one sample's planes) in a fixed order: 1 and 2
// threads give the same bits (output, statistics and all three gradients), on tensors large enough to
// be split, channels-last and contiguous.
TEST(KernelPaths, BatchNormIsTheSameOnOneAndTwoThreads) {
  manual_seed(8);
  for (auto format : {MemoryFormat::ChannelsLast, MemoryFormat::Contiguous}) {
    Tensor x = (randn({16, 32, 32, 32}) * 2 + 3).contiguous(format), gy = randn({16, 32, 32, 32});
    Tensor w = rand({32}) + 0.5, b = randn({32});
    std::vector<Tensor> results[2];
    const int threads = get_num_threads();
    for (int t : {1, 2}) {
      set_num_threads(t);
      Tensor xd = x.detach().requires_grad_(), wd = w.detach().requires_grad_(),
             bd = b.detach().requires_grad_();
      Tensor rm = zeros({32}), rv = ones({32});
      Tensor y = F::batch_norm(xd, rm, rv, wd, bd, true, 0.1, 1e-5);
      EXPECT_TRUE(y.is_contiguous(format));
      (y * gy).sum().backward();
      results[t - 1] = {y, rm, rv, xd.grad(), wd.grad(), bd.grad()};
    }
    set_num_threads(threads);
    for (size_t k = 0; k < results[0].size(); ++k)
      EXPECT_TRUE(equal(results[0][k], results[1][k]))
          << "result " << k << (format == MemoryFormat::Contiguous ? " NCHW" : " NHWC");
  }
}

// Channels-last (NHWC) activations: contiguous(ChannelsLast) keeps values and gives NHWC strides;
// conv -> batch norm -> relu -> conv + residual stays channels-last end to end and matches the NCHW
// computation in outputs and all gradients.
TEST(KernelPaths, ChannelsLastFlowsThroughAResidualBlock) {
  manual_seed(4);
  Tensor x = randn({2, 16, 6, 5});
  Tensor xcl = x.contiguous(MemoryFormat::ChannelsLast);
  EXPECT_TRUE(xcl.is_contiguous(MemoryFormat::ChannelsLast));
  EXPECT_FALSE(xcl.is_contiguous());
  EXPECT_EQ(xcl.strides().vec(), (std::vector<int64_t>{16 * 6 * 5, 1, 5 * 16, 16}));
  EXPECT_EQ(xcl.to_vector(), x.to_vector());
  EXPECT_THROW(randn({2, 3}).contiguous(MemoryFormat::ChannelsLast), ShapeError);

  Tensor w1 = randn({16, 16, 3, 3}) * 0.1, w2 = randn({16, 16, 3, 3}) * 0.1, gamma = rand({16}) + 0.5,
         beta = randn({16});
  F::ConvOptions o;
  o.padding = {1, 1};
  Tensor out[2];
  std::vector<Tensor> grads[2];
  for (int cl = 0; cl < 2; ++cl) {
    Tensor xi = (cl ? xcl : x).detach().requires_grad_();
    Tensor a = w1.detach().requires_grad_(), b = w2.detach().requires_grad_();
    Tensor g = gamma.detach().requires_grad_(), be = beta.detach().requires_grad_();
    Tensor h =
        relu(F::batch_norm(F::conv2d(xi, a, Tensor(), o), zeros({16}), ones({16}), g, be, true, 0.1, 1e-5));
    Tensor y = relu(F::conv2d(h, b, Tensor(), o) + xi);
    if (cl) {
      EXPECT_FALSE(y.is_contiguous()) << "the block's output should stay channels-last";
      EXPECT_TRUE(y.is_contiguous(MemoryFormat::ChannelsLast));
    }
    (y * y).sum().backward();
    out[cl] = y;
    grads[cl] = {xi.grad(), a.grad(), b.grad(), g.grad(), be.grad()};
    if (cl) {
      EXPECT_TRUE(xi.grad().is_contiguous(MemoryFormat::ChannelsLast));
    }
  }
  expect_close(out[1], out[0].to(kFloat64), 1e-4, "channels-last block output");
  for (int i = 0; i < 5; ++i)
    expect_close(grads[1][i], grads[0][i].to(kFloat64), 1e-3,
                 "channels-last block grad " + std::to_string(i));
}

// Batch norm in eval mode without autograd runs one kernel pass (nabla's loops on 3+ dims, oneDNN's
// inference primitive on 2-D): against float64, in NCHW and channels-last, with and without affine
// parameters, and on a 2-D input.
TEST(KernelPaths, BatchNormInferenceMatchesFloat64) {
  manual_seed(5);
  const int64_t C = 16;
  Tensor x = randn({3, C, 4, 5}) * 2 + 1, rm = randn({C}), rv = rand({C}) + 0.5, w = randn({C}),
         b = randn({C});
  for (bool cl : {false, true})
    for (bool affine : {true, false}) {
      Tensor xi = cl ? x.contiguous(MemoryFormat::ChannelsLast) : x;
      Tensor got = F::batch_norm(xi, rm, rv, affine ? w : Tensor(), affine ? b : Tensor(), false, 0.1, 1e-5);
      Tensor want =
          F::batch_norm(x.to(kFloat64), rm.to(kFloat64), rv.to(kFloat64), affine ? w.to(kFloat64) : Tensor(),
                        affine ? b.to(kFloat64) : Tensor(), false, 0.1, 1e-5);
      expect_close(got, want, 1e-5,
                   std::string("eval batch_norm cl=") + (cl ? "1" : "0") + " affine=" + (affine ? "1" : "0"));
      EXPECT_EQ(got.is_contiguous(), !cl);
    }
  Tensor x2 = randn({7, C}) * 2 + 1;
  expect_close(F::batch_norm(x2, rm, rv, w, b, false, 0.1, 1e-5),
               F::batch_norm(x2.to(kFloat64), rm.to(kFloat64), rv.to(kFloat64), w.to(kFloat64),
                             b.to(kFloat64), false, 0.1, 1e-5),
               1e-5, "eval batch_norm 2-D");
}
