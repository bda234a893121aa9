"""Command lines: extreme values per flag, random combinations, unknown flags/subcommands, paths that are
missing, directories, devices, FIFOs or unwritable."""
import os
import stat

from runner import Case

EXTREME = ["0", "-1", "1", "2", "9223372036854775807", "9223372036854775808", "18446744073709551615",
           "18446744073709551616", "1e309", "-1e309", "nan", "NaN", "inf", "-inf", "", " ", "😀", "x" * 5000,
           "1e-320", "0x10", "1,5", "-", "--", "3 ", "4294967297", "2147483648", "-0", "1e3", "0.5", "\u200b1"]

# flag -> predicate(value) saying whether nabla must accept it (None: either is fine).
def _int_in(lo, hi):
    def ok(v):
        try:
            return lo <= int(v, 10) <= hi and v.strip() == v and v.lstrip("-").isdigit()
        except ValueError:
            return False
    return ok


def _zero_or_in(lo, hi):
    return lambda v: _int_in(0, 0)(v) or _int_in(lo, hi)(v)


def _float_pos(v):
    try:
        f = float(v)
    except ValueError:
        return False
    return 0 < f < float("inf") and v.strip() == v and v.lower() not in ("nan", "inf", "infinity")


TRAIN = {
    "--batch_size": _int_in(1, 2**31), "--n_epochs": _int_in(1, 10**9), "--n_layers": _int_in(1, 1000),
    "--lr": _float_pos, "--early_stop": _int_in(0, 10**9), "--kfold": _zero_or_in(2, 1000),
    "--seed": _int_in(0, 2**64 - 1), "--threads": _int_in(0, 1024), "--gpu_id": lambda v: v == "-1",
    "--train_ratio": lambda v: _float_pos(v) and 0.01 <= float(v) <= 1,
    "--model": lambda v: v in ("mlp", "fashion_cnn", "resnet"),
    "--optimizer": lambda v: v in ("sgd", "adam", "adamw", "rmsprop", "adagrad"),
    "--scheduler": lambda v: v in ("none", "step", "cosine", "plateau", "onecycle"),
    "--on_nan": lambda v: v in ("stop", "warn"), "--data": lambda v: v in ("mnist",),
}
WORDS = ["mlp", "fashion_cnn", "resnet", "sgd", "adam", "adamw", "rmsprop", "adagrad", "none", "step", "cosine",
         "plateau", "onecycle", "stop", "warn", "mnist", "MNIST", "cifar10", "imagefolder:", "imagefolder:/nonexistent",
         "fashion-mnist"]


def _safe_run_size(flags):
    """Valid combinations must finish in seconds: cap what makes a run long."""
    big = {"--n_epochs": 3, "--kfold": 3, "--n_layers": 3}
    for f, cap in big.items():
        if f in flags:
            try:
                if int(flags[f]) > cap:
                    return False
            except ValueError:
                pass
    if flags.get("--model") in ("resnet",) and flags.get("--batch_size", "1000") in ("1", "2"):
        return False
    return True


