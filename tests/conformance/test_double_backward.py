"""Conformance of higher-order gradients: for every program of ``programs.py``, the
gradient recorded with ``create_graph=True`` has torch's double-backward graph (node
names along every edge, reaching the right leaves and the grad_output v), torch's
values, and torch's second derivatives, themselves recorded with torch's graph."""

import numpy as np
import pytest

import autograd_tutor as at

from .graph_signature import signature
from .programs import PROGRAMS


def _np(t):
    if getattr(t, "_is_zerotensor", lambda: False)():  # torch's zeros without memory
        return np.zeros(tuple(t.shape))
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def _first_and_second(L, fn, arrays, seed, weights):
    """The gradients of ``fn`` (with grad_output v = seed, which requires grad) and the
    gradient of sum(weight * gradient) with respect to the leaves and v."""
    leaves = [L.tensor(a, dtype=L.float64, requires_grad=True) for a in arrays]
    out = fn(L, *leaves)
    v = L.tensor(seed, dtype=out.dtype, requires_grad=True)
    grads = L.autograd.grad(out, leaves, v, create_graph=True, allow_unused=True)
    sigs = [None if g is None else signature(g.grad_fn, leaves + [v]) for g in grads]
    terms = [(g * w).sum() for g, w in zip(grads, weights) if g is not None]
    terms = [t for t in terms if t.requires_grad]
    second = None
    if terms:  # recorded too: the third-order graph is compared as well
        second = L.autograd.grad(
            sum(terms), leaves + [v], allow_unused=True, create_graph=True
        )
        sigs.append(
            [None if g is None else signature(g.grad_fn, leaves + [v]) for g in second]
        )
    return grads, sigs, second


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_double_backward_matches_torch(name, torch, rng):
    shapes, fn = PROGRAMS[name]
    arrays = [rng.standard_normal(s) for s in shapes]
    probe = fn(torch, *[torch.tensor(a, requires_grad=True) for a in arrays])
    if not probe.requires_grad:
        pytest.skip("the program's output does not require grad")
    seed = rng.standard_normal(tuple(probe.shape))
    weights = [rng.standard_normal(s) for s in shapes]
    t_grads, t_sigs, t_second = _first_and_second(
        torch, fn, arrays, seed, [torch.tensor(w) for w in weights]
    )
    a_grads, a_sigs, a_second = _first_and_second(
        at, fn, arrays, seed, [at.tensor(w) for w in weights]
    )
    tol = dict(rtol=1e-5, atol=1e-7) if "float" in name or "dtype" in name else {}
    tol = tol or dict(rtol=1e-9, atol=1e-12)
    for i, (tg, ag) in enumerate(zip(t_grads, a_grads)):
        assert (tg is None) == (ag is None), f"gradient {i}"
        if tg is None:
            continue
        np.testing.assert_allclose(_np(ag), _np(tg), **tol)
        assert ag.requires_grad == tg.requires_grad, f"gradient {i}"
    assert a_sigs == t_sigs
    assert (a_second is None) == (t_second is None)
    for i, (ts, as_) in enumerate(zip(t_second or (), a_second or ())):
        assert (ts is None) == (as_ is None), f"second derivative {i}"
        if ts is not None:
            np.testing.assert_allclose(_np(as_), _np(ts), **tol)


def test_gradient_of_x_cubed_records_torchs_nodes(torch):
    """The issue's example: d(x**3)/dx = 3 x**2 is recorded as torch records it, and
    its own derivative is 6 x."""
    names = {}
    for L in (torch, at):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        (g,) = L.autograd.grad((x**3).sum(), x, create_graph=True)
        names[L] = signature(g.grad_fn, [x])
        (h,) = L.autograd.grad(g.sum(), x)
        assert h.tolist() == [6.0, 12.0]
    assert names[at] == names[torch]
    assert [n for n, _ in names[at]] == [
        "MulBackward0",
        "MulBackward1",
        "PowBackward0",
        "AccumulateGrad[0]",
    ]


def _nested_gradient(L, reduce, depth):
    """The gradient of the gradient's square, ``depth`` deep, of ``reduce(x)``."""

    def gradient_of(f):
        def g(a):
            (r,) = L.autograd.grad(f(a).sum(), a, create_graph=True)
            return r

        return g

    f = reduce
    for _ in range(depth):
        f = gradient_of(lambda a, f=f: f(a) ** 2)
    x = L.tensor([0.3, 1.2, -0.5, 0.9], dtype=L.float64, requires_grad=True)
    out = f(x)
    return signature(out.grad_fn, [x]), out.detach().numpy().copy()


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_high_orders_of_max_and_min_record_torchs_nodes(reduce, torch):
    """max()'s backward spreads the gradient with masked_fill, whose backward picks it
    back with masked_select, whose backward writes with masked_scatter
    (MaskedScatterBackward0), whose backward is an op of its own
    (MaskedScatterBackwardBackward0): six orders deep, the graphs are torch's."""
    for depth in range(1, 7):
        a_graph, a_value = _nested_gradient(at, lambda x: getattr(x, reduce)(), depth)
        t_graph, t_value = _nested_gradient(
            torch, lambda x: getattr(x, reduce)(), depth
        )
        assert a_graph == t_graph, f"depth {depth}"
        np.testing.assert_allclose(
            a_value, t_value, rtol=1e-12, err_msg=f"depth {depth}"
        )
