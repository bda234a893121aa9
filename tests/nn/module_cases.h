// module_cases.h — the cases of tests/golden/modules.json (written by gen_modules_golden.py) as nabla
// modules: a factory from each case's kind + options (torch.nn's keyword names) to an nn::Module and a
// function running it on the case's inputs. Shared by modules_golden_test.cpp and layers_gradcheck_test.cpp.
#pragma once
#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "golden/golden_cases.h"
#include "nabla/nabla.h"

namespace nabla::modcases {

using golden::json;

inline const json& all_cases() {
  static const json cases = golden_io::load_json("modules.json")["cases"];
  return cases;
}

// The layers and losses of issue #5: each must have a golden case and a gradcheck.
inline const std::vector<std::string> kRequiredKinds = {"Linear",
                                                        "Conv1d",
                                                        "Conv2d",
                                                        "ConvTranspose2d",
                                                        "MaxPool2d",
                                                        "AvgPool2d",
                                                        "AdaptiveAvgPool2d",
                                                        "BatchNorm1d",
                                                        "BatchNorm2d",
                                                        "LayerNorm",
                                                        "GroupNorm",
                                                        "Dropout",
                                                        "Dropout2d",
                                                        "Embedding",
                                                        "RNN",
                                                        "LSTM",
                                                        "GRU",
                                                        "Flatten",
                                                        "Unflatten",
                                                        "Identity",
                                                        "ReLU",
                                                        "LeakyReLU",
                                                        "ELU",
                                                        "GELU",
                                                        "SiLU",
                                                        "Sigmoid",
                                                        "Tanh",
                                                        "Softmax",
                                                        "LogSoftmax",
                                                        "Softplus",
                                                        "MSELoss",
                                                        "L1Loss",
                                                        "SmoothL1Loss",
                                                        "HuberLoss",
                                                        "BCELoss",
                                                        "BCEWithLogitsLoss",
                                                        "CrossEntropyLoss",
                                                        "NLLLoss",
                                                        "KLDivLoss",
                                                        "Hardtanh",
                                                        "ReLU6",
                                                        "SELU",
                                                        "CELU",
                                                        "Mish",
                                                        "Hardswish",
                                                        "Hardsigmoid",
                                                        "LogSigmoid",
                                                        "Softsign",
                                                        "PReLU",
                                                        "PixelShuffle",
                                                        "PixelUnshuffle",
                                                        "Upsample"};

// A module and how to call it: case inputs (undefined = absent, e.g. no h0) -> its outputs as a list
// (RNN: output, h_n; LSTM: output, h_n, c_n; MaxPool2d with return_indices: output, indices).
struct Built {
  std::shared_ptr<nn::Module> module;
  std::function<TensorList(const TensorList&)> forward;
};

namespace detail {

template <typename T>
T opt(const json& o, const char* key, T fallback) {
  return o.contains(key) && !o[key].is_null() ? o[key].get<T>() : fallback;
}
inline nn::IntPair pair(const json& o, const char* key, int64_t fallback) {
  if (!o.contains(key)) return fallback;
  const json& v = o[key];
  return v.is_array() ? nn::IntPair(v[0].get<int64_t>(), v[1].get<int64_t>()) : nn::IntPair(v.get<int64_t>());
}
inline nn::ConvPadding conv_padding(const json& o) {
  if (!o.contains("padding")) return 0;
  const json& v = o["padding"];
  if (v == "same") return nn::ConvPadding("same");
  if (v == "valid") return nn::ConvPadding("valid");
  nn::IntPair p = pair(o, "padding", 0);
  return {p.v[0], p.v[1]};
}
inline std::optional<int64_t> opt_int(const json& o, const char* key) {
  if (!o.contains(key) || o[key].is_null()) return std::nullopt;
  return o[key].get<int64_t>();
}
// Loss weights are options (not state): built in the case's floating dtype.
inline Tensor opt_tensor(const json& o, const char* key, DType dtype) {
  return o.contains(key) ? golden::tensor_from_json(o[key], dtype) : Tensor();
}

template <typename M>
Built unary(std::shared_ptr<M> m) {
  return {m, [m](const TensorList& in) { return TensorList{(*m)(in.at(0))}; }};
}
template <typename M>
Built loss(std::shared_ptr<M> m) {
  return {m, [m](const TensorList& in) { return TensorList{(*m)(in.at(0), in.at(1))}; }};
}
inline Tensor input_or_none(const TensorList& in, size_t k) { return k < in.size() ? in[k] : Tensor(); }

template <typename M>
Built rnn(const json& o) {
  nn::RNNOptions r;
  r.num_layers = opt<int64_t>(o, "num_layers", 1);
  r.bias = opt(o, "bias", true);
  r.batch_first = opt(o, "batch_first", false);
  r.dropout = opt(o, "dropout", 0.0);
  r.bidirectional = opt(o, "bidirectional", false);
  r.nonlinearity = opt<std::string>(o, "nonlinearity", "tanh");
  auto m = std::make_shared<M>(o["input_size"].get<int64_t>(), o["hidden_size"].get<int64_t>(), r);
  return {m, [m](const TensorList& in) {
            if constexpr (std::is_same_v<M, nn::LSTM>) {
              auto [out, hc] = (*m)(in.at(0), input_or_none(in, 1), input_or_none(in, 2));
              return TensorList{out, std::get<0>(hc), std::get<1>(hc)};
            } else {
              auto [out, h] = (*m)(in.at(0), input_or_none(in, 1));
              return TensorList{out, h};
            }
          }};
}

inline Built batch_norm(const json& o, int dims) {
  nn::BatchNormOptions b;
  b.eps = opt(o, "eps", 1e-5);
  if (o.contains("momentum"))
    b.momentum = o["momentum"].is_null() ? std::nullopt : std::optional(o["momentum"].get<double>());
  b.affine = opt(o, "affine", true);
  b.track_running_stats = opt(o, "track_running_stats", true);
  const int64_t n = o["num_features"].get<int64_t>();
  if (dims == 1) return unary(std::make_shared<nn::BatchNorm1d>(n, b));
  return unary(std::make_shared<nn::BatchNorm2d>(n, b));
}

inline Built embedding(const json& c, DType dtype) {
  const json& o = c["options"];
  const auto pad = opt_int(o, "padding_idx");
  if (!opt(o, "from_pretrained", false))
    return unary(std::make_shared<nn::Embedding>(o["num_embeddings"].get<int64_t>(),
                                                 o["embedding_dim"].get<int64_t>(), pad));
  Tensor w;  // the pretrained matrix is the case's state "weight"
  for (const json& kv : c["state"])
    if (kv[0] == "weight") w = golden::tensor_from_json(kv[1], dtype);
  return unary(
      std::make_shared<nn::Embedding>(nn::Embedding::from_pretrained(w, opt(o, "freeze", true), pad)));
}

// nn.Upsample's keywords: size and scale_factor are a number or a list.
inline nn::UpsampleOptions upsample_options(const json& o) {
  nn::UpsampleOptions u;
  auto list = [&](const char* key, auto& out) {
    if (!o.contains(key) || o[key].is_null()) return;
    using T = typename std::decay_t<decltype(out)>::value_type;
    if (o[key].is_array())
      out = o[key].get<std::vector<T>>();
    else
      out = {o[key].get<T>()};
  };
  list("size", u.size);
  list("scale_factor", u.scale_factor);
  u.mode = opt<std::string>(o, "mode", "nearest");
  if (o.contains("align_corners") && !o["align_corners"].is_null())
    u.align_corners = o["align_corners"].get<bool>();
  return u;
}

using Factory = std::function<Built(const json& c, DType dtype)>;

inline const std::map<std::string, Factory>& factories() {
  using std::make_shared;
  static const std::map<std::string, Factory> table = [] {
    std::map<std::string, Factory> f;
    f["Linear"] = [](const json& c, DType) {
      const json& o = c["options"];
      return unary(make_shared<nn::Linear>(o["in_features"].get<int64_t>(), o["out_features"].get<int64_t>(),
                                           opt(o, "bias", true)));
    };
    f["Conv1d"] = [](const json& c, DType) {
      const json& o = c["options"];
      nn::Conv1dOptions co{.stride = opt<int64_t>(o, "stride", 1),
                           .padding = conv_padding(o),
                           .dilation = opt<int64_t>(o, "dilation", 1),
                           .groups = opt<int64_t>(o, "groups", 1),
                           .bias = opt(o, "bias", true)};
      return unary(make_shared<nn::Conv1d>(o["in_channels"].get<int64_t>(), o["out_channels"].get<int64_t>(),
                                           o["kernel_size"].get<int64_t>(), co));
    };
    f["Conv2d"] = [](const json& c, DType) {
      const json& o = c["options"];
      nn::Conv2dOptions co{.stride = pair(o, "stride", 1),
                           .padding = conv_padding(o),
                           .dilation = pair(o, "dilation", 1),
                           .groups = opt<int64_t>(o, "groups", 1),
                           .bias = opt(o, "bias", true)};
      return unary(make_shared<nn::Conv2d>(o["in_channels"].get<int64_t>(), o["out_channels"].get<int64_t>(),
                                           pair(o, "kernel_size", 0), co));
    };
    f["ConvTranspose2d"] = [](const json& c, DType) {
      const json& o = c["options"];
      nn::ConvTranspose2dOptions co{.stride = pair(o, "stride", 1),
                                    .padding = pair(o, "padding", 0),
                                    .output_padding = pair(o, "output_padding", 0),
                                    .groups = opt<int64_t>(o, "groups", 1),
                                    .bias = opt(o, "bias", true),
                                    .dilation = pair(o, "dilation", 1)};
      return unary(make_shared<nn::ConvTranspose2d>(
          o["in_channels"].get<int64_t>(), o["out_channels"].get<int64_t>(), pair(o, "kernel_size", 0), co));
    };
    f["MaxPool2d"] = [](const json& c, DType) -> Built {
      const json& o = c["options"];
      nn::MaxPool2dOptions po{
          .stride = o.contains("stride") ? std::optional(pair(o, "stride", 0)) : std::nullopt,
          .padding = pair(o, "padding", 0),
          .dilation = pair(o, "dilation", 1),
          .ceil_mode = opt(o, "ceil_mode", false)};
      auto m = make_shared<nn::MaxPool2d>(pair(o, "kernel_size", 0), po);
      if (!opt(o, "return_indices", false)) return unary(m);
      return {m, [m](const TensorList& in) {
                auto [y, i] = m->forward_with_indices(in.at(0));
                return TensorList{y, i};
              }};
    };
    f["AvgPool2d"] = [](const json& c, DType) {
      const json& o = c["options"];
      nn::AvgPool2dOptions po{
          .stride = o.contains("stride") ? std::optional(pair(o, "stride", 0)) : std::nullopt,
          .padding = pair(o, "padding", 0),
          .ceil_mode = opt(o, "ceil_mode", false),
          .count_include_pad = opt(o, "count_include_pad", true),
          .divisor_override = opt_int(o, "divisor_override")};
      return unary(make_shared<nn::AvgPool2d>(pair(o, "kernel_size", 0), po));
    };
    f["AdaptiveAvgPool2d"] = [](const json& c, DType) {
      return unary(make_shared<nn::AdaptiveAvgPool2d>(pair(c["options"], "output_size", 0)));
    };
    f["BatchNorm1d"] = [](const json& c, DType) { return batch_norm(c["options"], 1); };
    f["BatchNorm2d"] = [](const json& c, DType) { return batch_norm(c["options"], 2); };
    f["LayerNorm"] = [](const json& c, DType) {
      const json& o = c["options"];
      return unary(make_shared<nn::LayerNorm>(o["normalized_shape"].get<std::vector<int64_t>>(),
                                              opt(o, "eps", 1e-5), opt(o, "elementwise_affine", true)));
    };
    f["GroupNorm"] = [](const json& c, DType) {
      const json& o = c["options"];
      return unary(make_shared<nn::GroupNorm>(o["num_groups"].get<int64_t>(),
                                              o["num_channels"].get<int64_t>(), opt(o, "eps", 1e-5),
                                              opt(o, "affine", true)));
    };
    f["Dropout"] = [](const json& c, DType) {
      return unary(make_shared<nn::Dropout>(opt(c["options"], "p", 0.5)));
    };
    f["Dropout2d"] = [](const json& c, DType) {
      return unary(make_shared<nn::Dropout2d>(opt(c["options"], "p", 0.5)));
    };
    f["Embedding"] = embedding;
    f["RNN"] = [](const json& c, DType) { return rnn<nn::RNN>(c["options"]); };
    f["LSTM"] = [](const json& c, DType) { return rnn<nn::LSTM>(c["options"]); };
    f["GRU"] = [](const json& c, DType) { return rnn<nn::GRU>(c["options"]); };
    f["Flatten"] = [](const json& c, DType) {
      const json& o = c["options"];
      return unary(make_shared<nn::Flatten>(opt<int64_t>(o, "start_dim", 1), opt<int64_t>(o, "end_dim", -1)));
    };
    f["Unflatten"] = [](const json& c, DType) {
      const json& o = c["options"];
      return unary(make_shared<nn::Unflatten>(o["dim"].get<int64_t>(),
                                              o["unflattened_size"].get<std::vector<int64_t>>()));
    };
    f["Identity"] = [](const json&, DType) { return unary(make_shared<nn::Identity>()); };
    f["ReLU"] = [](const json&, DType) { return unary(make_shared<nn::ReLU>()); };
    f["SiLU"] = [](const json&, DType) { return unary(make_shared<nn::SiLU>()); };
    f["Sigmoid"] = [](const json&, DType) { return unary(make_shared<nn::Sigmoid>()); };
    f["Tanh"] = [](const json&, DType) { return unary(make_shared<nn::Tanh>()); };
    f["LeakyReLU"] = [](const json& c, DType) {
      return unary(make_shared<nn::LeakyReLU>(opt(c["options"], "negative_slope", 0.01)));
    };
    f["ELU"] = [](const json& c, DType) {
      return unary(make_shared<nn::ELU>(opt(c["options"], "alpha", 1.0)));
    };
    f["GELU"] = [](const json& c, DType) {
      return unary(make_shared<nn::GELU>(opt<std::string>(c["options"], "approximate", "none")));
    };
    f["Softplus"] = [](const json& c, DType) {
      return unary(
          make_shared<nn::Softplus>(opt(c["options"], "beta", 1.0), opt(c["options"], "threshold", 20.0)));
    };
    f["Softmax"] = [](const json& c, DType) {
      return unary(make_shared<nn::Softmax>(c["options"]["dim"].get<int64_t>()));
    };
    f["LogSoftmax"] = [](const json& c, DType) {
      return unary(make_shared<nn::LogSoftmax>(c["options"]["dim"].get<int64_t>()));
    };
    // ---- ops-nn block ----
    f["Hardtanh"] = [](const json& c, DType) {
      return unary(
          make_shared<nn::Hardtanh>(opt(c["options"], "min_val", -1.0), opt(c["options"], "max_val", 1.0)));
    };
    f["ReLU6"] = [](const json&, DType) { return unary(make_shared<nn::ReLU6>()); };
    f["SELU"] = [](const json&, DType) { return unary(make_shared<nn::SELU>()); };
    f["CELU"] = [](const json& c, DType) {
      return unary(make_shared<nn::CELU>(opt(c["options"], "alpha", 1.0)));
    };
    f["Mish"] = [](const json&, DType) { return unary(make_shared<nn::Mish>()); };
    f["Hardswish"] = [](const json&, DType) { return unary(make_shared<nn::Hardswish>()); };
    f["Hardsigmoid"] = [](const json&, DType) { return unary(make_shared<nn::Hardsigmoid>()); };
    f["LogSigmoid"] = [](const json&, DType) { return unary(make_shared<nn::LogSigmoid>()); };
    f["Softsign"] = [](const json&, DType) { return unary(make_shared<nn::Softsign>()); };
    f["PReLU"] = [](const json& c, DType) {
      return unary(make_shared<nn::PReLU>(opt<int64_t>(c["options"], "num_parameters", 1),
                                          opt(c["options"], "init", 0.25)));
    };
    f["PixelShuffle"] = [](const json& c, DType) {
      return unary(make_shared<nn::PixelShuffle>(c["options"]["upscale_factor"].get<int64_t>()));
    };
    f["PixelUnshuffle"] = [](const json& c, DType) {
      return unary(make_shared<nn::PixelUnshuffle>(c["options"]["downscale_factor"].get<int64_t>()));
    };
    f["Upsample"] = [](const json& c, DType) {
      return unary(make_shared<nn::Upsample>(upsample_options(c["options"])));
    };
    // ---- losses ----
    auto red = [](const json& c) { return opt<std::string>(c["options"], "reduction", "mean"); };
    f["MSELoss"] = [red](const json& c, DType) { return loss(make_shared<nn::MSELoss>(red(c))); };
    f["L1Loss"] = [red](const json& c, DType) { return loss(make_shared<nn::L1Loss>(red(c))); };
    f["SmoothL1Loss"] = [red](const json& c, DType) {
      return loss(make_shared<nn::SmoothL1Loss>(red(c), opt(c["options"], "beta", 1.0)));
    };
    f["HuberLoss"] = [red](const json& c, DType) {
      return loss(make_shared<nn::HuberLoss>(red(c), opt(c["options"], "delta", 1.0)));
    };
    f["BCELoss"] = [red](const json& c, DType dt) {
      return loss(make_shared<nn::BCELoss>(opt_tensor(c["options"], "weight", dt), red(c)));
    };
    f["BCEWithLogitsLoss"] = [red](const json& c, DType dt) {
      const json& o = c["options"];
      return loss(make_shared<nn::BCEWithLogitsLoss>(opt_tensor(o, "weight", dt), red(c),
                                                     opt_tensor(o, "pos_weight", dt)));
    };
    f["CrossEntropyLoss"] = [red](const json& c, DType dt) {
      const json& o = c["options"];
      return loss(make_shared<nn::CrossEntropyLoss>(
          nn::CrossEntropyLossOptions{.weight = opt_tensor(o, "weight", dt),
                                      .ignore_index = opt<int64_t>(o, "ignore_index", -100),
                                      .reduction = red(c),
                                      .label_smoothing = opt(o, "label_smoothing", 0.0)}));
    };
    f["NLLLoss"] = [red](const json& c, DType dt) {
      const json& o = c["options"];
      return loss(make_shared<nn::NLLLoss>(opt_tensor(o, "weight", dt), opt<int64_t>(o, "ignore_index", -100),
                                           red(c)));
    };
    f["KLDivLoss"] = [red](const json& c, DType) {
      return loss(make_shared<nn::KLDivLoss>(red(c), opt(c["options"], "log_target", false)));
    };
    return f;
  }();
  return table;
}

}  // namespace detail

inline bool known_kind(const std::string& kind) { return detail::factories().count(kind) > 0; }

// The case's module in its mode ("train"/"eval"), floating parameters and buffers in `dtype`, with the
// case's state_dict loaded. The load is not strict so that a naming difference is reported by the caller
// (through `names`: keys missing in PyTorch's state or unexpected by nabla) without hiding the numbers.
inline Built build(const json& c, DType dtype, nn::LoadResult* names = nullptr) {
  Built b = detail::factories().at(c["kind"].get<std::string>())(c, dtype);
  b.module->to(dtype);
  b.module->train(c["mode"] == "train");
  if (c.contains("state")) {
    nn::NamedTensors state;
    for (const json& kv : c["state"])
      state.emplace_back(kv[0].get<std::string>(), golden::tensor_from_json(kv[1]));
    nn::LoadResult r = b.module->load_state_dict(state, /*strict=*/false);
    if (names) *names = r;
  }
  return b;
}

// The case's inputs (floating ones in `dtype`); those PyTorch differentiated require grad.
inline TensorList inputs_of(const json& c, DType dtype) {
  TensorList in;
  for (size_t k = 0; k < c["inputs"].size(); ++k) {
    const json& j = c["inputs"][k];
    if (j.is_null()) {
      in.emplace_back();
      continue;
    }
    const bool floating = j["dtype"] != "int64";
    Tensor t = golden::tensor_from_json(j, floating ? std::optional(dtype) : std::nullopt);
    if (!c["grads"][k].is_null()) t.requires_grad_(true);
    in.push_back(t);
  }
  return in;
}

// Tests are parameterized by case name ("LSTM/l2_bidir_h0"), a readable and stable CTest name.
inline const json& case_named(const std::string& name) {
  for (const json& c : all_cases())
    if (c["name"] == name) return c;
  throw ValueError("modules.json: no case " + name);
}
inline std::string test_name(const ::testing::TestParamInfo<std::string>& p) {
  std::string s = p.param;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

inline bool is_mask_case(const json& c) { return c.value("check", "") == "dropout_mask"; }

}  // namespace nabla::modcases