def cases(ctx, rng, count):
    n, data = ctx.nabla, ctx.data_dir
    best = ctx.bases["mlp-adam"]["best"]
    img = ctx.images["digit.png"]
    out = []
    base_train = [n, "train", "--data_dir", data, "--n_epochs", "1", "--logdir", "{dir}/run", "--model_fn",
                  "{dir}/run/m.safetensors"]

    def train_case(cat, name, flags, expect, names, timeout=120):
        cmd = list(base_train)
        for f, v in flags.items():
            if f in cmd:
                cmd[cmd.index(f) + 1] = v
            else:
                cmd += [f, v]
        out.append(Case(cat, name, cmd, expect=expect, names=names, timeout=timeout,
                        check=_wrote_check(ctx) if expect != "reject" else None))

    # Each flag alone with each extreme value.
    for flag, ok in TRAIN.items():
        values = EXTREME + (WORDS if flag in ("--model", "--optimizer", "--scheduler", "--on_nan", "--data") else [])
        for v in rng.sample(values, min(len(values), 9)):
            valid = ok(v)
            flags = {flag: v}
            if valid and not _safe_run_size(flags):
                continue
            train_case("cli-train-flag", "%s=%r" % (flag, v[:20]), flags, "any" if valid else "reject",
                       [flag, "not found under"] if flag == "--data" else [flag])
    # Random combinations.
    flag_names = list(TRAIN)
    for i in range(count):
        flags = {}
        for f in rng.sample(flag_names, rng.randrange(1, 5)):
            pool = WORDS if f in ("--model", "--optimizer", "--scheduler", "--on_nan", "--data") else EXTREME
            good = {"--batch_size": ["32", "64", "480"], "--n_epochs": ["1", "2"], "--n_layers": ["1", "2"],
                    "--lr": ["0.01", "1e-4", "1e3"], "--kfold": ["0", "2"], "--train_ratio": ["0.5", "1"],
                    "--threads": ["1", "2", "0"], "--early_stop": ["0", "1"], "--seed": ["7", "18446744073709551615"],
                    "--gpu_id": ["-1"], "--model": ["mlp", "fashion_cnn"], "--data": ["mnist"]}.get(f, [])
            flags[f] = rng.choice(good) if good and rng.random() < 0.6 else rng.choice(pool)
        bad = [f for f, v in flags.items() if not TRAIN[f](v)]
        if not bad and not _safe_run_size(flags):
            continue
        names = bad + (["not found under"] if "--data" in bad else [])
        if flags.get("--scheduler") == "onecycle" and flags.get("--optimizer") == "adagrad":
            names += ["--scheduler"]
        train_case("cli-train-combo", " ".join("%s=%r" % (f, v[:12]) for f, v in flags.items()), flags,
                   "reject" if bad else "any", names or list(flags))
    # eval / predict / samples flags.
    for v in rng.sample(EXTREME, 8):
        ok = _int_in(0, 1024)(v)
        out.append(Case("cli-use", "eval --threads %r" % v[:20],
                        [n, "eval", "--model_fn", best, "--data_dir", data, "--threads", v],
                        expect="any" if ok else "reject", names=["--threads"]))
        ok = _int_in(1, 10**9)(v)
        out.append(Case("cli-use", "predict --topk %r" % v[:20], [n, "predict", "--model_fn", best, "--input", img,
                                                                  "--topk", v],
                        expect="any" if ok else "reject", names=["--topk"]))
        ok = _int_in(1, 10**9)(v) and int(v) <= 1000
        if ok or not _int_in(1, 10**9)(v):
            out.append(Case("cli-use", "samples --count %r" % v[:20],
                            [n, "samples", "--data", "mnist", "--data_dir", data, "--count", v, "--out", "{dir}/s"],
                            expect="any" if ok else "reject", names=["--count"]))
    for v in ["val", "", "TEST", "test ", "😀"]:
        out.append(Case("cli-use", "eval --split %r" % v, [n, "eval", "--model_fn", best, "--data_dir", data,
                                                            "--split", v], expect="reject", names=["--split"]))
    # Unknown things.
    for argv, names in [(["trian"], ["trian", "train"]), (["TRAIN"], ["TRAIN"]), (["export"], ["export"]),
                        (["serve"], ["serve"]), ([""], ["command", "''"]), (["--bogus"], ["--bogus"]),
                        (["train", "--epochs", "3", "--data_dir", "/nonexistent"], ["--epochs"]),
                        (["train", "--n-epochs", "3", "--data_dir", "/nonexistent"], ["--n-epochs"]),
                        (["train", "extra_positional", "--data_dir", "/nonexistent"], ["extra_positional"]),
                        (["eval"], ["--model_fn"]), (["predict", "--model_fn", best], ["--input"]),
                        (["train", "--lr"], ["--lr"]), (["train", "--lr", "0.1", "--lr", "0.2", "--data_dir",
                                                         "/nonexistent"], ["--lr", "data"]),
                        (["eval", "--model_fn", best, "--model_fn", best, "--data_dir", "/nonexistent"], ["--model_fn", "data"]),
                        (["-h", "train"], [])]:
        expect = "any" if argv[:1] == ["-h"] else "reject"
        out.append(Case("cli-unknown", " ".join(argv)[:60], [n] + argv, expect=expect, names=names))
    out.append(Case("cli-unknown", "--version", [n, "--version"], expect="accept",
                    check=lambda r: None if r.out.strip() else "no version printed"))
    out += path_cases(ctx, rng)
    return out


def _wrote_check(ctx):
    """A successful train must have written a model that predict then reads."""
    from runner import run

    def check(r):
        for f in ("run/m.safetensors", "run/last.safetensors"):
            p = os.path.join(r.dir, f)
            if os.path.exists(p):
                again = run([ctx.nabla, "predict", "--model_fn", p, "--input", ctx.images["digit.png"]], 30)
                if again.rc != 0:
                    return "unreadable", "nabla wrote %s and refuses it: %s" % (f, again.err.strip()[-300:])
        if not os.path.exists(os.path.join(r.dir, "run/m.safetensors")) and "--kfold" not in " ".join(r.out):
            return None  # K-fold runs or early stops may write only last.safetensors
        return None
    return check


