"""``create_graph=True`` beyond single ops, against torch 2.13: ``.grad`` of a leaf gets a
history (CopyBackwards, then AddBackward0 as gradients accumulate), torch's warning,
the graph kept by default, custom Functions, hooks and retain_grad on recorded
gradients, anomaly mode, and the nodes that still refuse to be recorded."""

import warnings

import numpy as np

import autograd_tutor as at

from .graph_signature import signature


def _grad_history(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x**3).sum().backward(create_graph=True)
        first = signature(x.grad.grad_fn, [x])
        (x * x).sum().backward(create_graph=True)  # accumulates: old + new
    second = signature(x.grad.grad_fn, [x])
    (h,) = L.autograd.grad(x.grad.sum(), x)
    messages = [str(w.message) for w in caught]
    return first, second, x.grad.tolist(), h.tolist(), messages


def test_backward_create_graph_gives_grad_a_history(torch):
    from autograd_tutor.autograd.engine import _CYCLE_WARNING
    from autograd_tutor.tensor import _WARNED

    _WARNED.discard(_CYCLE_WARNING)  # warned once per process, as torch
    a, t = _grad_history(at), _grad_history(torch)
    assert a[:4] == t[:4]
    assert a[0][0][0] == "CopyBackwards" and a[1][0][0] == "AddBackward0"
    assert a[4] == [_CYCLE_WARNING]
    if t[4]:  # (unless an earlier test made torch warn already)
        assert t[4][0].startswith(_CYCLE_WARNING)


def test_the_graph_is_kept_and_the_seed_passes_through(torch):
    for L in (at, torch):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x**2).sum()
        (g,) = L.autograd.grad(y, x, create_graph=True)
        (again,) = L.autograd.grad(y, x)  # retain_graph defaults to create_graph
        assert again.tolist() == g.tolist() == [2.0, 4.0]
        v = L.ones(2, requires_grad=True)
        (same,) = L.autograd.grad(x + 0, x, v, create_graph=True)
        assert same is v  # an identity backward hands the gradient on as it is


def _mixed_dtype_gradients(L):
    y = L.ones(3, dtype=L.float64, requires_grad=True)
    out = []
    for shape in ((3,), (1,)):  # the same shape, then broadcast
        x = L.ones(*shape, dtype=L.float32, requires_grad=True)
        (g,) = L.autograd.grad((x * y).sum(), x, create_graph=True)
        out.append((str(g.dtype), signature(g.grad_fn, [x, y])))
    return out


def test_recorded_gradients_take_their_inputs_shape_and_dtype(torch):
    """float32 x times float64 y: x's recorded gradient is summed back to x's shape
    (SumBackward1) and cast back to float32 (ToCopyBackward0), as torch records it."""
    ours = _mixed_dtype_gradients(at)
    theirs = [
        (d.replace("torch.", "at."), sig) for d, sig in _mixed_dtype_gradients(torch)
    ]
    assert ours == theirs
    assert [sig[0][0] for _, sig in ours] == ["ToCopyBackward0", "ToCopyBackward0"]
    assert ours[1][1][1][0] == "SumBackward1"  # broadcast x: summed back to shape (1,)


def test_plain_backward_records_nothing():
    x = at.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad
    (g,) = at.autograd.grad((x**3).sum(), x)
    assert g.grad_fn is None and not g.requires_grad


def _custom(L):
    class Cube(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    x = L.tensor([1.0, -2.0], dtype=L.float64, requires_grad=True)
    (g,) = L.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (h,) = L.autograd.grad(g.sum(), x)
    return g.tolist(), signature(g.grad_fn, [x]), h.tolist()


def test_custom_function_backward_is_recorded(torch):
    assert _custom(at) == _custom(torch)


def _hooks(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    seen = []
    y.register_hook(lambda g: seen.append(g.requires_grad) or g * 2)
    y.retain_grad()
    z = (y * x).sum()
    (g,) = L.autograd.grad(z, x, create_graph=True)
    (h,) = L.autograd.grad(g.sum(), x)
    return seen, g.tolist(), h.tolist()


def test_hooks_see_recorded_gradients(torch):
    assert _hooks(at) == _hooks(torch)


def test_anomaly_mode_runs_a_recorded_backward(torch):
    out = {}
    for L in (at, torch):
        with L.autograd.detect_anomaly():
            x = L.tensor([0.5, 1.5], dtype=L.float64, requires_grad=True)
            (g,) = L.autograd.grad((x.tanh() * x).sum(), x, create_graph=True)
            (h,) = L.autograd.grad(g.sum(), x)
        out[L] = (g.tolist(), h.tolist())
    np.testing.assert_allclose(out[at], out[torch], rtol=1e-12)
