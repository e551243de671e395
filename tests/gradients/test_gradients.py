"""Every registered op: autograd's gradient equals the finite-difference gradient
(float64, random shapes and broadcast pairs drawn by hypothesis)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_tutor as at
from autograd_tutor.functions import REGISTRY

from .op_cases import OP_CASES


def _extra_cases():
    """Cases contributed by other packages' ops (at.nn), when present."""
    try:
        from tests.nn.test_nn_gradients import NN_OP_CASES  # type: ignore
    except Exception:  # noqa: BLE001
        try:
            from nn.test_nn_gradients import NN_OP_CASES  # type: ignore
        except Exception:  # noqa: BLE001
            return {}
    return NN_OP_CASES


def test_every_registered_op_has_a_gradient_check():
    covered = set(OP_CASES) | set(_extra_cases())
    missing = sorted(set(REGISTRY) - covered)
    assert not missing, f"ops without finite-difference coverage: {missing}"
    unknown = sorted(set(OP_CASES) - set(REGISTRY))
    assert not unknown, f"cases for ops that are not registered: {unknown}"


def _node_names(out):
    seen, stack = set(), [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        stack.extend(n for n, _ in node.next_functions)
    return {n.name().replace("torch::autograd::", "") for n in seen}


def _case(name):
    """An op's case: its shapes strategy, the function of the leaves, and the
    finite-difference tolerances (the defaults, with the case's own on top)."""
    strategy, fn, *options = OP_CASES[name]
    tolerances = {
        "eps": 1e-6,
        "atol": 1e-5,
        "rtol": 1e-4,
        **(options[0] if options else {}),
    }
    return strategy, fn, tolerances


def _leaves(shapes, seed):
    """float64 leaves of the drawn shapes, filled from the drawn seed."""
    rng = np.random.default_rng(seed)
    return [
        at.tensor(rng.standard_normal(s), dtype=at.float64, requires_grad=True)
        for s in shapes
    ]


@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_gradient_matches_finite_differences(name):
    strategy, fn, tolerances = _case(name)

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(shapes=strategy, seed=st.integers(0, 2**31 - 1))
    def check(shapes, seed):
        leaves = _leaves(shapes, seed)
        assert name in _node_names(fn(*leaves)), "the case must exercise its own op"
        assert at.autograd.gradcheck(fn, leaves, **tolerances)

    check()


@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_second_derivatives_match_finite_differences(name):
    """gradgradcheck: the gradient recorded with create_graph=True differentiates
    correctly (with respect to the inputs and to the grad_output)."""
    strategy, fn, tolerances = _case(name)

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
    @given(shapes=strategy, seed=st.integers(0, 2**31 - 1))
    def check(shapes, seed):
        leaves = _leaves(shapes, seed)
        at.manual_seed(seed)  # the random grad_outputs
        assert at.autograd.gradgradcheck(fn, leaves, **tolerances)

    check()
