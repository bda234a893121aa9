// print_test.cpp — Tensor::str() against PyTorch 1.13's repr(tensor). Every expectation was copied from
// the output of tests/tensor/print_cases.py run with Debian's python3-torch (/usr/bin/python3); the
// test names are the case names there, and the Python expression is the comment above each check.
#include <gtest/gtest.h>

#include <limits>
#include <sstream>

#include "nabla/ops/ops.h"
#include "nabla/tensor/tensor.h"

namespace nabla {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor leaf() { return ones({2}).requires_grad_(); }  // torch.ones(2, requires_grad=True)

// ---- float32: integer, fixed and scientific modes ----

TEST(TensorPrint, IntegralFloats2d) {
  // torch.tensor([[1., 2.], [3., 4.]])
  EXPECT_EQ(tensor({{1., 2.}, {3., 4.}}).str(),
            "tensor([[1., 2.],\n"
            "        [3., 4.]])");
}

TEST(TensorPrint, Zeros2x3) {
  // torch.zeros(2, 3)
  EXPECT_EQ(zeros({2, 3}).str(),
            "tensor([[0., 0., 0.],\n"
            "        [0., 0., 0.]])");
}

TEST(TensorPrint, FixedFourDecimals) {
  // torch.tensor([0.12345, 1.5, -2.25])
  EXPECT_EQ(tensor({0.12345, 1.5, -2.25}).str(), "tensor([ 0.1235,  1.5000, -2.2500])");
}

TEST(TensorPrint, Linspace) {
  // torch.linspace(0, 1, 5)
  EXPECT_EQ(linspace(0, 1, 5).str(), "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])");
}

TEST(TensorPrint, FixedWide) {
  // torch.tensor([123.456, 0.5, -7.])
  EXPECT_EQ(tensor({123.456, 0.5, -7.}).str(), "tensor([123.4560,   0.5000,  -7.0000])");
}

TEST(TensorPrint, SciByRatio) {
  // torch.tensor([1e5, 1.5])
  EXPECT_EQ(tensor({1e5, 1.5}).str(), "tensor([1.0000e+05, 1.5000e+00])");
}

TEST(TensorPrint, SciBySmallMin) {
  // torch.tensor([1e-5, 1.])
  EXPECT_EQ(tensor({1e-5, 1.}).str(), "tensor([1.0000e-05, 1.0000e+00])");
}

TEST(TensorPrint, SciIntegralByMax) {
  // torch.tensor([1e9, 1.])
  EXPECT_EQ(tensor({1e9, 1.}).str(), "tensor([1.0000e+09, 1.0000e+00])");
}

TEST(TensorPrint, SciHugeExponent) {
  // torch.tensor([1e30, -1e-30])
  EXPECT_EQ(tensor({1e30, -1e-30}).str(), "tensor([ 1.0000e+30, -1.0000e-30])");
}

// ---- nan, inf, -0 ----

TEST(TensorPrint, NanInfFixed) {
  // torch.tensor([nan, 1.5, inf, -inf])
  EXPECT_EQ(tensor({kNan, 1.5, kInf, -kInf}).str(), "tensor([   nan, 1.5000,    inf,   -inf])");
}

TEST(TensorPrint, NanInfIntegral) {
  // torch.tensor([nan, 2., -inf])
  EXPECT_EQ(tensor({kNan, 2., -kInf}).str(), "tensor([nan, 2., -inf])");
}

TEST(TensorPrint, AllNan) {
  // torch.tensor([nan, nan])
  EXPECT_EQ(tensor({kNan, kNan}).str(), "tensor([nan, nan])");
}

TEST(TensorPrint, NegativeZero) {
  // torch.tensor([-0., 0., 2.])
  EXPECT_EQ(tensor({-0., 0., 2.}).str(), "tensor([-0., 0., 2.])");
}

// ---- integral and bool dtypes, dtype suffixes ----

TEST(TensorPrint, Int64Plain) {
  // torch.tensor([1, 2, 3])
  EXPECT_EQ(tensor({1, 2, 3}).str(), "tensor([1, 2, 3])");
}

TEST(TensorPrint, Int32AlignedWithSuffix) {
  // torch.tensor([-10, 200, 3], dtype=torch.int32)
  EXPECT_EQ(tensor({-10, 200, 3}, {.dtype = kInt32}).str(), "tensor([-10, 200,   3], dtype=torch.int32)");
}

TEST(TensorPrint, UInt8Suffix) {
  // torch.tensor([1, 2, 255], dtype=torch.uint8)
  EXPECT_EQ(tensor({1, 2, 255}, {.dtype = kUInt8}).str(), "tensor([  1,   2, 255], dtype=torch.uint8)");
}

TEST(TensorPrint, Bool) {
  // torch.tensor([True, False, True])
  EXPECT_EQ(tensor({true, false, true}).str(), "tensor([ True, False,  True])");
}

TEST(TensorPrint, Float64Sci) {
  // torch.tensor([1e-8, 2.5, -3e3], dtype=torch.float64)
  EXPECT_EQ(tensor({1e-8, 2.5, -3e3}, {.dtype = kFloat64}).str(),
            "tensor([ 1.0000e-08,  2.5000e+00, -3.0000e+03], dtype=torch.float64)");
}

// ---- 0-dim ----

TEST(TensorPrint, ScalarFloat) {
  // torch.tensor(3.)
  EXPECT_EQ(tensor(3.).str(), "tensor(3.)");
}

TEST(TensorPrint, ScalarFloat64) {
  // torch.tensor(3.5, dtype=torch.float64)
  EXPECT_EQ(scalar_tensor(3.5, {.dtype = kFloat64}).str(), "tensor(3.5000, dtype=torch.float64)");
}

TEST(TensorPrint, ScalarInt) {
  // torch.tensor(7)
  EXPECT_EQ(tensor(7).str(), "tensor(7)");
}

TEST(TensorPrint, ScalarBool) {
  // torch.tensor(True)
  EXPECT_EQ(tensor(true).str(), "tensor(True)");
}

// ---- empty ----

TEST(TensorPrint, Empty1d) {
  // torch.zeros(0)  (same as torch.tensor([]))
  EXPECT_EQ(zeros({0}).str(), "tensor([])");
}

TEST(TensorPrint, Empty2d) {
  // torch.zeros(0, 3)
  EXPECT_EQ(zeros({0, 3}).str(), "tensor([], size=(0, 3))");
}

TEST(TensorPrint, EmptyInt64) {
  // torch.zeros(0, dtype=torch.int64)
  EXPECT_EQ(zeros({0}, {.dtype = kInt64}).str(), "tensor([], dtype=torch.int64)");
}

TEST(TensorPrint, EmptyBool2d) {
  // torch.zeros(0, 2, dtype=torch.bool)
  EXPECT_EQ(zeros({0, 2}, {.dtype = kBool}).str(), "tensor([], size=(0, 2), dtype=torch.bool)");
}

// ---- layout: wrapping, several dims, views ----

TEST(TensorPrint, WrapLongVector) {
  // torch.arange(30.)
  EXPECT_EQ(arange(30.).str(),
            "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
            "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
            "        28., 29.])");
}

TEST(TensorPrint, WrapRowsOf2d) {
  // torch.arange(40.).reshape(2, 20) / 7
  EXPECT_EQ((arange(40.).reshape({2, 20}) / 7).str(),
            "tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
            "         1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
            "         2.5714, 2.7143],\n"
            "        [2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143, 3.8571, 4.0000,\n"
            "         4.1429, 4.2857, 4.4286, 4.5714, 4.7143, 4.8571, 5.0000, 5.1429, 5.2857,\n"
            "         5.4286, 5.5714]])");
}

TEST(TensorPrint, ThreeDims) {
  // torch.arange(24).reshape(2, 3, 4)
  EXPECT_EQ(arange(24).reshape({2, 3, 4}).str(),
            "tensor([[[ 0,  1,  2,  3],\n"
            "         [ 4,  5,  6,  7],\n"
            "         [ 8,  9, 10, 11]],\n"
            "\n"
            "        [[12, 13, 14, 15],\n"
            "         [16, 17, 18, 19],\n"
            "         [20, 21, 22, 23]]])");
}

TEST(TensorPrint, Transposed) {
  // torch.arange(6.).reshape(2, 3).t()
  EXPECT_EQ(arange(6.).reshape({2, 3}).t().str(),
            "tensor([[0., 3.],\n"
            "        [1., 4.],\n"
            "        [2., 5.]])");
}

TEST(TensorPrint, Float64SuffixWraps) {
  // torch.arange(12, dtype=torch.float64) / 3
  EXPECT_EQ((arange(12, {.dtype = kFloat64}) / 3).str(),
            "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
            "        3.0000, 3.3333, 3.6667], dtype=torch.float64)");
}

TEST(TensorPrint, SuffixOnNewLine) {
  // torch.arange(9, dtype=torch.float64) / 3
  EXPECT_EQ((arange(9, {.dtype = kFloat64}) / 3).str(),
            "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667],\n"
            "       dtype=torch.float64)");
}

// ---- summarization (numel > 1000) ----

TEST(TensorPrint, SummarizeVector) {
  // torch.arange(2000)
  EXPECT_EQ(arange(2000).str(), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
}

TEST(TensorPrint, SummarizeMatrix) {
  // torch.arange(2000.).reshape(40, 50)
  EXPECT_EQ(arange(2000.).reshape({40, 50}).str(),
            "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n"
            "         4.9000e+01],\n"
            "        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n"
            "         9.9000e+01],\n"
            "        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n"
            "         1.4900e+02],\n"
            "        ...,\n"
            "        [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,\n"
            "         1.8990e+03],\n"
            "        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,\n"
            "         1.9490e+03],\n"
            "        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,\n"
            "         1.9990e+03]])");
}

TEST(TensorPrint, SummarizeOnlyLongDim) {
  // torch.arange(3000.).reshape(1000, 3) / 4
  EXPECT_EQ((arange(3000.).reshape({1000, 3}) / 4).str(),
            "tensor([[0.0000e+00, 2.5000e-01, 5.0000e-01],\n"
            "        [7.5000e-01, 1.0000e+00, 1.2500e+00],\n"
            "        [1.5000e+00, 1.7500e+00, 2.0000e+00],\n"
            "        ...,\n"
            "        [7.4775e+02, 7.4800e+02, 7.4825e+02],\n"
            "        [7.4850e+02, 7.4875e+02, 7.4900e+02],\n"
            "        [7.4925e+02, 7.4950e+02, 7.4975e+02]])");
}

TEST(TensorPrint, SummarizeThreeDims) {
  // torch.arange(1200).reshape(10, 10, 12)
  EXPECT_EQ(arange(1200).reshape({10, 10, 12}).str(),
            "tensor([[[   0,    1,    2,  ...,    9,   10,   11],\n"
            "         [  12,   13,   14,  ...,   21,   22,   23],\n"
            "         [  24,   25,   26,  ...,   33,   34,   35],\n"
            "         ...,\n"
            "         [  84,   85,   86,  ...,   93,   94,   95],\n"
            "         [  96,   97,   98,  ...,  105,  106,  107],\n"
            "         [ 108,  109,  110,  ...,  117,  118,  119]],\n"
            "\n"
            "        [[ 120,  121,  122,  ...,  129,  130,  131],\n"
            "         [ 132,  133,  134,  ...,  141,  142,  143],\n"
            "         [ 144,  145,  146,  ...,  153,  154,  155],\n"
            "         ...,\n"
            "         [ 204,  205,  206,  ...,  213,  214,  215],\n"
            "         [ 216,  217,  218,  ...,  225,  226,  227],\n"
            "         [ 228,  229,  230,  ...,  237,  238,  239]],\n"
            "\n"
            "        [[ 240,  241,  242,  ...,  249,  250,  251],\n"
            "         [ 252,  253,  254,  ...,  261,  262,  263],\n"
            "         [ 264,  265,  266,  ...,  273,  274,  275],\n"
            "         ...,\n"
            "         [ 324,  325,  326,  ...,  333,  334,  335],\n"
            "         [ 336,  337,  338,  ...,  345,  346,  347],\n"
            "         [ 348,  349,  350,  ...,  357,  358,  359]],\n"
            "\n"
            "        ...,\n"
            "\n"
            "        [[ 840,  841,  842,  ...,  849,  850,  851],\n"
            "         [ 852,  853,  854,  ...,  861,  862,  863],\n"
            "         [ 864,  865,  866,  ...,  873,  874,  875],\n"
            "         ...,\n"
            "         [ 924,  925,  926,  ...,  933,  934,  935],\n"
            "         [ 936,  937,  938,  ...,  945,  946,  947],\n"
            "         [ 948,  949,  950,  ...,  957,  958,  959]],\n"
            "\n"
            "        [[ 960,  961,  962,  ...,  969,  970,  971],\n"
            "         [ 972,  973,  974,  ...,  981,  982,  983],\n"
            "         [ 984,  985,  986,  ...,  993,  994,  995],\n"
            "         ...,\n"
            "         [1044, 1045, 1046,  ..., 1053, 1054, 1055],\n"
            "         [1056, 1057, 1058,  ..., 1065, 1066, 1067],\n"
            "         [1068, 1069, 1070,  ..., 1077, 1078, 1079]],\n"
            "\n"
            "        [[1080, 1081, 1082,  ..., 1089, 1090, 1091],\n"
            "         [1092, 1093, 1094,  ..., 1101, 1102, 1103],\n"
            "         [1104, 1105, 1106,  ..., 1113, 1114, 1115],\n"
            "         ...,\n"
            "         [1164, 1165, 1166,  ..., 1173, 1174, 1175],\n"
            "         [1176, 1177, 1178,  ..., 1185, 1186, 1187],\n"
            "         [1188, 1189, 1190,  ..., 1197, 1198, 1199]]])");
}

// ---- autograd suffixes ----

TEST(TensorPrint, RequiresGrad) {
  // torch.ones(2, requires_grad=True)
  EXPECT_EQ(leaf().str(), "tensor([1., 1.], requires_grad=True)");
}

TEST(TensorPrint, RequiresGradFloat64) {
  // torch.ones(2, dtype=torch.float64, requires_grad=True)
  EXPECT_EQ(ones({2}, {.dtype = kFloat64}).requires_grad_().str(),
            "tensor([1., 1.], dtype=torch.float64, requires_grad=True)");
}

TEST(TensorPrint, GradFnAdd) {
  // torch.ones(2, requires_grad=True) + 1
  EXPECT_EQ((leaf() + 1).str(), "tensor([2., 2.], grad_fn=<AddBackward0>)");
}

TEST(TensorPrint, GradFnMul) {
  // torch.ones(2, requires_grad=True) * torch.ones(2, requires_grad=True)
  EXPECT_EQ((leaf() * leaf()).str(), "tensor([1., 1.], grad_fn=<MulBackward0>)");
}

// ---- operator<< and toString (nabla's own; toString follows LibTorch's capitalised dtype) ----

TEST(TensorPrint, StreamMatchesStr) {
  Tensor t = tensor({{1., 2.}, {3., 4.}});
  std::ostringstream os;
  os << t;
  EXPECT_EQ(os.str(), t.str());
}

TEST(TensorPrint, ToString) {
  EXPECT_EQ(zeros({2, 3}).toString(), "Float32 [2, 3]");
  EXPECT_EQ(tensor(7).toString(), "Int64 []");
  EXPECT_EQ(zeros({4}, {.dtype = kUInt8}).toString(), "UInt8 [4]");
  EXPECT_EQ(zeros({0, 1}, {.dtype = kFloat64}).toString(), "Float64 [0, 1]");
}

TEST(TensorPrint, Undefined) {
  EXPECT_EQ(Tensor().str(), "[ Tensor (undefined) ]");
  EXPECT_EQ(Tensor().toString(), "Undefined");
}

}  // namespace
}  // namespace nabla
