// parts_test_util.h — helpers for the train/ suites of the metrics, plots, progress bar and CSV log:
// a temporary directory (io's) and an assertion that a call throws a given nabla error type whose
// message contains given pieces.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "io/io_test_util.h"

namespace nabla::training::test {

using io::test::TempDir;

template <typename E>
::testing::AssertionResult throws(const std::function<void()>& fn, const std::vector<std::string>& pieces) {
  try {
    fn();
  } catch (const E& e) {
    std::string msg = e.what();
    for (const auto& p : pieces)
      if (msg.find(p) == std::string::npos)
        return ::testing::AssertionFailure() << "message \"" << msg << "\" lacks \"" << p << "\"";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception type: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

}  // namespace nabla::training::test
