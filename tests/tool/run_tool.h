// run_tool.h — the tool tests run the `nabla` executable (NABLA_TOOL) as a user would: through the
// shell, with stdout and stderr captured in files.
#pragma once
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace nabla::test {

struct ToolResult {
  int code;  // the exit status; -1 when the process did not exit normally
  std::string out, err;
};

inline std::string read_text_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A shell command line; the output files go to `dir` (created; per process, as CTest runs tests in
// parallel).
inline ToolResult run_command(const std::string& command_line, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string out = (dir / "stdout").string(), err = (dir / "stderr").string();
  const int status = std::system((command_line + " >" + out + " 2>" + err).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text_file(out), read_text_file(err)};
}

// `nabla <args>`.
inline ToolResult run_tool(const std::string& args, const std::filesystem::path& dir) {
  return run_command(std::string(NABLA_TOOL) + " " + args, dir);
}

}  // namespace nabla::test
