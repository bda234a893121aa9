#!/usr/bin/python3
"""Prints PyTorch's repr() for each case of tests/tensor/print_test.cpp.

Run with Debian's PyTorch 1.13:  /usr/bin/python3 tests/tensor/print_cases.py
Each expectation in print_test.cpp was copied from this output; the test names match the keys here.
"""
import torch

nan, inf = float("nan"), float("inf")


def leaf():
    return torch.ones(2, requires_grad=True)


CASES = {
    "IntegralFloats2d": lambda: torch.tensor([[1., 2.], [3., 4.]]),
    "Zeros2x3": lambda: torch.zeros(2, 3),
    "FixedFourDecimals": lambda: torch.tensor([0.12345, 1.5, -2.25]),
    "Linspace": lambda: torch.linspace(0, 1, 5),
    "SciByRatio": lambda: torch.tensor([1e5, 1.5]),
    "SciBySmallMin": lambda: torch.tensor([1e-5, 1.]),
    "SciIntegralByMax": lambda: torch.tensor([1e9, 1.]),
    "Int64Plain": lambda: torch.tensor([1, 2, 3]),
    "Int32AlignedWithSuffix": lambda: torch.tensor([-10, 200, 3], dtype=torch.int32),
    "UInt8Suffix": lambda: torch.tensor([1, 2, 255], dtype=torch.uint8),
    "Bool": lambda: torch.tensor([True, False, True]),
    "NanInfFixed": lambda: torch.tensor([nan, 1.5, inf, -inf]),
    "NanInfIntegral": lambda: torch.tensor([nan, 2., -inf]),
    "AllNan": lambda: torch.tensor([nan, nan]),
    "NegativeZero": lambda: torch.tensor([-0., 0., 2.]),
    "ScalarFloat": lambda: torch.tensor(3.),
    "ScalarFloat64": lambda: torch.tensor(3.5, dtype=torch.float64),
    "ScalarInt": lambda: torch.tensor(7),
    "ScalarBool": lambda: torch.tensor(True),
    "Empty1d": lambda: torch.zeros(0),  # same as torch.tensor([])
    "Empty2d": lambda: torch.zeros(0, 3),
    "EmptyInt64": lambda: torch.zeros(0, dtype=torch.int64),
    "EmptyBool2d": lambda: torch.zeros(0, 2, dtype=torch.bool),
    "WrapLongVector": lambda: torch.arange(30.),
    "WrapRowsOf2d": lambda: torch.arange(40.).reshape(2, 20) / 7,
    "ThreeDims": lambda: torch.arange(24).reshape(2, 3, 4),
    "SummarizeVector": lambda: torch.arange(2000),
    "SummarizeMatrix": lambda: torch.arange(2000.).reshape(40, 50),
    "SummarizeOnlyLongDim": lambda: torch.arange(3000.).reshape(1000, 3) / 4,
    "SummarizeThreeDims": lambda: torch.arange(1200).reshape(10, 10, 12),
    "Float64Sci": lambda: torch.tensor([1e-8, 2.5, -3e3], dtype=torch.float64),
    "Float64SuffixWraps": lambda: torch.arange(12, dtype=torch.float64) / 3,
    "RequiresGrad": lambda: leaf(),
    "GradFnAdd": lambda: leaf() + 1,
    "GradFnMul": lambda: leaf() * leaf(),
    "SuffixOnNewLine": lambda: torch.arange(9, dtype=torch.float64) / 3,
    "Transposed": lambda: torch.arange(6.).reshape(2, 3).t(),
    "FixedWide": lambda: torch.tensor([123.456, 0.5, -7.]),
    "SciHugeExponent": lambda: torch.tensor([1e30, -1e-30]),
    "RequiresGradFloat64": lambda: torch.ones(2, dtype=torch.float64, requires_grad=True),
}

if __name__ == "__main__":
    for name, make in CASES.items():
        print(f"== {name}")
        print(repr(make()))
