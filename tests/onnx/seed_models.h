// seed_models.h — the models the ONNX tests export besides the zoo: the curriculum's GRU text
// classifier and autoencoder (as in ../shared/anchors/torch_workloads.py, smaller vocabulary), an LSTM
// classifier (2 layers, bidirectional) and a model running the remaining mapped modules and glue ops.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "nabla/nabla.h"

namespace nabla::onnx_test {

struct GRUClassifier : nn::Module {
  nn::Embedding embed;
  nn::GRU gru;
  nn::Linear out;
  explicit GRUClassifier(int64_t vocab = 500, int64_t embed_dim = 32, int64_t hidden = 48)
      : embed(vocab, embed_dim), gru(embed_dim, hidden, {.batch_first = true}), out(hidden, 2) {
    register_modules({{"embed", embed}, {"gru", gru}, {"out", out}});
  }
  Tensor forward(Tensor x) override {
    auto [h, h_n] = gru(embed(x));
    return out(h.select(1, -1));  // h[:, -1, :]
  }
};

struct LSTMClassifier : nn::Module {
  nn::Embedding embed;
  nn::LSTM lstm;
  nn::Linear out;
  explicit LSTMClassifier(int64_t vocab = 500)
      : embed(vocab, 16),
        lstm(16, 24, {.num_layers = 2, .batch_first = true, .bidirectional = true}),
        out(48, 3) {
    register_modules({{"embed", embed}, {"lstm", lstm}, {"out", out}});
  }
  Tensor forward(Tensor x) override {
    auto [y, state] = lstm(embed(x));
    return out(y.select(1, -1));
  }
};

// The recurrent part of the classifiers on float sequences [N, T, 16] (OpenCV 4.6 cannot run the
// embedding lookup: its Gather wants constant indices).
struct RecurrentHead : nn::Module {
  nn::GRU gru{16, 24, {.batch_first = true}};
  nn::LSTM lstm{24, 20, {.num_layers = 2, .batch_first = true, .bidirectional = false}};
  nn::Linear out{20, 3};
  RecurrentHead() { register_modules({{"gru", gru}, {"lstm", lstm}, {"out", out}}); }
  Tensor forward(Tensor x) override {
    auto [h, h_n] = gru(x);
    auto [y, state] = lstm(h);
    return out(y.select(1, -1));
  }
};

struct AE : nn::Module {
  nn::Sequential enc{nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 64), nn::ReLU(),
                     nn::Linear(64, 12),   nn::ReLU(), nn::Linear(12, 3)};
  nn::Sequential dec{nn::Linear(3, 12),   nn::ReLU(), nn::Linear(12, 64),   nn::ReLU(),
                     nn::Linear(64, 128), nn::ReLU(), nn::Linear(128, 784), nn::Sigmoid()};
  AE() { register_modules({{"enc", enc}, {"dec", dec}}); }
  Tensor forward(Tensor x) override { return dec(enc(x)); }
};

// Input [N, 3, 16, 16]: modules and glue the zoo models do not use.
struct KitchenSink : nn::Module {
  nn::Conv2d conv1{3, 8, 3, {.padding = 1}};
  nn::BatchNorm2d bn{8};
  nn::LeakyReLU act{0.1};
  nn::MaxPool2d pool{2};
  nn::Upsample up{{.scale_factor = {2}, .mode = "nearest"}};
  nn::AvgPool2d avg{2};
  nn::Conv2d conv2{16, 8, 3, {.stride = 2, .padding = 1, .groups = 2}};
  nn::Hardtanh clip{-0.5, 0.5};
  nn::Linear fc1{32, 16}, fc2{16, 10};
  nn::Dropout drop{0.3};
  nn::Tanh tanh;
  nn::Softmax softmax{1};
  KitchenSink() {
    register_modules({{"conv1", conv1},
                      {"bn", bn},
                      {"act", act},
                      {"pool", pool},
                      {"up", up},
                      {"avg", avg},
                      {"conv2", conv2},
                      {"clip", clip},
                      {"fc1", fc1},
                      {"fc2", fc2},
                      {"drop", drop},
                      {"tanh", tanh},
                      {"softmax", softmax}});
  }
  Tensor forward(Tensor x) override {
    Tensor a = act(bn(conv1(x)));                                          // [N, 8, 16, 16]
    Tensor d = cat({a, up(pool(a))}, 1);                                   // [N, 16, 16, 16]
    Tensor f = clip(conv2(avg(d)));                                        // [N, 8, 4, 4]
    Tensor g = nn::functional::adaptive_avg_pool2d(f, {2, 2}).flatten(1);  // [N, 32]
    Tensor i = tanh(drop(fc1(g))) * 0.5 + 1.0;                             // [N, 16]
    return softmax(fc2(sigmoid(i)));
  }
};

