// io.h — nabla's file formats: safetensors weights, checksummed atomic checkpoints, PyTorch .pt files,
// TensorBoard event files, images and IDX. See docs/io.md and docs/pt-format.md.
#pragma once

#include "nabla/io/checkpoint.h"
#include "nabla/io/dictd.h"
#include "nabla/io/idx.h"
#include "nabla/io/image.h"
#include "nabla/io/numpy_pickle.h"
#include "nabla/io/pt.h"
#include "nabla/io/safetensors.h"
#include "nabla/io/state_dict.h"
#include "nabla/io/tensorboard.h"
