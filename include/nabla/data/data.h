// data.h — everything of the data layer, all in namespace nabla::data: datasets and the DataLoader,
// samplers, transforms (+ data::functional), real and synthetic datasets, downloads and grids of
// images; reinforcement learning's environments and replay buffer (nabla::rl); plus the image and IDX
// file readers it uses (nabla::io).
#pragma once

#include "nabla/data/dataloader.h"
#include "nabla/data/dataset.h"
#include "nabla/data/datasets.h"
#include "nabla/data/download.h"
#include "nabla/data/rl.h"
#include "nabla/data/samplers.h"
#include "nabla/data/transforms.h"
#include "nabla/data/utils.h"
#include "nabla/io/idx.h"
#include "nabla/io/image.h"
