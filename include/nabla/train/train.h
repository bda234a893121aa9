// train.h — everything of the training layer (namespace nabla::training): Trainer and callbacks,
// metrics, the model zoo, run checkpoints and inference from them, plots, progress bar and CSV logger.
#pragma once

#include "nabla/train/callbacks.h"
#include "nabla/train/csv_logger.h"
#include "nabla/train/inference.h"
#include "nabla/train/metrics.h"
#include "nabla/train/models.h"
#include "nabla/train/plots.h"
#include "nabla/train/progress.h"
#include "nabla/train/run_state.h"
#include "nabla/train/trainer.h"
