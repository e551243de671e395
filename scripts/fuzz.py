"""A differential fuzzing campaign: random programs on autograd_tutor and torch 2.13.

    .venv/bin/python scripts/fuzz.py --n 50000 [--seed S] [--jobs 2] [--features a,b]

Prints the number of programs by outcome class (tests/fuzz/compare.py: wrong gradient,
wrong forward value, internal exception, accepted where torch refuses, refused where
torch works, documented refusal, cosmetic differences) and, for the first failing
seeds of each class, the program shrunk to a minimal one as a runnable script.

Seeds run in worker processes (``--jobs``), each over its share of the seeds; a program
that crashes the process (torch itself has segfaulted on a few) or runs past
``--timeout`` seconds is counted as "torch crash" / "timeout" and the worker goes on
with the next seed. The last line of the table, "differ", counts every program that
does not agree with torch (documented refusals aside), out of the programs torch did
not crash on: a torch crash says nothing about autograd_tutor.
"""

import argparse
import collections
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzz.campaign import (  # noqa: E402
    CRASH,
    FUZZER_ERROR,
    TIMEOUT,
    run_seed,
    summary,
)
from tests.fuzz.compare import FAILING  # noqa: E402
from tests.fuzz.generator import FEATURES  # noqa: E402


def _libs():
    import torch

    import autograd_tutor as at

    torch.set_num_threads(1)
    return at, torch


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def worker(seeds, features, max_ops, timeout):
    """Run ``seeds``, one line per seed on stdout: ``start`` first, then the result."""
    at, torch = _libs()
    signal.signal(signal.SIGALRM, _alarm)
    for seed in seeds:
        print(f"start\t{seed}", flush=True)
        signal.alarm(timeout)
        try:
            klass, _, diffs, _ = run_seed(seed, at, torch, features, max_ops, False)
            first = next((d.describe() for d in diffs if d.klass == klass), "")
        except _Timeout:
            klass, first = TIMEOUT, f"more than {timeout} s"
        except Exception as e:  # noqa: BLE001 - a fuzzer bug must not end the campaign
            klass, first = FUZZER_ERROR, f"{type(e).__name__}: {e}"
        finally:
            signal.alarm(0)
        first = first.replace("\n", "\\n").replace("\t", " ")
        print(f"done\t{seed}\t{klass}\t{first}", flush=True)


def _spawn(seeds, args):
    seeds = f"{seeds.start}:{seeds.stop}:{seeds.step}"  # a range, as text
    cmd = [sys.executable, __file__, "--worker", seeds]
    cmd += ["--features", ",".join(args.features), "--max-ops", str(args.max_ops)]
    cmd += ["--timeout", str(args.timeout)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def campaign(args):
    """Yield (seed, class, first difference) for every seed, from ``args.jobs`` workers."""
    seeds = range(args.seed, args.seed + args.n)
    shares = [seeds[i :: args.jobs] for i in range(args.jobs)]  # ranges
    sel = selectors.DefaultSelector()
    for share in shares:
        if share:
            proc = _spawn(share, args)
            sel.register(proc.stdout, selectors.EVENT_READ, (proc, share, [None]))
    try:
        yield from _results(sel, args)
    finally:  # closed early (--max-seconds): end the workers still running
        for key in list(sel.get_map().values()):
            key.data[0].kill()


def _results(sel, args):
    while sel.get_map():
        for key, _ in sel.select():
            proc, share, started = key.data
            line = key.fileobj.readline()
            if line:
                parts = line.rstrip("\n").split("\t")
                if parts[0] == "start":
                    started[0] = int(parts[1])
                else:
                    started[0] = None
                    yield int(parts[1]), parts[2], parts[3]
                continue
            sel.unregister(key.fileobj)
            proc.wait()
            if started[0] is not None:  # the process died inside this seed
                crashed = started[0]
                yield crashed, CRASH, f"worker exited with {proc.returncode}"
                rest = share[share.index(crashed) + 1 :]
                if rest:
                    new = _spawn(rest, args)
                    sel.register(new.stdout, selectors.EVENT_READ, (new, rest, [None]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000, help="number of programs")
    p.add_argument("--seed", type=int, default=0, help="first seed (seeds S .. S+n-1)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--features", default="", help="comma-separated (default: all)")
    p.add_argument("--max-ops", type=int, default=10, help="ops per program, at most")
    p.add_argument("--show", type=int, default=2, help="reproducers printed per class")
    p.add_argument("--timeout", type=int, default=60, help="seconds per program")
    p.add_argument("--out", help="write each failing seed's class and first difference")
    p.add_argument(
        "--max-seconds", type=float, help="stop after this long; report the seeds run"
    )
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.features = args.features.split(",") if args.features else list(FEATURES)
    unknown = set(args.features) - set(FEATURES)
    if unknown:
        p.error(f"unknown features {sorted(unknown)}; known: {', '.join(FEATURES)}")
    if args.worker:
        start, stop, step = map(int, args.worker.split(":"))
        worker(range(start, stop, step), args.features, args.max_ops, args.timeout)
        return 0
    counts, examples = collections.Counter(), collections.defaultdict(list)
    failing, start = [], time.time()
    results = campaign(args)
    for i, (seed, klass, first) in enumerate(results, 1):
        counts[klass] += 1
        if klass not in ("same", "documented refusal"):
            failing.append((seed, klass, first))
            if len(examples[klass]) < args.show:
                examples[klass].append(seed)
        if i % 1000 == 0:
            print(f"... {i} programs, {time.time() - start:.0f} s", file=sys.stderr)
        if args.max_seconds and time.time() - start > args.max_seconds:
            results.close()  # ends the workers; the summary counts what finished
            break
    print(summary(counts, sum(counts.values())))
    if sum(counts.values()) < args.n:
        print(
            f"(stopped by --max-seconds: {sum(counts.values())} of {args.n} seeds run)"
        )
    print(f"time: {time.time() - start:.0f} s, features: {','.join(args.features)}")
    sys.stdout.flush()
    if args.out:  # before the (slow) shrinking below
        with open(args.out, "w") as f:
            for seed, klass, first in sorted(failing):
                f.write(f"{seed}\t{klass}\t{first}\n")
    if any(k in FAILING for k in examples):
        at, torch = _libs()
        for klass, seeds in examples.items():
            for seed in seeds if klass in FAILING else ():
                text = run_seed(seed, at, torch, args.features, args.max_ops)[3]
                print(f"\n## {klass}: seed {seed} (shrunk)\n{text}")
    for klass in (CRASH, TIMEOUT, FUZZER_ERROR):
        for seed, k, first in failing:
            if k == klass:
                print(f"\n## {klass}: seed {seed}: {first}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
