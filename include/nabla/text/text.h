// text.h — everything of nabla::text (torchtext's pieces): tokenizers, Vocab, text datasets, padding
// collate. Packed sequences for the recurrent layers are nn's (nabla/nn/utils/rnn.h, as in PyTorch);
// the length-bucketing batch sampler is data's (data::BucketBatchSampler).
#pragma once

#include "nabla/text/collate.h"
#include "nabla/text/datasets.h"
#include "nabla/text/tokenizer.h"
#include "nabla/text/vocab.h"
