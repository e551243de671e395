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


def _double_noting(L, seen):
    """A custom Function whose backward notes the gradient it received."""

    class Double(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            seen.append(grad)
            return grad * 2

    return Double


def a_custom_function_that_no_gradient_reached_gets_zeros(L):
    # torch materializes the missing gradient (materialize_grads) and runs backward
    seen = []
    x = L.ones(2, requires_grad=True)
    _drop_grad(L).apply(_double_noting(L, seen).apply(x)).sum().backward()
    return x.grad, seen


def a_hook_sees_none_where_no_gradient_arrived(L):
    seen = []
    x = L.ones(2, requires_grad=True)
    a, b = x.unbind()
    a.register_hook(lambda g: seen.append(g))  # a gets no gradient: its hook sees None
    (b * 2).backward()
    return x.grad, [g is None for g in seen]


def a_leaf_hook_sees_none_where_no_gradient_arrived(L):
    seen = []
    x = L.ones(2, requires_grad=True)
    x.register_hook(lambda g: seen.append(g))
    _drop_grad(L).apply(x).sum().backward()
    return x.grad, [g is None for g in seen]


def a_leaf_hook_sees_none_in_grad(L):
    seen = []
    x = L.ones(2, requires_grad=True)
    x.register_hook(lambda g: seen.append(g))
    z = _drop_grad(L).apply(x)
    return L.autograd.grad(z.sum(), x, allow_unused=True), [g is None for g in seen]


def a_hook_may_not_replace_a_missing_gradient(L):
    x = L.ones(2, requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: L.ones(2))
    _drop_grad(L).apply(y).sum().backward()
    return x.grad


CASES = {
    f.__name__: f
    for f in (
        no_gradient_reaches_an_interior_node,
        no_gradient_on_one_of_two_paths,
        no_gradient_reaches_an_input_of_grad,
        no_gradient_reaches_a_target_of_backward,
        a_custom_function_that_no_gradient_reached_gets_zeros,
        a_hook_sees_none_where_no_gradient_arrived,
        a_leaf_hook_sees_none_where_no_gradient_arrived,
        a_leaf_hook_sees_none_in_grad,
        a_hook_may_not_replace_a_missing_gradient,
    )
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, torch):
    assert_same(torch, at, CASES[name])
