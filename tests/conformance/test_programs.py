"""Conformance: the same programs on PyTorch and on autograd_tutor give the same values,
gradients, graph (node names along every edge, next_functions structure) and flags."""

import numpy as np
import pytest

import autograd_tutor as at

from .graph_signature import signature
from .programs import PROGRAMS


def _run(L, shapes, fn, arrays):
    leaves = [L.tensor(a, dtype=L.float64, requires_grad=True) for a in arrays]
    out = fn(L, *leaves)
    return leaves, out


def _np(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_torch(name, torch, rng):
    shapes, fn = PROGRAMS[name]
    arrays = [rng.standard_normal(s) for s in shapes]
    t_leaves, t_out = _run(torch, shapes, fn, arrays)
    a_leaves, a_out = _run(at, shapes, fn, arrays)

    assert tuple(a_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(_np(a_out), _np(t_out), rtol=1e-10, atol=1e-12)
    assert a_out.requires_grad == t_out.requires_grad
    assert a_out.is_leaf == t_out.is_leaf
    assert str(a_out.dtype).split(".")[-1] == str(t_out.dtype).split(".")[-1]
    assert signature(a_out.grad_fn, a_leaves) == signature(t_out.grad_fn, t_leaves)
    if t_out.grad_fn is not None:
        assert a_out.grad_fn.name() == t_out.grad_fn.name()

    seed = rng.standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(seed))
    a_out.backward(at.tensor(seed))
    for i, (ta, aa) in enumerate(zip(t_leaves, a_leaves)):
        if ta.grad is None:
            assert aa.grad is None, f"leaf {i}"
        else:
            np.testing.assert_allclose(
                _np(aa.grad), _np(ta.grad), rtol=1e-9, atol=1e-12
            )
