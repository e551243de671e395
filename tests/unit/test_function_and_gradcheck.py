"""Custom ops with at.autograd.Function, and gradcheck."""

import numpy as np
import pytest

import autograd_tutor as at


class MyExp(at.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        y = x.exp() * scale
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y, None


def test_custom_function_values_grads_and_node():
    x = at.tensor([0.0, 1.0], requires_grad=True)
    y = MyExp.apply(x, 2.0)
    assert y.grad_fn.name() == "MyExpBackward"
    assert repr(y.grad_fn).startswith(
        "<autograd_tutor.autograd.function.MyExpBackward object"
    )
    assert y.grad_fn.needs_input_grad == (True, False)
    assert len(y.grad_fn.next_functions) == 1  # one slot per tensor argument
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([0.0, 1.0]), rtol=1e-6)


def test_custom_function_matches_torch_structure(torch):
    class TExp(torch.autograd.Function):
        forward = staticmethod(MyExp.forward)
        backward = staticmethod(MyExp.backward)

    t = torch.ones(2, requires_grad=True)
    a = at.ones(2, requires_grad=True)
    ty, ay = TExp.apply(t, torch.ones(2)), MyExp.apply(a, at.ones(2))
    assert [n is None for n, _ in ty.grad_fn.next_functions] == [
        n is None for n, _ in ay.grad_fn.next_functions
    ]
    assert ty.grad_fn.needs_input_grad == ay.grad_fn.needs_input_grad


def test_custom_function_checks_saved_versions():
    x = at.ones(2, requires_grad=True)
    y = MyExp.apply(x, 1.0)
    with at.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_custom_function_wrong_number_of_gradients():
    class Bad(at.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(
        RuntimeError,
        match=r"returned an incorrect number of gradients \(expected 2, got 1\)",
    ):
        Bad.apply(at.ones(2, requires_grad=True), 2.0).sum().backward()


def test_custom_function_without_grad_is_not_recorded():
    y = MyExp.apply(at.ones(2), 1.0)
    assert y.grad_fn is None and not y.requires_grad


def test_gradcheck_passes_and_catches_wrong_rules():
    x = at.randn(3, dtype=at.float64, requires_grad=True)
    assert at.autograd.gradcheck(lambda t: MyExp.apply(t, 1.5), (x,))

    class WrongSquare(at.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t * t

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return g * t  # missing the factor 2

    with pytest.raises(at.autograd.GradcheckError, match="Jacobian mismatch"):
        at.autograd.gradcheck(WrongSquare.apply, (x,))
    assert (
        at.autograd.gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False
    )


def test_gradcheck_warns_about_float32():
    x = at.randn(2, requires_grad=True)
    with pytest.warns(UserWarning, match="not a double precision"):
        at.autograd.gradcheck(lambda t: t * 2, (x,), eps=1e-2, atol=0.1)


def test_gradcheck_works_on_non_contiguous_inputs():
    x = at.randn(3, 2, dtype=at.float64).t().detach().requires_grad_()
    assert not x.is_contiguous()
    assert at.autograd.gradcheck(lambda t: (t * t).sum(), (x,))


def _functions(L):
    class Split(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    class Ident(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    return Split, Ident


def test_multi_output_and_identity_functions_match_torch(torch):
    def run(L):
        Split, Ident = _functions(L)
        x = L.tensor([1.0, 2.0], requires_grad=True)
        a, b = Split.apply(x)
        a.sum().backward()  # b unused: its gradient arrives as zeros
        one_output = x.grad.tolist()
        x.grad = None
        (a.sum() + b.sum()).backward()
        both = x.grad.tolist()
        y = Ident.apply(x)
        return one_output, both, a.grad_fn is b.grad_fn, y is x, y.is_leaf

    assert run(at) == run(torch)
