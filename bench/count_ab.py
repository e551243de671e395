"""Count the work of the lesson's training step across git revisions: deterministic.

    .venv/bin/python bench/count_ab.py 776e52c HEAD            # base, then head
    .venv/bin/python bench/count_ab.py HEAD WORKTREE --top 15  # and where it goes

On a shared machine a timing can move by several percent from one run to the next
(``bench_ab.py`` measures the time); these counts do not move at all. For each revision
(exported as ``bench_ab.py`` does: a git revision, ``WORKTREE`` or a folder holding
``autograd_tutor/``) a worker process runs the lesson's step (``bench_ab.phased_step``'s
forward, backward and update) and counts, per phase:

- the Python bytecodes executed (``sys.settrace`` with opcode events): at the lesson's
  size the step is bound by Python, so this tracks its time closely;
- the Python function calls and the C function calls (``sys.setprofile``).

``--top K`` adds, per phase, the K functions executing the most bytecodes.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import bench_ab

HERE = os.path.dirname(os.path.abspath(__file__))
PHASES = ("forward", "backward", "update")

WORKER = r"""
import collections, json, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
import bench_ab
import autograd_tutor as at
assert at.__file__.startswith(sys.argv[1]), at.__file__
phases = bench_ab.phase_functions(at)
for _ in range(3):  # warm: the first steps make what later steps reuse
    for f in phases.values():
        f()
report = {}
for name, f in phases.items():
    opcodes, calls, c_calls = collections.Counter(), [0], [0]

    def trace(frame, event, arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            where = code.co_filename  # (the package's files from its root)
            where = where.rsplit("autograd_tutor/", 1)[-1] if "autograd_tutor/" in where else where.rsplit("/", 1)[-1]
            opcodes[f"{where}:{code.co_qualname}"] += 1
        return trace

    def profile(frame, event, arg):
        if event == "call":
            calls[0] += 1
        elif event == "c_call":
            c_calls[0] += 1

    if name == "backward":  # (each backward needs a forward of its own first)
        phases["forward"]()
    sys.settrace(trace)
    f()
    sys.settrace(None)
    if name == "backward":
        phases["forward"]()
    sys.setprofile(profile)
    f()
    sys.setprofile(None)
    report[name] = {
        "bytecodes": sum(opcodes.values()),
        "calls": calls[0] - 1,  # (less the phase function itself)
        "c_calls": c_calls[0] - 1,  # (less setprofile(None))
        "top": opcodes.most_common(int(sys.argv[3])),
    }
print(json.dumps(report))
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("revs", nargs="+", help="git revisions (the first is the base)")
    p.add_argument("--top", type=int, default=0, help="functions listed per phase")
    args = p.parse_args(argv)
    reports, labels = [], []
    with tempfile.TemporaryDirectory(prefix="count-ab-") as tmp:
        for i, rev in enumerate(args.revs):
            where = os.path.join(tmp, str(i))
            labels.append(f"{rev} ({bench_ab.export(rev, where)})")
            out = subprocess.run(
                [sys.executable, "-c", WORKER, where, HERE, str(args.top)],
                check=True,
                capture_output=True,
                text=True,
                cwd=tmp,
            ).stdout
            reports.append(json.loads(out))
    print("lesson step: Python bytecodes / Python calls / C calls per phase")
    head = "".join(f"{ph:>20}" for ph in PHASES)
    print(f"{'revision':<28}{head}{'bytecodes':>11}{'ratio':>8}")
    base = None
    for label, rep in zip(labels, reports):
        total = sum(rep[ph]["bytecodes"] for ph in PHASES)
        base = base or total
        cells = "".join(
            f"{rep[ph]['bytecodes']:>10} /{rep[ph]['calls']:>3} /{rep[ph]['c_calls']:>3}"
            for ph in PHASES
        )
        print(f"{label:<28}{cells}{total:>11}{total / base:>8.3f}")
    if args.top:
        for label, rep in zip(labels, reports):
            for ph in PHASES:
                print(f"\n{label}, {ph}:")
                for where, n in rep[ph]["top"]:
                    print(f"{n:>8}  {where}")


if __name__ == "__main__":
    main()
