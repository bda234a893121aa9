// `nabla serve` as a subprocess: it prints its port, answers like `nabla predict` for the same image,
// lets a request in progress finish on SIGTERM and exits 0, and refuses bad flags with one line.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <future>
#include <regex>

#include "run_tool.h"
#include "serve/serve_test_util.h"

using namespace serve_test;
using json = nlohmann::json;

namespace {

// A `nabla serve` child whose stdout we read; killed (by its PID) if a test leaves it running.
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& args) {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv = {const_cast<char*>(NABLA_TOOL), const_cast<char*>("serve")};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(NABLA_TOOL, argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = ::fdopen(out[0], "r");
  }
  ~ServeProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_) std::fclose(out_);
  }
  // The port from the "listening on http://127.0.0.1:PORT" line, or -1 if the process ended first.
  int port() {
    char line[1024];
    const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
    while (out_ && std::fgets(line, sizeof(line), out_)) {
      output_ += line;
      std::cmatch m;
      if (std::regex_search(line, m, listening)) return std::stoi(m[1]);
    }
    return -1;
  }
  // Sends `signal`, waits for the exit and returns the exit status (-1 for a death by signal).
  int stop(int signal) {
    ::kill(pid_, signal);
    return wait();
  }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    char line[1024];
    while (out_ && std::fgets(line, sizeof(line), out_)) output_ += line;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  bool reaped_ = false;
  std::string output_;
};

using Result = test::ToolResult;
Result run_tool(const std::string& args) { return test::run_tool(args, scratch("io")); }

double queue_depth(int port) {
  httplib::Client c("127.0.0.1", port);
  auto res = c.Get("/metrics");
  if (!res) return -1;
  const std::string key = "\nnabla_serve_queue_depth ";
  const size_t at = res->body.find(key);
  return at == std::string::npos ? -1 : std::stod(res->body.substr(at + key.size()));
}

}  // namespace

TEST(ServeCli, AnswersLikePredictAndStopsGracefullyOnSigterm) {
  const TinyRun run = make_tiny_run();
  const std::string png = scratch("sample.png").string();
  io::write_png(png, random_image(8, 8, 3, 21));
  ServeProcess server({"--model_fn", run.path, "--port", "0", "--max_batch", "4", "--max_wait_ms", "60000",
                       "--threads", "1"});
  const int port = server.port();
  ASSERT_GT(port, 0) << server.output();
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(120, 0);
  auto health = c.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  // The same image through `nabla predict --json`: same classes, same probabilities.
  const Result p = run_tool("predict --model_fn " + run.path + " --topk 3 --json --input " + png);
  ASSERT_EQ(p.code, 0) << p.err;
  const json predicted = json::parse(p.out).at(0).at("top");
  auto served = std::async(std::launch::async, [&] {
    httplib::Client c2("127.0.0.1", port);
    c2.set_read_timeout(120, 0);
    auto res = c2.Post("/predict", slurp(png), "image/png");
    return res ? std::make_pair(res->status, res->body) : std::make_pair(-1, std::string());
  });
  // The input waits in the batcher (max_batch 4, max_wait_ms a minute) when SIGTERM arrives.
  while (queue_depth(port) != 1) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  const auto [status, body] = served.get();
  ASSERT_EQ(status, 200) << body;
  const json top = json::parse(body).at("predictions").at(0).at("top");
  ASSERT_EQ(top.size(), predicted.size());
  for (size_t i = 0; i < top.size(); ++i) {
    EXPECT_EQ(top[i].at("class"), predicted[i].at("class"));
    EXPECT_NEAR(top[i].at("probability").get<double>(), predicted[i].at("probability").get<double>(), 1e-6);
  }
  EXPECT_NE(server.output().find("SIGTERM"), std::string::npos) << server.output();
  EXPECT_NE(server.output().find("stopped"), std::string::npos) << server.output();
  EXPECT_LT(connect_to(port), 0) << "still accepting connections after exit";
}

TEST(ServeCli, BadFlagsAndFilesGetOneLine) {
  const TinyRun run = make_tiny_run();
  struct Case {
    std::string args, says;
    int code;
  };
  const std::vector<Case> cases = {
      {"serve", "--model_fn is required", 2},
      {"serve --model_fn " + run.path + " --port 70000", "--port", 2},
      {"serve --model_fn " + run.path + " --max_batch 0", "--max_batch", 2},
      {"serve --model_fn " + run.path + " --max_wait_ms -5", "--max_wait_ms", 2},
      {"serve --model_fn " + scratch("none.safetensors").string(), "none.safetensors", 1},
      {"serve --model_fn " + run.path + " --host 203.0.113.7 --port 0", "cannot listen", 1},
  };
  for (const Case& c : cases) {
    const Result r = run_tool(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}
