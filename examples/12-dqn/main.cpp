// Chapter 12 — DQN: teach a network to balance a pole on a cart, from rewards alone.
//
// The environment is CartPole (rl::CartPole: Gymnasium's CartPole-v1 — reward 1 per step, the episode ends
// when the pole leans past 12 degrees or the cart leaves the track, or after 500 steps). The agent is the
// seed's DQN: a network Q(s) that estimates the discounted return of each action, trained on random
// minibatches from a replay memory (a deque of the last transitions) towards the target
//
//     r + gamma * max_a' Q_target(s', a')        (just r when s' is terminal)
//
// where Q_target is a copy of the network refreshed every few hundred steps (the target network keeps the
// regression target from chasing itself). Actions are epsilon-greedy: random with probability epsilon,
// which decays as the agent learns, otherwise argmax_a Q(s, a).
//
// CartPole counts as solved when the mean reward of 100 consecutive episodes reaches 195 (the classic
// criterion of CartPole-v0; v1 episodes may last up to 500 steps, so scores up to 500 are possible).
//
//   build/examples/dqn                # 3 seeds, until solved (at most 1000 episodes each) -> runs/dqn/
//   build/examples/dqn --render       # then watch the greedy policy balance (text frames)
//   build/examples/dqn --smoke        # seconds: a short training that must beat a random policy
//
// Options: --seeds N (default 3), --episodes N (the cap per seed), --render. The program exits 1 if a seed
// does not solve CartPole within the cap (full run), or if the trained greedy policy does not clearly beat
// random actions (smoke run).
#include <nabla/nabla.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

using namespace nabla;

// ---------------------------------------------------------------------------------------------------
// 1. The Q-network: 4 state numbers in, one estimated return per action out.
// ---------------------------------------------------------------------------------------------------
nn::Sequential make_q_network() {
  return nn::Sequential{nn::Linear(4, 64), nn::ReLU(), nn::Linear(64, 64), nn::ReLU(), nn::Linear(64, 2)};
}

// ---------------------------------------------------------------------------------------------------
// 2. The agent: memory, act(), replay() — the seed's DQNAgent, with a target network.
// ---------------------------------------------------------------------------------------------------
struct Hyper {
  double gamma = 0.99;         // discount
  double lr = 1e-3;            // Adam
  int64_t memory = 50000;      // replay capacity (the deque's maxlen)
  int64_t batch = 64;          // replay minibatch
  int64_t learn_start = 1000;  // transitions collected before the first update
  int64_t target_every = 500;  // steps between target-network refreshes
  rl::LinearEpsilon epsilon{.start = 1.0, .end = 0.02, .steps = 10000};
};

struct DQNAgent {
  Hyper h;
  nn::Sequential q = make_q_network(), q_target = make_q_network();
  optim::Adam optimizer;
  rl::ReplayBuffer memory;
  RandomGenerator rng;
  int64_t steps = 0;

  DQNAgent(Hyper hyper, uint64_t seed)
      : h(hyper), optimizer(q.parameters(), {.lr = hyper.lr}), memory(hyper.memory, seed), rng(seed) {
    sync_target();
  }

  void sync_target() { q_target.load_state_dict(q.state_dict()); }
  double epsilon() const { return h.epsilon(steps); }

  // Epsilon-greedy: explore with probability epsilon, else the action with the highest estimated return.
  int64_t act(const Tensor& state, bool greedy = false) {
    if (!greedy && rng.next_double() < epsilon()) return static_cast<int64_t>(rng.next_u64() % 2);
    NoGradGuard no_grad;
    return q(state.unsqueeze(0)).argmax(1).item<int64_t>();
  }

  void remember(const Tensor& s, int64_t a, double r, const Tensor& s2, bool terminal) {
    memory.push(s, a, r, s2, terminal);
  }

  // One gradient step on a random minibatch. Returns the loss, or NaN before learning starts.
  double replay() {
    ++steps;
    if (steps % h.target_every == 0) sync_target();
    if (memory.size() < std::max(h.batch, h.learn_start)) return NAN;
    rl::Transitions t = memory.sample(h.batch);
    Tensor target;
    {
      NoGradGuard no_grad;  // the target is a fixed regression label
      Tensor next_best = std::get<0>(q_target(t.next_observations).max(1));
      target = t.rewards + h.gamma * next_best * (1 - t.dones);
    }
    Tensor predicted = q(t.observations).gather(1, t.actions.unsqueeze(1)).squeeze(1);
    Tensor loss = F::smooth_l1_loss(predicted, target);  // Huber: big TD errors do not blow up the step
    optimizer.zero_grad();
    loss.backward();
    optim::clip_grad_norm_(q.parameters(), 10.0);
    optimizer.step();
    return loss.item<double>();
  }
};

