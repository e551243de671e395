"""A differential fuzzing campaign: random programs on autograd_tutor and torch 2.13.

    .venv/bin/python scripts/fuzz.py --n 50000 [--seed S] [--jobs 2] [--features a,b]

Prints the number of programs by outcome class (tests/fuzz/compare.py: wrong gradient,
wrong forward value, internal exception, accepted where torch refuses, refused where
torch works, documented refusal, cosmetic differences) and, for the first failing
seeds of each class, the program shrunk to a minimal one as a runnable script.
"""

import argparse
import collections
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzz.campaign import run_seed, summary  # noqa: E402
from tests.fuzz.compare import FAILING  # noqa: E402
from tests.fuzz.generator import FEATURES  # noqa: E402

_LIBS = {}


def _init():
    import torch

    import autograd_tutor as at

    torch.set_num_threads(1)
    _LIBS["at"], _LIBS["torch"] = at, torch


def _one(job):
    seed, features, max_ops, shrink = job
    try:
        klass, _, diffs, text = run_seed(
            seed, _LIBS["at"], _LIBS["torch"], features, max_ops, shrink_failures=shrink
        )
    except Exception as e:  # noqa: BLE001 - a fuzzer bug must not end the campaign
        return seed, "fuzzer error", f"{type(e).__name__}: {e}", None
    first = next((d.describe() for d in diffs if d.klass == klass), "")
    return seed, klass, first, text


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000, help="number of programs")
    p.add_argument("--seed", type=int, default=0, help="first seed (seeds S .. S+n-1)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--features", default="", help="comma-separated (default: all)")
    p.add_argument("--max-ops", type=int, default=10, help="ops per program, at most")
    p.add_argument("--show", type=int, default=2, help="reproducers printed per class")
    p.add_argument(
        "--out", help="write every failing seed's class and first difference here"
    )
    args = p.parse_args(argv)
    features = args.features.split(",") if args.features else FEATURES
    unknown = set(features) - set(FEATURES)
    if unknown:
        p.error(f"unknown features {sorted(unknown)}; known: {', '.join(FEATURES)}")
    counts, shown = collections.Counter(), collections.Counter()
    examples = collections.defaultdict(list)
    failing = []
    start = time.time()
    seeds = range(args.seed, args.seed + args.n)

    def jobs():
        for s in seeds:  # shrinking is slow: done below, for the seeds shown
            yield s, features, args.max_ops, False

    if args.jobs > 1:
        pool = multiprocessing.Pool(args.jobs, initializer=_init)
        results = pool.imap_unordered(_one, jobs(), chunksize=16)
    else:
        _init()
        results = map(_one, jobs())
    for i, (seed, klass, first, _text) in enumerate(results, 1):
        counts[klass] += 1
        if klass in FAILING or klass == "fuzzer error":
            failing.append((seed, klass, first))
            if shown[klass] < args.show:
                shown[klass] += 1
                examples[klass].append(seed)
        if i % 1000 == 0:
            print(f"... {i} programs, {time.time() - start:.0f} s", file=sys.stderr)
    if args.jobs > 1:
        pool.close()
        pool.join()
    print(summary(counts, args.n))
    if counts.get("fuzzer error"):
        print(f"  {'fuzzer error':<30} {counts['fuzzer error']:>7}")
    print(f"time: {time.time() - start:.0f} s, features: {','.join(features)}")
    if examples and args.jobs > 1:
        _init()
    for klass, items in examples.items():
        for seed in items:
            _, _, _, text = _one((seed, features, args.max_ops, True))
            print(f"\n## {klass}: seed {seed} (shrunk)\n{text}")
    if args.out:
        with open(args.out, "w") as f:
            for seed, klass, first in sorted(failing):
                f.write(f"{seed}\t{klass}\t{first}\n")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
