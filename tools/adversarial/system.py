"""Compound cases: a full disk (small tmpfs, root only), kill -9 during training and checkpoint writes
followed by a resume, and NaN/inf-producing runs with --on_nan."""
import csv
import glob
import os
import signal
import subprocess
import time

from runner import Case, classify, run
from setup import flag

TRAIN_MLP = ["--data", "mnist", "--model", "mlp", "--n_layers", "1", "--optimizer", "adam", "--batch_size", "32"]
TRAIN_CNN = ["--data", "mnist", "--model", "fashion_cnn", "--optimizer", "sgd", "--lr", "0.01", "--batch_size", "50"]


def check_written(ctx, d, expect_none_tmp=True, killed=False):
    """Every checkpoint under d loads with predict (one whose weights went NaN under --on_nan warn may be
    refused for use, by that reason); no temporary from a process that exited remains; no empty file
    (but a CSV opened by a run killed before its first row)."""
    for p in glob.glob(os.path.join(d, "**", "*.safetensors"), recursive=True):
        r = run([ctx.nabla, "predict", "--model_fn", p, "--input", ctx.images["digit.png"]], 30)
        if r.rc != 0 and "NaN or inf" not in r.err:
            return "unreadable", "%s: %s" % (os.path.relpath(p, d), r.err.strip()[-300:])
    for p in glob.glob(os.path.join(d, "**", "*"), recursive=True):
        if killed and p.endswith(".csv"):
            continue
        if os.path.isfile(p) and os.path.getsize(p) == 0 and p.endswith((".png", ".safetensors", ".csv")):
            return "silent", "0-byte file left: %s" % os.path.relpath(p, d)
    if expect_none_tmp:
        tmps = glob.glob(os.path.join(d, "**", "*.tmp.*"), recursive=True)
        if tmps:
            return "silent", "temporary left behind: %s" % os.path.relpath(tmps[0], d)
    return None


# --- full disk -----------------------------------------------------------------------------------------

def disk_cases(ctx, rng):
    if os.geteuid() != 0:
        return []
    out = []

    def mounted(size, body):
        def custom(case, d):
            mnt = os.path.join(d, "mnt")
            os.makedirs(mnt)
            if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", mnt]).returncode:
                return "harness-error", "mount failed"
            try:
                return body(case, d, mnt)
            finally:
                subprocess.run(["umount", mnt])
        return custom

    def train_body(logdir_on_disk):
        def body(case, d, mnt):
            logdir = os.path.join(mnt, "run") if logdir_on_disk else os.path.join(d, "run")
            cmd = [ctx.nabla, "train", *TRAIN_MLP, "--data_dir", ctx.data_dir, "--n_epochs", "2",
                   "--logdir", logdir, "--model_fn", os.path.join(mnt, "m.safetensors")]
            r = run(cmd, 120, cwd=d)
            case.cmd = cmd
            outcome, note = classify(case, r)
            if outcome not in ("refused", "accepted"):
                return outcome, note
            if r.rc != 0 and "errno" not in r.err and "space" not in r.err.lower():
                return "unclear", "full disk error does not say so: " + r.err.strip()[-200:]
            return check_written(ctx, mnt) or (outcome, note)
        return body

    for size in ["16k", "64k", "1m", "3m", "4m", "6m", "8m", "11m", "20m"]:
        out.append(Case("disk-full", "train, model_fn and logdir on a %s tmpfs" % size, expect="any",
                        custom=mounted(size, train_body(True)), names=["mnt"]))
        out.append(Case("disk-full", "train, model_fn on a %s tmpfs" % size, expect="any",
                        custom=mounted(size, train_body(False)), names=["mnt"]))

    def samples_body(case, d, mnt):
        cmd = [ctx.nabla, "samples", "--data", "mnist", "--data_dir", ctx.data_dir, "--count", "50", "--out",
               os.path.join(mnt, "s")]
        r = run(cmd, 60)
        outcome, note = classify(case, r)
        if outcome == "accepted":
            return "silent", "exit 0 on a full disk"
        return check_written(ctx, mnt) or (outcome, note)
    for size in ["4k", "8k", "16k"]:
        out.append(Case("disk-full", "samples on a %s tmpfs" % size, expect="reject",
                        custom=mounted(size, samples_body), names=["mnt"]))

    def ro_body(case, d, mnt):
        subprocess.run(["mount", "-o", "remount,ro", mnt])
        cmd = [ctx.nabla, "train", *TRAIN_MLP, "--data_dir", ctx.data_dir, "--n_epochs", "1", "--model_fn",
               os.path.join(mnt, "m.safetensors")]
        r = run(cmd, 60)
        return classify(case, r)
    out.append(Case("disk-full", "train into a read-only mount", expect="reject", custom=mounted("1m", ro_body),
                    names=["m.safetensors"]))
    return out


# --- kill -9 -------------------------------------------------------------------------------------------

def metrics_epochs(logdir):
    p = os.path.join(logdir, "metrics.csv")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [int(float(row["epoch"])) for row in csv.DictReader(f)]


