// torch/nn/pimpl.h — torch::nn::Module, ModuleHolder and TORCH_MODULE: nabla's own (nabla/nn/holder.h).
// A LibTorch `struct NetImpl : torch::nn::Module` is a nabla module; TORCH_MODULE(Net) its holder.
#pragma once
#include "nabla/nn/holder.h"
#include "nabla/nn/module.h"

namespace torch::nn {
using nabla::nn::Module;
using nabla::nn::ModuleHolder;
}  // namespace torch::nn

#define TORCH_MODULE_IMPL(Name, ImplType) NABLA_MODULE_IMPL(Name, ImplType)
#define TORCH_MODULE(Name) NABLA_MODULE(Name)
