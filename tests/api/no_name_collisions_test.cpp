// Names learners commonly define at global scope must not collide with nabla's after
// `using namespace nabla;`: this file fails to compile (ambiguous name) when one does.
// nabla's RNG is `RandomGenerator` (torch.Generator) so that a cGAN's `struct Generator` compiles.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nabla/nabla.h"

using namespace nabla;

// ---- what a learner's program defines ----
struct Encoder : nn::Module {
  nn::Linear fc{4, 2};
  Encoder() { register_modules({{"fc", fc}}); }
  Tensor forward(Tensor x) { return fc(x); }
};
struct Decoder : nn::Module {
  nn::Linear fc{2, 4};
  Decoder() { register_modules({{"fc", fc}}); }
  Tensor forward(Tensor x) { return fc(x); }
};
struct Net {
  Encoder encoder;
  Decoder decoder;
};
struct Model {
  int layers = 2;
};
struct Generator {  // a cGAN's generator
  float noise = 0.5f;
};
struct Discriminator {
  double score = 0.5;
};
struct Agent {
  int actions = 4;
};
struct ReplayBuffer {
  std::vector<int> items;
};
struct Dataset {
  int size = 10;
};
struct DataLoader {
  int batch_size = 2;
};
struct Trainer {
  int epochs = 1;
};
struct Optimizer {
  double lr = 0.1;
};
struct Config {
  std::string name = "run";
};
struct Batch {
  int n = 1;
};
struct Example {
  int label = 0;
};
struct Metrics {
  double loss = 0;
};
struct Logger {
  int lines = 0;
};
struct Node {
  int id = 0;
};
struct Layer {
  int width = 8;
};
struct Policy {
  int arms = 2;
};
struct Actor {
  int hidden = 16;
};
struct Critic {
  int hidden = 16;
};
struct Environment {
  int steps = 0;
};
struct Vocab {
  int words = 3;
};
struct Transition {
  int reward = 1;
};
struct Checkpoint {
  int epoch = 0;
};

int epochs_run = 0;
void train() { ++epochs_run; }
int test() { return 7; }
double evaluate() { return 0.5; }
double validate() { return 0.25; }
int predict() { return 3; }
void fit() { train(); }
double accuracy() { return 1.0; }
int load_data() { return 42; }

TEST(NoNameCollisions, LearnersGlobalNamesStayUsable) {
  // Every name used unqualified: an ambiguity with a nabla name would not compile.
  train();
  fit();
  EXPECT_EQ(epochs_run, 2);
  EXPECT_EQ(test(), 7);
  EXPECT_EQ(evaluate(), 0.5);
  EXPECT_EQ(validate(), 0.25);
  EXPECT_EQ(predict(), 3);
  EXPECT_EQ(accuracy(), 1.0);
  EXPECT_EQ(load_data(), 42);
  Net net;
  EXPECT_EQ(net.decoder.forward(net.encoder.forward(ones({1, 4}))).size(1), 4);
  EXPECT_EQ(Model{}.layers + Generator{}.noise + Discriminator{}.score + Agent{}.actions +
                ReplayBuffer{}.items.size(),
            7.0);
  EXPECT_EQ(Dataset{}.size + DataLoader{}.batch_size + Trainer{}.epochs + Batch{}.n + Example{}.label, 14);
  EXPECT_EQ(Optimizer{}.lr + Metrics{}.loss, 0.1);
  EXPECT_EQ(Config{}.name, "run");
  EXPECT_EQ(Logger{}.lines + Node{}.id + Layer{}.width + Policy{}.arms + Actor{}.hidden + Critic{}.hidden,
            42);
  EXPECT_EQ(Environment{}.steps + Vocab{}.words + Transition{}.reward + Checkpoint{}.epoch, 4);
  // nabla's own names still work unqualified and qualified next to them.
  Tensor t = zeros({2});
  EXPECT_EQ(t.numel(), 2);
  training::Accuracy acc({.num_classes = 2});
  (void)acc;
}
