"""Checkpoint mutants: truncations, bit flips, length fields, header JSON, run metadata, checksum.

Mutants whose category ends in "-fixed" carry a recomputed, valid checksum: they get past the byte layer
and test the validation above it (docs/io.md, Note [Trust nothing a checkpoint says])."""
import json
import math
import os
import re
import struct

import st
from runner import Case, run
from setup import resume_cmd

BIG = [2**31, 2**32, 2**53 + 1, 2**62, 2**63 - 1, 2**63, 2**64, 10**30]
# Raw JSON number tokens Python's json would not write.
RAW_NUMBERS = ["1e309", "-1e309", "NaN", "Infinity", "-0", "1e-400", "0x10", "01", "1.", ".5", "+1"]


class Ctx:
    def __init__(self, nabla, bases, data_dir, images, rng):
        self.nabla, self.bases, self.data_dir, self.images, self.rng = nabla, bases, data_dir, images, rng
        self.parsed = {}

    def ckpt(self, base):
        if base not in self.parsed:
            self.parsed[base] = st.Checkpoint.read(self.bases[base]["last"])
            self.parsed[base].checksum()  # caches the data CRC once
        return self.parsed[base]

    def image(self, base):
        return self.images["digit-rgb.png" if "folder" in base else "digit.png"]

    def commands(self, base, path):
        n = self.nabla
        return {
            "eval": [n, "eval", "--model_fn", path, "--data_dir", self.data_dir] +
                    (["--split", "train"] if "folder" in base else []),
            "predict": [n, "predict", "--model_fn", path, "--input", self.image(base)],
            "resume": resume_cmd(n, self.bases[base], path, self.data_dir),
        }


def mutant_cases(ctx, cat, base, name, make, expect="reject", which=None, timeout=60):
    """Cases running `make() -> bytes` through eval/predict/resume (`which`: a subset, default all)."""
    path = "{dir}/m.safetensors"

    def setup(d):
        with open(os.path.join(d, "m.safetensors"), "wb") as f:
            f.write(make())

    cmds = ctx.commands(base, path)
    out = []
    for cmd_name in which or cmds:
        out.append(Case(cat, "%s/%s/%s" % (base, name, cmd_name), cmds[cmd_name], expect=expect,
                        names=["m.safetensors", "--resume", "not found under"], timeout=timeout, setup=setup,
                        check=output_check(ctx, base, cmd_name)))
    return out


def output_check(ctx, base, cmd_name):
    """Success must print a plausible result; a resumed run's checkpoints must load again."""
    def check(r):
        if cmd_name == "eval":
            m = re.search(r"accuracy (\d+\.\d+)%, loss (\S+)", r.out)
            if not m:
                return "eval printed no accuracy"
            if not math.isfinite(float(m.group(2))):
                return "eval loss %s" % m.group(2)
        elif cmd_name == "predict":
            if not ("%" in r.out or '"probability"' in r.out) or re.search(r"\bnan\b|\binf\b", r.out, re.I):
                return "predict output: %r" % r.out[:200]
        else:
            for f in ("last.safetensors", "best.safetensors"):
                p = os.path.join(r.dir, "run", f)
                if not os.path.exists(p):
                    if f == "last.safetensors":
                        return "resume wrote no last.safetensors"
                    continue
                again = run(ctx.commands(base, p)["predict"], 30)
                if again.rc != 0:
                    return "unreadable", "nabla wrote %s and refuses it: %s" % (f, again.err.strip()[-300:])
        return None
    return check


def rotate(ctx, i):
    return [("eval", "predict", "resume")[i % 3]]


# --- byte level (checksum left as is: everything must be refused) -------------------------------------

