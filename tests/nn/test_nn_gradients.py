"""Finite-difference gradient checks for the ops and layers of ``at.nn``.

``NN_OP_CASES`` maps each op that ``at.nn`` adds to ``functions.REGISTRY`` to a zero-argument
callable returning ``(func, inputs)``: float64 inputs that require grad, and a function
whose graph contains that node, ready for ``at.autograd.gradcheck(func, inputs)``. The
registry-coverage test uses it to check every registered op.
"""

import numpy as np
import pytest

import autograd_tutor as at
from autograd_tutor.functions import REGISTRY
from autograd_tutor.nn import functional as F

f64 = at.float64


def _randn(*shape, requires_grad=True):
    return at.randn(*shape, dtype=f64, requires_grad=requires_grad)


def _addmm_case():
    inputs = (_randn(4), _randn(5, 3), _randn(4, 3))
    return (lambda b, x, w: F.linear(x, w, b)), inputs


def _mse_case(reduction="mean"):
    inputs = (_randn(5, 2), _randn(5, 2))
    return (lambda a, b: F.mse_loss(a, b, reduction=reduction)), inputs


def _mse_backward_case(reduction="mean"):
    """The gradient of mse_loss, recorded (create_graph=True): MseLossBackwardBackward0."""
    inputs = (_randn(5, 2), _randn(5, 2))

    def grad_of_loss(a, b):
        with at.enable_grad():  # (finite differences evaluate it under no_grad)
            if not a.requires_grad:
                a.requires_grad_()
            loss = F.mse_loss(a, b, reduction=reduction)
            (ga,) = at.autograd.grad(loss.sum(), a, create_graph=True)
        return ga

    return grad_of_loss, inputs


NN_OP_CASES = {
    "AddmmBackward0": _addmm_case,
    "MseLossBackward0": _mse_case,
    "MseLossBackwardBackward0": _mse_backward_case,
}


def test_cases_cover_the_ops_nn_registers():
    nn_ops = {name for name, op in REGISTRY.items() if op.__module__ == F.__name__}
    assert nn_ops == set(NN_OP_CASES)


@pytest.mark.parametrize("name", sorted(NN_OP_CASES))
def test_registered_op_gradcheck(name):
    at.manual_seed(0)
    func, inputs = NN_OP_CASES[name]()
    assert func(*inputs).grad_fn.name() == name
    assert at.autograd.gradcheck(func, inputs)


@pytest.mark.parametrize("name", sorted(NN_OP_CASES))
def test_registered_op_gradgradcheck(name):
    """Second derivatives (create_graph=True) against finite differences."""
    at.manual_seed(3)
    func, inputs = NN_OP_CASES[name]()
    assert at.autograd.gradgradcheck(func, inputs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_gradgradcheck_every_reduction(reduction):
    at.manual_seed(4)
    for case in (_mse_case, _mse_backward_case):
        func, inputs = case(reduction)
        assert at.autograd.gradgradcheck(func, inputs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_gradcheck_every_reduction(reduction):
    at.manual_seed(1)
    func, inputs = _mse_case(reduction)
    assert at.autograd.gradcheck(func, inputs)


def test_mse_loss_gradcheck_broadcast_target():
    at.manual_seed(2)
    pred, target = _randn(5, 1), _randn(5)
    with pytest.warns(UserWarning, match="different to the input size"):
        assert at.autograd.gradcheck(F.mse_loss, (pred, target))


@pytest.mark.parametrize(
    "alpha, beta", [(1, 1), (0.5, 2.0), (2.0, 0)], ids=["plain", "scaled", "beta0"]
)
def test_addmm_gradcheck_alpha_beta(alpha, beta):
    at.manual_seed(3)
    inputs = (_randn(1, 4), _randn(5, 3), _randn(3, 4))
    func = lambda b, m1, m2: F.Addmm.apply(b, m1, m2, alpha=alpha, beta=beta)
    assert at.autograd.gradcheck(func, inputs)


@pytest.mark.parametrize("shape", [(3,), (5, 3), (2, 4, 3)], ids=["1d", "2d", "3d"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_linear_gradcheck_every_input_rank(shape, bias):
    at.manual_seed(4)
    inputs = (_randn(*shape), _randn(2, 3)) + ((_randn(2),) if bias else ())
    assert at.autograd.gradcheck(F.linear, inputs)


def test_linear_gradcheck_non_contiguous_input():
    # the permuted (non-contiguous) input is made inside the function: gradcheck
    # perturbs its inputs' memory, which a leaf's permuted copy would not see
    at.manual_seed(5)

    def func(x, w, b):
        xt = x.permute(2, 1, 0)
        assert not xt.is_contiguous()
        return F.linear(xt, w, b)

    assert at.autograd.gradcheck(func, (_randn(3, 4, 2), _randn(2, 3), _randn(2)))


def test_blog_network_gradcheck():
    """The whole Sequential model with its loss, in float64."""
    at.manual_seed(6)
    model = at.nn.Sequential(
        at.nn.Linear(3, 4), at.nn.Tanh(), at.nn.Linear(4, 1), at.nn.Sigmoid()
    ).double()
    x, y = at.randn(6, 3, dtype=f64), at.randn(6, 1, dtype=f64)
    params = tuple(model.parameters())

    def loss_of(*values):
        state = dict(
            zip(["0.weight", "0.bias", "2.weight", "2.bias"], values, strict=True)
        )
        h = F.linear(x, state["0.weight"], state["0.bias"]).tanh()
        out = F.linear(h, state["2.weight"], state["2.bias"]).sigmoid()
        return at.nn.MSELoss(reduction="sum")(out, y)

    assert at.autograd.gradcheck(loss_of, params)
    # and the module computes the same function
    np.testing.assert_allclose(
        at.nn.MSELoss(reduction="sum")(model(x), y).item(), loss_of(*params).item()
    )
