// container.cpp — Sequential, ModuleList, ModuleDict.
#include "nabla/nn/container.h"

#include "util/check.h"

namespace nabla::nn {

Tensor Sequential::forward(Tensor x) {
  for (Module* m : *this) x = (*m)(x);
  return x;
}

void ModuleList::push_back(std::shared_ptr<Module> m) {
  items_.push_back(register_module(std::to_string(items_.size()), std::move(m)).get());
}
Module& ModuleList::operator[](size_t i) const {
  NABLA_CHECK(i < items_.size(), IndexError, "{}: index {} is out of range (size {})", name(), i,
              items_.size());
  return *items_[i];
}

void ModuleDict::insert(const std::string& key, std::shared_ptr<Module> m) {
  items_[key] = register_module(key, std::move(m)).get();
}
Module& ModuleDict::operator[](const std::string& key) const {
  auto it = items_.find(key);
  NABLA_CHECK(it != items_.end(), IndexError, "ModuleDict: no module named '{}'", key);
  return *it->second;
}

}  // namespace nabla::nn
