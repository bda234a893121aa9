// nabla.h — the umbrella header: `#include <nabla/nabla.h>` gives the whole public API. It includes
// exactly the layers' umbrellas, each of which also compiles on its own (tests/api/umbrella_*_test.cpp).
#pragma once

#include "nabla/core.h"                     // tensors, ops, autograd (namespace nabla)
#include "nabla/data/data.h"                // nabla::data
#include "nabla/distributed/distributed.h"  // nabla::distributed (MPI)
#include "nabla/io/io.h"                    // nabla::io
#include "nabla/nn/nn.h"                    // nabla::nn
#include "nabla/onnx/onnx.h"                // nabla::onnx (export_model)
#include "nabla/optim/optim.h"              // nabla::optim
#include "nabla/serve/serve.h"              // nabla::serve
#include "nabla/text/text.h"                // nabla::text
#include "nabla/train/train.h"              // nabla::training
#include "nabla/vision/vision.h"            // nabla::vision (torchvision's models)
