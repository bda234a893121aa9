// train_parts.h — the public headers of nabla's training library (namespace nabla::train).
#pragma once

#include "nabla/train/callbacks.h"
#include "nabla/train/csv_logger.h"
#include "nabla/train/metrics.h"
#include "nabla/train/models.h"
#include "nabla/train/plots.h"
#include "nabla/train/progress.h"
#include "nabla/train/run_state.h"
#include "nabla/train/trainer.h"
