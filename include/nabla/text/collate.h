// collate.h — batching token sequences of different lengths for a DataLoader.
//
//   DataLoader loader(train, {.batch_sampler = std::make_shared<data::BucketBatchSampler>(lengths, 32),
//                             .collate = text::pad_collate(vocab["<pad>"])});
#pragma once
#include <cstdint>

#include "nabla/data/dataloader.h"

namespace nabla::text {

// Samples whose data are 1-D tensors [L_i] (token indices) become data [B, max L] (batch_first, else
// [max L, B]) padded with padding_value, as nn::utils::rnn::pad_sequence does; targets are stacked
// (default_collate's rule). Each sequence's length is the count of its non-padding entries when the
// padding index appears nowhere else: (data != pad).sum(1).
data::CollateFn pad_collate(int64_t padding_value, bool batch_first = true);

}  // namespace nabla::text
