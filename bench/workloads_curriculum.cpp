// The curriculum's other chapters as nabla-bench workloads; bench/torch_workloads_more.py runs the same
// models, batch sizes, optimizers and data shapes in PyTorch. Synthetic data of the real shape: the
// values do not change the arithmetic.
#include <limits>
#include <vector>

#include "curriculum_models.h"
#include "loader_throughput.h"
#include "workloads.h"

namespace nabla::bench {

// Chapter 4's ResNet (resnet_train's model) in eval mode without autograd, batch 64: samples/s.
double resnet_infer() {
  auto m = training::build_model({.name = "resnet", .in_channels = 3, .height = 32, .width = 32});
  m->eval();
  Tensor x = randn({64, 3, 32, 32});
  return timed(
      [&] {
        NoGradGuard no_grad;
        (*m)(x);
      },
      64);
}

// Chapter 11: hidden 256, batch 64, Adam 3e-3, clip_grad_norm_ 1.0, cross-entropy ignoring <pad>.
// Words of 2-12 characters (sources padded to 12, decoded for 13 steps: 12 + <eos>) over the chapter's
// character vocabulary of 37 (26 letters, 7 Spanish ones, 4 specials). samples/s.
double seq2seq() {
  constexpr int64_t kVocab = 37, kHidden = 256, kBatch = 64, kSource = 12, kTarget = 13;
  constexpr int64_t kPad = 1, kSos = 2, kFirstLetter = 4;  // text::kSpecials' order
  Seq2Seq m(kVocab, kHidden, kSos);
  optim::Adam opt(m.parameters(), {.lr = 3e-3});
  std::vector<int64_t> word_lengths(kBatch);
  for (int64_t i = 0; i < kBatch; ++i) word_lengths[i] = 2 + i % 11;  // 2..12, as in the Python side
  Tensor lengths = from_buffer(word_lengths.data(), {kBatch}, kInt64);
  Tensor source = randint(kFirstLetter, kVocab, {kBatch, kSource});
  Tensor target = randint(kFirstLetter, kVocab, {kBatch, kTarget});
  m.train();
  return timed(
      [&] {
        Tensor scores = m.forward(source, lengths, target);
        Tensor loss = F::cross_entropy(scores.reshape({-1, kVocab}), target.reshape({-1}), {}, "mean", kPad);
        opt.zero_grad();
        loss.backward();
        optim::clip_grad_norm_(m.parameters(), 1.0);
        opt.step();
      },
      kBatch);
}

// Chapter 7: one discriminator step and one generator step per batch of 64, Adam(2e-4, betas 0.5, 0.999)
// for both (the chapter's EMA of G's weights is not training and is left out). samples/s.
double cgan() {
  constexpr int64_t kBatch = 64;
  Generator g;
  Discriminator d;
  optim::Adam g_opt(g.parameters(), {.lr = 2e-4, .betas = {0.5, 0.999}});
  optim::Adam d_opt(d.parameters(), {.lr = 2e-4, .betas = {0.5, 0.999}});
  Tensor real_images = rand({kBatch, 1, 28, 28}) * 2.0 - 1.0,
         real_classes = randint(0, kGanClasses, {kBatch});
  Tensor real_labels = ones({kBatch, 1}), fake_labels = zeros({kBatch, 1});
  g.train();
  d.train();
  return timed(
      [&] {
        Tensor fake_classes = randint(0, kGanClasses, {kBatch});
        Tensor fake_images = g.forward(randn({kBatch, kGanNoise}), fake_classes);
        d_opt.zero_grad();
        Tensor d_loss = F::binary_cross_entropy(d.forward(real_images, real_classes), real_labels) +
                        F::binary_cross_entropy(d.forward(fake_images.detach(), fake_classes), fake_labels);
        d_loss.backward();
        d_opt.step();
        g_opt.zero_grad();
        F::binary_cross_entropy(d.forward(fake_images, fake_classes), real_labels).backward();
        g_opt.step();
      },
      kBatch);
}

// Chapter 12's replay(): sample 64 transitions from a replay memory holding 10,000, the target network's
// max over the next states, Huber loss on Q(s, a), clip_grad_norm_ 10, Adam 1e-3. Updates/s.
double dqn() {
  nn::Sequential q = make_q_network(), q_target = make_q_network();
  q_target.load_state_dict(q.state_dict());
  optim::Adam opt(q.parameters(), {.lr = 1e-3});
  rl::ReplayBuffer memory(50000, /*seed=*/0);
  for (int64_t i = 0; i < 10000; ++i) memory.push(randn({4}), i % 2, 1.0, randn({4}), i % 50 == 49);
  return timed(
      [&] {
        rl::Transitions t = memory.sample(64);
        Tensor target;
        {
          NoGradGuard no_grad;
          Tensor next_best = std::get<0>(q_target(t.next_observations).max(1));
          target = t.rewards + 0.99 * next_best * (1 - t.dones);
        }
        Tensor predicted = q(t.observations).gather(1, t.actions.unsqueeze(1)).squeeze(1);
        Tensor loss = F::smooth_l1_loss(predicted, target);
        opt.zero_grad();
        loss.backward();
        optim::clip_grad_norm_(q.parameters(), 10.0);
        opt.step();
      },
      1);
}

// Chapter 13 on a Cora-sized random graph: 2,708 nodes, 5,278 undirected edges (10,556 directed),
// 1,433 0/1 features (~18 words a node, rows normalised), 7 classes, 140 labelled nodes; full batch,
// Adam 0.01 with weight decay 5e-4 on the first layer. Epochs/s.
double gcn() {
  constexpr int64_t kNodes = 2708, kEdges = 5278, kFeatures = 1433, kClasses = 7, kLabelled = 140;
  sparse::CooTensor a_hat =
      nn::normalized_adjacency(nn::adjacency_from_edges(randint(0, kNodes, {2, kEdges}), kNodes));
  Tensor x = (rand({kNodes, kFeatures}) < 18.0 / kFeatures).to(kFloat32);
  Tensor words = x.sum(1, /*keepdim=*/true);
  x = x / words.masked_fill(words.eq(0), 1.0);
  Tensor train = arange(kLabelled, {.dtype = kInt64}), y_train = randint(0, kClasses, {kLabelled});
  PlanetoidGCN m(kFeatures, kClasses);
  optim::Adam opt(std::vector<optim::Adam::Group>{{m.conv1->parameters(), {.lr = 0.01, .weight_decay = 5e-4}},
                                                  {m.conv2->parameters(), {.lr = 0.01}}});
  m.train();
  return timed(
      [&] {
        Tensor loss = F::cross_entropy(m.forward(x, a_hat).index_select(0, train), y_train);
        opt.zero_grad();
        loss.backward();
        opt.step();
      },
      1);
}

// FashionMNIST-shaped data (60,000 uint8 28x28 images) through ToTensor + Normalize and a DataLoader
// with 2 workers, batch 64, shuffled: decoded samples/s.
double dataloader_fashion() {
  auto images = data::share(
      data::TensorDataset(randint(0, 256, {60000, 28, 28}, {.dtype = kUInt8}), randint(0, 10, {60000})));
  auto decoded = data::share(
      data::TransformDataset(images, data::Compose({data::ToTensor(), data::Normalize({0.2860}, {0.3530})})));
  return loader_samples_per_s(decoded, 2, std::numeric_limits<int>::max(), g_seconds);
}

}  // namespace nabla::bench
