// containers.cpp — what torch/nn/containers.h keeps out of line: the containers' non-template members and
// the key functions of Sequential and Functional (their vtables are compiled here once, not per program).
#include "torch/nn/containers.h"

#include <string>
#include <utility>

namespace torch::nn {

namespace detail {
void check_index(const char* container, size_t i, size_t size) {
  if (i >= size)
    throw nabla::IndexError(std::string(container) + ": index " + std::to_string(i) +
                            " out of range for size " + std::to_string(size));
}
}  // namespace detail

SequentialImpl::SequentialImpl(std::initializer_list<NamedAnyModule> named) {
  for (const auto& m : named) push_back(m.name(), m.module());
}
Tensor SequentialImpl::forward(Tensor x) { return forward<Tensor>(std::move(x)); }

ModuleDictImpl::ModuleDictImpl(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  update(modules);
}
void ModuleDictImpl::update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  for (const auto& [k, m] : modules) insert(k, m);
}
std::shared_ptr<Module> ModuleDictImpl::operator[](const std::string& key) const {
  if (const auto* m = modules_.find(key)) return *m;
  throw nabla::IndexError("ModuleDict: no key '" + key + "'");
}

FunctionalImpl::FunctionalImpl(Function f) : f_(std::move(f)) {}
Tensor FunctionalImpl::forward(Tensor x) { return f_(std::move(x)); }

}  // namespace torch::nn
