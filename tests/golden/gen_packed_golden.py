#!/usr/bin/python3
"""Generates tests/golden/packed.json: torch.nn.utils.rnn (pack_padded_sequence, pad_packed_sequence,
pad_sequence, pack_sequence) and RNN/LSTM/GRU on packed batches, run by PyTorch (the oracle), for
tests/nn/packed_golden_test.cpp. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/gen_packed_golden.py

Deterministic: each case seeds torch from its name. Shapes are tiny to keep the file small.
Recurrent cases: the padded input (with random values at padded positions too, which must not matter)
is packed, run through the layer with its state_dict, and unpacked with pad_packed_sequence. Recorded:
the packed output (data, batch_sizes, sorted/unsorted indices), the padded output and lengths, h_n
(c_n), and the gradients of sum(padded * g_out) + sum(h_n * g_h) [+ sum(c_n * g_c)] w.r.t. the padded
input, h0 (c0) and every parameter. Format: see tests/golden/README.md.
"""
import os
import zlib

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence, pack_sequence

from golden_io import f32_short, write_cases

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "packed.json")
DTYPES = {torch.float32: "float32", torch.int64: "int64"}
CASES = []


def enc(t):
    if t is None:
        return None
    t = t.detach().contiguous()
    vals = t.reshape(-1).tolist()
    data = [f32_short(v) for v in vals] if t.dtype == torch.float32 else [int(v) for v in vals]
    return {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data": data}


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def stable_sort_order(lengths):
    """nabla sorts lengths stably; a case whose ties PyTorch orders otherwise would not be comparable."""
    return sorted(range(len(lengths)), key=lambda b: -lengths[b])


def rnn_case(kind, name, layers, bidir, batch_first, enforce_sorted, lengths, with_h0, T=None,
             nonlinearity=None, total_length=None, padding_value=0.0):
    full = f"{kind}/{name}"
    seed(full)
    I, H, B = 2, 3, len(lengths)
    T = T or max(lengths)
    opts = dict(input_size=I, hidden_size=H, num_layers=layers, batch_first=batch_first, bidirectional=bidir)
    if nonlinearity:
        opts["nonlinearity"] = nonlinearity
    m = getattr(nn, kind)(**opts)
    D = 2 if bidir else 1
    x = torch.randn([B, T, I] if batch_first else [T, B, I]).requires_grad_()
    h0 = (torch.randn(layers * D, B, H) * 0.5).requires_grad_() if with_h0 else None
    c0 = (torch.randn(layers * D, B, H) * 0.5).requires_grad_() if with_h0 and kind == "LSTM" else None
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted)
    if packed.sorted_indices is not None:
        assert packed.sorted_indices.tolist() == stable_sort_order(lengths), full
    hx = None if not with_h0 else (h0, c0) if kind == "LSTM" else h0
    out, state = m(packed, hx)
    h_n, c_n = state if kind == "LSTM" else (state, None)
    padded, out_lengths = pad_packed_sequence(out, batch_first=batch_first, padding_value=padding_value,
                                              total_length=total_length)
    g_out, g_h = torch.randn(padded.shape), torch.randn(h_n.shape)
    g_c = torch.randn(c_n.shape) if c_n is not None else None
    loss = (padded * g_out).sum() + (h_n * g_h).sum() + ((c_n * g_c).sum() if c_n is not None else 0)
    loss.backward()
    CASES.append({
        "kind": kind, "name": full, "options": opts,
        "state": [[k, enc(v)] for k, v in m.state_dict().items()],
        "input": enc(x), "lengths": lengths, "enforce_sorted": enforce_sorted,
        "h0": enc(h0), "c0": enc(c0), "total_length": total_length, "padding_value": padding_value,
        "packed_data": enc(out.data), "batch_sizes": enc(out.batch_sizes),
        "sorted_indices": enc(out.sorted_indices), "unsorted_indices": enc(out.unsorted_indices),
        "padded": enc(padded), "out_lengths": enc(out_lengths), "h_n": enc(h_n), "c_n": enc(c_n),
        "grad_outputs": [enc(g_out), enc(g_h), enc(g_c)],
        "grads": {"input": enc(x.grad), "h0": enc(h0.grad) if with_h0 else None,
                  "c0": enc(c0.grad) if c0 is not None else None},
        "param_grads": [[k, enc(p.grad)] for k, p in m.named_parameters()],
    })


