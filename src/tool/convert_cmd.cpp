// convert_cmd.cpp — `nabla convert in out`: PyTorch .pt <-> safetensors, by io::convert_file. The input's
// format comes from its content, the output's from its extension.
#include <fmt/format.h>

#include <iostream>

#include "nabla/io/pt.h"
#include "tool/commands.h"

namespace nabla::tool {

int run_convert(const ConvertArgs& a) {
  io::convert_file(a.in, a.out);
  const bool safetensors = io::detect_format(a.out) == io::FileFormat::Safetensors;
  std::cout << fmt::format("nabla convert: wrote {} ({})\n", a.out,
                           safetensors ? "safetensors" : "PyTorch zip, reads with torch.load");
  return 0;
}

}  // namespace nabla::tool
