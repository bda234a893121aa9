// view_inplace_test.cpp — in-place writes into views of graph tensors (PyTorch's CopySlices, issue #17
// item 6): values and gradients against PyTorch (tests/golden/view_inplace.json, written by
// gen_view_inplace_golden.py, whose functions these mirror case by case), float64 gradcheck and
// gradgradcheck of the same cases, and PyTorch's refusals and saved-tensor errors.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <functional>
#include <map>
#include <string>

#include "golden/golden_json.h"

namespace nabla {
namespace {

using Inputs = std::map<std::string, Tensor>;
using CaseFn = std::function<Tensor(const Inputs&)>;
const Tensor kIdx02 = tensor({int64_t{0}, int64_t{2}});

// Each case as in gen_view_inplace_golden.py (same name, same steps); the result is y.
const std::map<std::string, CaseFn>& cases() {
  static const std::map<std::string, CaseFn> m = {
      {"narrow_copy",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 2;
         y.narrow(0, 1, 2).copy_(in.at("w"));
         return y;
       }},
      {"select_fill",
       [](const Inputs& in) {
         Tensor y = in.at("x").sin();
         y.select(1, 2).fill_(0.5);
         return y * y;
       }},
      {"narrow_of_select",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1.5;
         y.select(0, 1).narrow(0, 1, 3).mul_(in.at("w"));
         return y;
       }},
      {"index_put_slice",
       [](const Inputs& in) {
         Tensor y = in.at("x").cos();
         y.index_put_({Slice(1, 3)}, in.at("w"));
         return y;
       }},
      {"index_put_step",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1;
         y.index_put_({Slice(), Slice(None, None, 2)}, in.at("w"));
         return y;
       }},
      {"index_put_tensor",
       [](const Inputs& in) {
         Tensor y = in.at("x").sin();
         y.index_put_({kIdx02}, in.at("w"));
         return y;
       }},
      {"index_put_int_tensor",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 3;
         y.index_put_({1, tensor({int64_t{0}, int64_t{3}})}, in.at("w"));
         return y;
       }},
      {"index_put_scalar_value",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1;
         y.index_put_({2, 1}, in.at("w"));
         return y;
       }},
      {"multiple_writes",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1;
         y.narrow(1, 0, 2).mul_(in.at("w1"));
         y.select(0, 0).add_(in.at("w2"));
         y.index_put_({2, 3}, 7.0);
         return y * y;
       }},
      {"plain_base",
       [](const Inputs& in) {
         Tensor y = zeros({3, 4}, {.dtype = kFloat64});
         y.narrow(0, 0, 2).copy_(in.at("w").tanh());
         return y;
       }},
      {"overlapping_views",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1;
         Tensor a = y.slice(0, 0, 2), b = y.slice(0, 1, 3);
         a.mul_(2);
         return b;
       }},
      {"base_write_seen_by_view",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1;
         Tensor v = y.t();
         y.mul_(in.at("w"));
         return v;
       }},
      {"transposed_view_write",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1;
         y.t().narrow(0, 1, 2).add_(in.at("w"));
         return y;
       }},
      {"reshaped_view_write",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1;
         y.view({3, 4}).select(1, 0).mul_(in.at("w"));
         return y;
       }},
      {"expanded_view_after_write",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1;
         Tensor e = y.expand({3, 4});
         y.mul_(2);
         return e * e;
       }},
      {"value_is_view_of_base",
       [](const Inputs& in) {
         Tensor y = in.at("x") * 1;
         y.index_put_({0}, y.select(0, 2) * 2);
         return y;
       }},
  };
  return m;
}

Tensor from_json(const nlohmann::json& j) {
  auto data = j["data"].get<std::vector<double>>();
  const auto shape = j["shape"].get<std::vector<int64_t>>();
  return from_blob(data.data(), shape, kFloat64).clone();
}

void expect_equal(const Tensor& got, const nlohmann::json& want, const std::string& what) {
  Tensor w = from_json(want);
  ASSERT_EQ(got.sizes(), w.sizes()) << what;
  EXPECT_TRUE(allclose(got, w, 1e-12, 1e-12)) << what << ": " << got << "\nvs PyTorch\n" << w;
}

