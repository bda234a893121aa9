// pt_writer — writes .pt files with nabla for tests/io/pt_torch_check.py, which loads them with PyTorch
// (CTest io_pt_torch_load): pt_writer <dir> writes <dir>/<name>.pt and <dir>/manifest.json, what each
// holds in tests/golden/gen_pt_golden.py's encoding, plus the numbers the check recomputes with torch.
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"

using namespace nabla;
using Json = nlohmann::json;

namespace {

Json number(double x) {
  if (std::isfinite(x)) return x;
  return std::isnan(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

// gen_pt_golden.py's enc(), for nabla's values (int8/int16 never occur: nabla has no such dtype).
Json enc(const io::PtValue& v) {
  using Kind = io::PtValue::Kind;
  switch (v.kind()) {
    case Kind::None:
      return nullptr;
    case Kind::Bool:
      return v.to_bool();
    case Kind::Int:
      return Json{{"int", v.to_int()}};
    case Kind::Float:
      return Json{{"float", number(v.to_double())}};
    case Kind::String:
      return v.to_string();
    case Kind::Tensor: {
      const Tensor t = v.to_tensor().detach().to(kFloat64).contiguous().reshape({-1});
      Json data = Json::array();
      for (int64_t i = 0; i < t.numel(); ++i) data.push_back(number(t.data_ptr<double>()[i]));
      return Json{{"tensor",
                   {{"dtype", std::string(dtype_name(v.to_tensor().dtype()))},
                    {"shape", v.to_tensor().sizes().vec()},
                    {"data", data},
                    {"requires_grad", v.to_tensor().requires_grad()}}}};
    }
    case Kind::List:
    case Kind::Tuple: {
      Json a = Json::array();
      for (const auto& item : v.items()) a.push_back(enc(item));
      return Json{{v.kind() == Kind::List ? "list" : "tuple", a}};
    }
    case Kind::Dict: {
      Json a = Json::array();
      for (const auto& [k, x] : v.entries())
        a.push_back(Json::array({k.kind() == Kind::String ? Json(k.to_string()) : Json(k.to_int()), enc(x)}));
      return Json{{"dict", a}, {"ordered", v.is_ordered_dict()}};
    }
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pt_writer <dir>\n");
    return 2;
  }
  const std::string dir = argv[1];
  Json manifest;
  // name -> (value, whether it holds Python floats: torch 1.13's weights_only unpickler lacks BINFLOAT)
  const auto save = [&](const std::string& name, const io::PtValue& v, bool floats) {
    io::save_pt(dir + "/" + name + ".pt", v);
    manifest["files"][name] = {{"value", enc(v)}, {"floats", floats}};
  };
  manual_seed(0);
  save("tensor", arange(6, {.dtype = kFloat32}).reshape({2, 3}) * 0.25 - 0.5, false);

  nn::Sequential model{nn::Linear(4, 3), nn::BatchNorm1d(3), nn::ReLU(), nn::Linear(3, 2)};
  for (int i = 0; i < 2; ++i) model.forward(randn({5, 4}));  // running stats, num_batches_tracked = 2
  model.eval();
  const Tensor x = linspace(-2, 2, 8).reshape({2, 4});
  save("state_dict", io::to_pt(model.state_dict()), false);
  manifest["state_dict_forward"] = {{"input", enc(x)}, {"output", enc(model.forward(x).detach())}};

  const Tensor base = arange(20, {.dtype = kFloat32});
  save("views",
       io::PtValue::dict({{"base", base},
                          {"a", base.narrow(0, 2, 6).view({2, 3})},
                          {"b", base.narrow(0, 5, 10).view({5, 2}).select(1, 0)},
                          {"c", base.view({4, 5}).t()},
                          {"other", ones({2})}}),
       false);

  save("dtypes",
       io::PtValue::dict({{"float16", tensor({0.5, -1.5, 65504.0}).to(kFloat16)},
                          {"bfloat16", tensor({1.0, -3.140625}).to(kBFloat16)},
                          {"float64", tensor({1e-300, -2.5, INFINITY})},
                          {"float32", tensor({1.5f, NAN})},
                          {"int64", tensor({int64_t{-1} << 62, int64_t{5}})},
                          {"int32", tensor({-7, 7}).to(kInt32)},
                          {"uint8", tensor({0, 255}).to(kUInt8)},
                          {"bool", tensor({true, false})},
                          {"scalar", full({}, 3.5)},
                          {"empty", zeros({0, 3})}}),
       false);

  const Tensor shared = ones({3});
  save("nested_ints",
       io::PtValue::dict({{"epoch", 3},
                          {"name", "run-1 \u2713"},
                          {"flags", io::PtValue::list({true, false, io::PtValue()})},
                          {"shape", io::PtValue::tuple({2, 3})},
                          {"long_tuple", io::PtValue::tuple({1, 2, 3, 4, 5})},
                          {"big", int64_t{1} << 40},
                          {"tensors", io::PtValue::list({shared, shared, zeros({1}, {.dtype = kInt64})})},
                          {7, "an int key"},
                          {"deep", io::PtValue::dict({{"y", full({2}, 7.0)}}, /*ordered=*/true)}}),
       false);
  save("nested_floats",
       io::PtValue::dict({{"lr", 0.01}, {"nan", NAN}, {"pair", io::PtValue::tuple({1, -2.5})}}), true);

  // SGD with momentum after one step, and what one more step must give.
  std::vector<Tensor> params = {randn({2, 3}).requires_grad_(true), randn({3}).requires_grad_(true)};
  optim::SGD sgd(params, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
  for (int step = 0; step < 2; ++step) {
    if (step == 1) {
      const auto sd = sgd.state_dict();
      save("sgd", io::optimizer_state_to_pt({sd.tensors, sd.json}), true);
      io::PtValue::Items before, grads;
      for (const auto& p : params) before.emplace_back(p.detach().clone());
      manifest["sgd_step"]["params"] = enc(io::PtValue::list(before));
    }
    io::PtValue::Items grads;
    for (auto& p : params) {
      p.mutable_grad() = randn(p.sizes());
      grads.emplace_back(p.grad().clone());
    }
    if (step == 1) manifest["sgd_step"]["grads"] = enc(io::PtValue::list(grads));
    sgd.step();
  }
  io::PtValue::Items after;
  for (const auto& p : params) after.emplace_back(p.detach().clone());
  manifest["sgd_step"]["after"] = enc(io::PtValue::list(after));

  std::ofstream(dir + "/manifest.json") << manifest.dump(1) << "\n";
  return 0;
}
