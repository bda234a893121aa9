// nn.h — everything of nabla::nn.
#pragma once
#include "nabla/nn/any_module.h"
#include "nabla/nn/container.h"
#include "nabla/nn/functional.h"
#include "nabla/nn/graph.h"
#include "nabla/nn/holder.h"
#include "nabla/nn/init.h"
#include "nabla/nn/layers.h"
#include "nabla/nn/loss.h"
#include "nabla/nn/module.h"
#include "nabla/nn/rnn.h"
#include "nabla/nn/sparse.h"
#include "nabla/nn/utils/rnn.h"
