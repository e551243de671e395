"""Issue 14, engine side: what the backward pass's redesign kept (or fixed), as
few-line programs run in lock step on torch 2.13 and autograd_tutor (see
``lockstep.observe``)."""

import pytest

import autograd_tutor as at

from .lockstep import assert_same


def _drop_grad(L):
    """A custom Function whose backward returns None for an input that needs one."""

    class Drop(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return None

    return Drop


def no_gradient_reaches_an_interior_node(L):
    # y's node gets only None: it runs with no gradient and passes none on
    x = L.ones(2, requires_grad=True)
    z = _drop_grad(L).apply(x * 3)
    z.sum().backward()
    return x.grad


def no_gradient_on_one_of_two_paths(L):
    x = L.ones(2, requires_grad=True)
    y = x * 3
    (_drop_grad(L).apply(y) + y * 5).sum().backward()
    return x.grad


def no_gradient_reaches_an_input_of_grad(L):
    x = L.ones(2, requires_grad=True)
    z = _drop_grad(L).apply(x * 3)
    return L.autograd.grad(z.sum(), x, allow_unused=True)


def no_gradient_reaches_a_target_of_backward(L):
    x = L.ones(2, requires_grad=True)
    y = x * 3
    z = _drop_grad(L).apply(y)
    z.sum().backward(inputs=[y, x])
    return x.grad, y.grad


CASES = {
    f.__name__: f
    for f in (
        no_gradient_reaches_an_interior_node,
        no_gradient_on_one_of_two_paths,
        no_gradient_reaches_an_input_of_grad,
        no_gradient_reaches_a_target_of_backward,
    )
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, torch):
    assert_same(torch, at, CASES[name])
