// data.h — everything of the data layer: datasets and the DataLoader (nabla::data), transforms
// (nabla::transforms), real and synthetic datasets (nabla::datasets), downloads, grids of images
// (nabla::utils) and image files (nabla::io).
#pragma once

#include "nabla/data/dataloader.h"
#include "nabla/data/dataset.h"
#include "nabla/data/datasets.h"
#include "nabla/data/download.h"
#include "nabla/data/samplers.h"
#include "nabla/data/transforms.h"
#include "nabla/data/utils.h"
#include "nabla/io/idx.h"
#include "nabla/io/image.h"
