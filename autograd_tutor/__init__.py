"""autograd_tutor: reverse-mode automatic differentiation the way PyTorch does it,
in a small NumPy engine you can read in an afternoon.

>>> import autograd_tutor as at
>>> x = at.ones(2, 2, requires_grad=True)
>>> y = x.mean()
>>> y.grad_fn
<MeanBackward0 object at 0x...>
>>> y.backward()
>>> x.grad
tensor([[0.2500, 0.2500],
        [0.2500, 0.2500]])

The optional parts load on first use, so ``import autograd_tutor`` needs only NumPy:
``at.viz`` (Graphviz pictures), ``at.widgets`` (ipywidgets explorers) and
``at.teaching`` (the teaching core of lesson 8, a whole engine to read in one sitting).
"""

import importlib
import numbers

# tensor.py first: every other module builds on its Tensor class (tensor.py imports the
# ops its methods call at its end, once the class exists)
from .tensor import Size, Tensor, matmul, stack  # isort: skip
from . import autograd, functions, nn, optim
from ._dtype import bool_ as bool  # noqa: A004  (torch spells it at.bool)
from ._dtype import double, dtype, float, float32, float64, int, int32, int64, long
from ._split import chunk, split, split_with_sizes, unbind
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.inference_mode import inference_mode, is_inference_mode_enabled
from .creation import (
    arange,
    eye,
    from_numpy,
    full,
    full_like,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)

__version__ = "0.1.0"

__all__ = [
    "Size", "Tensor", "arange", "autograd", "bool", "chunk", "double", "dtype",
    "enable_grad",
    "eye", "float", "float32", "float64", "from_numpy", "full", "full_like", "functions",
    "int", "int32", "int64", "is_anomaly_check_nan_enabled", "is_anomaly_enabled",
    "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "is_tensor",
    "long", "manual_seed",
    "matmul", "nn", "no_grad", "numel", "ones", "ones_like", "optim", "rand",
    "rand_like", "randn", "randn_like", "set_grad_enabled", "split", "split_with_sizes",
    "stack", "tensor", "unbind", "zeros", "zeros_like",
]  # fmt: skip

# torch's functional spellings: at.exp(x) is x.exp(), at.sum(x, dim=0) is x.sum(dim=0)
_FUNCTIONAL = (
    "add sub mul div neg exp log sqrt abs tanh sigmoid relu clamp clip sum mean max "
    "min mm t transpose permute reshape unsqueeze squeeze flatten clone detach argmax "
    "argmin reciprocal"
).split()


def _functional(name):
    def f(input, *args, **kwargs):
        if not isinstance(
            input, Tensor
        ):  # (a number has no such method: torch's words)
            raise TypeError(
                f"{name}(): argument 'input' (position 1) must be Tensor, not "
                f"{type(input).__name__}"
            )
        return getattr(input, name)(*args, **kwargs)

    f.__name__ = name
    f.__doc__ = f"``at.{name}(x, ...)`` is ``x.{name}(...)``."
    return f


for _name in _FUNCTIONAL:
    globals()[_name] = _functional(_name)
__all__ += _FUNCTIONAL + ["pow"]
del _name


def pow(input, exponent):  # noqa: A001  (torch spells it at.pow)
    """``at.pow(x, e)`` is ``x.pow(e)``; with a number first, ``at.pow(2, x)`` is
    ``2 ** x`` (``PowBackward2``), torch's ``(Number self, Tensor exponent)``.

    >>> import autograd_tutor as at
    >>> at.pow(2, at.tensor([1.0, 3.0]))
    tensor([2., 8.])
    """
    if isinstance(input, Tensor):
        return input.pow(exponent)
    if isinstance(input, numbers.Number) and isinstance(exponent, Tensor):
        return exponent.__rpow__(input)
    got = ", ".join(
        "Tensor" if isinstance(a, Tensor) else type(a).__name__
        for a in (input, exponent)
    )
    raise TypeError(
        f"pow() received an invalid combination of arguments - got ({got}), but "
        "expected one of:\n * (Tensor input, Tensor exponent, *, Tensor out = None)\n"
        " * (Number self, Tensor exponent, *, Tensor out = None)\n"
        " * (Tensor input, Number exponent, *, Tensor out = None)\n"
    )


def is_tensor(obj):
    """True if ``obj`` is an autograd_tutor tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements of ``input``."""
    return input.numel()


def __getattr__(name):
    """Load ``at.viz``, ``at.widgets`` and ``at.teaching`` on first use."""
    if name in ("viz", "widgets", "teaching"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
