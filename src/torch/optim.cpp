// optim.cpp — what torch/optim.h keeps out of line: each option class's clone() and each optimizer's
// destructor (their key functions, so their vtables are compiled here once) and the adapters' instantiations.
#include "torch/optim.h"

namespace torch::optim {

#define NABLA_TORCH_OPTIM_OUT_OF_LINE(Name)                                   \
  template class detail::OptimizerAdapter<nabla::optim::Name, Name##Options>; \
  std::unique_ptr<OptimizerOptions> Name##Options::clone() const {            \
    return std::make_unique<Name##Options>(*this);                            \
  }                                                                           \
  Name::~Name() = default;

NABLA_TORCH_OPTIM_OUT_OF_LINE(SGD)
NABLA_TORCH_OPTIM_OUT_OF_LINE(Adam)
NABLA_TORCH_OPTIM_OUT_OF_LINE(AdamW)
NABLA_TORCH_OPTIM_OUT_OF_LINE(RMSprop)
NABLA_TORCH_OPTIM_OUT_OF_LINE(Adagrad)

#undef NABLA_TORCH_OPTIM_OUT_OF_LINE

}  // namespace torch::optim
