// distributed.h — the distributed layer's umbrella (namespace nabla::distributed, docs/distributed.md):
// the MPI process group and collectives, DistributedSampler, DistributedDataParallel.
#pragma once

#include "nabla/distributed/ddp.h"
#include "nabla/distributed/process_group.h"
#include "nabla/distributed/sampler.h"
