"""Forward mode over the registry: every op has a JVP rule (``jvp`` beside its
``backward``), and the tangent it pushes equals the directional finite difference
(f(x + eps v) - f(x - eps v)) / 2 eps, in float64, on the shapes hypothesis draws for
the gradient checks."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_tutor as at
import autograd_tutor.autograd.forward_ad as fwAD
from autograd_tutor.autograd.function import Op
from autograd_tutor.functions import REGISTRY

from .op_cases import OP_CASES
from .test_gradients import _extra_cases, _node_names


def test_every_registered_op_has_a_jvp_rule():
    missing = sorted(
        name
        for name, op in REGISTRY.items()
        if getattr(op, "jvp", None) is None or op.jvp is getattr(Op, "jvp", None)
    )
    assert not missing, f"ops without a forward-mode (jvp) rule: {missing}"


def _tangent_and_names(fn, leaves, directions):
    with fwAD.dual_level():
        duals = [fwAD.make_dual(x, v) for x, v in zip(leaves, directions)]
        out = fn(*duals)
        tangent = fwAD.unpack_dual(out).tangent
        return out.detach().numpy().copy(), tangent, _node_names(out)


def _finite_difference(fn, arrays, directions, eps):
    def at_point(sign):
        with at.no_grad():
            xs = [at.tensor(a + sign * eps * d, dtype=at.float64) for a, d in
                  zip(arrays, directions)]  # fmt: skip
            return fn(*xs).detach().numpy().astype(np.float64)

    return (at_point(1) - at_point(-1)) / (2 * eps)


@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_jvp_matches_finite_differences(name):
    strategy, fn, *options = OP_CASES[name]
    tol = {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-4, **(options[0] if options else {})}

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
    @given(shapes=strategy, seed=st.integers(0, 2**31 - 1), plain=st.booleans())
    def check(shapes, seed, plain):
        # plain: the leaves need no grad, so nothing is recorded (the rules must not
        # rely on what forward saves only for backward)
        rng = np.random.default_rng(seed)
        arrays = [rng.standard_normal(s) for s in shapes]
        directions = [rng.standard_normal(s) for s in shapes]
        leaves = [
            at.tensor(a, dtype=at.float64, requires_grad=not plain) for a in arrays
        ]
        tangents = [at.tensor(d, dtype=at.float64) for d in directions]
        value, tangent, names = _tangent_and_names(fn, leaves, tangents)
        assert plain or name in names, "the case must exercise its own op"
        expected = _finite_difference(fn, arrays, directions, tol["eps"])
        assert tangent is not None
        assert tangent.shape == value.shape
        np.testing.assert_allclose(
            tangent.numpy(), expected, rtol=tol["rtol"], atol=tol["atol"]
        )

    check()


@pytest.mark.parametrize("name", sorted(_extra_cases()))
def test_nn_op_jvp_matches_finite_differences(name):
    at.manual_seed(0)
    fn, inputs = _extra_cases()[name]()
    rng = np.random.default_rng(0)
    arrays = [x.detach().numpy().copy() for x in inputs]
    directions = [rng.standard_normal(a.shape) for a in arrays]
    tangents = [at.tensor(d, dtype=at.float64) for d in directions]
    value, tangent, names = _tangent_and_names(fn, list(inputs), tangents)
    assert name in names
    expected = _finite_difference(fn, arrays, directions, 1e-6)
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=1e-4, atol=1e-5)


def test_as_strided_jvp_reads_the_base_tangent_where_the_view_lies():
    # AsStridedBackward0 is recorded when a view is derived again; its tangent is then
    # already a view of the base's tangent. The rule itself, checked directly:
    class Ctx:
        positions = np.array([[1, 3], [5, 7]])

    base, dbase = np.zeros(8), np.arange(8.0)
    y = base.reshape(-1)[Ctx.positions]
    dy = REGISTRY["AsStridedBackward0"].jvp(Ctx, y, base, dbase)
    np.testing.assert_array_equal(dy, [[1.0, 3.0], [5.0, 7.0]])
