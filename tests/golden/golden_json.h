// golden_json.h — opens a committed golden file of tests/golden/ (each written by its gen_*.py, see
// tests/golden/README.md). One loader for every suite that reads one.
#pragma once
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "nabla/nabla.h"

namespace golden_io {

// The parsed file; an IOError naming the path when it cannot be opened.
inline nlohmann::json load_json(const std::string& file) {
  const std::string path = NABLA_SOURCE_DIR "/tests/golden/" + file;
  std::ifstream in(path);
  if (!in) throw nabla::IOError("cannot open " + path);
  return nlohmann::json::parse(in);
}

}  // namespace golden_io