def truncations(ctx, base):
    raw = open(ctx.bases[base]["last"], "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    ck = ctx.ckpt(base)
    cuts = {0, 1, 4, 7, 8, 9, 8 + n // 2, 8 + n - 1, 8 + n, 8 + n + 1, len(raw) - 1}
    for e in ck.entries:
        for delta in (-1, 0, 1):
            cuts.add(8 + n + e[3] + delta)
    cuts = sorted(c for c in cuts if 0 <= c < len(raw))
    if len(cuts) > 40:
        cuts = sorted(ctx.rng.sample(cuts, 40))
    out = []
    for i, c in enumerate(cuts):
        out += mutant_cases(ctx, "ckpt-truncate", base, "cut%d" % c, lambda c=c: raw[:c], which=rotate(ctx, i))
    return out


def bit_flips(ctx, base, count):
    raw = open(ctx.bases[base]["last"], "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    out = []
    for i in range(count):
        # Half in the header (where structure lives), a quarter in the length field/first bytes, rest data.
        r = ctx.rng.random()
        pos = ctx.rng.randrange(8, 8 + n) if r < 0.5 else ctx.rng.randrange(0, 16) if r < 0.6 else \
            ctx.rng.randrange(8 + n, len(raw))
        bits = ctx.rng.choice([1, 1, 1, 2, 3])
        flips = {(pos + ctx.rng.randrange(0, 4) * (k > 0), ctx.rng.randrange(8)) for k in range(bits)}
        # The same bit twice would cancel out (a seed-3 "mutant" was the unchanged file).

        def make(flips=flips):
            b = bytearray(raw)
            for p, bit in flips:
                b[p] ^= 1 << bit
            return bytes(b)

        out += mutant_cases(ctx, "ckpt-flip", base, "flip@%d" % pos, make, which=rotate(ctx, i))
    return out


def length_fields(ctx, base):
    raw = open(ctx.bases[base]["last"], "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    out = []
    values = [0, 1, 2, 7, n - 8, n - 1, n + 1, n + 8, len(raw) - 8, len(raw) - 7, len(raw), 100_000_001,
              2**31, 2**32 + n, 2**63 - 1, 2**63, 2**64 - 1]
    for i, v in enumerate(values):
        out += mutant_cases(ctx, "ckpt-length", base, "N=%d" % v,
                            lambda v=v: struct.pack("<Q", v) + raw[8:], which=rotate(ctx, i))
    # Valid variants: extra padding spaces (the checksum covers the canonical header) -> must load.
    for pad in (8, 64):
        out += mutant_cases(ctx, "ckpt-length", base, "pad+%d" % pad,
                            lambda pad=pad: struct.pack("<Q", n + pad) + raw[8:8 + n] + b" " * pad + raw[8 + n:],
                            expect="accept", which=["predict"])
    out += mutant_cases(ctx, "ckpt-length", base, "trailing-bytes", lambda: raw + b"\0" * 8, which=["eval"])
    out += mutant_cases(ctx, "ckpt-length", base, "empty-file", lambda: b"", which=["predict"])
    return out


# --- checksum ------------------------------------------------------------------------------------------

def checksums(ctx, base):
    ck = ctx.ckpt(base)
    good = ck.checksum()
    out = []

    def with_meta(edit, fix=False):
        def make():
            c = ck.copy()
            edit(c.metadata)
            return c.to_bytes(fix_checksum=fix)
        return make

    edits = {
        "removed": lambda m: m.pop(st.CHECKSUM_KEY),
        "empty": lambda m: m.update({st.CHECKSUM_KEY: ""}),
        "uppercase": lambda m: m.update({st.CHECKSUM_KEY: good.upper()}),
        "uppercase-hex": lambda m: m.update({st.CHECKSUM_KEY: "crc32c:" + good[7:].upper()}),
        "off-by-one": lambda m: m.update({st.CHECKSUM_KEY: "crc32c:%08x" % ((int(good[7:], 16) + 1) % 2**32)}),
        "sha256": lambda m: m.update({st.CHECKSUM_KEY: "sha256:" + "0" * 64}),
        "9-digits": lambda m: m.update({st.CHECKSUM_KEY: good + "0"}),
        "space": lambda m: m.update({st.CHECKSUM_KEY: good + " "}),
        "renamed-key": lambda m: m.update({"nabla.checksun": m.pop(st.CHECKSUM_KEY)}),
        "moved-to-other-key": lambda m: m.update({"nabla.note": m.pop(st.CHECKSUM_KEY)}),
    }
    for i, (name, edit) in enumerate(edits.items()):
        out += mutant_cases(ctx, "ckpt-checksum", base, name, with_meta(edit), which=rotate(ctx, i))
    # Data changed, checksum recomputed -> a forged but consistent file: loads (documented).
    return out


# --- header JSON (checksum recomputed) -----------------------------------------------------------------

def header_json(ctx, base):
    ck = ctx.ckpt(base)
    rng = ctx.rng
    out = []
    weights = [e for e in ck.entries if not e[0].startswith("_optim.") and e[1] == "F32" and len(e[2]) == 2]
    w = rng.choice(weights)
    step = next((e for e in ck.entries if e[0].endswith(".step") or e[0].endswith("momentum_buffer")), None)

    def edit_entries(fn, expect="reject", name=None, which=None):
        def make():
            c = ck.copy()
            fn(c)
            return c.to_bytes()
        return mutant_cases(ctx, "ckpt-json-fixed", base, name, make, expect=expect, which=which)

    def set_field(name, idx, value):
        def fn(c):
            c.entry(name)[idx] = value
        return fn

    for dt in ["F16", "BF16", "I8", "U16", "U32", "U64", "F8_E4M3", "f32", "", "F32 ", "I32", "F64", "I64",
               "U8", "BOOL"]:
        out += edit_entries(set_field(w[0], 1, dt), name="%s.dtype=%r" % (w[0], dt),
                            which=["predict"] if dt not in ("I32",) else None)
    numel = 1
    for s in w[2]:
        numel *= s
    shapes = [[], [0], [numel], [w[2][1], w[2][0]], [1] + w[2], w[2] + [1], [-1, numel], [2**63, 0],
              [2**62, 2**62, 0], [0, 2**64], [1] * 9, [numel // 2, 2] if numel % 2 == 0 else [numel, 1],
              [1.5, numel], ["10", 10], [None], [True]]
    for s in shapes:
        out += edit_entries(set_field(w[0], 2, s), name="%s.shape=%s" % (w[0], json.dumps(s)[:40]),
                            which=["predict"])
    # Offsets: swapped between two same-size tensors (consistent layout, forged file: loads),
    # shifted, overlapping, beyond the end.
    same = [e for e in ck.entries if e is not w and e[4] - e[3] == w[4] - w[3]]
    if same:
        o = same[0]

        def swap(c, a=w[0], b=o[0]):
            ea, eb = c.entry(a), c.entry(b)
            ea[3:5], eb[3:5] = eb[3:5], ea[3:5]
            c.entries.sort(key=lambda e: (e[3], e[4]))
        out += edit_entries(swap, expect="any", name="offsets-swapped", which=["predict"])
    for name, off in [("shift+4", lambda b, e: [b + 4, e + 4]), ("shift-4", lambda b, e: [b - 4, e - 4]),
                      ("end+1", lambda b, e: [b, e + 1]), ("neg", lambda b, e: [-8, e]),
                      ("huge", lambda b, e: [2**63, 2**63 + e - b]), ("reversed", lambda b, e: [e, b]),
                      ("float", lambda b, e: [float(b), float(e)]), ("three", lambda b, e: [b, e, e]),
                      ("empty", lambda b, e: []), ("string", lambda b, e: [str(b), str(e)])]:
        def fn(c, off=off):
            e = c.entry(w[0])
            e[3:5] = off(e[3], e[4])[:2] if len(off(e[3], e[4])) >= 2 else [e[3], e[4]]
        if name in ("three", "empty", "string", "float"):
            # These need the raw header: build from JSON with the field replaced.
            def make(off=off):
                c = ck.copy()
                h = json.loads(c.header_json(c.metadata))
                h[w[0]]["data_offsets"] = off(w[3], w[4])
                return c.to_bytes(header_text=st.dumps(h))
            out += mutant_cases(ctx, "ckpt-json-fixed", base, "offsets-" + name, make, which=["eval"])
        else:
            out += edit_entries(fn, name="offsets-" + name, which=["eval"])
    # Raw header text edits (checksum of the canonical form recomputed where it still parses).
    canon = ck.header_json(dict(ck.metadata, **{st.CHECKSUM_KEY: ck.checksum()}))
    first_key = json.dumps(w[0])
    entry_text = canon[canon.index(first_key):]
    entry_text = entry_text[:entry_text.index("}") + 1]
    raw_edits = {
        "duplicate-tensor": canon[:-1] + "," + entry_text + "}",
        "duplicate-meta-key": canon.replace('"nabla.epoch":', '"nabla.epoch":"1","nabla.epoch":', 1),
        "duplicate-field": canon.replace(first_key + ':{"dtype":"F32"', first_key + ':{"dtype":"F32","dtype":"F64"', 1),
        "nested-deep-meta": canon.replace('{"__metadata__":{', '{"__metadata__":{"x":' + "[" * 100000 + "]" * 100000 + ",", 1),
        "nested-deep-top": canon[:-1] + ',"zz":' + "{\"a\":" * 50000 + "1" + "}" * 50000 + "}",
        "meta-value-number": canon.replace('"nabla.epoch":"', '"nabla.epoch":2,"x":"', 1),
        "meta-value-null": canon.replace('{"__metadata__":{', '{"__metadata__":{"a":null,', 1),
        "meta-not-object": canon.replace('{"__metadata__":{', '{"__metadata__":["a"],"zz":{', 1),
        "entry-extra-field": canon.replace(first_key + ':{', first_key + ':{"note":"x","n":[1,2],', 1),
        "entry-extra-nested": canon.replace(first_key + ':{', first_key + ':{"note":[1,2,{"x":null}],', 1),
        "bom": "\ufeff" + canon,
        "nul-in-key": canon.replace(first_key, first_key[:-1] + '\\u0000"', 1),
        "nul-byte": canon.replace(first_key, first_key[:-1] + '\0"', 1),
        "invalid-utf8": canon.encode().replace(first_key.encode(), first_key[:-1].encode() + b'\xff"', 1),
        "lone-surrogate": canon.replace(first_key, first_key[:-1] + '\\ud800"', 1),
        "unicode-name": canon.replace(first_key, first_key[:-1] + 'é"', 1),
        "trailing-garbage": canon + "x",
        "two-objects": canon + "{}",
        "not-object": "[" + canon + "]",
        "empty-object": "{}",
        "whitespace-only": " " * 16,
        "comment": canon.replace("{", "{/*x*/", 1),
        "single-quotes": canon.replace('"__metadata__"', "'__metadata__'", 1),
        "huge-int-shape": canon.replace('"shape":[', '"shape":[' + "9" * 400 + ",", 1),
    }
    for tok in RAW_NUMBERS:
        raw_edits["shape-" + tok] = canon.replace('"shape":[', '"shape":[' + tok + ",", 1)
        raw_edits["offset-" + tok] = canon.replace('"data_offsets":[', '"data_offsets":[' + tok + ",", 1)
    for name, text in raw_edits.items():
        expect = "accept" if name in ("entry-extra-field",) else "reject"

        def make(text=text):
            return ck.copy().to_bytes(fix_checksum=False, header_text=text)
        out += mutant_cases(ctx, "ckpt-json-fixed", base, name, make, expect=expect,
                            which=["predict"] if expect == "accept" else rotate(ctx, len(out)))
    # Metadata keys: unknown extra keys load (any); unicode and long keys.
    for name, key, value in [("extra-key", "user.note", "hello"), ("unicode-key", "ключ.😀", "значение"),
                             ("long-value", "user.blob", "x" * 1_000_000), ("control-chars", "a\x01\x1f", "\n\t\"\\")]:
        def make(key=key, value=value):
            c = ck.copy()
            c.metadata[key] = value
            return c.to_bytes()
        out += mutant_cases(ctx, "ckpt-json-fixed", base, name, make, expect="accept", which=["predict"])
    if step is not None:
        out += edit_entries(lambda c: c.entries.remove(c.entry(step[0])), name="optim-tensor-dropped",
                            which=["resume"])
    out += edit_entries(lambda c: c.entries.remove(c.entry(w[0])), name="weight-dropped", which=["eval"])
    return out


def data_values(ctx, base):
    """Data bytes changed with the checksum recomputed: NaN/inf weights, NaN optimizer step counts."""
    ck = ctx.ckpt(base)
    out = []
    w = next(e for e in ck.entries if not e[0].startswith("_optim.") and e[1] == "F32" and len(e[2]) == 2)
    step = next((e for e in ck.entries if e[0].endswith(".step")), None)
    nbt = next((e for e in ck.entries if e[0].endswith("num_batches_tracked")), None)

    def fill(entry, fmt, value, count=None):
        def make():
            c = ck.copy()
            size = struct.calcsize("<" + fmt)
            n = (entry[4] - entry[3]) // size if count is None else count
            c.data[entry[3]:entry[3] + n * size] = struct.pack("<" + fmt, value) * n
            c.data_changed()
            return c.to_bytes()
        return make

    inf = float("inf")
    for v in (float("nan"), inf, -inf, 3.4e38):
        out += mutant_cases(ctx, "ckpt-data-fixed", base, "weight=%r" % v, fill(w, "f", v), expect="any",
                            which=["predict", "eval"])
    if step:
        for v in (float("nan"), -1.0, inf, 1e30):
            out += mutant_cases(ctx, "ckpt-data-fixed", base, "step=%r" % v, fill(step, "f", v), expect="any",
                                which=["resume"])
    if nbt:
        for v in (-1, 2**63 - 1):
            out += mutant_cases(ctx, "ckpt-data-fixed", base, "num_batches_tracked=%d" % v, fill(nbt, "q", v),
                                expect="any", which=["resume"])
    return out
