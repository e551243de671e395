"""Run seeds, shrink a failing program to a minimal one, summarise a campaign."""

import collections

from .compare import CLASSES, CRASH, FAILING, PASS, TorchCrash, compare, outcome
from .generator import FEATURES, generate
from .program import alive, script


def check(program, at, torch):
    """(outcome class, differences) of one program; ``CRASH`` when torch failed an
    internal assertion of its own on it (counted apart, as a segfault)."""
    try:
        diffs = compare(program, at, torch)
    except TorchCrash:
        return CRASH, []
    return outcome(diffs), diffs


def shrink(program, klass, at, torch, budget=400):
    """The smallest program (by steps) found that still shows a difference of ``klass``.

    Greedy delta debugging over the step list: try dropping chunks (halves, quarters,
    ... single steps), keep a drop when the class persists; steps that read a dropped
    variable go too.
    """
    best = list(program)
    tries = 0
    chunk = max(len(best) // 2, 1)
    while chunk >= 1 and tries < budget:
        i, changed = 0, False
        while i < len(best) and tries < budget:
            candidate = alive(best[:i] + best[i + chunk :])
            tries += 1
            if len(candidate) < len(best) and any(
                d.klass == klass for d in check(candidate, at, torch)[1]
            ):
                best, changed = candidate, True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    return best


def reproducer(program, diffs, klass):
    """A runnable script (both libraries) printing the first difference of ``klass``."""
    d = next(d for d in diffs if d.klass == klass)
    what = d.what.split(" (")[0]
    show = [what] if what.startswith(("v", "rec")) and "." not in what[1:2] else []
    head = f"# {d.describe()}\n"
    return head + script(program, show)


def run_seed(seed, at, torch, features=FEATURES, max_ops=10, shrink_failures=True):
    """(class, program, differences, reproducer or None) for one seed."""
    program = generate(seed, torch, features, max_ops)
    klass, diffs = check(program, at, torch)
    text = None
    if klass in FAILING and shrink_failures:
        small = shrink(program, klass, at, torch)
        small_diffs = compare(small, at, torch)
        text = reproducer(small, small_diffs, klass)
    return klass, program, diffs, text


# what a campaign worker reports besides the outcome classes (scripts/fuzz.py)
TIMEOUT, FUZZER_ERROR = "timeout", "fuzzer error"  # (and compare's CRASH)


def summary(counts, total):
    """The campaign's table: programs by class, and the share that differ.

    A program on which torch itself crashed (a segfault, a failed internal assertion)
    says nothing about autograd_tutor: it is counted apart and left out of "differ"; a
    timeout or an error of the fuzzer counts as differing (neither should happen).
    """
    lines = [f"programs run: {total}"]
    for klass in (PASS, *CLASSES):
        n = counts.get(klass, 0)
        lines.append(f"  {klass:<30} {n:>7}  ({100.0 * n / max(total, 1):.2f}%)")
    for klass in (CRASH, TIMEOUT, FUZZER_ERROR):
        if counts.get(klass):
            lines.append(f"  {klass:<30} {counts[klass]:>7}")
    crashed = counts.get(CRASH, 0)
    judged = total - crashed
    differ = sum(counts.get(k, 0) for k in (*FAILING, TIMEOUT, FUZZER_ERROR))
    lines.append(
        f"differ: {differ} of {judged} programs ({100.0 * differ / max(judged, 1):.2f}%)"
        f"; {crashed} torch crashes counted apart"
    )
    return "\n".join(lines)


def ops_covered(programs):
    return collections.Counter(step.op for p in programs for step in p)
