// curriculum_models.h — the models of chapters 7, 11, 12 and 13 (examples/*/main.cpp) at the sizes
// those chapters train, for nabla-bench. bench/torch_workloads_more.py defines the same in PyTorch.
// Only what a training step needs is kept (no sampling, decoding or plotting helpers).
#pragma once
#include <nabla/nabla.h>

#include <utility>

namespace nabla::bench {

// Chapter 7: the classic MLP cGAN. G: noise 100 + label embedding 10 -> 256 -> 512 -> 1024 -> 784 (tanh);
// D: image 784 + label embedding 10 -> 1024 -> 512 -> 256 -> 1 (sigmoid), dropout 0.3.
constexpr int64_t kGanNoise = 100, kGanClasses = 10, kGanPixels = 28 * 28;

struct Generator : nn::Module {
  nn::Embedding label_embedding{kGanClasses, kGanClasses};
  nn::Sequential net{nn::Linear(kGanNoise + kGanClasses, 256),
                     nn::LeakyReLU(0.2),
                     nn::Linear(256, 512),
                     nn::LeakyReLU(0.2),
                     nn::Linear(512, 1024),
                     nn::LeakyReLU(0.2),
                     nn::Linear(1024, kGanPixels),
                     nn::Tanh()};
  Generator() { register_modules({{"label_embedding", label_embedding}, {"net", net}}); }
  // z [N, 100], labels int64 [N] -> images [N, 1, 28, 28] in [-1, 1].
  Tensor forward(const Tensor& z, const Tensor& labels) {
    return net(cat({z, label_embedding(labels)}, 1)).view({-1, 1, 28, 28});
  }
};

struct Discriminator : nn::Module {
  nn::Embedding label_embedding{kGanClasses, kGanClasses};
  nn::Sequential net{nn::Linear(kGanPixels + kGanClasses, 1024),
                     nn::LeakyReLU(0.2),
                     nn::Dropout(0.3),
                     nn::Linear(1024, 512),
                     nn::LeakyReLU(0.2),
                     nn::Dropout(0.3),
                     nn::Linear(512, 256),
                     nn::LeakyReLU(0.2),
                     nn::Dropout(0.3),
                     nn::Linear(256, 1),
                     nn::Sigmoid()};
  Discriminator() { register_modules({{"label_embedding", label_embedding}, {"net", net}}); }
  // images [N, 1, 28, 28], labels int64 [N] -> probability that the pair is real, [N, 1].
  Tensor forward(const Tensor& images, const Tensor& labels) {
    return net(cat({images.flatten(1), label_embedding(labels)}, 1));
  }
};

// Chapter 11: one Embedding shared by an encoder GRU and a decoder GRU; the encoder's final state starts
// the decoder, a Linear projects its output to the vocabulary.
struct Seq2Seq : nn::Module {
  int64_t sos;
  nn::Embedding embedding;
  nn::GRU encoder, decoder;
  nn::Linear project;
  Seq2Seq(int64_t vocab_size, int64_t hidden, int64_t sos_index)
      : sos(sos_index),
        embedding(vocab_size, hidden),
        encoder(hidden, hidden, {.batch_first = true}),
        decoder(hidden, hidden, {.batch_first = true}),
        project(hidden, vocab_size) {
    register_modules(
        {{"embedding", embedding}, {"encoder", encoder}, {"decoder", decoder}, {"project", project}});
  }
  // source [B, S] padded, lengths int64 [B], target [B, T] -> scores [B, T, V]. The encoder runs packed
  // (padding never enters it); the decoder runs one step at a time, each next input the true character
  // (teacher forcing).
  Tensor forward(const Tensor& source, const Tensor& lengths, const Tensor& target) {
    namespace rnn = nn::utils::rnn;
    rnn::PackedSequence packed = rnn::pack_padded_sequence(embedding(source), lengths, /*batch_first=*/true,
                                                           /*enforce_sorted=*/false);
    Tensor state = std::get<1>(encoder(packed));  // [1, B, H]
    Tensor input = full({target.size(0)}, sos, {.dtype = kInt64});
    TensorList scores;
    for (int64_t t = 0; t < target.size(1); ++t) {
      auto [out, next] = decoder(embedding(input).unsqueeze(1), state);
      scores.push_back(project(out.squeeze(1)));
      state = next;
      input = target.select(1, t);
    }
    return stack(scores, 1);
  }
};

// Chapter 12: the CartPole Q-network, 4 state numbers in, one estimated return per action out.
inline nn::Sequential make_q_network() {
  return nn::Sequential{nn::Linear(4, 64), nn::ReLU(), nn::Linear(64, 64), nn::ReLU(), nn::Linear(64, 2)};
}

// Chapter 13, section 4: Kipf & Welling's 2-layer GCN for Planetoid graphs (dropout 0.5, 16 hidden units).
struct PlanetoidGCN : nn::Module {
  std::shared_ptr<nn::GCNConv> conv1, conv2;
  PlanetoidGCN(int64_t num_features, int64_t num_classes) {
    conv1 = register_module("conv1", std::make_shared<nn::GCNConv>(num_features, 16));
    conv2 = register_module("conv2", std::make_shared<nn::GCNConv>(16, num_classes));
  }
  Tensor forward(const Tensor& x, const sparse::CooTensor& a_hat) {
    Tensor h = F::dropout(x, 0.5, is_training());
    h = conv1->forward(h, a_hat).relu();
    h = F::dropout(h, 0.5, is_training());
    return conv2->forward(h, a_hat);
  }
};

}  // namespace nabla::bench