def kill_cases(ctx, rng, count):
    out = []
    epochs = 4
    refs = {}

    def reference(flags):
        key = tuple(flags)
        if key not in refs:
            d = os.path.join(ctx.work, "kill-ref-%d" % len(refs))
            r = run([ctx.nabla, "train", *flags, "--data_dir", ctx.data_dir, "--n_epochs", str(epochs), "--logdir", d,
                     "--model_fn", os.path.join(d, "m.safetensors")], 300)
            refs[key] = (r, os.path.join(d, "last.safetensors"))
        return refs[key]

    def body(flags, delay):
        def custom(case, d):
            logdir = os.path.join(d, "run")
            cmd = [ctx.nabla, "train", *flags, "--data_dir", ctx.data_dir, "--n_epochs", str(epochs), "--logdir",
                   logdir, "--model_fn", os.path.join(logdir, "m.safetensors")]
            case.cmd = cmd
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            p.wait()
            bad = check_written(ctx, d, expect_none_tmp=False, killed=True)
            if bad:
                return bad
            last = os.path.join(logdir, "last.safetensors")
            if not os.path.exists(last):
                return "accepted", "killed before the first checkpoint"
            r = run(cmd + ["--resume", last], 300)
            if r.rc != 0:
                return ("unreadable" if "resume" in r.err else "crash" if r.rc < 0 else "silent",
                        "resume failed: " + r.err.strip()[-300:])
            bad = check_written(ctx, d)
            if bad:
                return bad
            ep = metrics_epochs(logdir)
            if ep != list(range(1, epochs + 1)):
                return "silent", "metrics.csv epochs after resume: %s" % ep
            ref_r, ref_last = reference(flags)
            if ref_r.rc == 0:
                a = open(ref_last, "rb").read()
                b = open(last, "rb").read()
                if a != b:
                    return "silent", "resumed run's last.safetensors differs from an uninterrupted run's"
            return "accepted", ""
        return custom

    for i in range(count):
        flags = TRAIN_CNN if i % 3 == 2 else TRAIN_MLP
        delay = rng.uniform(0.05, 2.5 if flags is TRAIN_MLP else 5.0)
        out.append(Case("kill-9", "%s kill at %.2fs" % (flag(flags, "--model"), delay), expect="any",
                        custom=body(flags, delay), timeout=600))
    return out


# --- NaN / inf -----------------------------------------------------------------------------------------

def nan_cases(ctx, rng):
    out = []
    runs = [("sgd lr 5 cnn", ["--model", "fashion_cnn", "--optimizer", "sgd", "--lr", "5"]),
            ("sgd lr 1e6 mlp", ["--model", "mlp", "--n_layers", "1", "--optimizer", "sgd", "--lr", "1e6"]),
            ("sgd lr 1e30 mlp", ["--model", "mlp", "--n_layers", "1", "--optimizer", "sgd", "--lr", "1e30"]),
            ("adam lr 1e30 mlp", ["--model", "mlp", "--n_layers", "1", "--optimizer", "adam", "--lr", "1e30"]),
            ("rmsprop lr 1e10 plateau", ["--model", "mlp", "--n_layers", "1", "--optimizer", "rmsprop", "--lr", "1e10",
                                         "--scheduler", "plateau"]),
            ("adagrad lr 1e38 onecycle", ["--model", "mlp", "--n_layers", "1", "--optimizer", "adagrad", "--lr",
                                          "1e38", "--scheduler", "onecycle"]),
            ("sgd lr 3.4e38 early_stop", ["--model", "mlp", "--n_layers", "1", "--optimizer", "sgd", "--lr", "3.4e38",
                                          "--early_stop", "1"]),
            ("sgd lr 1e6 kfold", ["--model", "mlp", "--n_layers", "1", "--optimizer", "sgd", "--lr", "1e6",
                                  "--kfold", "2"]),
            ("sgd lr 1e6 train_ratio 1", ["--model", "mlp", "--n_layers", "1", "--optimizer", "sgd", "--lr", "1e6",
                                          "--train_ratio", "1"])]

    def body(flags, on_nan):
        def custom(case, d):
            logdir = os.path.join(d, "run")
            cmd = [ctx.nabla, "train", "--data", "mnist", "--data_dir", ctx.data_dir, "--batch_size", "64",
                   "--n_epochs", "3", "--on_nan", on_nan, "--logdir", logdir, "--model_fn",
                   os.path.join(logdir, "m.safetensors"), *flags]
            case.cmd = cmd
            r = run(cmd, 180)
            outcome, note = classify(case, r)
            if outcome not in ("refused", "accepted"):
                return outcome, note
            bad = check_written(ctx, d)
            if bad:
                return bad
            last = os.path.join(logdir, "last.safetensors")
            if os.path.exists(last) and on_nan == "warn" and "--kfold" not in flags:
                r2 = run(cmd[:cmd.index("--n_epochs") + 1] + ["4"] + cmd[cmd.index("--n_epochs") + 2:] +
                         ["--resume", last], 180)
                o2, n2 = classify(case, r2)
                if o2 not in ("refused", "accepted"):
                    return o2, "resume: " + n2
                if r2.rc != 0:
                    return "unreadable", "resume of a NaN run refused: " + r2.err.strip()[-200:]
            text = (r.out + r.err).lower()
            if "nan" in text or "inf" in text or "--scheduler onecycle" in text or r.rc == 0:
                return outcome, note
            return "unclear", "no mention of the NaN"
        return custom

    for name, flags in runs:
        for on_nan in ("stop", "warn"):
            out.append(Case("nan", "%s --on_nan %s" % (name, on_nan), expect="any", custom=body(flags, on_nan),
                            timeout=400))
    return out