def path_cases(ctx, rng):
    n, data = ctx.nabla, ctx.data_dir
    best = ctx.bases["mlp-adam"]["best"]
    img = ctx.images["digit.png"]

    def fifo(d):
        os.mkfifo(os.path.join(d, "fifo"))

    def ro_file(d):
        os.makedirs(os.path.join(d, "dir.safetensors"))
        with open(os.path.join(d, "file"), "w") as f:
            f.write("x")

    out = []
    reads = [("missing", "/nonexistent/x.safetensors", None), ("directory", "{dir}", None),
             ("dir-named-like-file", "{dir}/dir.safetensors", ro_file), ("dev-null", "/dev/null", None),
             ("dev-zero", "/dev/zero", None), ("dev-urandom", "/dev/urandom", None), ("fifo", "{dir}/fifo", fifo),
             ("proc-self-mem", "/proc/self/mem", None), ("proc-version", "/proc/version", None),
             ("empty-name", "", None), ("unicode-name", "{dir}/модель😀.safetensors", None),
             ("long-name", "{dir}/" + "x" * 300, None), ("long-path", "/" + "/".join(["y" * 200] * 30), None),
             ("dash-name", "-", None)]
    for name, p, setup in reads:
        out.append(Case("cli-path-read", "eval --model_fn " + name, [n, "eval", "--model_fn", p, "--data_dir", data],
                        expect="reject", names=["--model_fn", "model_fn", p[:30] or "''"],
                        setup=setup, timeout=20))
        out.append(Case("cli-path-read", "predict --input " + name, [n, "predict", "--model_fn", best, "--input", p],
                        expect="reject", names=["--input", p.replace("{dir}", "")[:20] or "''"], setup=setup,
                        timeout=20))
        out.append(Case("cli-path-read", "train --resume " + name,
                        [n, "train", "--data_dir", data, "--resume", p, "--n_layers", "1", "--logdir", "{dir}/run"],
                        expect="reject", names=["--resume", p[:30] or "''"], setup=setup, timeout=20))
    out.append(Case("cli-path-read", "train --data_dir file", [n, "train", "--data_dir", best], expect="reject",
                    names=["--data_dir", best]))
    out.append(Case("cli-path-read", "train --data imagefolder:file", [n, "train", "--data", "imagefolder:" + best],
                    expect="reject", names=["imagefolder", "ImageFolder"]))
    out.append(Case("cli-path-read", "train --data imagefolder:empty-dir", [n, "train", "--data", "imagefolder:{dir}"],
                    expect="reject", names=["imagefolder", "ImageFolder"]))
    writes = [("proc", "/proc/version"), ("proc-new", "/proc/nabla/m.safetensors"), ("sys", "/sys/m.safetensors"),
              ("existing-dir", "{dir}"), ("under-a-file", best + "/m.safetensors"), ("dev-full", "{dir}/full"),
              ("empty", ""), ("trailing-slash", "{dir}/x/")]
    def full(d):  # a device node of our own (nabla as root once replaced /dev/full by a regular file)
        os.mknod(os.path.join(d, "full"), 0o666 | stat.S_IFCHR, os.makedev(1, 7))

    for name, p in writes:
        setup = full if name == "dev-full" and os.geteuid() == 0 else None
        if name == "dev-full" and setup is None:
            continue
        shown = p.replace("{dir}", "")[:20] or "''"
        out.append(Case("cli-path-write", "train --model_fn " + name,
                        [n, "train", "--data_dir", data, "--n_epochs", "1", "--n_layers", "1", "--model_fn", p],
                        expect="reject", names=["--model_fn", shown, "model_fn"], timeout=60, setup=setup))
        out.append(Case("cli-path-write", "train --logdir " + name,
                        [n, "train", "--data_dir", data, "--n_epochs", "1", "--n_layers", "1", "--logdir", p,
                         "--model_fn", "{dir}/m.safetensors"],
                        expect="any" if name in ("empty", "existing-dir", "trailing-slash") else "reject",
                        names=["--logdir", shown, "logdir"], timeout=60, setup=setup))
        out.append(Case("cli-path-write", "samples --out " + name,
                        [n, "samples", "--data", "mnist", "--data_dir", data, "--out", p],
                        expect="any" if name in ("existing-dir", "trailing-slash") else "reject",
                        names=["--out", shown], timeout=30, setup=setup))
    return out
