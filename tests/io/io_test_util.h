// io_test_util.h — helpers for the io/ test suites: a temporary directory, whole-file bytes, and an
// assertion that a call throws nabla::IOError whose message contains given pieces.
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "nabla/tensor/error.h"

namespace nabla::io::test {

using Bytes = std::vector<uint8_t>;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "nabla-io-test.XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }
  const std::string& path() const { return path_; }
  std::vector<std::string> list() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

inline Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Replaces the file (removed first: ext4 flushes a truncated-and-rewritten file on close, which is slow).
inline void write_bytes(const std::string& path, const Bytes& bytes) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Runs `fn`, which must throw nabla::IOError whose message contains every piece of `pieces`.
inline ::testing::AssertionResult throws_io_error(const std::function<void()>& fn,
                                                  const std::vector<std::string>& pieces) {
  try {
    fn();
  } catch (const nabla::IOError& e) {
    std::string msg = e.what();
    for (const auto& p : pieces)
      if (msg.find(p) == std::string::npos)
        return ::testing::AssertionFailure() << "IOError message \"" << msg << "\" lacks \"" << p << "\"";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw something else than IOError: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

}  // namespace nabla::io::test
