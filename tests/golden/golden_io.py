"""Shared by the golden generators: float32 value encoding and the JSON writer (one case per line,
so diffs stay readable)."""
import json
import os
import struct


def f32_short(v):
    """Shortest decimal that round-trips to the same float32 (exact for the C++ reader)."""
    for p in range(1, 10):
        s = "%.*g" % (p, v)
        if struct.unpack("f", struct.pack("f", float(s)))[0] == v:
            return float(s)
    return v


def write_cases(out, generator, torch_version, cases, unit):
    with open(out, "w") as f:
        f.write('{"generator": "%s", "torch_version": %s, "cases": [\n' % (generator, json.dumps(torch_version)))
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {out}: {len(cases)} cases for {len({c[unit] for c in cases})} {unit}s, {os.path.getsize(out)} bytes")
