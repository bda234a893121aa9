#!/usr/bin/python3
"""Generates tests/golden/view_inplace.json: PyTorch's values and gradients for in-place writes into
views of graph tensors (CopySlices, issue #17 item 6), the oracle for
tests/autograd/view_inplace_test.cpp. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/gen_view_inplace_golden.py

A case is {"name", "inputs": {name: {"shape", "data"}}, "out": {"shape", "data"}, "grads": {name: ...}}:
float64 tensors, row-major. Each case's steps are written twice, once below and once in the C++ test
under the same name; `out` is the case's result y and `grads` the gradients of sum(y * c) (c is the
input named "c") w.r.t. every input other than c.
"""
import os

import torch

from golden_io import write_cases

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "view_inplace.json")
D = torch.float64


def narrow_copy(x, w):  # x [3, 4], w [2, 4]
    y = x * 2
    y.narrow(0, 1, 2).copy_(w)
    return y


def select_fill(x):  # x [3, 4]
    y = x.sin()
    y.select(1, 2).fill_(0.5)
    return y * y


def narrow_of_select(x, w):  # x [3, 5], w [3]
    y = x * 1.5
    y.select(0, 1).narrow(0, 1, 3).mul_(w)
    return y


def index_put_slice(x, w):  # x [4, 3], w [2, 3]: y[1:3] = w
    y = x.cos()  # cos saves its input: exp, which saves its result, would refuse the write
    y[1:3] = w
    return y


def index_put_step(x, w):  # x [3, 5], w [3, 3]: y[:, ::2] = w
    y = x * 1
    y[:, ::2] = w
    return y


def index_put_tensor(x, w):  # x [4, 3], w [3] broadcast to rows 0 and 2: y[[0, 2]] = w
    y = x.sin()
    y[torch.tensor([0, 2])] = w
    return y


def index_put_int_tensor(x, w):  # x [3, 4], w [2]: y[1, [0, 3]] = w
    y = x * 3
    y[1, torch.tensor([0, 3])] = w
    return y


def index_put_scalar_value(x, w):  # x [3, 4], w 0-d: y[2, 1] = w
    y = x * 1
    y[2, 1] = w
    return y


def multiple_writes(x, w1, w2):  # x [3, 4], w1 [3, 2], w2 [4]
    y = x * 1
    y.narrow(1, 0, 2).mul_(w1)
    y.select(0, 0).add_(w2)
    y[2, 3] = 7.0
    return y * y


def plain_base(w):  # w [2, 4]: the base does not require grad, the value does
    y = torch.zeros(3, 4, dtype=D)
    y.narrow(0, 0, 2).copy_(w.tanh())
    return y


def overlapping_views(x):  # x [3, 4]: b sees a's write (its grad_fn is rebuilt)
    y = x * 1
    a = y[0:2]
    b = y[1:3]
    a.mul_(2)
    return b


def base_write_seen_by_view(x, w):  # x [3, 4], w [3, 4]: an older view sees the base's write
    y = x * 1
    v = y.t()
    y.mul_(w)
    return v


def transposed_view_write(x, w):  # x [3, 4], w [2, 3]
    y = x * 1
    y.t().narrow(0, 1, 2).add_(w)
    return y


def reshaped_view_write(x, w):  # x [2, 6], w [3]
    y = x * 1
    y.view(3, 4).select(1, 0).mul_(w)
    return y


def expanded_view_after_write(x):  # x [1, 4]: a stride-0 view rebuilt after its base changed
    y = x * 1
    e = y.expand(3, 4)
    y.mul_(2)
    return e * e


def value_is_view_of_base(x):  # x [3, 4]: the written value is itself a view of the base
    y = x * 1
    y[0] = y[2] * 2
    return y


CASES = [
    ("narrow_copy", narrow_copy, {"x": [3, 4], "w": [2, 4]}, [3, 4]),
    ("select_fill", select_fill, {"x": [3, 4]}, [3, 4]),
    ("narrow_of_select", narrow_of_select, {"x": [3, 5], "w": [3]}, [3, 5]),
    ("index_put_slice", index_put_slice, {"x": [4, 3], "w": [2, 3]}, [4, 3]),
    ("index_put_step", index_put_step, {"x": [3, 5], "w": [3, 3]}, [3, 5]),
    ("index_put_tensor", index_put_tensor, {"x": [4, 3], "w": [3]}, [4, 3]),
    ("index_put_int_tensor", index_put_int_tensor, {"x": [3, 4], "w": [2]}, [3, 4]),
    ("index_put_scalar_value", index_put_scalar_value, {"x": [3, 4], "w": []}, [3, 4]),
    ("multiple_writes", multiple_writes, {"x": [3, 4], "w1": [3, 2], "w2": [4]}, [3, 4]),
    ("plain_base", plain_base, {"w": [2, 4]}, [3, 4]),
    ("overlapping_views", overlapping_views, {"x": [3, 4]}, [2, 4]),
    ("base_write_seen_by_view", base_write_seen_by_view, {"x": [3, 4], "w": [3, 4]}, [4, 3]),
    ("transposed_view_write", transposed_view_write, {"x": [3, 4], "w": [2, 3]}, [3, 4]),
    ("reshaped_view_write", reshaped_view_write, {"x": [2, 6], "w": [3]}, [2, 6]),
    ("expanded_view_after_write", expanded_view_after_write, {"x": [1, 4]}, [3, 4]),
    ("value_is_view_of_base", value_is_view_of_base, {"x": [3, 4]}, [3, 4]),
]


def enc(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def run(name, fn, shapes, out_shape):
    g = torch.Generator().manual_seed(sum(map(ord, name)))
    inputs = {k: torch.randn(s, generator=g, dtype=D).requires_grad_() for k, s in shapes.items()}
    c = torch.randn(out_shape, generator=g, dtype=D)
    y = fn(*inputs.values())
    assert list(y.shape) == out_shape, (name, y.shape)
    (y * c).sum().backward()
    return {
        "name": name,
        "inputs": {**{k: enc(v) for k, v in inputs.items()}, "c": enc(c)},
        "out": enc(y),
        "grads": {k: enc(v.grad) for k, v in inputs.items()},
    }


if __name__ == "__main__":
    write_cases(OUT, os.path.basename(__file__), torch.__version__, [run(*c) for c in CASES], "name")
