// inputs.cpp — decoding request bodies (inputs.h).
#include "serve/inputs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "nabla/io/image.h"
#include "nabla/ops/ops.h"
#include "nabla/tensor/error.h"
#include "nabla/train/inference.h"

namespace nabla::serve::detail {

std::string media_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char ch) { return std::isspace(ch); }), t.end());
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return t;
}

Tensor image_input(const uint8_t* data, size_t size, const std::string& name, const InputSpec& spec) {
  const training::RunConfig& cfg = *spec.config;
  io::ImageInfo info;
  try {
    info = io::image_info(data, size, name);
  } catch (const Error& e) {
    throw RequestError(400, e.what());
  }
  if (info.height * info.width > spec.max_image_pixels)
    throw RequestError(
        413, fmt::format("{}: the {} image is {}x{} pixels; this server takes at most {} pixels "
                         "(--max_image_pixels); the model reads {}x{}",
                         name, info.format, info.height, info.width, spec.max_image_pixels, cfg.model.height,
                         cfg.model.width));
  try {
    const auto mode = static_cast<io::ImageReadMode>(training::image_read_channels(cfg));
    return training::preprocess_image(io::decode_image(data, size, mode, name), cfg);
  } catch (const Error& e) {
    throw RequestError(400, e.what());
  }
}

namespace {

constexpr int kMaxRank = 4;

// Note [JSON tensors without a DOM]
// The body is read by nlohmann's SAX parser straight into one float vector, checking as it goes: one
// object with one key "inputs", arrays nested at most 4 deep, equal lengths at each depth, numbers only
// at the deepest level. A DOM would cost ~16 bytes per number and recurse on "[[[[...", which this
// refuses at the fifth bracket.
class TensorReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit TensorReader(size_t max_values) : max_values_(max_values) {}

  bool start_object(std::size_t) override {
    if (state_ != State::Start)
      return fail(422, "\"inputs\" must hold nested arrays of numbers, not objects");
    state_ = State::InObject;
    return true;
  }
  bool key(string_t& k) override {
    if (k != "inputs")
      return fail(422,
                  fmt::format("unknown field \"{}\" (the body is {{\"inputs\": [...]}})", k.substr(0, 40)));
    if (seen_inputs_) return fail(422, "field \"inputs\" appears twice");
    seen_inputs_ = true;
    state_ = State::AtInputs;
    return true;
  }
  bool end_object() override {
    state_ = State::Done;
    return true;
  }
  bool start_array(std::size_t) override {
    if (state_ == State::AtInputs) {
      state_ = State::InInputs;
      depth_ = 0;
      return true;
    }
    if (state_ != State::InInputs) return not_inputs();
    if (depth_ + 1 >= kMaxRank)
      return fail(422, fmt::format("\"inputs\" has more than {} dimensions", kMaxRank));
    if (leaf_ >= 0 && depth_ + 1 > leaf_) return ragged();
    ++count_[depth_];
    ++depth_;
    return true;
  }
  bool end_array() override {
    if (sizes_[depth_] < 0) sizes_[depth_] = count_[depth_];
    if (sizes_[depth_] != count_[depth_]) return ragged();
    count_[depth_] = 0;
    if (depth_ == 0) {
      state_ = State::InObject;
      rank_ = leaf_ >= 0 ? leaf_ + 1 : 1;
    } else {
      --depth_;
    }
    return true;
  }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return number(v); }
  bool null() override { return not_number(); }
  bool boolean(bool) override { return not_number(); }
  bool string(string_t&) override { return not_number(); }
  bool binary(binary_t&) override { return not_number(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    return fail(400, fmt::format("the body is not valid JSON: {}", e.what()));
  }

  // The shape read, [d0, ..., d(rank-1)]; empty when "inputs" was never seen.
  std::vector<int64_t> shape() const {
    std::vector<int64_t> s;
    if (rank_ > 0)
      for (int d = 0; d < rank_; ++d) s.push_back(sizes_[d]);
    return s;
  }
  std::vector<float>& values() { return values_; }
  bool failed() const { return status_ != 0; }
  int status() const { return status_; }
  const std::string& message() const { return message_; }

 private:
  enum class State { Start, InObject, AtInputs, InInputs, Done };
  bool fail(int status, std::string message) {
    if (status_ == 0) status_ = status, message_ = std::move(message);
    return false;
  }
  bool ragged() { return fail(422, "\"inputs\" is ragged: rows at one depth must have equal lengths"); }
  bool not_inputs() {
    return fail(422, state_ == State::Start ? "the body must be a JSON object {\"inputs\": [...]}"
                                            : "\"inputs\" must be nested arrays of numbers");
  }
  bool not_number() {
    return state_ == State::InInputs ? fail(422, "\"inputs\" must hold numbers only") : not_inputs();
  }
  bool number(double v) {
    if (state_ != State::InInputs) return not_inputs();
    if (leaf_ < 0) leaf_ = depth_;
    if (depth_ != leaf_) return ragged();
    const auto f = static_cast<float>(v);
    if (!std::isfinite(f)) return fail(422, fmt::format("\"inputs\" holds {}, which float32 cannot hold", v));
    if (values_.size() >= max_values_)
      return fail(413,
                  fmt::format("\"inputs\" holds more than {} numbers (--max_batch inputs)", max_values_));
    values_.push_back(f);
    ++count_[depth_];
    return true;
  }

  size_t max_values_;
  State state_ = State::Start;
  bool seen_inputs_ = false;
  int depth_ = 0, leaf_ = -1, rank_ = 0;
  int64_t sizes_[kMaxRank] = {-1, -1, -1, -1}, count_[kMaxRank] = {};
  std::vector<float> values_;
  int status_ = 0;
  std::string message_;
};

}  // namespace

std::vector<Tensor> json_inputs(const std::string& body, const InputSpec& spec) {
  const training::ModelConfig& m = spec.config->model;
  const std::vector<int64_t> chw = {m.in_channels, m.height, m.width};
  const auto per_input = static_cast<size_t>(m.in_channels * m.height * m.width);
  TensorReader reader(per_input * static_cast<size_t>(spec.max_inputs));
  nlohmann::json::sax_parse(body, &reader);
  if (reader.failed()) throw RequestError(reader.status(), reader.message());
  std::vector<int64_t> shape = reader.shape();
  if (shape.empty()) throw RequestError(422, "the body must be a JSON object {\"inputs\": [...]}");
  const bool one = shape.size() == 3;
  if (one) shape.insert(shape.begin(), 1);
  if (shape.size() != 4 || !std::equal(chw.begin(), chw.end(), shape.begin() + 1) || shape[0] < 1)
    throw RequestError(
        422, fmt::format("\"inputs\" has shape [{}]; the model takes [{}] or [N, {}]",
                         fmt::join(reader.shape(), ", "), fmt::join(chw, ", "), fmt::join(chw, ", ")));
  if (shape[0] > spec.max_inputs)
    throw RequestError(413, fmt::format("{} inputs in one request; this server takes at most {}", shape[0],
                                        spec.max_inputs));
  Tensor all = from_buffer(reader.values().data(), shape, kFloat32);
  std::vector<Tensor> out;
  for (int64_t i = 0; i < shape[0]; ++i) out.push_back(all.select(0, i));
  return out;
}

}  // namespace nabla::serve::detail
