// rnn.cpp — packing and padding of variable-length batches (torch.nn.utils.rnn). Each direction is one
// index_select over the flattened rows (plus a padding row), so the autograd graph is one node whatever
// T is, and the gradient is its scatter.
#include "nabla/nn/utils/rnn.h"

#include <algorithm>
#include <numeric>

#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::nn::utils::rnn {

namespace {

Tensor int64_tensor(const std::vector<int64_t>& v) {
  return from_buffer(v.data(), {static_cast<int64_t>(v.size())}, kInt64);
}

std::vector<int64_t> int64_values(const Tensor& t) {
  std::vector<int64_t> out;
  for (double v : t.to_vector()) out.push_back(static_cast<int64_t>(v));
  return out;
}

// `perm`'s inverse: out[perm[i]] = i.
Tensor invert_permutation(const Tensor& perm) {
  const std::vector<int64_t> p = int64_values(perm);
  std::vector<int64_t> inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[static_cast<size_t>(p[i])] = static_cast<int64_t>(i);
  return int64_tensor(inv);
}

// Checks lengths against the input's B and T (PyTorch's checks, plus length <= T: PyTorch 1.13 packs a
// too-long length into a PackedSequence whose data is shorter than its batch_sizes say).
void check_lengths(const std::vector<int64_t>& lengths, int64_t B, int64_t T, const Tensor& input,
                   bool enforce_sorted) {
  const char* op = "pack_padded_sequence";
  NABLA_CHECK(static_cast<int64_t>(lengths.size()) == B, ValueError,
              "{}: expected len(lengths) to be equal to batch_size, but got {} (batch_size={}, input {})", op,
              lengths.size(), B, shape_str(input.sizes()));
  for (size_t b = 0; b < lengths.size(); ++b) {
    NABLA_CHECK(lengths[b] > 0, ValueError,
                "{}: length of all samples has to be greater than 0, but lengths[{}] = {}", op, b,
                lengths[b]);
    NABLA_CHECK(lengths[b] <= T, ValueError,
                "{}: lengths[{}] = {} is longer than the input's {} time steps (input {})", op, b, lengths[b],
                T, shape_str(input.sizes()));
    NABLA_CHECK(
        !enforce_sorted || b == 0 || lengths[b] <= lengths[b - 1], ValueError,
        "{}: lengths must be sorted in decreasing order when enforce_sorted is true, but lengths[{}] = "
        "{} < lengths[{}] = {}; pass enforce_sorted=false to sort them here",
        op, b - 1, lengths[b - 1], b, lengths[b]);
  }
}

// The dims after the first.
std::vector<int64_t> trailing(const Tensor& x) {
  const auto s = x.sizes();
  return {s.begin() + 1, s.end()};
}

// Trailing dims of a [T, B, *] tensor, with `lead` in front.
std::vector<int64_t> with_lead(const Tensor& x, std::vector<int64_t> lead) {
  for (int64_t d = 2; d < x.dim(); ++d) lead.push_back(x.size(d));
  return lead;
}

}  // namespace

PackedSequence::PackedSequence(Tensor data, Tensor batch_sizes, Tensor sorted_indices,
                               Tensor unsorted_indices)
    : data_(std::move(data)),
      batch_sizes_(std::move(batch_sizes)),
      sorted_indices_(std::move(sorted_indices)),
      unsorted_indices_(std::move(unsorted_indices)) {
  NABLA_CHECK(data_.defined() && batch_sizes_.defined(), ValueError,
              "PackedSequence: data and batch_sizes must be defined");
  NABLA_CHECK(batch_sizes_.dim() == 1 && batch_sizes_.dtype() == kInt64, ValueError,
              "PackedSequence: batch_sizes must be a 1-D int64 tensor, got {} {}",
              dtype_name(batch_sizes_.dtype()), shape_str(batch_sizes_.sizes()));
  if (sorted_indices_.defined() && !unsorted_indices_.defined())
    unsorted_indices_ = invert_permutation(sorted_indices_);
}

PackedSequence pack_padded_sequence(const Tensor& input, const Tensor& lengths, bool batch_first,
                                    bool enforce_sorted) {
  NABLA_CHECK(lengths.defined() && lengths.dim() == 1 && is_integral(lengths.dtype(), false), ValueError,
              "pack_padded_sequence: 'lengths' should be a 1-D integer tensor, but got {}",
              lengths.defined()
                  ? fmt::format("{} {}", dtype_name(lengths.dtype()), shape_str(lengths.sizes()))
                  : std::string("an undefined tensor"));
  return pack_padded_sequence(input, int64_values(lengths), batch_first, enforce_sorted);
}

PackedSequence pack_padded_sequence(const Tensor& input, const std::vector<int64_t>& lengths_in,
                                    bool batch_first, bool enforce_sorted) {
  NABLA_CHECK(input.defined() && input.dim() >= 2, ShapeError,
              "pack_padded_sequence: input must have at least 2 dims ([T, B, *] or [B, T, *]), got {}",
              input.defined() ? shape_str(input.sizes()) : std::string("an undefined tensor"));
  NABLA_CHECK(input.numel() > 0, ValueError, "pack_padded_sequence: cannot pack empty tensors (input {})",
              shape_str(input.sizes()));
  Tensor x = batch_first ? input.transpose(0, 1) : input;  // [T, B, *]
  const int64_t T = x.size(0), B = x.size(1);
  check_lengths(lengths_in, B, T, input, enforce_sorted);
  std::vector<int64_t> order(static_cast<size_t>(B)), lengths = lengths_in;
  std::iota(order.begin(), order.end(), 0);
  Tensor sorted_indices;
  if (!enforce_sorted) {
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return lengths_in[a] > lengths_in[b]; });
    for (int64_t i = 0; i < B; ++i) lengths[i] = lengths_in[order[i]];
    sorted_indices = int64_tensor(order);
  }
  // Packed row k = (step t, sorted sequence i) reads padded row t * B + order[i].
  std::vector<int64_t> batch_sizes(static_cast<size_t>(lengths[0])), rows;
  for (int64_t t = 0; t < lengths[0]; ++t) {
    while (batch_sizes[t] < B && lengths[batch_sizes[t]] > t) ++batch_sizes[t];
    for (int64_t i = 0; i < batch_sizes[t]; ++i) rows.push_back(t * B + order[i]);
  }
  Tensor data = x.reshape(with_lead(x, {T * B})).index_select(0, int64_tensor(rows));
  return PackedSequence(data, int64_tensor(batch_sizes), sorted_indices);
}