TEST(ViewInplace, ValuesAndGradientsMatchPyTorch) {
  const auto file = golden_io::load_json("view_inplace.json");
  ASSERT_EQ(file["cases"].size(), cases().size());
  for (const auto& c : file["cases"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    ASSERT_TRUE(cases().count(name)) << "no C++ steps for case " << name;
    Inputs in;
    for (const auto& [k, v] : c["inputs"].items())
      in[k] = k == "c" ? from_json(v) : from_json(v).requires_grad_();
    try {
      Tensor y = cases().at(name)(in);
      expect_equal(y, c["out"], "out");
      (y * in.at("c")).sum().backward();
      for (const auto& [k, v] : c["grads"].items()) expect_equal(in.at(k).grad(), v, "grad of " + k);
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

TEST(ViewInplace, Gradcheck) {
  const auto file = golden_io::load_json("view_inplace.json");
  for (const auto& c : file["cases"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(name);
    std::vector<std::string> keys;
    TensorList xs;
    for (const auto& [k, v] : c["inputs"].items())
      if (k != "c") {
        keys.push_back(k);
        xs.push_back(from_json(v).requires_grad_());
      }
    auto fn = [&](const TensorList& args) {
      Inputs in;
      for (size_t i = 0; i < keys.size(); ++i) in[keys[i]] = args[i];
      return TensorList{cases().at(name)(in)};
    };
    try {
      EXPECT_TRUE(gradcheck(fn, xs));
      EXPECT_TRUE(gradgradcheck(fn, xs));
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

TEST(ViewInplace, GradFnNamesLikePyTorch) {
  // y=x*1; v=y.narrow(0,1,2); v.mul_(2) -> y.grad_fn CopySlices, v.grad_fn AsStridedBackward0,
  // y.grad_fn.next_functions ((MulBackward0, 0), (None, 0)) (the write's value needs no grad here)
  Tensor x = randn({3, 4}, {.dtype = kFloat64}).requires_grad_();
  Tensor y = x * 1;
  Tensor v = y.narrow(0, 1, 2);
  EXPECT_EQ(v.grad_fn()->name(), "SliceBackward0");
  v.mul_(2);
  EXPECT_EQ(y.grad_fn()->name(), "CopySlices");
  EXPECT_EQ(v.grad_fn()->name(), "AsStridedBackward0");
  // A fresh view of the modified base is an ordinary view again: y[1:3].grad_fn -> SliceBackward0.
  EXPECT_EQ(y.slice(0, 1, 3).grad_fn()->name(), "SliceBackward0");
  // y=torch.zeros(4); y[1:3]=w -> y.grad_fn CopySlices, y.requires_grad True
  Tensor w = ones({2}, {.dtype = kFloat64}).requires_grad_();
  Tensor z = zeros({4}, {.dtype = kFloat64});
  z.index_put_({Slice(1, 3)}, w);
  EXPECT_TRUE(z.requires_grad());
  EXPECT_EQ(z.grad_fn()->name(), "CopySlices");
}

TEST(ViewInplace, AssigningToATemporaryWritesIntoIt) {
  // y=x*1; y[1:3]=w; y[0,0]=1.5 (LibTorch: y.index({Slice(1,3)}) = w; y.index({0, 0}) = 1.5)
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, {.dtype = kFloat64}).reshape({3, 2}).requires_grad_();
  Tensor w = tensor({7.0, 8.0}, {.dtype = kFloat64}).requires_grad_();
  Tensor y = x * 1;
  y.index({Slice(1, 3)}) = w;
  y.index({0, 0}) = 1.5;
  EXPECT_EQ(y.to_vector(), (std::vector<double>{1.5, 2, 7, 8, 7, 8}));
  (y * y).sum().backward();
  // x.grad [[0,4],[0,0],[0,0]], w.grad [28, 32]
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{0, 4, 0, 0, 0, 0}));
  EXPECT_EQ(w.grad().to_vector(), (std::vector<double>{28, 32}));
  // An lvalue is rebound, not written: b = a shares a's data and leaves b's old data alone.
  Tensor a = ones({2}), b = zeros({2}), old_b = b;
  b = a;
  EXPECT_TRUE(b.is_same(a));
  EXPECT_EQ(old_b.to_vector(), (std::vector<double>{0, 0}));
}

template <typename F>
void expect_autograd_error(F&& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no AutogradError; expected one containing: " << fragment;
  } catch (const AutogradError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(ViewInplace, RefusalsLikePyTorch) {
  Tensor x = randn({3, 4}).requires_grad_();
  // x[0].mul_(2) and x.narrow(0,0,1).copy_(...) -> RuntimeError: a view of a leaf Variable that requires
  // grad is being used in an in-place operation.
  const std::string leaf_view = "a view of a leaf Variable that requires grad is being used in an in-place";
  expect_autograd_error([&] { x.select(0, 0).mul_(2); }, leaf_view);
  expect_autograd_error([&] { x.narrow(0, 0, 1).copy_(ones({1, 4})); }, leaf_view);
  expect_autograd_error([&] { x.index_put_({Slice(0, 2)}, 1.0); }, leaf_view);
  // Under no_grad the same write is allowed.
  {
    NoGradGuard ng;
    x.select(0, 0).mul_(1);
  }
  // with torch.no_grad(): v = y[1:3]  then v.copy_(w) -> "A view was created in no_grad mode and is being
  // modified inplace with grad mode enabled. ..."
  Tensor y = zeros({4});
  Tensor v;
  {
    NoGradGuard ng;
    v = y.slice(0, 1, 3);
  }
  expect_autograd_error(
      [&] { v.copy_(ones({2}).requires_grad_()); },
      "A view was created in no_grad mode and is being modified inplace with grad mode enabled");
  // a, b = (x*1).split(2); a.mul_(2) -> "Output 0 of SplitBackward0 is a view and is being modified
  // inplace. This view is the output of a function that returns multiple views. ..."; unbind likewise.
  expect_autograd_error([&] { (x * 1).split(2)[0].mul_(2); },
                        "Output 0 of SplitBackward0 is a view and is being modified inplace");
  expect_autograd_error([&] { (x * 1).chunk(2)[1].mul_(2); },
                        "Output 1 of SplitBackward0 is a view and is being modified inplace");
  expect_autograd_error([&] { (x * 1).unbind(0)[0].mul_(2); },
                        "Output 0 of UnbindBackward0 is a view and is being modified inplace");
  // y=x*1; a,b=y.split(2); y.mul_(2); a.grad_fn -> "Output 0 of SplitBackward0 is a view and its base or
  // another view of its base has been modified inplace. ..."
  Tensor y2 = x * 1;
  Tensor a = y2.split(2)[0];
  y2.mul_(2);
  expect_autograd_error([&] { a.grad_fn(); },
                        "its base or another view of its base has been modified inplace");
  // Writing through an expanded view: "unsupported operation: more than one element of the written-to
  // tensor refers to a single memory location."
  Tensor e = (x.select(0, 0) * 1).expand({3, 4});
  EXPECT_THROW(e.mul_(2), ValueError);
}

TEST(ViewInplace, SavedTensorModifiedLikePyTorch) {
  Tensor x = randn({3, 4}).requires_grad_();
  // y=x*1; z=y.sin(); y[1].zero_(); z.sum().backward() -> "one of the variables needed for gradient
  // computation has been modified by an inplace operation: ... is at version 1; expected version 0"
  {
    Tensor y = x * 1;
    Tensor z = y.sin();
    y.select(0, 1).zero_();
    expect_autograd_error([&] { z.sum().backward(); }, "is at version 1; expected version 0 instead");
  }
  // y=x*2; z=y*y; y.narrow(1,0,2).fill_(1); z.sum().backward() -> the same error
  {
    Tensor y = x * 2;
    Tensor z = y * y;
    y.narrow(1, 0, 2).fill_(1);
    expect_autograd_error([&] { z.sum().backward(); }, "modified by an inplace operation");
  }
  // y=x*1; z=y.exp(); y[0].mul_(2); z.sum().backward() -> fine (exp saved its result, not y):
  // x.grad == exp(x)
  {
    Tensor y = x * 1;
    Tensor z = y.exp();
    y.select(0, 0).mul_(2);
    z.sum().backward();
    EXPECT_TRUE(allclose(x.grad(), x.detach().exp()));
  }
}

TEST(ViewInplace, CopyAndFillKeepInfinities) {
  // y=torch.tensor([inf,1.])*1 (a graph tensor); y.copy_(w) -> w's values, not NaN; same for fill_.
  Tensor x = tensor({INFINITY, 1.0}, {.dtype = kFloat64}).requires_grad_();
  Tensor w = tensor({2.0, 3.0}, {.dtype = kFloat64}).requires_grad_();
  Tensor y = x * 1;
  y.copy_(w);
  EXPECT_EQ(y.to_vector(), (std::vector<double>{2, 3}));
  Tensor z = x * 1;
  z.fill_(4);
  EXPECT_EQ(z.to_vector(), (std::vector<double>{4, 4}));
  (y.sum() + z.sum()).backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{0, 0}));
  EXPECT_EQ(w.grad().to_vector(), (std::vector<double>{1, 1}));
}

}  // namespace
}  // namespace nabla
