// container.cpp — Sequential, ModuleList, ModuleDict.
#include "nabla/nn/container.h"

#include <typeinfo>

#include "nabla/nn/layers.h"
#include "util/check.h"

namespace nabla::nn {

namespace {
// A BatchNorm1d or 2d (not a subclass: it might override forward) followed by a ReLU: run as one by
// BatchNorm::forward_relu (Note [Batch norm and ReLU in one pass]), which keeps them apart when
// either has hooks or a tracer watches.
BatchNorm* fusable_batch_norm(Module* m, Module* next) {
  const std::type_info& t = typeid(*m);
  if (t != typeid(BatchNorm1d) && t != typeid(BatchNorm2d)) return nullptr;
  return typeid(*next) == typeid(ReLU) ? static_cast<BatchNorm*>(m) : nullptr;
}
}  // namespace

Tensor Sequential::forward(Tensor x) {
  const size_t n = size();
  for (size_t i = 0; i < n; ++i) {
    Module* m = &(*this)[i];
    if (BatchNorm* bn = i + 1 < n ? fusable_batch_norm(m, &(*this)[i + 1]) : nullptr) {
      x = bn->forward_relu(x, &(*this)[i + 1]);
      ++i;
      continue;
    }
    x = (*m)(x);
  }
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
