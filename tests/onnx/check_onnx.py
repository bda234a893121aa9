#!/usr/bin/python3
"""check_onnx.py FIXTURES_EXE OUT_DIR [--vision] — the ONNX files nabla exports, checked by programs nabla
did not write.

FIXTURES_EXE (tests/onnx/fixtures.cpp) writes OUT_DIR/<model>.onnx (traced at batch 2) and
OUT_DIR/<model>.safetensors ("input" at batch 3, nabla's "expected" output). For every model:
  1. onnx.checker.check_model(full_check=True): the schema, opset, node attributes and shape inference;
  2. OpenCV's dnn module (cv2.dnn.readNetFromONNX) runs it on the batch-3 input — a batch size the
     trace never saw, so the symbolic batch dim is exercised — and must give nabla's output within 1e-4.
  3. where python3-torch is installed, torch_runner.py runs the file as exported (no adaptations) with
     PyTorch's kernels, node by node as the ONNX specification defines them, at batch 3 as well.
OpenCV 4.6 needs adaptations for some valid ONNX (below, each an equivalent rewrite); models it runs
wrongly even so are in OPENCV_UNSUPPORTED (onnx.checker and torch_runner only).
Exit 77 (CTest's skip) when onnx or cv2 cannot be imported.
"""
import json
import os
import struct
import subprocess
import sys

try:
    import numpy as np
    import onnx
    import cv2
    from onnx import helper, numpy_helper
except ImportError as e:  # python3-onnx / python3-opencv are optional (tools/install-deps --with-onnx-check)
    print(f"SKIP: {e}")
    sys.exit(77)

TOLERANCE = 1e-4
# Models OpenCV 4.6 runs wrongly or not at all: onnx.checker only (docs/onnx.md says why).
OPENCV_UNSUPPORTED = {"reductions": "computes ReduceSum's shapes wrongly and fails at DepthToSpace"}


