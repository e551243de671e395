"""Benchmark the blog network written with ``nn.Sequential`` + ``optim`` against the same
code in PyTorch, in one run.

    .venv/bin/python bench/bench_nn.py            # full run (under a minute)
    .venv/bin/python bench/bench_nn.py --quick    # fewer repeats

One training iteration is ``optimizer.zero_grad(); loss = loss_fn(model(x), y);
loss.backward(); optimizer.step()``. Reports per-iteration medians (best of three
interleaved rounds, so machine noise hits both libraries alike) and their ratio, with
single-threaded BLAS. The lesson's size is n=100, 3-32-1; two larger sizes show where
NumPy's arithmetic, not Python, dominates. Never used as a timed assertion in tests.
"""

import argparse

import common  # noqa: F401  (first: single-threaded BLAS before NumPy loads)
from common import interleaved, lesson_data, torch, versions

import autograd_tutor as at

CASES = [
    # (label, n, d_hidden, optimizer factory)
    ("SGD", 100, 32, lambda L, p: L.optim.SGD(p, lr=1e-4)),
    ("SGD momentum", 100, 32, lambda L, p: L.optim.SGD(p, lr=1e-4, momentum=0.9)),
    ("Adam", 100, 32, lambda L, p: L.optim.Adam(p, lr=1e-3)),
    ("SGD", 1000, 256, lambda L, p: L.optim.SGD(p, lr=1e-5)),
    ("SGD", 10000, 1024, lambda L, p: L.optim.SGD(p, lr=1e-6)),
]


def step_factory(L, x, y, d_hidden, make_optimizer, state=None):
    """The lesson-4 loop for library ``L`` (``at`` or ``torch``)."""
    model = L.nn.Sequential(
        L.nn.Linear(3, d_hidden), L.nn.ReLU(), L.nn.Linear(d_hidden, 1)
    )
    if state is not None:  # identical starting weights in both libraries
        model.load_state_dict({k: L.from_numpy(v.copy()) for k, v in state.items()})
    optimizer = make_optimizer(L, model.parameters())
    loss_fn = L.nn.MSELoss(reduction="sum")
    X, Y = L.from_numpy(x.copy()), L.from_numpy(y.copy())

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        optimizer.step()
        return loss

    return step, model


def bench(quick):
    rows = []
    for label, n, d_h, make_opt in CASES:
        x, y = lesson_data(n, d_hidden=d_h)[:2]
        at.manual_seed(0)
        contenders = {}
        contenders["at"], model = step_factory(at, x, y, d_h, make_opt)
        state = {k: v.numpy() for k, v in model.state_dict().items()}
        if torch is not None:
            contenders["torch"], _ = step_factory(torch, x, y, d_h, make_opt, state)
        iters = {100: 600, 1000: 200, 10000: 30}[n] // (4 if quick else 1)
        med = interleaved(contenders, iters)
        rows.append((f"n={n} 3-{d_h}-1 {label}", med))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    args = p.parse_args(argv)
    print(versions())
    print(
        "\nnn.Sequential + optim training iteration (zero_grad, forward, loss, "
        "backward, step)"
    )
    print(f"{'case':<32}{'at us':>10}{'torch us':>10}{'at/torch':>10}")
    for label, med in bench(args.quick):
        tt = med.get("torch")
        ratio = med["at"] / tt if tt else float("nan")
        print(
            f"{label:<32}{med['at'] * 1e6:>10.1f}"
            f"{(tt * 1e6 if tt else float('nan')):>10.1f}{ratio:>10.2f}"
        )


if __name__ == "__main__":
    main()
