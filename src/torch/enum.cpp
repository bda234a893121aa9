// enum.cpp — the non-template part of torch/enum.h's tag helpers.
#include "torch/enum.h"

namespace torch::enumtype::detail {

std::string lower(const char* name) {
  std::string s = std::string(name).substr(1);
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

at::Reduction::Reduction reduction(const char* name) {
  const std::string s = lower(name);
  if (s != "none" && s != "mean" && s != "sum")
    throw nabla::ValueError(std::string(name) + " is not a valid reduction");
  return s == "none" ? at::Reduction::None : s == "sum" ? at::Reduction::Sum : at::Reduction::Mean;
}

}  // namespace torch::enumtype::detail
