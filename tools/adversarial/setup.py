"""The small world the attack runs in: an MNIST subset, a tiny image folder, and base runs trained by
the nabla under test (whose checkpoints are the mutants' parents)."""
import gzip
import os
import random
import struct
import zlib

from runner import run


def png(w, h, channels, pixels):
    """A valid PNG (8-bit gray or RGB) from a bytes-like of h*w*channels."""
    color = {1: 0, 3: 2, 4: 6}[channels]
    rows = b"".join(b"\0" + bytes(pixels[y * w * channels:(y + 1) * w * channels]) for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def bmp(w, h, pixels):
    """A 24-bit BMP from RGB pixels."""
    stride = (w * 3 + 3) & ~3
    rows = b""
    for y in reversed(range(h)):
        row = bytes(pixels[(y * w + x) * 3 + c] for x in range(w) for c in (2, 1, 0))
        rows += row + b"\0" * (stride - len(row))
    header = struct.pack("<2sIHHI", b"BM", 54 + len(rows), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(rows), 2835, 2835, 0, 0)
    return header + info + rows


def idx_subset(src, dst, n):
    with open(src, "rb") as f:
        b = f.read()
    nd = b[3]
    dims = list(struct.unpack(">" + "I" * nd, b[4:4 + 4 * nd]))
    per = 1
    for d in dims[1:]:
        per *= d
    dims[0] = n
    with open(dst, "wb") as f:
        f.write(b[:4] + struct.pack(">" + "I" * nd, *dims) + b[4 + 4 * nd:4 + 4 * nd + n * per])


def make_data(repo_data, work):
    d = os.path.join(work, "data")
    raw = os.path.join(d, "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    src = os.path.join(repo_data, "MNIST", "raw")
    for name, n in (("train-images-idx3-ubyte", 600), ("train-labels-idx1-ubyte", 600),
                    ("t10k-images-idx3-ubyte", 200), ("t10k-labels-idx1-ubyte", 200)):
        idx_subset(os.path.join(src, name), os.path.join(raw, name), n)
    # 3 classes x 8 RGB images 8x8 (nabla resizes them to 32x32).
    rng = random.Random(7)
    folder = os.path.join(work, "folder")
    for k, cls in enumerate(("cat", "dog", "eel")):
        os.makedirs(os.path.join(folder, cls), exist_ok=True)
        for i in range(8):
            px = bytes(min(255, max(0, 80 * k + rng.randrange(60))) for _ in range(8 * 8 * 3))
            with open(os.path.join(folder, cls, "%d.png" % i), "wb") as f:
                f.write(png(8, 8, 3, px))
    return d, folder


def mnist_image(data_dir, i=0):
    with open(os.path.join(data_dir, "MNIST", "raw", "t10k-images-idx3-ubyte"), "rb") as f:
        b = f.read()
    return b[16 + 784 * i:16 + 784 * (i + 1)]


def inputs(work, data_dir):
    """Valid inputs for predict: gray PNG, RGB PNG, BMP, a gzip'd IDX (not an image)."""
    d = os.path.join(work, "inputs")
    os.makedirs(d, exist_ok=True)
    px = mnist_image(data_dir)
    rgb = bytes(p for p in px for _ in range(3))
    files = {"digit.png": png(28, 28, 1, px), "digit-rgb.png": png(28, 28, 3, rgb), "digit.bmp": bmp(28, 28, rgb)}
    for name, b in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(b)
    with gzip.open(os.path.join(d, "labels.idx.gz"), "wb") as f:
        with open(os.path.join(data_dir, "MNIST", "raw", "t10k-labels-idx1-ubyte"), "rb") as g:
            f.write(g.read())
    return {k: os.path.join(d, k) for k in files}


# Base runs: (name, train flags). Small models, different optimizers/schedulers/callbacks so that the
# optimizer, scheduler and callback states in the checkpoints all differ.
BASES = [
    ("mlp-adam", ["--data", "mnist", "--model", "mlp", "--n_layers", "1", "--optimizer", "adam",
                  "--batch_size", "64", "--n_epochs", "2"]),
    ("cnn-sgd", ["--data", "mnist", "--model", "fashion_cnn", "--optimizer", "sgd", "--lr", "0.05",
                 "--scheduler", "step", "--early_stop", "3", "--batch_size", "100", "--n_epochs", "2"]),
    ("mlp-rms-folder", ["--data", "imagefolder:{folder}", "--model", "mlp", "--n_layers", "1", "--optimizer",
                        "rmsprop", "--scheduler", "cosine", "--batch_size", "8", "--n_epochs", "2",
                        "--train_ratio", "0.75"]),
]


def flag(flags, name, default=None):
    return flags[flags.index(name) + 1] if name in flags else default


def train_bases(nabla, work, data_dir, folder):
    out = {}
    for name, flags in BASES:
        flags = [f.replace("{folder}", folder) for f in flags]
        logdir = os.path.join(work, "bases", name)
        cmd = [nabla, "train", *flags, "--data_dir", data_dir, "--logdir", logdir, "--model_fn",
               os.path.join(logdir, "model.safetensors")]
        r = run(cmd, 300)
        if r.rc != 0:
            raise SystemExit("base run %s failed (rc %s):\n%s" % (name, r.rc, r.err))
        out[name] = {"flags": flags, "last": os.path.join(logdir, "last.safetensors"),
                     "best": os.path.join(logdir, "model.safetensors"), "epochs": int(flag(flags, "--n_epochs"))}
    return out


def resume_cmd(nabla, base, ckpt, data_dir, epochs=None):
    """train --resume with the base run's flags (the ones resume checks), one more epoch."""
    flags = list(base["flags"])
    i = flags.index("--n_epochs")
    flags[i + 1] = str(epochs if epochs is not None else base["epochs"] + 1)
    return [nabla, "train", *flags, "--data_dir", data_dir, "--resume", ckpt, "--logdir", "{dir}/run",
            "--model_fn", "{dir}/run/best.safetensors"]
