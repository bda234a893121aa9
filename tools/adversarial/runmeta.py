"""Run-metadata mutants (nabla.run, nabla.epoch, history, optimizer/scheduler/callback state, rng) with a
valid checksum: the run-state validation must refuse every one it cannot use, before building anything."""
import json

from ckpt import mutant_cases

# Values any field may be replaced by; a field of the wrong type or range must be refused.
GENERIC = [None, True, "", "x", [], {}, -1, 0, 1.5, 2**31, 2**62, 2**63, 2**64, -(2**63) - 1, 1e308,
           "😀" * 3, "x" * 100_000]
RAW = ["1e309", "-1e309", "NaN", "-0", "1E400"]


def set_path(obj, path, value):
    *head, last = path
    for p in head:
        obj = obj[p]
    if value is DELETE:
        del obj[last]
    else:
        obj[last] = value


DELETE = object()


def get_path(obj, path):
    for p in path:
        obj = obj[p]
    return obj


def json_type(v):
    if isinstance(v, bool) or v is None:
        return type(v).__name__
    if isinstance(v, (int, float)):
        return "number"
    return type(v).__name__


def json_mutants(doc, paths, rng, extra):
    """(label, text) pairs: each path set to generic values, RAW tokens, extra per-path values, deleted."""
    out = []
    for path in paths:
        values = list(extra.get(path[-1], [])) + rng.sample(GENERIC, 6) + [DELETE]
        for v in values:
            d = json.loads(json.dumps(doc))
            try:
                set_path(d, path, v)
            except (KeyError, IndexError, TypeError):
                continue
            label = "%s=%s" % (".".join(map(str, path)), "<deleted>" if v is DELETE else json.dumps(v)[:30])
            old = get_path(doc, path)
            # Another JSON type than the one nabla wrote must be refused; same type: judged by the output.
            expect = "any" if v is DELETE or json_type(v) == json_type(old) else "reject"
            out.append((label, json.dumps(d, ensure_ascii=False, separators=(",", ":")), expect))
        tok = rng.choice(RAW)
        d = json.loads(json.dumps(doc))
        set_path(d, path, "@@RAW@@")
        out.append(("%s=%s" % (".".join(map(str, path)), tok),
                    json.dumps(d, separators=(",", ":")).replace('"@@RAW@@"', tok), "any" if tok == "-0" else "reject"))
    return out


def leaf_paths(doc, prefix=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from leaf_paths(v, prefix + (k,))
    elif isinstance(doc, list) and doc and not all(isinstance(x, (int, float)) for x in doc):
        for i, v in enumerate(doc[:2]):
            yield from leaf_paths(v, prefix + (i,))
    else:
        yield prefix


# Per-field values that are in range but inconsistent with the tensors or the rest of the config.
EXTRA = {
    "num_classes": [9, 11, 2**20 + 1, 1],
    "n_layers": [2, 1000, 1001],
    "height": [14, 56, 4097, 1],
    "width": [56, 14, 4097],
    "in_channels": [3, 5],
    "name": ["resnet", "fashion_cnn", "MLP"],
    "classes": [["a"] * 10, [str(i) for i in range(11)], [1] * 10],
    "mean": [[0.1, 0.2], [float("inf")] if False else [1e308]],
    "std": [[0.0], [-0.3], [1e-320]],
    "data": ["cifar10", "imagefolder:/nonexistent", "mnist\n"],
    "optimizer": ["sgd", "lbfgs"],
    "scheduler": ["step", "bogus"],
    "lr": [-0.1, 0.0],
    "train_ratio": [0.0, 2.0],
    "threads": [100000, -5],
    "batch_size": [0, -64],
    "epochs": [0, -2],
    "seed": [-1],
    "betas": [[2.0, 0.5], [0.9]],
    "params": [[0, 0], [99], [-1]],
    "param_groups": [[]],
    "momentum": [-1.0],
    "eps": [0.0, -1.0],
    "step_size": [0, -1],
    "gamma": [-1.0],
    "T_max": [0, -5],
    "last_epoch": [-5, 10**9],
    "_step_count": [-1],
    "best": [None],
    "wait": [-1, 10**9],
    "stopped_epoch": [-3],
    "type": ["ReduceLROnPlateau", "Nope"],
}

TOP = ["nabla.epoch", "nabla.global_step", "nabla.rng", "nabla.format", "nabla.optimizer_tensors",
       "nabla.history", "nabla.scheduler", "nabla.callbacks"]
TOP_VALUES = {
    "nabla.epoch": ["-1", "0", "1", "3", "02", "+2", " 2", "2.0", "1e0", "9223372036854775808", "", "two"],
    "nabla.global_step": ["-1", "0", "9223372036854775807", "1e3", "x"],
    "nabla.rng": ['["1","2","3","4","5"]', '["1","2","3","4","5","6","7"]', '[1,2,3,4,5,6]',
                  '["-1","0","0","0","0","0"]', '["18446744073709551616","0","0","0","0","0"]',
                  '["0","0","0","0","0","0"]', "[]", "{}", ""],
    "nabla.format": ["nabla-run-2", "", "nabla-run-1 ", "safetensors"],
    "nabla.optimizer_tensors": ["[]", '["state.0.step"]', "null", "x"],
    "nabla.history": ["[]", "[{}]", '[{"epoch":1},{"epoch":2}]', "[null,null]", '[{"val_loss":"NaN"},{}]',
                      '[{"val_loss":NaN},{"val_loss":1}]', '[{"val_loss":1e309},{"val_loss":1}]', "x"],
    "nabla.scheduler": ["", "{}", "[]", "x", '{"type":"StepLR"}', "null"],
    "nabla.callbacks": ["", "{}", "[]", "x", '{"best":"NaN","wait":0,"stopped_epoch":0}', "null"],
}


def cases(ctx, base, budget):
    ck = ctx.ckpt(base)
    rng = ctx.rng
    out = []

    def meta_mutant(key, text, label, expect="any"):
        def make():
            c = ck.copy()
            if text is DELETE:
                c.metadata.pop(key, None)
            else:
                c.metadata[key] = text
            return c.to_bytes()
        # Every command: eval/predict read the config, resume reads it all.
        which = ["resume"] if key not in ("nabla.run",) else None
        if which is None and rng.random() < 0.5:
            which = [rng.choice(["eval", "predict"]), "resume"]
        return mutant_cases(ctx, "ckpt-run-fixed", base, label, make, expect=expect, which=which)

    mutants = []
    for key in ("nabla.run", "nabla.optimizer", "nabla.scheduler", "nabla.callbacks"):
        if not ck.metadata.get(key):
            continue
        doc = json.loads(ck.metadata[key])
        paths = list(leaf_paths(doc))
        for label, text, expect in json_mutants(doc, paths, rng, EXTRA):
            mutants.append((key, text, key + ":" + label, expect))
    for key in TOP:
        for v in TOP_VALUES[key]:
            mutants.append((key, v, "%s=%r" % (key, v[:30]), "any"))
        # Without "nabla.optimizer_tensors" (files older than the list) the tensors are not cross-checked.
        # An empty value (no scheduler/callback state) and a missing one mean the same.
        optional = key == "nabla.optimizer_tensors" or not ck.metadata.get(key)
        mutants.append((key, DELETE, key + "=<deleted>", "any" if optional else "reject"))
    mutants.append(("nabla.run", DELETE, "nabla.run=<deleted>", "reject"))
    rng.shuffle(mutants)
    for key, text, label, expect in mutants:
        if len(out) >= budget:
            break
        out += meta_mutant(key, text, label, expect)
    return out
