"""Conformance of the second-order side of ``at.autograd.functional`` with torch 2.13:
``hessian``, ``hvp``, ``vhp``, and ``create_graph=True`` in ``jacobian``, ``vjp`` and
``jvp`` (whose results are then differentiated again), on the conformance programs, on
the lesson's network (a 3-32-1 MLP with relu and MSE loss) and on torch's errors."""

import numpy as np
import pytest

import autograd_tutor as at

from .programs import PROGRAMS
from .test_blog_network import _lesson_data
from .test_functional import _assert_same


def _np(x):
    """As test_functional's: nested ("tuple", [...]) of float64 arrays (a torch
    ZeroTensor, which has no numpy(), as zeros; an unused input's None gradient as an
    empty tuple)."""
    if x is None:
        return ("tuple", [])
    if isinstance(x, (tuple, list)):
        return ("tuple", [_np(e) for e in x])
    if getattr(x, "_is_zerotensor", lambda: False)():
        return np.zeros(tuple(x.shape))
    return np.asarray(x.detach().numpy(), dtype=np.float64)


def _outcome(fn):
    try:
        return _np(fn())
    except Exception as e:  # noqa: BLE001  (compared with torch's)
        return ("error", type(e).__name__, str(e).replace("torch.", "at."))


def _flat(result):
    """A result (tensor or nested tuples) as a tuple of tensors."""
    if isinstance(result, tuple):
        return tuple(t for r in result for t in _flat(r))
    return (result,)


def _and_again(L, make, inputs):
    """``make()``'s result, and the gradient of sum(result**2) with respect to the
    inputs (create_graph=True kept the result's graph: it is differentiated again)."""
    result = make()
    parts = [t for t in _flat(result) if t.requires_grad]
    if not parts:
        return result, None
    total = sum((t * t).sum() for t in parts)
    return result, L.autograd.grad(total, inputs, allow_unused=True)


def _program_calls(name, rng):
    shapes, fn = PROGRAMS[name]
    arrays = [rng.standard_normal(s) for s in shapes]
    vs = [rng.standard_normal(s) for s in shapes]

    def calls(L):
        F = L.autograd.functional
        xs = tuple(L.tensor(a, dtype=L.float64, requires_grad=True) for a in arrays)
        v = tuple(L.tensor(a, dtype=L.float64) for a in vs)

        def scalar(*ts):
            out = fn(L, *ts)
            return (out * out).sum()

        def vector(*ts):
            return fn(L, *ts) * 1.5

        out_v = L.tensor(
            np.random.default_rng(7).standard_normal(tuple(vector(*xs).shape)),
            dtype=L.float64,
        )
        return {
            "hessian": lambda: F.hessian(scalar, xs),
            "hvp": lambda: F.hvp(scalar, xs, v),
            "vhp": lambda: F.vhp(scalar, xs, v),
            "hvp_graph": lambda: _and_again(
                L, lambda: F.hvp(scalar, xs, v, create_graph=True), xs
            ),
            "vhp_graph": lambda: _and_again(
                L, lambda: F.vhp(scalar, xs, v, create_graph=True), xs
            ),
            "jacobian_graph": lambda: _and_again(
                L, lambda: F.jacobian(vector, xs, create_graph=True), xs
            ),
            "vjp_graph": lambda: _and_again(
                L, lambda: F.vjp(vector, xs, out_v, create_graph=True), xs
            ),
            "jvp_graph": lambda: _and_again(
                L, lambda: F.jvp(vector, xs, v, create_graph=True), xs
            ),
            "jvp_strict": lambda: F.jvp(vector, xs, v, strict=True),
        }

    return calls


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_second_derivatives_match_torch(name, torch, rng):
    calls = _program_calls(name, rng)
    t_calls, a_calls = calls(torch), calls(at)
    for what in t_calls:
        expected, got = _outcome(t_calls[what]), _outcome(a_calls[what])
        if expected[0] == "error":
            assert got == expected, what
        else:
            assert got[0] != "error", (what, got)
            _assert_same(got, expected, rtol=1e-8, atol=1e-10)


def _lesson_network(L, n=8):
    """The lesson's 3-32-1 network with relu and MSE loss, as functions of its weights
    (float32, as in the lesson)."""
    x, y, w1, b1, w2, b2 = (np.asarray(a) for a in _lesson_data())
    x, y = L.tensor(x[:n]), L.tensor(y[:n])
    weights = (L.tensor(w1.T.copy()), L.tensor(b1.reshape(-1)))
    weights += (L.tensor(w2.T.copy()), L.tensor(b2.reshape(-1)))
    lin, relu, mse = (
        L.nn.functional.linear,
        L.nn.functional.relu,
        L.nn.functional.mse_loss,
    )

    def net(w1, b1, w2, b2):
        return lin(relu(lin(x, w1, b1)), w2, b2)

    def loss(w1, b1, w2, b2):
        return mse(net(w1, b1, w2, b2), y)

    return net, loss, weights


