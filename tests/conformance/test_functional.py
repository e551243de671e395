"""Conformance of ``at.autograd.functional`` (jacobian, vjp, jvp) with torch 2.13: the
same values and result structure on the conformance programs, the lesson's network and
small hand-written functions, and torch's errors."""

import numpy as np
import pytest

import autograd_tutor as at

from .programs import PROGRAMS
from .test_blog_network import _lesson_data


def _np(x):
    """A result (tensor or nested tuples of them) as nested lists of float64 arrays,
    keeping the structure, so both libraries' results compare with ==. (torch's
    vectorized forward-mode jacobian nests lists where it means tuples.)"""
    if isinstance(x, (tuple, list)):
        return ("tuple", [_np(e) for e in x])
    return np.asarray(x.detach().numpy(), dtype=np.float64)


def _assert_same(got, expected, rtol=1e-9, atol=1e-12):
    if isinstance(expected, tuple) and expected and expected[0] == "tuple":
        assert isinstance(got, tuple) and got[0] == "tuple"
        assert len(got[1]) == len(expected[1])
        for g, e in zip(got[1], expected[1]):
            _assert_same(g, e, rtol, atol)
        return
    assert not isinstance(got, tuple)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


def _outcome(fn):
    try:
        return _np(fn())
    except Exception as e:  # noqa: BLE001  (compared with torch's)
        return ("error", type(e).__name__, str(e).replace("torch.", "at."))


def _compare(make, torch):
    expected, got = _outcome(lambda: make(torch)), _outcome(lambda: make(at))
    if expected[0] == "error":
        assert got == expected
    else:
        assert got[0] != "error", got
        _assert_same(got, expected)


def _program_calls(name, rng):
    shapes, fn = PROGRAMS[name]
    arrays = [rng.standard_normal(s) for s in shapes]
    with_v = [rng.standard_normal(s) for s in shapes]

    def inputs(L):
        return tuple(L.tensor(a, dtype=L.float64) for a in arrays)

    def f(L):
        return lambda *xs: fn(L, *xs)

    def out_v(L):  # a cotangent with the output's shape (from torch's forward)
        import torch

        out = fn(torch, *(torch.tensor(a, dtype=torch.float64) for a in arrays))
        v = np.random.default_rng(7).standard_normal(tuple(out.shape))
        return L.tensor(v, dtype=L.float64)

    functional = lambda L: L.autograd.functional  # noqa: E731
    return {
        "jacobian": lambda L: functional(L).jacobian(f(L), inputs(L)),
        "jacobian_fwd": lambda L: functional(L).jacobian(
            f(L), inputs(L), strategy="forward-mode", vectorize=L is not at
        ),
        "vjp": lambda L: functional(L).vjp(f(L), inputs(L), out_v(L)),
        "jvp": lambda L: functional(L).jvp(
            f(L), inputs(L), tuple(L.tensor(v, dtype=L.float64) for v in with_v)
        ),
    }


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_jacobian_vjp_jvp_match_torch(name, torch, rng):
    for make in _program_calls(name, rng).values():
        _compare(make, torch)


def _network(L, arrays):
    x, y = L.tensor(arrays[0]), L.tensor(arrays[1])

    def net(w1, b1, w2, b2):
        return x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)

    def loss(w1, b1, w2, b2):
        return (net(w1, b1, w2, b2) - y).pow(2).sum()

    weights = tuple(L.tensor(a) for a in arrays[2:])
    return net, loss, weights


