// pretrained.h — fine-tuning a model from another run's weights (`nabla train --pretrained FILE
// --freeze backbone`): the state_dict file, loaded leniently only where the standard recipe is (a new
// classifier for another number of classes), and the backbone frozen.
#pragma once
#include <string>
#include <vector>

#include "nabla/nn/module.h"

namespace nabla::training {

// The tensors of a state_dict file, whichever format it holds (by content): a PyTorch .pt file
// (torch.save(model.state_dict(), ...)), safetensors, or a `nabla train` checkpoint (its "_optim."
// optimizer tensors are left out). IOError naming the file and what it holds otherwise.
nn::NamedTensors load_state_dict_file(const std::string& path);

struct PretrainedReport {
  std::vector<std::string> skipped;  // the classifier's tensors whose shape differs (left as initialised)
};
// Copies `state` into `model`. Every tensor of the model must be in `state` with its shape, and `state`
// may hold nothing else, except under `classifier` (the final layer, e.g. "fc"): tensors there whose
// shape differs (another num_classes) are skipped and reported. ValueError listing the problems.
PretrainedReport load_pretrained(nn::Module& model, const nn::NamedTensors& state,
                                 const std::string& classifier);

// Freezes every parameter except those of the submodule `classifier` (PyTorch's requires_grad = False
// on the backbone). BatchNorm layers keep updating their running statistics in train mode, as in
// PyTorch's fine-tuning tutorial. ValueError when `classifier` names no submodule.
void freeze_backbone(nn::Module& model, const std::string& classifier);

}  // namespace nabla::training
