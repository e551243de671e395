"""Compare the lesson's training step across git revisions of the engine, in one run.

    .venv/bin/python bench/bench_ab.py 776e52c main            # base, then head
    .venv/bin/python bench/bench_ab.py 776e52c HEAD --rounds 30 --iters 150
    .venv/bin/python bench/bench_ab.py 776e52c WORKTREE         # the uncommitted tree
    .venv/bin/python bench/bench_ab.py HEAD /tmp/experiment     # a folder holding a copy

Each revision's ``autograd_tutor/`` is exported (``git archive``) into a temporary
folder and imported by a worker process of its own, which builds the lesson's step from
*this* file (the same code for every revision: ``bench_engine.autograd_step_factory``,
split into forward, backward and update). The workers take turns on one core (``--cpu``),
round after round, the first to go changing each round, so the noise of a shared
machine falls on all of them alike; each round reports the median step of each worker.
The table gives the median of the round medians, their ratio to the first revision's,
and the *paired* ratio: the median over rounds of each round's own ratio. ``WORKTREE``
names the working tree as it is now, and a folder that holds an ``autograd_tutor/``
(an experiment's copy) names that copy. Run the same revision twice to see the noise.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PHASES = ("forward", "backward", "update", "step")

WORKER = r"""
import json, os, sys, time
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
import bench_ab
if sys.argv[3] != "none":  # every worker on the same core: turns, not places, differ
    try:
        os.sched_setaffinity(0, {int(sys.argv[3])})
    except (AttributeError, OSError) as e:  # (not Linux, or no such core here)
        print(f"bench_ab: cannot pin to core {sys.argv[3]} ({e})", file=sys.stderr)
import autograd_tutor as at
assert os.path.dirname(at.__file__).startswith(sys.argv[1]), at.__file__
step = bench_ab.phased_step(at)
for _ in range(50):
    step()
for line in sys.stdin:
    n = int(line)
    times = [step() for _ in range(n)]
    print(json.dumps(times), flush=True)
"""


def phase_functions(at):
    """The lesson's step (bench_engine's, n=100, 3-32-1) as its three phases, in order:
    ``forward`` (with the loss), ``backward`` and ``update`` (with zeroing)."""
    from common import lesson_data

    x, y, w1, b1, w2, b2 = lesson_data(100)
    X, Y = at.tensor(x), at.tensor(y)
    params = [at.tensor(a, requires_grad=True) for a in (w1, b1, w2, b2)]
    W1, B1, W2, B2 = params
    lr = 1e-4
    state = {}

    def forward():
        y_pred = X.mm(W1).add(B1).clamp(min=0).mm(W2).add(B2)
        state["loss"] = (y_pred - Y).pow(2).sum()

    def backward():
        state["loss"].backward()

    def update():
        with at.no_grad():
            for w in params:
                w.sub_(lr * w.grad)
            for w in params:
                w.grad.zero_()
        state["loss"].item()

    return {"forward": forward, "backward": backward, "update": update}


def phased_step(at):
    """The lesson's step, returning the seconds spent in each phase and in all."""
    import time

    phases = phase_functions(at)
    forward, backward, update = phases["forward"], phases["backward"], phases["update"]
    clock = time.perf_counter

    def step():
        t0 = clock()
        forward()
        t1 = clock()
        backward()
        t2 = clock()
        update()
        t3 = clock()
        return (t1 - t0, t2 - t1, t3 - t2, t3 - t0)

    return step


def export(rev, into):
    """``rev``'s package (or the working tree's, for ``WORKTREE``) under ``into``."""
    os.makedirs(into)
    folder = ROOT if rev == "WORKTREE" else rev  # the working tree, or a folder
    if rev == "WORKTREE" or os.path.isdir(os.path.join(rev, "autograd_tutor")):
        package = os.path.join(folder, "autograd_tutor")
        subprocess.run(["cp", "-a", package, into], check=True)
        return "worktree" if rev == "WORKTREE" else "folder"
    sha = subprocess.run(
        ["git", "-C", ROOT, "rev-parse", "--short", rev],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    archive = subprocess.Popen(
        ["git", "-C", ROOT, "archive", rev, "autograd_tutor"], stdout=subprocess.PIPE
    )
    subprocess.run(["tar", "-x", "-C", into], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"git archive {rev} failed")
    return sha


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("revs", nargs="+", help="git revisions (the first is the base)")
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--iters", type=int, default=150, help="steps per round")
    p.add_argument(
        "--cpu",
        default="0",
        help="the core every worker runs on (they take turns), or 'none' to let the "
        "system place them",
    )
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp:
        workers, labels = [], []
        for i, rev in enumerate(args.revs):
            where = os.path.join(tmp, str(i))
            labels.append(f"{rev} ({export(rev, where)})")
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-c", WORKER, where, HERE, args.cpu],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    cwd=tmp,
                )
            )
        medians = [[] for _ in workers]  # per worker: one tuple of medians per round
        for r in range(args.rounds):
            turns = list(range(len(workers)))
            turns = turns[r % len(turns) :] + turns[: r % len(turns)]  # who goes first
            for i in turns:  # changes each round, so no one always follows the same
                workers[i].stdin.write(f"{args.iters}\n")
                workers[i].stdin.flush()
                times = json.loads(workers[i].stdout.readline())
                medians[i].append([statistics.median(col) for col in zip(*times)])
        for w in workers:
            w.stdin.close()
            w.wait()
    print(f"lesson step, {args.rounds} rounds x {args.iters} steps, median us")
    head = "".join(f"{ph:>10}" for ph in PHASES)
    print(f"{'revision':<28}{head}{'ratio':>8}{'paired':>8}")
    base = None
    for label, med in zip(labels, medians):
        us = [statistics.median(col) * 1e6 for col in zip(*med)]
        base = base or us[-1]
        # paired: the median over rounds of this round's step over the base's step
        # (steadier than the ratio of medians when the machine's speed drifts)
        paired = statistics.median(m[-1] / b[-1] for m, b in zip(med, medians[0]))
        cells = "".join(f"{u:>10.1f}" for u in us)
        print(f"{label:<28}{cells}{us[-1] / base:>8.3f}{paired:>8.3f}")


if __name__ == "__main__":
    main()
