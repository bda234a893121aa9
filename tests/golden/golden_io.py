"""Shared writer of the golden JSON files: one case per line, so diffs stay readable."""
import json
import os


def write_cases(out, generator, torch_version, cases, unit):
    with open(out, "w") as f:
        f.write('{"generator": "%s", "torch_version": %s, "cases": [\n' % (generator, json.dumps(torch_version)))
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {out}: {len(cases)} cases for {len({c[unit] for c in cases})} {unit}s, {os.path.getsize(out)} bytes")