def test_lesson_network_matches_torch(torch):
    arrays = list(_lesson_data())
    arrays[0] = arrays[0][:8]  # 8 samples: the Jacobian of y_pred has 8 rows
    arrays[1] = arrays[1][:8]
    rng = np.random.default_rng(3)
    directions = [rng.standard_normal(a.shape).astype(np.float32) for a in arrays[2:]]
    cot = rng.standard_normal((8, 1)).astype(np.float32)

    def calls(L):
        net, loss, w = _network(L, arrays)
        F = L.autograd.functional
        d = tuple(L.tensor(a) for a in directions)
        return [
            lambda: F.jacobian(net, w),
            lambda: F.jacobian(loss, w),
            lambda: F.jacobian(lambda w2: net(w[0], w[1], w2, w[3]), w[2]),
            lambda: F.vjp(net, w, L.tensor(cot)),
            lambda: F.vjp(loss, w),
            lambda: F.jvp(net, w, d),
            lambda: F.jvp(loss, w, d),
        ]

    for a_call, t_call in zip(calls(at), calls(torch)):
        _assert_same(_np(a_call()), _np(t_call()), rtol=2e-5, atol=1e-5)


def _structures(L):
    """Single tensors and tuples in and out: the result nests as torch's."""
    F = L.autograd.functional
    x = L.tensor([1.0, 2.0, 3.0], dtype=L.float64)
    y = L.tensor([[0.5, -1.0]], dtype=L.float64)
    one = lambda a: a * a  # noqa: E731
    two_in = lambda a, b: (a.sum() * b).sum()  # noqa: E731
    two_out = lambda a: (a.exp(), a.sum())  # noqa: E731
    both = lambda a, b: (a * b.sum(), b.t())  # noqa: E731
    unused = lambda a, b: a * 2  # noqa: E731
    return [
        lambda: F.jacobian(one, x),
        lambda: F.jacobian(one, (x,)),
        lambda: F.jacobian(two_in, (x, y)),
        lambda: F.jacobian(two_out, x),
        lambda: F.jacobian(both, (x, y)),
        lambda: F.jacobian(unused, (x, y)),
        lambda: F.vjp(two_in, (x, y)),
        lambda: F.vjp(two_out, x, (x, L.tensor(2.0, dtype=L.float64))),
        lambda: F.vjp(unused, (x, y), x),
        lambda: F.jvp(one, x, x),
        lambda: F.jvp(both, (x, y), (x, y)),
        lambda: F.jvp(unused, (x, y), (x, y)),
        lambda: F.jvp(lambda a: a * 3, L.tensor([2.0], dtype=L.float64)),
        lambda: F.jacobian(lambda a: L.ones(2, dtype=L.float64), x),
    ]


def test_result_structure_matches_torch(torch):
    for a_call, t_call in zip(_structures(at), _structures(torch)):
        _assert_same(_np(a_call()), _np(t_call()))


def _errors(L):
    F = L.autograd.functional
    x = L.tensor([1.0, 2.0], dtype=L.float64)
    y = L.tensor([3.0], dtype=L.float64)
    sq = lambda a: a * a  # noqa: E731
    unused = lambda a, b: a * 2  # noqa: E731
    return [
        lambda: F.jacobian(sq, 3),
        lambda: F.jacobian(sq, (x, 3)),
        lambda: F.jacobian(lambda a: 2.0, x),
        lambda: F.jacobian(sq, x, strategy="sideways"),
        lambda: F.jacobian(sq, x, strategy="forward-mode", create_graph=True),
        lambda: F.jacobian(unused, (x, y), strict=True),
        lambda: F.jacobian(lambda a: L.ones(2), x, strict=True),
        lambda: F.vjp(sq, x),
        lambda: F.vjp(sq, x, y),
        lambda: F.vjp(lambda a: (a, a), x, (x,)),
        lambda: F.vjp(sq, x, (x, x)),
        lambda: F.vjp(unused, (x, y), x, strict=True),
        lambda: F.jvp(sq, x),
        lambda: F.jvp(sq, x, y),
        lambda: F.jvp(unused, (x, y), (x,)),
        lambda: F.jvp(unused, (x, y), (x, x)),
        lambda: F.vjp(sq, x, "v"),
    ]


def test_errors_match_torch(torch):
    for a_call, t_call in zip(_errors(at), _errors(torch)):
        expected = _outcome(t_call)
        assert expected[0] == "error"
        assert _outcome(a_call) == expected
