// optim.h — nabla's torch.optim: optimizers, LR schedulers and gradient clipping (namespace nabla::optim).
#pragma once

#include "nabla/optim/adagrad.h"
#include "nabla/optim/adam.h"
#include "nabla/optim/clip_grad.h"
#include "nabla/optim/lr_scheduler.h"
#include "nabla/optim/optimizer.h"
#include "nabla/optim/rmsprop.h"
#include "nabla/optim/sgd.h"
