"""Benchmark the engine against hand-written NumPy (the floor) and PyTorch, in one run.

    .venv/bin/python bench/bench_engine.py            # full run (a few minutes)
    .venv/bin/python bench/bench_engine.py --quick    # fewer repeats

Reports per-iteration medians of the blog network's training step (forward, loss,
backward, SGD update, zeroing) at three sizes, and the build + backward cost per op for
chains of 10 to 100,000 ops. Single-threaded BLAS so the numbers compare like for like.
Never used as a timed assertion in the tests: the machine is shared and noisy.
"""

import argparse
import gc
import time

import common  # noqa: F401  (first: single-threaded BLAS before NumPy loads)
import numpy as np
from common import interleaved, lesson_data, torch, versions

import autograd_tutor as at

SIZES = [(100, 3, 32, 1), (1000, 3, 256, 1), (10000, 3, 1024, 1)]
# The lesson's learning rate for n=100; smaller for the bigger sizes, where 1e-4 makes
# the loss overflow (inf/nan arithmetic would distort the timings).
LEARNING_RATES = {100: 1e-4, 1000: 1e-6, 10000: 1e-8}


def numpy_step_factory(x, y, w1, b1, w2, b2, lr=1e-4):
    """The floor: the same training step written by hand in NumPy (lesson 1)."""
    params = [a.copy() for a in (w1, b1, w2, b2)]

    def step():
        w1, b1, w2, b2 = params
        h = x @ w1 + b1
        h_relu = np.maximum(h, 0)
        y_pred = h_relu @ w2 + b2
        diff = y_pred - y
        loss = float((diff * diff).sum())
        grad_y_pred = 2.0 * diff
        grad_w2 = h_relu.T @ grad_y_pred
        grad_b2 = grad_y_pred.sum(axis=0, keepdims=True)
        grad_h = (grad_y_pred @ w2.T) * (h > 0)  # ReLU passes gradient where h > 0
        grad_w1 = x.T @ grad_h
        grad_b1 = grad_h.sum(axis=0, keepdims=True)
        w1 -= lr * grad_w1
        b1 -= lr * grad_b1
        w2 -= lr * grad_w2
        b2 -= lr * grad_b2
        return loss

    return step


def autograd_step_factory(L, x, y, w1, b1, w2, b2, lr=1e-4):
    """The lesson's loop in torch spelling, for at or torch (L is the library)."""
    X, Y = L.tensor(x), L.tensor(y)
    params = [L.tensor(a, requires_grad=True) for a in (w1, b1, w2, b2)]
    W1, B1, W2, B2 = params

    def step():
        y_pred = X.mm(W1).add(B1).clamp(min=0).mm(W2).add(B2)
        loss = (y_pred - Y).pow(2).sum()
        loss.backward()
        with L.no_grad():
            for w in params:
                w.sub_(lr * w.grad)
            for w in params:
                w.grad.zero_()
        return loss.item()

    return step


def bench_network(quick):
    rows = []
    for n, d_in, d_h, d_out in SIZES:
        data = lesson_data(n, d_in, d_h, d_out)
        iters = {100: 200, 1000: 100, 10000: 20}[n] // (4 if quick else 1)
        lr = LEARNING_RATES[n]
        contenders = {
            "numpy": numpy_step_factory(*data, lr=lr),
            "at": autograd_step_factory(at, *data, lr=lr),
        }
        if torch is not None:
            contenders["torch"] = autograd_step_factory(torch, *data, lr=lr)
        med = interleaved(contenders, iters)
        rows.append((f"n={n} {d_in}-{d_h}-{d_out}", med))
    return rows


def chain_cost(n, reps, pause_gc):
    """Best time per op to build a chain of ``n`` multiplications and backward it."""
    best = float("inf")
    for _ in range(reps):
        x = at.ones(4, requires_grad=True)
        gc.collect()
        if pause_gc:
            gc.disable()
        try:
            t0 = time.perf_counter()
            y = x
            for _ in range(n):
                y = y * 1.0001
            y.sum().backward()
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
        del y
    return best / n * 1e6


def bench_chain(lengths, quick):
    """Per-op cost, and the same with Python's cyclic garbage collector paused: the
    difference is the collector re-scanning a large live graph (it has no cycles to
    find, but it cannot know that)."""
    rows = []
    for n in lengths:
        reps = 1 if n >= 10000 else (3 if quick else 7)
        rows.append((n, chain_cost(n, reps, False), chain_cost(n, reps, True)))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    args = p.parse_args(argv)
    print(versions())
    print("\nBlog network training step (forward + loss + backward + update + zero)")
    print(
        f"{'size':<20}{'numpy us':>10}{'at us':>10}{'torch us':>10}{'at/numpy':>10}{'at/torch':>10}"
    )
    for label, med in bench_network(args.quick):
        tt = med.get("torch")
        print(
            f"{label:<20}{med['numpy'] * 1e6:>10.1f}{med['at'] * 1e6:>10.1f}"
            f"{(tt * 1e6 if tt else float('nan')):>10.1f}{med['at'] / med['numpy']:>10.2f}"
            f"{(med['at'] / tt if tt else float('nan')):>10.2f}"
        )
    print("\nChain of n multiplications: build + backward, per op")
    print(f"{'ops':>8}{'us/op':>10}{'gc paused':>12}")
    for n, us, us_nogc in bench_chain([10, 100, 1000, 10000, 100000], args.quick):
        print(f"{n:>8}{us:>10.2f}{us_nogc:>12.2f}")


if __name__ == "__main__":
    main()
