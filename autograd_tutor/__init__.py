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
"""

from . import tensor as _tensor_module  # noqa: F401  (defines Tensor first)
from ._dtype import bool_ as bool  # noqa: A004
from ._dtype import double, dtype, float, float32, float64, int, int32, int64, long  # noqa: A004
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
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
from .tensor import Size, Tensor, matmul
from . import autograd, functions  # noqa: E402

__version__ = "0.1.0"


def _unary(name):
    def f(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    f.__name__ = name
    f.__doc__ = f"``at.{name}(x, ...)`` is ``x.{name}(...)``."
    return f


for _name in (
    "add sub mul div pow neg exp log sqrt abs tanh sigmoid relu clamp clip sum mean max "
    "min mm t transpose permute reshape unsqueeze squeeze flatten clone detach argmax "
    "argmin reciprocal"
).split():
    globals()[_name] = _unary(_name)
del _name


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def __getattr__(name):  # optional parts load on first use: `import autograd_tutor` stays light
    if name in ("viz", "nn", "optim", "widgets"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

from . import nn, optim  # noqa: E402, F401  (layers and optimizers: need only NumPy)
