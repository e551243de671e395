"""Benchmark the engine against hand-written NumPy (the floor) and PyTorch, in one run.

    .venv/bin/python bench/bench_engine.py            # full run (a few minutes)
    .venv/bin/python bench/bench_engine.py --quick    # fewer repeats

Reports per-iteration medians of the blog network's training step (forward, loss,
backward, SGD update, zeroing) at three sizes, and the build + backward cost per op for
chains of 10 to 100,000 ops. Single-threaded BLAS so the numbers compare like for like.
Never used as a timed assertion in the tests: the machine is shared and noisy.
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import autograd_tutor as at  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the benchmark still runs, without the torch column
    torch = None

SIZES = [(100, 3, 32, 1), (1000, 3, 256, 1), (10000, 3, 1024, 1)]
# The lesson's learning rate for n=100; smaller for the bigger sizes, where 1e-4 makes
# the loss overflow (inf/nan arithmetic would distort the timings).
LEARNING_RATES = {100: 1e-4, 1000: 1e-6, 10000: 1e-8}


def make_data(n, d_in, d_hidden, d_out, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d_in)).astype(np.float32)
    y = (
        x[:, 0:1] * 0.2
        - x[:, 1:2] * 1.3
        - x[:, 2:3] * 0.5
        + rng.standard_normal((n, 1))
    ).astype(np.float32)
    w1 = rng.standard_normal((d_in, d_hidden)).astype(np.float32)
    w2 = rng.standard_normal((d_hidden, d_out)).astype(np.float32)
    b1 = np.zeros((1, d_hidden), np.float32)
    b2 = np.zeros((1, d_out), np.float32)
    return x, y, w1, b1, w2, b2


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


def time_it(step, iters, warmup=5):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_network(quick):
    rows = []
    for n, d_in, d_h, d_out in SIZES:
        data = make_data(n, d_in, d_h, d_out)
        iters = {100: 200, 1000: 100, 10000: 20}[n] // (4 if quick else 1)
        results = {}
        # interleave the contenders so that machine noise hits them alike
        lr = LEARNING_RATES[n]
        contenders = {
            "numpy": numpy_step_factory(*data, lr=lr),
            "at": autograd_step_factory(at, *data, lr=lr),
        }
        if torch is not None:
            contenders["torch"] = autograd_step_factory(torch, *data, lr=lr)
        for _ in range(3):
            for name, step in contenders.items():
                results.setdefault(name, []).append(time_it(step, max(5, iters // 3)))
        med = {k: min(v) for k, v in results.items()}
        rows.append((f"n={n} {d_in}-{d_h}-{d_out}", med))
    return rows


def bench_chain(lengths, quick):
    rows = []
    for n in lengths:
        reps = 1 if n >= 10000 else (3 if quick else 7)
        best = float("inf")
        for _ in range(reps):
            x = at.ones(4, requires_grad=True)
            gc.collect()
            t0 = time.perf_counter()
            y = x
            for _ in range(n):
                y = y * 1.0001
            y.sum().backward()
            best = min(best, time.perf_counter() - t0)
            del y
        rows.append((n, best / n * 1e6))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    args = p.parse_args(argv)
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"torch {torch.__version__ if torch else 'not installed'}, BLAS threads = 1"
    )
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
    print(f"{'ops':>8}{'us/op':>10}")
    for n, us in bench_chain([10, 100, 1000, 10000, 100000], args.quick):
        print(f"{n:>8}{us:>10.2f}")


if __name__ == "__main__":
    main()
