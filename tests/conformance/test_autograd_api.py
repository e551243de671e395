"""Conformance: hooks, retain_grad, backward(inputs=...), autograd.grad, retain_graph,
kinks and ties give the same gradients as PyTorch."""

import warnings

import numpy as np
import pytest

import autograd_tutor as at


def _g(t):
    return None if t is None else np.round(t.detach().numpy(), 6).tolist()


def hooks_then_retain(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = y * y
    y.register_hook(lambda g: g * 10)
    y.register_hook(lambda g: g + 1)
    y.retain_grad()
    z.sum().backward()
    return _g(x.grad), _g(y.grad)


def retain_grad_then_inplace(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    y.add_(1)
    (y * y).sum().backward()
    return _g(x.grad), _g(y.grad), y.grad_fn.name()


def backward_inputs_non_leaf(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    (y * y).sum().backward(inputs=[y])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _g(x.grad), _g(y.grad)


def grad_with_grad_outputs(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    (gx,) = L.autograd.grad(y, x, grad_outputs=L.tensor([1.0, 10.0]), retain_graph=True)
    (gx2,) = L.autograd.grad(y.sum(), [x])
    return _g(gx), _g(gx2), _g(x.grad)


def removed_hook(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 100)
    (x * 2).sum().backward()
    handle.remove()
    (x * 2).sum().backward()
    return _g(x.grad)


def retain_graph_twice(L):
    a = L.tensor(2.0, requires_grad=True)
    c = (a * a) * (a * a)
    c.backward(retain_graph=True)
    c.backward()
    return _g(a.grad)


def kinks_at_zero(L):
    x = L.tensor([1.0, -1.0, 0.0], requires_grad=True)
    (x.relu() + x.clamp(min=0) + x.abs()).sum().backward()
    return _g(x.grad)


def max_ties_full_and_dim(L):
    x = L.tensor([[1.0, 4.0], [4.0, 2.0]], requires_grad=True)
    x.max().backward()
    full = _g(x.grad)
    x.grad = None
    x.max(dim=1).values.sum().backward()
    return full, _g(x.grad)


def requires_grad_after_no_grad(L):
    x = L.ones(2, requires_grad=True)
    with L.no_grad():
        y = x * 2
    z = y.requires_grad_()
    (z * x).sum().backward()
    return _g(x.grad), _g(z.grad), z.is_leaf


SCENARIOS = [
    hooks_then_retain,
    retain_grad_then_inplace,
    backward_inputs_non_leaf,
    grad_with_grad_outputs,
    removed_hook,
    retain_graph_twice,
    kinks_at_zero,
    max_ties_full_and_dim,
    requires_grad_after_no_grad,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_scenario_matches_torch(scenario, torch):
    assert scenario(at) == scenario(torch)
