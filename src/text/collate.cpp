// collate.cpp — pad_collate: pad_sequence for the data, default_collate's stacking for the targets.
#include "nabla/text/collate.h"

#include "nabla/nn/utils/rnn.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::text {

data::CollateFn pad_collate(int64_t padding_value, bool batch_first) {
  return [padding_value, batch_first](std::vector<data::Example>& samples) {
    NABLA_CHECK(!samples.empty(), ValueError, "pad_collate: empty batch");
    TensorList data, targets;
    for (size_t i = 0; i < samples.size(); ++i) {
      const Tensor& d = samples[i].data;
      NABLA_CHECK(d.defined() && d.dim() == 1, ShapeError,
                  "pad_collate: sample {} of the batch must be a 1-D sequence of token indices, got {}", i,
                  d.defined() ? shape_str(d.sizes()) : std::string("an undefined tensor"));
      data.push_back(d);
      if (samples[i].target.defined()) targets.push_back(samples[i].target);
    }
    NABLA_CHECK(targets.empty() || targets.size() == samples.size(), ValueError,
                "pad_collate: {} of the batch's {} samples have a target", targets.size(), samples.size());
    data::Batch b;
    b.data = nn::utils::rnn::pad_sequence(data, batch_first, static_cast<double>(padding_value));
    if (!targets.empty()) b.target = stack(targets, 0);
    return b;
  };
}

}  // namespace nabla::text