std::tuple<Tensor, Tensor> pad_packed_sequence(const PackedSequence& sequence, bool batch_first,
                                               double padding_value, std::optional<int64_t> total_length) {
  NABLA_CHECK(sequence.defined(), ValueError, "pad_packed_sequence: the PackedSequence is empty (no data)");
  const std::vector<int64_t> bs = int64_values(sequence.batch_sizes());
  const Tensor& data = sequence.data();
  const int64_t max_len = static_cast<int64_t>(bs.size()), B = bs.empty() ? 0 : bs[0];
  NABLA_CHECK(
      !total_length || *total_length >= max_len, ValueError,
      "pad_packed_sequence: expected total_length to be at least the length of the longest sequence in "
      "input, but got total_length={} and max sequence length being {}",
      total_length.value_or(0), max_len);
  const int64_t T = total_length.value_or(max_len);
  const int64_t S = std::accumulate(bs.begin(), bs.end(), int64_t{0});
  NABLA_CHECK(data.dim() >= 1 && data.size(0) == S, ShapeError,
              "pad_packed_sequence: data {} does not have the {} rows that batch_sizes add up to",
              shape_str(data.sizes()), S);
  // Padded row t * B + i reads packed row offset_t + i, or the padding row S past a sequence's end.
  std::vector<int64_t> rows(static_cast<size_t>(T * B), S), lengths(static_cast<size_t>(B), 0);
  for (int64_t t = 0, offset = 0; t < max_len; offset += bs[t], ++t)
    for (int64_t i = 0; i < bs[t]; ++i) {
      rows[t * B + i] = offset + i;
      lengths[i] = t + 1;
    }
  std::vector<int64_t> row_shape = {1}, out_shape = {T, B};
  for (int64_t d = 1; d < data.dim(); ++d)
    row_shape.push_back(data.size(d)), out_shape.push_back(data.size(d));
  Tensor padded = cat({data, full(row_shape, padding_value, {.dtype = data.dtype()})}, 0)
                      .index_select(0, int64_tensor(rows))
                      .view(out_shape);
  if (batch_first) padded = padded.transpose(0, 1);
  Tensor len = int64_tensor(lengths);
  if (sequence.unsorted_indices().defined()) {
    padded = padded.index_select(batch_first ? 0 : 1, sequence.unsorted_indices());
    len = len.index_select(0, sequence.unsorted_indices());
  }
  return {padded, len};
}

Tensor pad_sequence(const TensorList& sequences, bool batch_first, double padding_value) {
  NABLA_CHECK(!sequences.empty(), ValueError, "pad_sequence: received an empty list of sequences");
  const Tensor& first = sequences[0];
  int64_t max_len = 0;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const Tensor& s = sequences[i];
    NABLA_CHECK(s.defined() && s.dim() >= 1, ShapeError,
                "pad_sequence: sequence {} must have at least 1 dim ([L, *]), got {}", i,
                s.defined() ? shape_str(s.sizes()) : std::string("an undefined tensor"));
    NABLA_CHECK(
        trailing(s) == trailing(first), ShapeError,
        "pad_sequence: sequence {} has shape {}, but sequence 0 has {}: the dims after the first must match",
        i, shape_str(s.sizes()), shape_str(first.sizes()));
    max_len = std::max(max_len, s.size(0));
  }
  // All steps in one column [sum L + 1, *] (the last row is the padding), gathered into [max L, B, *].
  TensorList parts;
  std::vector<int64_t> row_shape = {1}, out_shape = {max_len, static_cast<int64_t>(sequences.size())};
  for (int64_t d = 1; d < first.dim(); ++d)
    row_shape.push_back(first.size(d)), out_shape.push_back(first.size(d));
  for (const Tensor& s : sequences) parts.push_back(s.dtype() == first.dtype() ? s : s.to(first.dtype()));
  parts.push_back(full(row_shape, padding_value, {.dtype = first.dtype()}));
  std::vector<int64_t> starts;
  int64_t total = 0;
  for (const Tensor& s : sequences) starts.push_back(total), total += s.size(0);
  const int64_t B = out_shape[1];
  std::vector<int64_t> rows(static_cast<size_t>(max_len * B), total);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < sequences[b].size(0); ++t) rows[t * B + b] = starts[b] + t;
  Tensor out = cat(parts, 0).index_select(0, int64_tensor(rows)).view(out_shape);
  return batch_first ? out.transpose(0, 1).contiguous() : out;
}

PackedSequence pack_sequence(const TensorList& sequences, bool enforce_sorted) {
  std::vector<int64_t> lengths;
  for (const Tensor& s : sequences) lengths.push_back(s.defined() && s.dim() >= 1 ? s.size(0) : 0);
  return pack_padded_sequence(pad_sequence(sequences), lengths, false, enforce_sorted);
}

}  // namespace nabla::nn::utils::rnn