# OpenCV 4.6's ONNX importer cannot take some valid ONNX as it is. Each adaptation below rewrites the
# exported model into an equivalent one it can import; they are the only changes made before running.
def embedding_in_numpy(model, x):
    """Gather(initializer, graph input) — an embedding lookup — is done here (W[indices]): OpenCV 4.6's
    Gather wants constant indices. The rest of the graph then starts from its output."""
    inits = {t.name: t for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Gather" and node.input[0] in inits and node.input[1] == model.graph.input[0].name:
            x = numpy_helper.to_array(inits[node.input[0]])[x]
            inp = model.graph.input[0]
            inp.name = node.output[0]
            inp.type.tensor_type.elem_type = onnx.TensorProto.FLOAT
            inp.type.tensor_type.shape.dim.add().dim_value = x.shape[-1]
            model.graph.node.remove(node)
            return x, ["embedding lookup in numpy"]
    return x, []


def clip_attributes(model, x):
    """Clip's bounds as attributes (its opset-6 form): OpenCV 4.6 reads no bound inputs (opset 11+)."""
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    done = []
    for node in model.graph.node:
        if node.op_type == "Clip" and len(node.input) == 3:
            lo, hi = (float(inits[n]) for n in node.input[1:])
            del node.input[1:]
            node.attribute.extend([helper.make_attribute("min", lo), helper.make_attribute("max", hi)])
            done = ["Clip bounds as attributes"]
    return x, done


def reduce_sum_axes_attribute(model, x):
    """ReduceSum's axes as an attribute (its opset-11 form): OpenCV 4.6 refuses the opset-13 axes input."""
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    done = []
    for node in model.graph.node:
        if node.op_type == "ReduceSum" and len(node.input) == 2:
            axes = [int(a) for a in inits[node.input[1]]]
            del node.input[1:]
            node.attribute.append(helper.make_attribute("axes", axes))
            done = ["ReduceSum axes as an attribute"]
    return x, done


def recurrent_fixed_batch(model, x):
    """OpenCV 4.6 builds its recurrent layers for the batch size declared at import, and its GRU needs
    all six inputs with a constant initial_h: the batch is declared as the test's, initial_h zeros."""
    inits = {t.name: t for t in model.graph.initializer}
    rnn = [n for n in model.graph.node if n.op_type in ("GRU", "LSTM", "RNN")]
    if not rnn:
        return x, []
    model.graph.input[0].type.tensor_type.shape.dim[0].dim_value = x.shape[0]
    for node in rnn:
        if node.op_type == "GRU" and (len(node.input) < 6 or not node.input[5]):
            dirs, hidden = inits[node.input[1]].dims[0], next(a.i for a in node.attribute if a.name == "hidden_size")
            zeros = numpy_helper.from_array(np.zeros((dirs, x.shape[0], hidden), np.float32), node.output[0] + ".h0")
            model.graph.initializer.append(zeros)
            inputs = list(node.input) + [""] * (6 - len(node.input))
            inputs[5] = zeros.name
            del node.input[:]
            node.input.extend(inputs)
    return x, ["batch fixed for the recurrent layers"]


def input_4d(model, x):
    """cv2's Python binding turns a 3-D array into a 2-D Mat with channels: a 3-D input is fed as 4-D
    [N, T, C, 1] and reshaped back by a first node."""
    if x.ndim != 3:
        return x, []
    inp = model.graph.input[0]
    name = inp.name
    inp.name = name + "_4d"
    inp.type.tensor_type.shape.dim.add().dim_value = 1
    model.graph.initializer.append(numpy_helper.from_array(np.array([0, x.shape[1], x.shape[2]], np.int64), "adapter.shape"))
    model.graph.node.insert(0, helper.make_node("Reshape", [inp.name, "adapter.shape"], [name]))
    return x[..., None], ["3-D input fed as 4-D"]


def run_opencv(model, x):
    model = onnx.ModelProto.FromString(model.SerializeToString())
    notes = []
    for adapt in (embedding_in_numpy, clip_attributes, reduce_sum_axes_attribute, recurrent_fixed_batch, input_4d):
        x, note = adapt(model, x)
        notes += note
    net = cv2.dnn.readNetFromONNX(model.SerializeToString())  # readNetFromONNX accepts the bytes too
    net.setInput(x.astype(np.float32))
    return net.forward(), notes


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


def max_diff(got, expected):
    got = np.asarray(got).reshape(expected.shape).astype(np.float64)
    return float(np.max(np.abs(got - expected)))


def main():
    exe, out_dir, extra = sys.argv[1], sys.argv[2], sys.argv[3:]  # extra: --vision
    names = subprocess.run([exe, out_dir, *extra], check=True, capture_output=True, text=True).stdout.split()
    try:  # the second runtime, where python3-torch is installed
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import torch_runner
    except ImportError:
        torch_runner = None
    failures = []
    print(f"{'model':<18} {'nodes':>5}  {'|nabla - OpenCV|':<17} {'|nabla - torch_runner|':<23} OpenCV adaptations")
    for name in names:
        model = onnx.load(os.path.join(out_dir, name + ".onnx"))
        onnx.checker.check_model(model, full_check=True)
        assert model.opset_import[0].version == 13, "exported with opset 13"
        data = load_safetensors(os.path.join(out_dir, name + ".safetensors"))
        x, expected = data["input"], data["expected"]
        cv, notes = "-", OPENCV_UNSUPPORTED.get(name, "")
        if name not in OPENCV_UNSUPPORTED:
            got, adaptations = run_opencv(model, x)
            diff = max_diff(got, expected)
            cv, notes = f"{diff:.3g}", "; ".join(adaptations)
            if diff > TOLERANCE:
                failures.append(name + " (OpenCV)")
        tr = "-"
        if torch_runner:
            diff = max_diff(torch_runner.run(model, x), expected)
            tr = f"{diff:.3g}"
            if diff > TOLERANCE:
                failures.append(name + " (torch_runner)")
        print(f"{name:<18} {len(model.graph.node):>5}  {cv:<17} {tr:<23} {notes}")
    if failures:
        print("outputs differ by more than", TOLERANCE, ":", ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