def test_lesson_network_second_derivatives_match_torch(torch):
    def calls(L):
        rng = np.random.default_rng(5)  # the same directions for both libraries
        net, loss, w = _lesson_network(L)
        F = L.autograd.functional
        v = tuple(L.tensor(rng.standard_normal(t.shape).astype(np.float32)) for t in w)
        leaves = tuple(t.detach().requires_grad_() for t in w)

        def second(ws):  # the gradient of the loss, recorded, differentiated again
            grads = L.autograd.grad(loss(*ws), ws, create_graph=True)
            total = sum((g * d).sum() for g, d in zip(grads, v))
            return grads + L.autograd.grad(total, ws)

        return [
            lambda: F.hessian(loss, w),
            lambda: F.hessian(lambda w2: loss(w[0], w[1], w2, w[3]), w[2]),
            lambda: F.hvp(loss, w, v),
            lambda: F.vhp(loss, w, v),
            lambda: F.jacobian(net, w),
            lambda: _and_again(
                L, lambda: F.jacobian(net, leaves, create_graph=True), leaves
            ),
            lambda: second(leaves),
        ]

    for a_call, t_call in zip(calls(at), calls(torch)):
        _assert_same(_np(a_call()), _np(t_call()), rtol=2e-4, atol=2e-5)


def test_hessian_strategies_and_structures_match_torch(torch):
    def calls(L):
        F = L.autograd.functional
        x = L.tensor([0.5, -1.0, 2.0], dtype=L.float64)
        y = L.tensor([[1.5, 0.25]], dtype=L.float64)
        f = lambda a: (a.exp() * a).sum()  # noqa: E731
        g = lambda a, b: (a.sum() * b * b).sum()  # noqa: E731
        fwd = dict(outer_jacobian_strategy="forward-mode", vectorize=L is not at)
        return [
            lambda: F.hessian(f, x),
            lambda: F.hessian(f, (x,)),
            lambda: F.hessian(g, (x, y)),
            lambda: F.hessian(f, x, **fwd),
            lambda: F.hessian(g, (x, y), **fwd),
            lambda: F.hvp(g, (x, y), (x, y)),
            lambda: F.vhp(g, (x, y), (x, y)),
            lambda: F.hvp(lambda a: a.sum() ** 2, L.tensor([3.0], dtype=L.float64)),
            lambda: F.hessian(lambda a: (a * 2).sum(), x),
            lambda: F.vhp(lambda a, b: (a * a).sum(), (x, y), (x, y)),
        ]

    for a_call, t_call in zip(calls(at), calls(torch)):
        _assert_same(_np(a_call()), _np(t_call()))


def test_results_keep_a_graph_only_with_create_graph(torch):
    for L in (at, torch):
        F = L.autograd.functional
        w = L.tensor([1.0, 2.0], requires_grad=True)
        f = lambda a: (a**3).sum()  # noqa: E731
        for fn in (F.hvp, F.vhp):
            out, r = fn(f, w, L.ones(2))
            assert not out.requires_grad and not r.requires_grad
            out, r = fn(f, w, L.ones(2), create_graph=True)
            assert out.requires_grad and r.requires_grad
        h = F.hessian(f, w, create_graph=True)
        assert h.requires_grad
        (g,) = L.autograd.grad(h.sum(), w)
        assert g.tolist() == [6.0, 6.0]
        assert w.grad is None


def _errors(L):
    F = L.autograd.functional
    x = L.tensor([1.0, 2.0], dtype=L.float64)
    s = lambda a: (a * a).sum()  # noqa: E731
    linear = lambda a: (a * 2).sum()  # noqa: E731
    unused = lambda a, b: (a * a).sum()  # noqa: E731
    y = L.tensor([3.0], dtype=L.float64)
    return [
        lambda: F.hessian(lambda a: a * a, x),
        lambda: F.hessian(lambda a: (a.sum(), a.sum()), x),
        lambda: F.hessian(s, x, outer_jacobian_strategy="sideways"),
        lambda: F.hessian(linear, x, strict=True),
        lambda: F.hessian(unused, (x, y), strict=True),
        lambda: F.hvp(s, x),
        lambda: F.hvp(lambda a: a * a, x, x),
        lambda: F.hvp(lambda a: (a.sum(), a.sum()), x, x),
        lambda: F.hvp(s, x, y),
        lambda: F.hvp(linear, x, x, strict=True),
        lambda: F.vhp(s, x),
        lambda: F.vhp(lambda a: a * a, x, x),
        lambda: F.vhp(s, (x, y), (x,)),
        lambda: F.vhp(linear, x, x, strict=True),
        lambda: F.vhp(unused, (x, y), (x, y), strict=True),
        lambda: F.jvp(unused, (x, y), (x, y), strict=True),
        lambda: F.jvp(lambda a: L.ones(2), x, x, strict=True),
        lambda: F.jacobian(lambda a: a * 2, x, create_graph=True, strict=True),
        lambda: F.vjp(lambda a: a * 2, x, x, create_graph=True, strict=True),
    ]


def test_errors_match_torch(torch):
    for i, (a_call, t_call) in enumerate(zip(_errors(at), _errors(torch))):
        expected = _outcome(t_call)
        assert expected[0] == "error", i
        assert _outcome(a_call) == expected, i
