"""``gradcheck`` and ``gradgradcheck``: compare autograd's derivatives with finite
differences.

Mirrors ``torch.autograd.gradcheck``. For each input element x_i, the numerical
derivative is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps); the analytical one comes from
running backward once per output element. Use float64 inputs: in float32 the rounding
error of the finite difference is larger than the tolerance. ``gradgradcheck`` runs the
same check on the function's *gradient* (computed with ``create_graph=True``), so it
checks second derivatives.
"""

import warnings

import numpy as np

from ..creation import rand
from ..tensor import Tensor
from .engine import grad as autograd_grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """Raised when analytical and numerical gradients disagree."""


def _outputs(func, inputs):
    out = func(*inputs)
    return (out,) if isinstance(out, Tensor) else tuple(out)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True if ``func``'s gradients match finite differences for every input that
    requires grad.

    >>> import autograd_tutor as at
    >>> x = at.randn(3, dtype=at.float64, requires_grad=True)
    >>> at.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [
        i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad
    ]
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none "
            "of the them have requires_grad=True."
        )
    for i in diff:
        if inputs[i].dtype.name != "float64":
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating "
                "point. This check will likely fail if all the inputs are not of double "
                "precision floating point. ",
                UserWarning,
                stacklevel=2,
            )
    outputs = _outputs(func, inputs)
    for o_idx, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        n_out = out.numel()
        for i in diff:
            x = inputs[i]
            numerical = np.zeros((x.numel(), n_out))
            data = x._data  # perturbed in place, element by element (any memory layout)
            with no_grad():
                for k, idx in enumerate(np.ndindex(data.shape)):
                    orig = data[idx]
                    data[idx] = orig + eps
                    plus = (
                        _outputs(func, inputs)[o_idx]._data.astype(np.float64).ravel()
                    )
                    data[idx] = orig - eps
                    minus = (
                        _outputs(func, inputs)[o_idx]._data.astype(np.float64).ravel()
                    )
                    data[idx] = orig
                    numerical[k] = (plus - minus) / (2 * eps)
            analytical = np.zeros((x.numel(), n_out))
            for j in range(n_out):
                seed = np.zeros(n_out, dtype=out._data.dtype)
                seed[j] = 1
                out_j = _outputs(func, inputs)[o_idx]
                (g,) = autograd_grad(
                    out_j,
                    x,
                    grad_outputs=Tensor._make(seed.reshape(out_j._data.shape)),
                    allow_unused=True,
                    materialize_grads=True,
                )
                analytical[:, j] = g._data.reshape(-1)
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {o_idx} with respect to input {i},\n"
                    f"numerical:{Tensor._make(numerical)}\nanalytical:"
                    f"{Tensor._make(analytical)}\n"
                )
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
):
    """True if the second derivatives of ``func`` match finite differences: runs
    ``gradcheck`` on the function ``(inputs, v) -> v^T J`` (the gradient of ``func``
    with ``grad_outputs`` v, recorded with ``create_graph=True``), as torch does.

    ``grad_outputs`` defaults to random tensors in [-1, 1) that require grad, so the
    check covers the gradient's dependence on v as well as on the inputs.

    >>> import autograd_tutor as at
    >>> x = at.randn(3, dtype=at.float64, requires_grad=True)
    >>> at.autograd.gradgradcheck(lambda t: (t**3).sum(), (x,))
    True
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if grad_outputs is None:
        with enable_grad():
            outputs = [o for o in _outputs(func, inputs) if o.requires_grad]
        grad_outputs = tuple(
            (rand(*o.shape, dtype=o.dtype) * 2 - 1).requires_grad_() for o in outputs
        )
    else:
        grad_outputs = (
            (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)
        )
    n = len(inputs)
    diff = [
        i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad
    ]

    def first_derivatives(*args):
        with enable_grad():  # gradcheck evaluates the function under no_grad
            outputs = [o for o in _outputs(func, args[:n]) if o.requires_grad]
            grads = autograd_grad(
                outputs,
                [args[i] for i in diff],
                args[n:],
                create_graph=True,
                allow_unused=True,
            )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
