// sweep_test.cpp — the randomized differential cases against PyTorch (tests/golden/sweep/seed_*.json,
// written by tests/golden/gen_sweep.py): forward values and input gradients of every case, with
// golden_test.cpp's tolerances (float16/bfloat16 results: 2 ulps forward, 4 for gradients).
// NABLA_SWEEP_FILE=<path> runs that file instead (tools/sweep: a fresh seed); NABLA_SWEEP_PROGRESS=<path>
// gets the name of the case being run (to name a crash), and NABLA_SWEEP_SKIP=<path> lists case names not to
// run (tools/sweep: cases that crashed).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>

#include "golden/golden_cases.h"
#include "golden/golden_tolerance.h"
#include "nabla/autograd/autograd.h"
#include "support/op_registry.h"

namespace nabla {
namespace {

using golden::json;

std::vector<std::string> sweep_files() {
  if (const char* f = std::getenv("NABLA_SWEEP_FILE")) return {f};
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(NABLA_SOURCE_DIR "/tests/golden/sweep")) {
    const std::string name = e.path().filename().string();
    if (name.rfind("seed_", 0) == 0 && e.path().extension() == ".json") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

json load_cases(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IOError("cannot open " + path);
  return json::parse(in)["cases"];
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

std::vector<std::string> check_forward(const json& c) {
  std::vector<std::string> diffs;
  const TensorList out = golden::invoke(c, golden::inputs_of(c));
  const json& want = c["outputs"];
  if (out.size() != want.size())
    return {std::to_string(out.size()) + " outputs, expected " + std::to_string(want.size())};
  for (size_t k = 0; k < out.size(); ++k) {
    const std::string d =
        golden::compare(out[k], want[k], golden::reduced_or(want[k], 2, golden::tolerance_for(c)));
    if (!d.empty()) diffs.push_back("output " + std::to_string(k) + ": " + d);
  }
  return diffs;
}

// Gradients are compared at kinks and ties too ("gradcheck": false only turns off finite differences):
// nabla follows PyTorch's conventions there, and that is part of what the sweep checks.
std::vector<std::string> check_backward(const json& c) {
  TensorList in = golden::inputs_of(c);
  golden::require_grads(c, in);
  const TensorList out = golden::invoke(c, in);
  const json& g = c["grad_outputs"];
  if (out.size() != g.size()) return {"output count differs from grad_outputs"};
  TensorList outs, gos;
  for (size_t k = 0; k < out.size(); ++k) {
    if (g[k].is_null()) continue;
    if (!out[k].requires_grad()) return {"output " + std::to_string(k) + " does not require grad"};
    outs.push_back(out[k]);
    gos.push_back(golden::tensor_from_json(g[k]));
  }
  autograd::backward(outs, gos);
  std::vector<std::string> diffs;
  const json& want = c["grads"];
  for (size_t k = 0; k < in.size(); ++k) {
    if (want[k].is_null()) continue;
    const std::string d =
        golden::compare(in[k].grad(), want[k], golden::reduced_or(want[k], 4, golden::grad_tolerance_for(c)));
    if (!d.empty()) diffs.push_back("grad of input " + std::to_string(k) + ": " + d);
  }
  return diffs;
}

// "" when nabla matches PyTorch on case `c`, else what differed.
std::string run_case(const json& c) {
  std::vector<std::string> diffs;
  for (const bool backward : {false, true}) {
    if (backward && !golden::has_grads(c)) break;
    try {
      auto d = backward ? check_backward(c) : check_forward(c);
      diffs.insert(diffs.end(), d.begin(), d.end());
    } catch (const std::exception& e) {
      diffs.push_back(std::string(backward ? "backward" : "forward") + " threw " + e.what());
    } catch (...) {
      diffs.push_back(std::string(backward ? "backward" : "forward") + " threw a non-std exception");
    }
  }
  return join(diffs);
}

class Sweep : public ::testing::TestWithParam<std::string> {};

std::set<std::string> skipped_cases() {
  std::set<std::string> names;
  if (const char* f = std::getenv("NABLA_SWEEP_SKIP")) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) names.insert(line);
  }
  return names;
}

TEST_P(Sweep, MatchesPyTorch) {
  const json cases = load_cases(GetParam());
  const char* progress = std::getenv("NABLA_SWEEP_PROGRESS");
  const std::set<std::string> skip = skipped_cases();
  size_t passed = 0, run = 0;
  for (const json& c : cases) {
    const std::string name = c["name"].get<std::string>();
    if (skip.count(name)) continue;
    ++run;
    if (progress) std::ofstream(progress) << name << "\n" << golden::layouts_str(c) << "\n";
    const std::string diff = run_case(c);
    if (diff.empty()) {
      ++passed;
      continue;
    }
    ADD_FAILURE() << c["op"].get<std::string>() << " | " << name << " " << golden::layouts_str(c) << " | "
                  << diff;
  }
  std::cout << "sweep " << GetParam() << ": " << run << " cases, " << passed << " passed, " << run - passed
            << " failed\n";
  EXPECT_GT(cases.size(), 0u);
}

// Every op of the table has cases in every committed seed (gen_sweep.py fails otherwise).
TEST_P(Sweep, CoversEveryOp) {
  std::set<std::string> ops;
  for (const json& c : load_cases(GetParam())) ops.insert(c["op"].get<std::string>());
  for (const OpInfo& info : kOpInfo) EXPECT_TRUE(ops.count(std::string(info.name))) << info.name;
}

INSTANTIATE_TEST_SUITE_P(Seeds, Sweep, ::testing::ValuesIn(sweep_files()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string s = std::filesystem::path(p.param).stem().string();
                           std::replace_if(
                               s.begin(), s.end(), [](char ch) { return !std::isalnum(ch); }, '_');
                           return s;
                         });

}  // namespace
}  // namespace nabla
