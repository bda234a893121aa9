#!/usr/bin/python3
"""The baseline for bench/serve/run.sh: the same FashionCNN in PyTorch behind Flask, the way a
PyTorch project usually serves a model (Flask's threaded server, one forward per request under a
lock, PIL to decode). It loads the weights, classes and normalisation from the same `nabla train` checkpoint
(a safetensors file; PyTorch's state_dict names) and answers POST /predict with a PNG/JPEG body with
the same JSON as `nabla serve`.

    /usr/bin/python3 bench/serve/flask_server.py --model_fn model.safetensors --port 8081

Needs Debian's python3-torch, python3-flask and python3-pil (tools/install-deps --with-bench).
"""
import argparse
import io
import json
import struct
import threading

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from flask import Flask, jsonify, request
from PIL import Image

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32}


def load_safetensors(path):
    """The tensors and the metadata of a safetensors file (no `safetensors` package in Debian 12)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        buf = bytearray(data[begin:end])
        tensors[name] = torch.frombuffer(buf, dtype=DTYPES[t["dtype"]]).reshape(t["shape"]).clone()
    return tensors, meta


class FashionCNN(nn.Module):
    def __init__(self, in_channels=1, h=28, w=28, classes=10):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Conv2d(in_channels, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                                    nn.MaxPool2d(2))
        self.layer2 = nn.Sequential(nn.Conv2d(32, 64, 3), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        self.fc1 = nn.Linear(64 * ((h // 2 - 2) // 2) * ((w // 2 - 2) // 2), 600)
        self.drop = nn.Dropout(0.25)
        self.fc2 = nn.Linear(600, 120)
        self.fc3 = nn.Linear(120, classes)

    def forward(self, x):
        x = self.layer2(self.layer1(x)).flatten(1)
        return self.fc3(self.fc2(self.drop(self.fc1(x))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model_fn", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--topk", type=int, default=3)
    args = ap.parse_args()

    tensors, meta = load_safetensors(args.model_fn)
    run = json.loads(meta["nabla.run"])
    m = run["model"]
    assert m["name"] == "fashion_cnn", "this baseline holds the FashionCNN only"
    model = FashionCNN(m["in_channels"], m["height"], m["width"], m["num_classes"])
    model.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("_optim.")})
    model.eval()
    classes, size = run["classes"], (m["width"], m["height"])
    mean = torch.tensor(run["mean"]).reshape(-1, 1, 1)
    std = torch.tensor(run["std"]).reshape(-1, 1, 1)
    mode = "L" if m["in_channels"] == 1 else "RGB"

    app = Flask(__name__)
    # One forward at a time: with 200 request threads calling it at once, OpenBLAS aborts the process
    # ("too many memory regions"); PyTorch's own intra-op threads keep the cores busy anyway.
    forward_lock = threading.Lock()

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    @app.post("/predict")
    def predict():
        try:
            img = Image.open(io.BytesIO(request.get_data())).convert(mode)
        except Exception as e:  # noqa: BLE001 — any undecodable body is the client's error
            return jsonify(error=str(e), status=400), 400
        if img.size != size:
            img = img.resize(size, Image.BILINEAR)
        x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0)
        x = x.reshape(size[1], size[0], -1).permute(2, 0, 1)
        x = ((x - mean) / std).unsqueeze(0)
        with forward_lock, torch.no_grad():
            p = F.softmax(model(x), 1)[0]
        v, i = p.topk(min(args.topk, len(classes)))
        top = [{"class": classes[j], "index": int(j), "probability": float(q)} for q, j in zip(v, i)]
        return jsonify(model=m["name"], predictions=[{"top": top}])

    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