// ---------------------------------------------------------------------------------------------------
// 3. Training: episodes until the last 100 average 195 (or the cap).
// ---------------------------------------------------------------------------------------------------
constexpr double kSolved = 195;
constexpr int kWindow = 100;

struct RunResult {
  std::vector<double> rewards, means;  // per episode; means = mean of the last <= 100 episodes
  int solved_at = -1;                  // episode (1-based) at which the 100-episode mean reached 195
  int64_t steps = 0;
  double seconds = 0;
};

double mean_of_last(const std::vector<double>& v, int n) {
  const int k = std::min<int>(n, static_cast<int>(v.size()));
  return std::accumulate(v.end() - k, v.end(), 0.0) / k;
}

RunResult train(DQNAgent& agent, rl::CartPole& env, int max_episodes, uint64_t seed, io::SummaryWriter& tb,
                const std::string& tag) {
  const auto t0 = std::chrono::steady_clock::now();
  RunResult res;
  Tensor state = env.reset(seed);
  for (int episode = 1; episode <= max_episodes; ++episode) {
    if (episode > 1) state = env.reset();
    double total = 0, loss_sum = 0;
    int losses = 0;
    for (;;) {
      const int64_t action = agent.act(state);
      rl::StepResult r = env.step(action);
      // A time-limit cut is not a terminal state: its value is still bootstrapped.
      agent.remember(state, action, r.reward, r.observation, r.terminated);
      const double loss = agent.replay();
      if (!std::isnan(loss)) loss_sum += loss, ++losses;
      total += r.reward;
      state = r.observation;
      if (r.done()) break;
    }
    res.rewards.push_back(total);
    res.means.push_back(mean_of_last(res.rewards, kWindow));
    tb.add_scalar(tag + "/episode_reward", total, episode);
    tb.add_scalar(tag + "/mean_reward_100", res.means.back(), episode);
    tb.add_scalar(tag + "/epsilon", agent.epsilon(), episode);
    if (losses) tb.add_scalar(tag + "/loss", loss_sum / losses, episode);
    if (episode % 25 == 0) {
      std::printf("  episode %4d  reward %5.0f  mean(last %d) %6.1f  epsilon %.3f  steps %lld\n", episode,
                  total, std::min(episode, kWindow), res.means.back(), agent.epsilon(),
                  static_cast<long long>(agent.steps));
      std::fflush(stdout);
    }
    if (res.rewards.size() >= kWindow && res.means.back() >= kSolved) {
      res.solved_at = episode;
      break;
    }
  }
  res.steps = agent.steps;
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

// Mean reward of the greedy policy (no exploration) over `episodes` fresh episodes.
double evaluate(DQNAgent* agent, int episodes, uint64_t seed) {
  rl::CartPole env;
  RandomGenerator coin(seed + 1000);
  double sum = 0;
  for (int e = 0; e < episodes; ++e) {
    Tensor s = env.reset(seed + 100 + static_cast<uint64_t>(e));
    for (;;) {
      const int64_t a = agent ? agent->act(s, /*greedy=*/true) : static_cast<int64_t>(coin.next_u64() % 2);
      rl::StepResult r = env.step(a);
      sum += r.reward;
      s = r.observation;
      if (r.done()) break;
    }
  }
  return sum / episodes;
}

// Text frames of one greedy episode (--render), every 5th step.
void render_episode(DQNAgent& agent, uint64_t seed) {
  rl::CartPole env;
  Tensor s = env.reset(seed);
  std::cout << env.render() << "\n";
  for (;;) {
    rl::StepResult r = env.step(agent.act(s, true));
    s = r.observation;
    if (env.elapsed_steps() % 5 == 0 || r.done()) {
      std::cout << "\x1b[2A" << env.render() << std::endl;  // redraw the two lines in place
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (r.done()) {
      std::printf(
          "episode over after %lld steps (%s)\n", static_cast<long long>(env.elapsed_steps()),
          r.terminated ? "the pole fell or the cart left the track" : "time limit: balanced to the end");
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// 4. The chapter.
// ---------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool smoke = false, render = false;
  int seeds = -1, max_episodes = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--smoke")
      smoke = true;
    else if (a == "--render")
      render = true;
    else if (a == "--seeds" && i + 1 < argc)
      seeds = std::stoi(argv[++i]);
    else if (a == "--episodes" && i + 1 < argc)
      max_episodes = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: " << argv[0] << " [--smoke] [--render] [--seeds N] [--episodes N]\n";
      return 2;
    }
  }
  if (seeds < 1) seeds = smoke ? 1 : 3;
  if (max_episodes < 1) max_episodes = smoke ? 60 : 1000;
  const std::string out = smoke ? "runs/dqn-smoke" : "runs/dqn";
  std::filesystem::create_directories(out);
  io::SummaryWriter tb(out);
  Hyper hyper;
  if (smoke) {  // a short schedule: explore for 2000 steps instead of 10000
    hyper.epsilon.steps = 2000;
    hyper.learn_start = 500;
    hyper.target_every = 200;
  }
  std::printf(
      "CartPole-v1 (episodes up to 500 steps); DQN 4-64-64-2, Adam %.0e, gamma %.2f, replay %lld, batch "
      "%lld, target refresh every %lld steps, epsilon %.2f -> %.2f over %lld steps\n",
      hyper.lr, hyper.gamma, static_cast<long long>(hyper.memory), static_cast<long long>(hyper.batch),
      static_cast<long long>(hyper.target_every), hyper.epsilon.start, hyper.epsilon.end,
      static_cast<long long>(hyper.epsilon.steps));

  const double random_score = evaluate(nullptr, 100, 0);
  std::printf("a random policy scores %.1f per episode (mean of 100)\n", random_score);

  std::vector<RunResult> results;
  std::map<std::string, std::vector<double>> curves;
  bool ok = true;
  std::unique_ptr<DQNAgent> last;
  for (int s = 0; s < seeds; ++s) {
    manual_seed(static_cast<uint64_t>(s));  // the networks' initial weights
    auto agent = std::make_unique<DQNAgent>(hyper, static_cast<uint64_t>(s));
    rl::CartPole env;
    std::printf("seed %d:\n", s);
    RunResult r = train(*agent, env, max_episodes, static_cast<uint64_t>(s), tb, "seed" + std::to_string(s));
    const double greedy = evaluate(agent.get(), smoke ? 10 : 100, static_cast<uint64_t>(s));
    if (r.solved_at > 0)
      std::printf("seed %d: solved after %d episodes (%lld steps, %.1f s); greedy policy scores %.1f\n", s,
                  r.solved_at, static_cast<long long>(r.steps), r.seconds, greedy);
    else
      std::printf("seed %d: not solved in %d episodes (last mean %.1f; %.1f s); greedy policy scores %.1f\n",
                  s, max_episodes, r.means.back(), r.seconds, greedy);
    if (smoke) {
      // The smoke run's test: after a minute's worth of episodes the greedy policy must clearly beat chance.
      if (!(greedy > 2 * random_score)) {
        std::fprintf(stderr, "FAILED: greedy policy %.1f is not above twice the random policy's %.1f\n",
                     greedy, random_score);
        ok = false;
      }
    } else if (r.solved_at < 0) {
      std::fprintf(stderr, "FAILED: seed %d did not solve CartPole in %d episodes\n", s, max_episodes);
      ok = false;
    }
    curves["seed " + std::to_string(s) + " reward"] = r.rewards;
    curves["seed " + std::to_string(s) + " mean of 100"] = r.means;
    results.push_back(std::move(r));
    last = std::move(agent);
  }

  // One picture: every seed's episode rewards and 100-episode means (shorter runs end in a gap).
  size_t longest = 0;
  for (auto& [name, v] : curves) longest = std::max(longest, v.size());
  for (auto& [name, v] : curves) v.resize(longest, NAN);
  std::vector<double> episodes(longest);
  std::iota(episodes.begin(), episodes.end(), 1.0);
  curves["solved (195)"] = std::vector<double>(longest, kSolved);
  training::plot_lines(out + "/rewards.png", "DQN on CartPole-v1: reward per episode", episodes, curves,
                       "episode", "reward");
  tb.close();

  std::printf("\nresults (%d seeds):\n  seed  solved at episode  steps    seconds\n", seeds);
  for (size_t s = 0; s < results.size(); ++s)
    std::printf("  %4zu  %17d  %6lld  %7.1f\n", s, results[s].solved_at,
                static_cast<long long>(results[s].steps), results[s].seconds);
  std::printf("picture and TensorBoard run in %s/ (rewards.png)\n", out.c_str());
  if (render && last) render_episode(*last, 12345);
  return ok ? 0 : 1;
}
