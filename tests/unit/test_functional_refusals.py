"""``at.autograd.functional`` where it differs from torch on purpose: vectorize=True
is refused with the reason, forward-mode jacobian runs without vmap, and a jvp asked for
inside a dual level (levels do not nest) is computed from the Jacobian's rows."""

import numpy as np
import pytest

import autograd_tutor as at
import autograd_tutor.autograd.forward_ad as fwAD
from autograd_tutor.autograd.functional import jacobian, jvp, vjp

x = at.tensor([1.0, 2.0, 3.0], dtype=at.float64)


def f(a):
    return (a * a).exp()


@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
def test_vectorize_is_refused_with_the_reason(strategy):
    with pytest.raises(NotImplementedError, match="vectorize=False computes the same"):
        jacobian(f, x, vectorize=True, strategy=strategy)


def test_forward_mode_jacobian_equals_reverse_mode():
    def g(a, b):
        return a.sum() * b, (a @ b.t()).tanh()

    a = at.randn(2, 3, dtype=at.float64)
    b = at.randn(4, 3, dtype=at.float64)
    rev = jacobian(g, (a, b))
    fwd = jacobian(g, (a, b), strategy="forward-mode")
    for r_row, f_row in zip(rev, fwd):
        for r, fw in zip(r_row, f_row):
            assert r.shape == fw.shape
            np.testing.assert_allclose(fw.numpy(), r.numpy(), rtol=1e-12, atol=1e-14)


def test_jvp_inside_a_dual_level_uses_the_jacobian():
    v = at.tensor([0.5, -1.0, 2.0], dtype=at.float64)
    out, expected = jvp(f, x, v)
    with fwAD.dual_level():
        out2, got = jvp(f, x, v)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12)
    np.testing.assert_allclose(out2.numpy(), out.numpy())


def test_results_carry_no_graph_and_inputs_are_untouched():
    w = at.tensor([1.0, 2.0], requires_grad=True)
    out, g = vjp(lambda a: (a * a).sum(), w)
    assert not out.requires_grad and not g.requires_grad
    assert w.grad is None
    _, t = jvp(lambda a: a * a, w, at.ones(2))
    assert not t.requires_grad
