// expect_error.h — the error check every suite uses: f must throw E, and E's message must name
// every needle (the op, shapes, file, ... that the error promises).
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace nabla::testing {

template <typename E>
void expect_error(const std::function<void()>& f, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "expected an exception";
  } catch (const E& e) {
    std::string msg = e.what();
    for (auto& n : needles)
      EXPECT_NE(msg.find(n), std::string::npos) << "message '" << msg << "' lacks '" << n << "'";
  }
}

// One needle. (A const char* rather than a std::string: std::string's iterator-pair constructor would
// make a two-needle braced list ambiguous.)
template <typename E>
void expect_error(const std::function<void()>& f, const char* needle) {
  expect_error<E>(f, std::vector<std::string>{needle});
}

}  // namespace nabla::testing
