"""Conformance of forward mode with torch 2.13: the conformance programs run on dual
tensors in both libraries give the same values and tangents; make_dual / unpack_dual /
dual_level behave and fail as torch's do."""

import numpy as np
import pytest

import autograd_tutor as at

from .programs import PROGRAMS


def _fw(L):
    return L.autograd.forward_ad


def _run_dual(L, fn, arrays, directions):
    fw = _fw(L)
    with fw.dual_level():
        leaves = [L.tensor(a, dtype=L.float64, requires_grad=True) for a in arrays]
        duals = [
            fw.make_dual(x, L.tensor(d, dtype=L.float64))
            for x, d in zip(leaves, directions)
        ]
        out = fn(L, *duals)
        primal, tangent = fw.unpack_dual(out)
        return (
            out.detach().numpy().copy(),
            None if tangent is None else tangent.detach().numpy().copy(),
        )


def _outcome(L, fn, arrays, directions):
    try:
        return _run_dual(L, fn, arrays, directions)
    except Exception as e:  # noqa: BLE001  (compared with torch's)
        return type(e).__name__, str(e).replace("torch.", "at.")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_tangent_matches_torch(name, torch, rng):
    shapes, fn = PROGRAMS[name]
    arrays = [rng.standard_normal(s) for s in shapes]
    directions = [rng.standard_normal(s) for s in shapes]
    expected = _outcome(torch, fn, arrays, directions)
    got = _outcome(at, fn, arrays, directions)
    if isinstance(expected[0], str):
        assert got == expected
        return
    assert not isinstance(got[0], str), got
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-10, atol=1e-12)
    if expected[1] is None:
        assert got[1] is None
    else:
        assert got[1] is not None
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-9, atol=1e-12)


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e).replace("torch.", "at.")
    return None


def _api_errors(L):
    fw = _fw(L)
    x = L.tensor([1.0, 2.0], requires_grad=True)
    errors = [_error(lambda: fw.make_dual(x, L.ones(2)))]  # no level
    with fw.dual_level():
        d = fw.make_dual(x, L.ones(2))
        errors += [
            _error(lambda: fw.make_dual(x, L.ones(3))),
            _error(lambda: fw.make_dual(L.tensor([1, 2]), L.tensor([1, 2]))),
            _error(lambda: fw.make_dual(x, L.tensor([1, 2]))),
            _error(lambda: fw.make_dual(d, L.ones(2))),
            _error(lambda: fw.enter_dual_level()),  # nested
        ]

        class Twice(L.autograd.Function):  # no jvp: forward mode cannot go through
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        errors.append(_error(lambda: Twice.apply(d)))
        errors.append(Twice.apply(x).grad_fn is not None)  # no tangent: fine
    return errors


def test_api_errors_match_torch(torch):
    expected = _api_errors(torch)
    assert all(e is not None for e in expected)
    assert _api_errors(at) == expected


def _dual_facts(L):
    """What make_dual / unpack_dual return, and how tangents follow views and in-place
    ops, as plain values."""
    fw = _fw(L)
    x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    facts = {"outside": fw.unpack_dual(x).tangent is None}
    with fw.dual_level() as level:
        facts["level"] = level
        d = fw.make_dual(x, L.tensor([1.0, 0.5, 0.0]))
        p, t = fw.unpack_dual(d)
        facts["dual"] = (d.grad_fn.name(), d._base is x, d.requires_grad, d.is_leaf)
        facts["primal"] = (p._base is x, fw.unpack_dual(p).tangent is None)
        facts["tangent"] = t.tolist()
        facts["plain"] = fw.unpack_dual(x).tangent is None
        facts["type"] = type(fw.unpack_dual(d)).__name__
        # the tangent of a view is a view of the tangent
        v = d[1:]
        facts["view"] = fw.unpack_dual(v).tangent.tolist()
        # in-place: a plain tensor takes the tangent of what is added into it
        a = L.zeros(3)
        a.add_(fw.make_dual(L.ones(3), L.tensor([1.0, 2.0, 3.0])))
        facts["inplace"] = fw.unpack_dual(a).tangent.tolist()
        # in-place on a view of a plain base: the base gets a tangent there
        b = L.zeros(3)
        b[1:].mul_(0).add_(fw.make_dual(L.ones(2), L.tensor([4.0, 5.0])))
        facts["inplace_view"] = fw.unpack_dual(b).tangent.tolist()
        # in-place on a dual base: its views' tangents follow
        c = fw.make_dual(L.zeros(3), L.tensor([1.0, 1.0, 1.0]))
        w = c[:2]
        c.mul_(3)
        facts["base_then_view"] = fw.unpack_dual(w).tangent.tolist()
        # setitem from a dual
        e = L.zeros(3)
        e[0] = fw.make_dual(L.tensor(2.0), L.tensor(7.0))
        facts["setitem"] = fw.unpack_dual(e).tangent.tolist()
        y = (d * d).sum()
        facts["y"] = (y.item(), fw.unpack_dual(y).tangent.item(), y.grad_fn.name())
        y.backward()  # reverse mode still works on dual tensors
        facts["grad"] = x.grad.tolist()
    facts["after"] = fw.unpack_dual(d).tangent is None
    with fw.dual_level() as level:
        facts["next_level"] = level
    return facts


def test_dual_tensors_behave_as_torch(torch):
    assert _dual_facts(at) == _dual_facts(torch)


def _lesson_network_jvp(L, arrays, directions):
    """The lesson's network: the tangent of its loss along a direction in weight space."""
    fw = _fw(L)
    x, y, w1, b1, w2, b2 = (L.tensor(a) for a in arrays)
    with fw.dual_level():
        w1, b1, w2, b2 = (
            fw.make_dual(w, L.tensor(d)) for w, d in zip((w1, b1, w2, b2), directions)
        )
        y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
        loss = (y_pred - y).pow(2).sum()
        return loss.item(), fw.unpack_dual(loss).tangent.item()


def test_lesson_network_jvp_matches_torch(torch):
    from .test_blog_network import _lesson_data

    arrays = _lesson_data()
    rng = np.random.default_rng(5)
    directions = [rng.standard_normal(a.shape).astype(np.float32) for a in arrays[2:]]
    got = _lesson_network_jvp(at, arrays, directions)
    expected = _lesson_network_jvp(torch, arrays, directions)
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def _dual_reprs(L):
    """The reprs of dual tensors: torch adds ``tangent=`` (the tangent formatted as
    ``format`` does: a 0-d one as its number), wrapped as its other suffixes."""
    fw = _fw(L)
    with fw.dual_level():
        duals = [
            fw.make_dual(L.tensor([1.0, 2.0]), L.tensor([0.5, 1.0])),
            fw.make_dual(
                L.tensor(1.0, dtype=L.float64), L.tensor(3.0, dtype=L.float64)
            ),
            fw.make_dual(
                L.ones(3, 4, dtype=L.float64) / 7, L.ones(3, 4, dtype=L.float64)
            ),
            fw.make_dual(L.tensor([1.0, 2.0]), L.tensor([0.5, 1.0], dtype=L.float64)),
            fw.make_dual(L.zeros(0, 2), L.zeros(0, 2)),
            fw.make_dual(L.tensor([1.0, 2.0]), L.tensor([1e-5, 1.0])).exp()[0:1],
        ]
        inside = [repr(d).replace("torch.", "at.") for d in duals]
    return inside, [repr(d).replace("torch.", "at.") for d in duals]


def test_dual_tensors_print_their_tangent_as_torch(torch):
    assert _dual_reprs(at) == _dual_reprs(torch)
