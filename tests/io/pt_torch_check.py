#!/usr/bin/python3
"""PyTorch reads what nabla writes (CTest io_pt_torch_load): pt_torch_check.py <pt_writer> <nabla>

1. pt_writer writes .pt files and a manifest; each loads with torch.load(..., weights_only=True) and holds
   exactly what the manifest says. Files with Python floats load with weights_only=False on torch 1.x, whose
   weights_only unpickler lacks the BINFLOAT opcode (its own optimizer state_dicts fail the same way; the
   check asserts that this is the only reason).
2. Views of one storage are views of one storage in torch too; the state_dict drives torch's model to
   nabla's output; the SGD state_dict continues nabla's trajectory in torch.optim.SGD.
3. `nabla convert` both ways: files torch.save wrote (zip and legacy) -> safetensors -> .pt load in torch
   equal to the original.
Exits 77 (CTest: skipped) when python3-torch is not installed.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import torch
except ImportError:
    print("python3-torch is not installed: skipped")
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
from gen_pt_golden import enc  # noqa: E402  the encoding nabla's manifest uses

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what)


def load(path, floats):
    try:
        return torch.load(path, weights_only=True)
    except Exception as e:  # noqa: BLE001
        old = int(torch.__version__.split(".")[0]) < 2
        check(floats and old and "Unsupported operand 71" in str(e), f"{path}: weights_only load failed: {e}")
        return torch.load(path, weights_only=False)


def tensor_of(e):
    t = e["tensor"]
    data = [float(x) for x in t["data"]]  # float("nan") too
    return torch.tensor(data, dtype=getattr(torch, t["dtype"])).reshape(t["shape"])


def unordered(e):
    """enc() with dict entries sorted: a safetensors file keeps tensors in its own order."""
    if isinstance(e, dict) and "dict" in e:
        return sorted((json.dumps(k), unordered(v)) for k, v in e["dict"])
    return e


def main():
    writer, nabla = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([writer, d], check=True)
        with open(os.path.join(d, "manifest.json")) as f:
            manifest = json.load(f)
        loaded = {}
        for name, m in manifest["files"].items():
            obj = load(os.path.join(d, name + ".pt"), m["floats"])
            loaded[name] = obj
            check(json.loads(json.dumps(enc(obj))) == m["value"], f"{name}.pt: torch reads something else")

        v = loaded["views"]
        ptr = (lambda t: t.untyped_storage().data_ptr()) if hasattr(torch.Tensor, "untyped_storage") else \
            (lambda t: t.storage().data_ptr())
        check(all(ptr(v[k]) == ptr(v["base"]) for k in "abc"), "views: not one storage in torch")
        check(v["c"].stride() == (1, 5) and v["b"].storage_offset() == 5, "views: strides or offsets differ")
        v["base"].fill_(-1)
        check(v["a"].sum().item() == -6, "views: a does not see base's storage")
        check(loaded["nested_ints"]["tensors"][0] is loaded["nested_ints"]["tensors"][1],
              "a tensor saved twice is not one object")

        model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(),
                                    torch.nn.Linear(3, 2))
        model.load_state_dict(loaded["state_dict"], strict=True)
        model.eval()
        fwd = manifest["state_dict_forward"]
        out = model(tensor_of(fwd["input"])).detach()
        check(torch.allclose(out, tensor_of(fwd["output"]), atol=1e-6), "state_dict: torch's forward differs")
        check(model[1].num_batches_tracked.item() == 2, "num_batches_tracked")

        step = manifest["sgd_step"]
        params = [torch.nn.Parameter(tensor_of(p)) for p in step["params"]["list"]]
        opt = torch.optim.SGD(params, lr=1.0)
        opt.load_state_dict(loaded["sgd"])
        for p, g in zip(params, step["grads"]["list"]):
            p.grad = tensor_of(g)
        opt.step()
        for p, a in zip(params, step["after"]["list"]):
            check(torch.allclose(p.detach(), tensor_of(a), atol=1e-6), "sgd: torch's next step differs")

        # nabla convert, both ways, on files torch wrote.
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
        cases = {"sd": net.state_dict(), "nested": {"w": torch.randn(3), "n": 4, "s": "x", "l": [torch.ones(2)]},
                 "half": torch.randn(2, 2).half()}
        for name, obj in cases.items():
            for legacy in (False, True):
                src = os.path.join(d, f"torch_{name}_{legacy}.pt")
                torch.save(obj, src, _use_new_zipfile_serialization=not legacy)
                st, back = os.path.join(d, name + ".safetensors"), os.path.join(d, name + "_back.pt")
                subprocess.run([nabla, "convert", src, st], check=True, stdout=subprocess.DEVNULL)
                subprocess.run([nabla, "convert", st, back], check=True, stdout=subprocess.DEVNULL)
                again = torch.load(back, weights_only=True)
                check(unordered(enc(again)) == unordered(enc(obj)),
                      f"convert {name} (legacy={legacy}): the round trip changed it")
    if FAILURES:
        print(f"{len(FAILURES)} failures")
        sys.exit(1)
    print("torch", torch.__version__, "reads nabla's .pt files")


if __name__ == "__main__":
    main()
