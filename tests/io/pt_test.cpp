// pt_test.cpp — save_pt / load_pt round trips (dtypes, shared storages, nested values, integers at
// every encoding boundary), optimizer state both ways, safetensors conversion both ways, and the errors
// of writing. Files from PyTorch: pt_golden_test.cpp; hostile files: pt_adversarial_test.cpp; PyTorch
// reading nabla's files: tests/io/pt_torch_check.py (CTest io_pt_torch_load).
#include <gtest/gtest.h>

#include "io/io_test_util.h"
#include "io/pt_test_util.h"
#include "nabla/nn/nn.h"
#include "nabla/optim/optim.h"

namespace nabla::io::test {
namespace {

bool same_values(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.sizes() != b.sizes()) return false;
  const Tensor x = a.detach().to(kFloat64), y = b.detach().to(kFloat64);
  return x.eq(y).logical_or(x.isnan().logical_and(y.isnan())).all().item<bool>();
}

NamedTensors every_dtype() {
  return {{"f32", tensor({1.5f, -2.0f, NAN})},
          {"f64", tensor({1e300, -0.0})},
          {"f16", tensor({0.5, 65504.0}).to(kFloat16)},
          {"bf16", tensor({1.0, -3.140625}).to(kBFloat16)},
          {"i64", tensor({int64_t{-1} << 62, int64_t{7}})},
          {"i32", tensor({-5, 2147483647}).to(kInt32)},
          {"u8", tensor({0, 255}).to(kUInt8)},
          {"bool", tensor({true, false})},
          {"scalar", full({}, 2.5)},
          {"empty", zeros({0, 3})}};
}

TEST(Pt, EveryDtypeRoundTrips) {
  TempDir dir;
  save_pt(dir.file("d.pt"), every_dtype());
  EXPECT_EQ(dir.list(), std::vector<std::string>{"d.pt"});  // written atomically: no temporary left
  const PtValue v = load_pt(dir.file("d.pt"));
  ASSERT_TRUE(v.is_ordered_dict());  // a state_dict is an OrderedDict, as torch.save writes it
  ASSERT_EQ(v.size(), every_dtype().size());
  for (const auto& [name, t] : every_dtype()) EXPECT_TRUE(same_values(v.at(name).to_tensor(), t)) << name;
  EXPECT_EQ(detect_format(dir.file("d.pt")), FileFormat::PtZip);
}

TEST(Pt, SharedStoragesStayShared) {
  TempDir dir;
  const Tensor base = arange(12, {.dtype = kFloat32});
  const Tensor rows = base.view({3, 4}), col = rows.select(1, 2), t = rows.t();
  save_pt(dir.file("s.pt"), PtValue::list({base, col, t, rows.narrow(0, 1, 2), base}));
  detail::PtArchive archive(detail::ByteSource::file(dir.file("s.pt")));
  EXPECT_EQ(archive.storages().size(), 1u);  // one storage written once
  const PtValue v = load_pt(dir.file("s.pt"));
  const auto& items = v.items();
  for (const auto& item : items)
    EXPECT_EQ(item.to_tensor().impl()->storage(), items[0].to_tensor().impl()->storage());
  EXPECT_TRUE(items[4].to_tensor().is_same(items[0].to_tensor()));  // one tensor saved twice stays one
  EXPECT_EQ(items[1].to_tensor().storage_offset(), 2);
  EXPECT_EQ(items[1].to_tensor().strides().vec(), std::vector<int64_t>{4});
  EXPECT_EQ(items[2].to_tensor().strides().vec(), (std::vector<int64_t>{1, 4}));
  EXPECT_TRUE(same_values(items[3].to_tensor(), rows.narrow(0, 1, 2)));
}

TEST(Pt, NestedValuesRoundTrip) {
  const std::vector<int64_t> ints = {0,          1,           255,       256,        65535,
                                     65536,      -1,          -256,      2147483647, INT32_MIN,
                                     2147483648, -2147483649, INT64_MAX, INT64_MIN,  int64_t{1} << 40};
  PtValue::Items numbers;
  for (int64_t i : ints) numbers.emplace_back(i);
  const PtValue v =
      PtValue::dict({{"ints", PtValue::list(numbers)},
                     {"floats", PtValue::tuple({0.1, -INFINITY, NAN, 1e-310})},
                     {"text", "caf\u00e9 \u2713"},
                     {"flags", PtValue::list({true, false, PtValue()})},
                     {7, PtValue::dict({{"deep", PtValue::list({PtValue::list({ones({2})})})}}, true)},
                     {"empty", PtValue::list({})},
                     {"long", PtValue::tuple({1, 2, 3, 4})}});
  TempDir dir;
  save_pt(dir.file("n.pt"), v);
  const PtValue r = load_pt(dir.file("n.pt"));
  for (size_t i = 0; i < ints.size(); ++i) EXPECT_EQ(r.at("ints").items()[i].to_int(), ints[i]) << ints[i];
  EXPECT_EQ(r.at("floats").kind(), PtValue::Kind::Tuple);
  EXPECT_EQ(r.at("floats").items()[0].to_double(), 0.1);
  EXPECT_EQ(r.at("floats").items()[1].to_double(), -INFINITY);
  EXPECT_TRUE(std::isnan(r.at("floats").items()[2].to_double()));
  EXPECT_EQ(r.at("floats").items()[3].to_double(), 1e-310);
  EXPECT_EQ(r.at("text").to_string(), "caf\u00e9 \u2713");
  EXPECT_TRUE(r.at("flags").items()[0].to_bool());
  EXPECT_TRUE(r.at("flags").items()[2].is_none());
  EXPECT_TRUE(r.at(7).is_ordered_dict());
  EXPECT_EQ(r.at(7).at("deep").items()[0].items()[0].to_tensor().sum().item<double>(), 2.0);
  EXPECT_EQ(r.at("long").size(), 4u);
  EXPECT_FALSE(r.is_ordered_dict());
  EXPECT_THROW(r.at("nope"), IndexError);
  EXPECT_THROW(r.at("text").to_int(), ValueError);
}

TEST(Pt, GoldenFilesRoundTripAndWritesAreDeterministic) {
  TempDir dir;
  for (const char* name : {"tensor", "state_dict", "views", "dtypes", "nested", "sgd", "adam", "parameter"}) {
    const PtValue v = load_pt(pt_golden(std::string(name) + ".pt"));
    save_pt(dir.file("a.pt"), v);
    save_pt(dir.file("b.pt"), load_pt(dir.file("a.pt")));
    EXPECT_EQ(read_bytes(dir.file("a.pt")), read_bytes(dir.file("b.pt"))) << name;
    const nlohmann::json want = pt_expected().at(name);
    if (std::string(name) == "dtypes") continue;  // int8/int16 come back as int32 (checked by matches)
    EXPECT_TRUE(matches(load_pt(dir.file("a.pt")), want)) << name;
  }
}

TEST(Pt, ModuleStateDictThroughAFile) {
  nn::Sequential a{nn::Linear(4, 3), nn::BatchNorm1d(3), nn::Linear(3, 2)};
  nn::Sequential b{nn::Linear(4, 3), nn::BatchNorm1d(3), nn::Linear(3, 2)};
  TempDir dir;
  save_pt(dir.file("m.pt"), a.state_dict());
  b.load_state_dict(load_state_dict(dir.file("m.pt")));
  for (const auto& [name, t] : a.state_dict()) EXPECT_TRUE(same_values(b.state_dict()[name], t)) << name;
  // The same entry point reads safetensors, by content whatever the name says.
  save_safetensors(dir.file("m.pt.weird"), a.state_dict());
  EXPECT_EQ(load_state_dict(dir.file("m.pt.weird")).size(), a.state_dict().size());
  write_bytes(dir.file("junk"), Bytes(64, 7));
  EXPECT_TRUE(throws_io_error([&] { load_state_dict(dir.file("junk")); }, {"junk", "byte 0", "neither"}));
}

TEST(Pt, OptimizerStateBothWays) {
  const Tensor w0 = tensor({1.0f, -2.0f, 0.5f}), g = tensor({0.1f, 0.2f, -0.3f});
  const auto trained = [&](optim::SGD& opt, Tensor& w) {
    w.mutable_grad() = g;
    opt.step();
  };
  Tensor w1 = w0.clone().requires_grad_(true), w2 = w0.clone().requires_grad_(true);
  optim::SGD a({w1}, {.lr = 0.1, .momentum = 0.9, .nesterov = true});
  trained(a, w1);
  const optim::OptimizerStateDict sd = a.state_dict();
  TempDir dir;
  save_pt(dir.file("o.pt"), optimizer_state_to_pt({sd.tensors, sd.json}));
  const PtValue v = load_pt(dir.file("o.pt"));
  EXPECT_EQ(v.at("param_groups").items()[0].at("momentum").to_double(), 0.9);
  EXPECT_TRUE(v.at("param_groups").items()[0].at("nesterov").to_bool());
  EXPECT_EQ(v.at("param_groups").items()[0].at("params").items()[0].to_int(), 0);
  EXPECT_TRUE(v.at("state").at(0).at("momentum_buffer").is_tensor());
  optim::SGD b({w2}, {.lr = 1.0});
  {
    NoGradGuard no_grad;
    w2.copy_(w1);
  }
  const PtOptimizerState back = optimizer_state_from_pt(v, "SGD");
  b.load_state_dict({back.tensors, back.json});
  trained(a, w1);
  trained(b, w2);
  EXPECT_TRUE(same_values(w1.detach(), w2.detach()));
  EXPECT_THROW(b.load_state_dict(
                   {optimizer_state_from_pt(v, "Adam").tensors, optimizer_state_from_pt(v, "Adam").json}),
               ValueError);  // PyTorch does not record the optimizer: the caller names it
  EXPECT_TRUE(
      throws_io_error([&] { optimizer_state_from_pt(PtValue(1), "SGD"); }, {"not an optimizer state_dict"}));
}

TEST(Pt, ConvertsToSafetensorsAndBack) {
  TempDir dir;
  // A state_dict becomes a plain safetensors file (no structure metadata).
  convert_file(pt_golden("state_dict.pt"), dir.file("sd.safetensors"));
  const SafetensorsFile sd = load_safetensors(dir.file("sd.safetensors"));
  EXPECT_TRUE(sd.metadata.empty());
  EXPECT_TRUE(sd.contains("1.num_batches_tracked"));
  convert_file(dir.file("sd.safetensors"), dir.file("sd.pt"));
  const NamedTensors a = load_state_dict(pt_golden("state_dict.pt")), b = load_state_dict(dir.file("sd.pt"));
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) EXPECT_TRUE(same_values(*b.find(name), t)) << name;
  // Anything else keeps its structure in the "nabla.pt" metadata: nested.pt comes back the same.
  for (const char* name : {"tensor", "sgd", "nested"}) {
    convert_file(pt_golden(std::string(name) + ".pt"), dir.file("x.safetensors"));
    convert_file(dir.file("x.safetensors"), dir.file("x.pth"));
    EXPECT_TRUE(matches(load_pt(dir.file("x.pth")), pt_expected().at(name))) << name;
  }
  EXPECT_EQ(load_safetensors(dir.file("x.safetensors")).metadata.count("nabla.pt"), 1u);
  // safetensors has no views: each becomes a tensor of its own, with the same values.
  convert_file(pt_golden("views.pt"), dir.file("v.safetensors"));
  const PtValue views = load_pt(pt_golden("views.pt"));
  for (const auto& [name, t] : load_safetensors(dir.file("v.safetensors")).tensors)
    EXPECT_TRUE(same_values(t, views.at(name).to_tensor())) << name;
  EXPECT_THROW(convert_file(pt_golden("tensor.pt"), dir.file("out.npz")), ValueError);
  EXPECT_TRUE(throws_io_error([&] { convert_file(pt_golden("expected.json"), dir.file("o.pt")); },
                              {"expected.json", "neither"}));
}

TEST(Pt, WritingRefusesWhatCannotBeRead) {
  TempDir dir;
  const std::string path = dir.file("bad.pt");
  EXPECT_THROW(save_pt(path, PtValue(Tensor())), ValueError);
  EXPECT_THROW(save_pt(path, PtValue(std::string("\xff\xfe"))), ValueError);
  PtValue deep = PtValue::list({});
  for (int i = 0; i < 150; ++i) deep = PtValue::list({deep});
  EXPECT_THROW(save_pt(path, deep), ValueError);
  EXPECT_THROW(PtValue::dict({{"a", 1}, {"a", 2}}), ValueError);
  EXPECT_THROW(PtValue::dict({{1.5, 1}}), ValueError);
  EXPECT_THROW(PtValue::dict({{PtValue(), 1}}), ValueError);
  EXPECT_EQ(dir.list(), std::vector<std::string>{});  // nothing written
}

}  // namespace
}  // namespace nabla::io::test