// Input [N, 4, 8, 8]: the remaining modules (transposed and "same" convolutions, PReLU, bilinear
// upsampling, the composed activations) and a Conv1d.
struct MoreLayers : nn::Module {
  nn::ConvTranspose2d up_conv{4, 6, 3, {.stride = 2, .padding = 1, .output_padding = 1}};
  nn::PReLU prelu{6};
  nn::MaxPool2d pool{2};
  nn::Upsample up{{.scale_factor = {2}, .mode = "bilinear"}};
  nn::GELU gelu;
  nn::SiLU silu;
  nn::Conv2d conv{6, 8, 3, {.padding = "same"}};
  nn::Hardswish hardswish;
  nn::ELU elu{0.5};
  nn::Conv1d conv1d{8, 3, 5, {.stride = 2, .padding = 2}};
  nn::Linear fc{96, 5};
  nn::LogSoftmax log_softmax{1};
  MoreLayers() {
    register_modules({{"up_conv", up_conv},
                      {"prelu", prelu},
                      {"pool", pool},
                      {"up", up},
                      {"gelu", gelu},
                      {"silu", silu},
                      {"conv", conv},
                      {"hardswish", hardswish},
                      {"elu", elu},
                      {"conv1d", conv1d},
                      {"fc", fc},
                      {"log_softmax", log_softmax}});
  }
  Tensor forward(Tensor x) override {
    Tensor a = prelu(up_conv(x));                  // [N, 6, 16, 16]
    Tensor c = gelu(up(pool(a))) + silu(a);        // [N, 6, 16, 16]
    Tensor d = elu(hardswish(conv(c)));            // [N, 8, 16, 16]
    Tensor e = d.flatten(2).narrow(2, 0, 64);      // [N, 8, 64]
    return log_softmax(fc(conv1d(e).flatten(1)));  // [N, 3, 32] -> [N, 5]
  }
};

// Input [N, 8, 4, 4]: what OpenCV 4.6 runs wrongly or not at all (reductions, so LayerNorm;
// DepthToSpace), for onnx.checker and the structure tests.
struct Reductions : nn::Module {
  nn::PixelShuffle shuffle{2};
  nn::LayerNorm norm{{4}};
  nn::Linear fc{4, 3};
  Reductions() { register_modules({{"shuffle", shuffle}, {"norm", norm}, {"fc", fc}}); }
  Tensor forward(Tensor x) override {
    Tensor s = shuffle(x);                                                // [N, 2, 8, 8]
    Tensor centred = s - s.mean({2, 3}, /*keepdim=*/true);                // ReduceSum, Div, Sub
    Tensor pooled = cat({centred.amax({2, 3}), centred.sum({2, 3})}, 1);  // [N, 4]
    return softmax(fc(norm(pooled)), -1);
  }
};

// Gives batch norms statistics and affine parameters that are not the identity, so a wrong mapping
// shows in the outputs.
inline void randomize_batch_norms(nn::Module& m, uint64_t seed = 7) {
  RandomGenerator gen(seed);
  NoGradGuard no_grad;
  for (const auto& item : m.named_modules()) {
    auto* bn = dynamic_cast<nn::BatchNorm*>(item.value());
    if (!bn) continue;
    const int64_t C = bn->num_features;
    bn->running_mean.copy_(randn({C}, {}, &gen) * 0.5);
    bn->running_var.copy_(rand({C}, {}, &gen) + 0.5);
    bn->weight.copy_(rand({C}, {}, &gen) + 0.5);
    bn->bias.copy_(randn({C}, {}, &gen) * 0.1);
  }
}

}  // namespace nabla::onnx_test