def rnn_cases():
    # name, layers, bidirectional, batch_first, enforce_sorted, lengths, h0, extra
    variants = [
        ("l1_sorted", 1, False, False, True, [5, 3, 3, 1], False, {}),
        ("l2_bidir_batch_first_unsorted_h0", 2, True, True, False, [2, 5, 1, 4], True, {}),
        ("l1_bidir_unsorted_ties_total_length", 1, True, False, False, [3, 5, 3, 1], True,
         dict(T=6, total_length=6, padding_value=-1.0)),
        ("l2_batch_first_sorted_h0", 2, False, True, True, [4, 4, 2], True, dict(T=5)),
        ("l1_bidir_equal_lengths", 1, True, False, True, [3, 3], False, {}),
    ]
    for kind in ("RNN", "LSTM", "GRU"):
        for name, layers, bidir, bf, es, lengths, h0, extra in variants:
            rnn_case(kind, name, layers, bidir, bf, es, lengths, h0, **extra)
    rnn_case("RNN", "relu_l1_bidir_unsorted", 1, True, False, False, [1, 4, 2], True, nonlinearity="relu")


def util_case(kind, name, record):
    full = f"{kind}/{name}"
    seed(full)
    c = {"kind": kind, "name": full}
    c.update(record())
    CASES.append(c)


def pack_case(name, shape, lengths, batch_first, enforce_sorted):
    def record():
        x = torch.randn(shape).requires_grad_()
        p = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
        g = torch.randn(p.data.shape)
        (p.data * g).sum().backward()
        return {"input": enc(x), "lengths": lengths, "batch_first": batch_first, "enforce_sorted": enforce_sorted,
                "data": enc(p.data), "batch_sizes": enc(p.batch_sizes), "sorted_indices": enc(p.sorted_indices),
                "unsorted_indices": enc(p.unsorted_indices), "grad_output": enc(g), "grad_input": enc(x.grad)}
    util_case("pack_padded_sequence", name, record)


def pad_packed_case(name, shape, lengths, batch_first, enforce_sorted, padding_value, total_length):
    def record():
        x = torch.randn(shape)
        p = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
        data = p.data.detach().clone().requires_grad_()
        q = torch.nn.utils.rnn.PackedSequence(data, p.batch_sizes, p.sorted_indices, p.unsorted_indices)
        padded, out_lengths = pad_packed_sequence(q, batch_first, padding_value, total_length)
        g = torch.randn(padded.shape)
        (padded * g).sum().backward()
        return {"input": enc(x), "lengths": lengths, "batch_first": batch_first, "enforce_sorted": enforce_sorted,
                "padding_value": padding_value, "total_length": total_length, "padded": enc(padded),
                "out_lengths": enc(out_lengths), "grad_output": enc(g), "grad_data": enc(data.grad)}
    util_case("pad_packed_sequence", name, record)


def pad_sequence_case(name, shapes, batch_first, padding_value):
    def record():
        xs = [torch.randn(s).requires_grad_() for s in shapes]
        out = pad_sequence(xs, batch_first=batch_first, padding_value=padding_value)
        g = torch.randn(out.shape)
        (out * g).sum().backward()
        return {"inputs": [enc(x) for x in xs], "batch_first": batch_first, "padding_value": padding_value,
                "output": enc(out), "grad_output": enc(g), "grads": [enc(x.grad) for x in xs]}
    util_case("pad_sequence", name, record)


def pack_sequence_case(name, shapes, enforce_sorted):
    def record():
        xs = [torch.randn(s) for s in shapes]
        p = pack_sequence(xs, enforce_sorted=enforce_sorted)
        return {"inputs": [enc(x) for x in xs], "enforce_sorted": enforce_sorted, "data": enc(p.data),
                "batch_sizes": enc(p.batch_sizes), "sorted_indices": enc(p.sorted_indices),
                "unsorted_indices": enc(p.unsorted_indices)}
    util_case("pack_sequence", name, record)


def util_cases():
    pack_case("sorted", [4, 3, 2], [4, 2, 1], False, True)
    pack_case("unsorted_batch_first", [3, 5, 2], [2, 5, 3], True, False)
    pack_case("unsorted_ties_3d_features", [4, 4, 2, 2], [2, 4, 2, 1], False, False)
    pack_case("shorter_than_T", [6, 2], [3, 2], False, True)  # no feature dims, max length < T
    pad_packed_case("sorted", [4, 3, 2], [4, 2, 1], False, True, 0.0, None)
    pad_packed_case("unsorted_batch_first_pad_value", [3, 5, 2], [2, 5, 3], True, False, -2.5, None)
    pad_packed_case("total_length", [5, 3, 1], [3, 1, 2], False, False, 0.0, 7)
    pad_sequence_case("time_major", [[3, 2], [1, 2], [4, 2]], False, 0.0)
    pad_sequence_case("batch_first_pad_value", [[2], [5], [0], [3]], True, 9.0)
    pad_sequence_case("trailing_dims", [[2, 2, 3], [3, 2, 3]], True, -1.0)
    pack_sequence_case("sorted", [[3, 2], [2, 2], [2, 2]], True)
    pack_sequence_case("unsorted", [[1, 2], [3, 2], [2, 2]], False)


def main():
    rnn_cases()
    util_cases()
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    write_cases(OUT, "tests/golden/gen_packed_golden.py", torch.__version__, CASES, "kind")


if __name__ == "__main__":
    main()
