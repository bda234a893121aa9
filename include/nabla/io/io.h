// io.h — nabla's file formats: safetensors weights, checksummed atomic checkpoints, TensorBoard event
// files, images and IDX. See docs/io.md.
#pragma once

#include "nabla/io/checkpoint.h"
#include "nabla/io/dictd.h"
#include "nabla/io/idx.h"
#include "nabla/io/image.h"
#include "nabla/io/safetensors.h"
#include "nabla/io/tensorboard.h"
