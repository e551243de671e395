"""Conformance: ``a @ b`` records PyTorch's exact chain of nodes for every combination
of 1-D, 2-D, 3-D and 4-D operands, contiguous or transposed, with either or both
requiring grad (torch's matmul folds, squeezes and expands differently in each)."""

import itertools

import numpy as np
import pytest

import autograd_tutor as at

from .graph_signature import signature

SHAPES_A = [(3,), (2, 3), (4, 2, 3), (2, 1, 2, 3)]
SHAPES_B = [(3,), (3, 5), (4, 3, 5), (1, 3, 5), (2, 4, 3, 5)]
CASES = [
    (sa, sb, grads, transposed)
    for sa, sb in itertools.product(SHAPES_A, SHAPES_B)
    for grads in [(True, True), (True, False), (False, True)]
    for transposed in (False, True)
    if not (transposed and len(sa) == 1)
]


def _build(L, sa, sb, grads, transposed, rng_seed):
    rng = np.random.default_rng(rng_seed)
    a_np, b_np = rng.standard_normal(sa), rng.standard_normal(sb)
    if transposed:  # a non-contiguous a, as after .transpose
        a = L.tensor(a_np.swapaxes(-1, -2).copy(), dtype=L.float64)
        leaves = [a]
        if grads[0]:
            a.requires_grad_()
        a = a.transpose(-1, -2)
    else:
        a = L.tensor(a_np, dtype=L.float64, requires_grad=grads[0])
        leaves = [a]
    b = L.tensor(b_np, dtype=L.float64, requires_grad=grads[1])
    return leaves + [b], a @ b


@pytest.mark.parametrize("sa,sb,grads,transposed", CASES)
def test_matmul_graph_matches_torch(sa, sb, grads, transposed, torch):
    if len(sb) >= 2:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            pytest.skip("batch shapes do not broadcast")
    t_leaves, t_out = _build(torch, sa, sb, grads, transposed, 0)
    a_leaves, a_out = _build(at, sa, sb, grads, transposed, 0)
    np.testing.assert_allclose(
        a_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12
    )
    assert signature(a_out.grad_fn, a_leaves) == signature(t_out.grad_fn, t_leaves)
    seed = np.random.default_rng(1).standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(seed))
    a_out.backward(at.tensor(seed))
    for t_leaf, a_leaf in zip(t_leaves, a_leaves):
        if t_leaf.grad is not None:
            np.testing.assert_allclose(
                a_leaf.grad.numpy(), t_leaf.grad.numpy(), rtol=1e-10
            )
