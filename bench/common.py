"""What every benchmark here shares: single-threaded BLAS, the optional PyTorch
contender, the lesson's data, and a median timer.

Import this module before NumPy (``import common`` first): the thread settings must be
in the environment before NumPy's BLAS starts.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the benchmarks still run, without the torch column
    torch = None


def lesson_data(n, d_in=3, d_hidden=32, d_out=1, seed=0):
    """The lesson's data and weights as float32 arrays: x, y, w1, b1, w2, b2.

    ``y = 0.2 x0 - 1.3 x1 - 0.5 x2 + noise``; weights drawn from N(0, 1), biases zero.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d_in)).astype(np.float32)
    noise = rng.standard_normal((n, 1)).astype(np.float32)
    y = (x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5 + noise).astype(np.float32)
    w1 = rng.standard_normal((d_in, d_hidden)).astype(np.float32)
    w2 = rng.standard_normal((d_hidden, d_out)).astype(np.float32)
    b1 = np.zeros((1, d_hidden), np.float32)
    b2 = np.zeros((1, d_out), np.float32)
    return x, y, w1, b1, w2, b2


def time_it(step, iters, warmup=5):
    """Median seconds per call of ``step()`` over ``iters`` calls, after a warm-up."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def interleaved(contenders, iters, rounds=3):
    """Best-of-``rounds`` medians, the contenders taking turns so noise hits all alike."""
    results = {}
    for _ in range(rounds):
        for name, step in contenders.items():
            results.setdefault(name, []).append(time_it(step, max(5, iters // rounds)))
    return {name: min(times) for name, times in results.items()}


def versions():
    """One line naming the versions the numbers were measured with."""
    return (
        f"python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"torch {torch.__version__ if torch else 'not installed'}, BLAS threads = 1"
    )
