"""Runs cases against the nabla executable and classifies each outcome.

Outcomes (GOOD: refused, accepted; everything else is a finding):
  refused     non-zero exit 1/2, last stderr line "nabla: ..." naming the file/flag/field at fault
  accepted    exit 0 and the case's output check passed (or the case allows success)
  crash       killed by a signal, or an abort text (terminate called, sanitizer, bad_alloc...)
  hang        still running at the timeout
  silent      exit 0 where the input must be refused, or exit 0 with wrong/empty output
  unreadable  nabla refused a checkpoint nabla itself wrote
  unclear     refused, but the message does not name what is wrong, or spans several lines
  odd-exit    any other exit code
"""
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional

GOOD = ("refused", "accepted")
ABORT = re.compile(
    r"terminate called|Sanitizer|runtime error:|Segmentation fault|core dumped|std::bad_alloc|"
    r"Assertion .* failed|libgomp|what\(\):|internal error"
)


@dataclasses.dataclass
class Case:
    cat: str
    name: str
    cmd: List[str] = dataclasses.field(default_factory=list)
    expect: str = "any"  # reject | accept | any | wrote (accept; a refusal means nabla can't read its own file)
    names: List[str] = dataclasses.field(default_factory=list)  # a refusal must mention one of these
    timeout: float = 30
    check: Optional[Callable] = None  # check(Result) -> None or a complaint (success with wrong output)
    setup: Optional[Callable] = None  # setup(dir) before the run
    custom: Optional[Callable] = None  # custom(case, dir) -> (outcome, note): compound cases
    env: Optional[dict] = None


@dataclasses.dataclass
class Result:
    rc: Optional[int]
    out: str
    err: str
    timed_out: bool
    secs: float
    dir: str = ""


def run(cmd, timeout, cwd=None, env=None):
    t = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # our own child's process group only
        out, err = p.communicate()
        timed_out = True
    return Result(p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), timed_out,
                  time.time() - t, cwd or "")


def classify(case, r):
    if r.timed_out:
        return "hang", "no exit after %ss" % case.timeout
    if r.rc is not None and r.rc < 0:
        return "crash", "signal %d" % -r.rc
    if ABORT.search(r.err):
        return "crash", "abort text on stderr"
    if r.rc == 0:
        if case.expect == "reject":
            return "silent", "exit 0 for an input that must be refused"
        complaint = case.check(r) if case.check else None
        if isinstance(complaint, tuple):
            return complaint
        if complaint:
            return "silent", complaint
        return "accepted", ""
    if r.rc not in (1, 2):
        return "odd-exit", "exit %d" % r.rc
    if case.expect == "wrote":
        return "unreadable", "refused a file nabla wrote"
    lines = [l for l in r.err.strip().splitlines() if l.strip() and not l.startswith("nabla: warning")]
    if not lines or not lines[-1].startswith("nabla:"):
        return "unclear", "no 'nabla:' error line"
    if case.expect == "accept":
        return "unclear", "refused a valid input"
    errors = [l for l in lines if not l.startswith(("Epoch", "resumed", "nabla train:"))]
    if len(errors) > 1 and not all(l.startswith("nabla:") for l in errors):
        return "unclear", "error spans %d lines" % len(errors)
    if case.names and not any(n in lines[-1] for n in case.names):
        return "unclear", "message names none of %s" % case.names
    return "refused", ""


class Runner:
    def __init__(self, work, jobs=2, keep=False, verbose=False):
        self.work = work
        self.jobs = jobs
        self.keep = keep
        self.verbose = verbose
        self.results = []  # (case, outcome, note, Result|None)
        self.lock = threading.Lock()
        self.counter = 0
        os.makedirs(os.path.join(work, "findings"), exist_ok=True)

    def _one(self, case):
        with self.lock:
            self.counter += 1
            n = self.counter
        d = os.path.join(self.work, "cases", "%05d" % n)
        os.makedirs(d, exist_ok=True)
        r = None
        try:
            if case.setup:
                case.setup(d)
            if case.custom:
                outcome, note = case.custom(case, d)
            else:
                cmd = [c.replace("{dir}", d) for c in case.cmd]
                case.names = [x.replace("{dir}", d) for x in case.names]
                r = run(cmd, case.timeout, cwd=d, env=case.env)
                outcome, note = classify(case, r)
        except Exception as e:  # a harness bug is reported, not hidden
            outcome, note = "harness-error", repr(e)
        with self.lock:
            self.results.append((case, outcome, note, r))
            if outcome not in GOOD:
                self._record(n, case, outcome, note, r, d)
            elif not self.keep:
                shutil.rmtree(d, ignore_errors=True)
            if self.verbose or outcome not in GOOD:
                print("[%s] %s/%s: %s %s" % (n, case.cat, case.name, outcome, note), flush=True)

    def _record(self, n, case, outcome, note, r, d):
        with open(os.path.join(self.work, "findings", "%05d-%s.txt" % (n, case.cat)), "w") as f:
            f.write("category: %s\ncase: %s\noutcome: %s %s\ndir: %s\ncmd: %s\n" %
                    (case.cat, case.name, outcome, note, d, " ".join(case.cmd)))
            if r:
                f.write("rc: %s  secs: %.1f\n--- stdout (tail)\n%s\n--- stderr (tail)\n%s\n" %
                        (r.rc, r.secs, r.out[-3000:], r.err[-3000:]))

    def run_all(self, cases):
        with ThreadPoolExecutor(self.jobs) as ex:
            list(ex.map(self._one, cases))

    def summary(self):
        cats = sorted({c.cat for c, *_ in self.results})
        outcomes = ["refused", "accepted", "crash", "hang", "silent", "unreadable", "unclear", "odd-exit",
                    "harness-error"]
        used = [o for o in outcomes if any(x[1] == o for x in self.results)]
        rows = [["category", "cases"] + used]
        for cat in cats:
            rs = [x for x in self.results if x[0].cat == cat]
            rows.append([cat, str(len(rs))] + [str(sum(1 for x in rs if x[1] == o)) for o in used])
        rows.append(["total", str(len(self.results))] + [str(sum(1 for x in self.results if x[1] == o))
                                                          for o in used])
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
                 for row in rows]
        bad = sum(1 for x in self.results if x[1] not in GOOD)
        return "\n".join(lines) + "\n\nfindings: %d (details in %s/findings/)" % (bad, self.work), bad
