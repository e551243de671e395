"""Run one small program on torch and on autograd_tutor and compare what a learner sees.

``observe(L, program)`` runs ``program(L)`` (``L`` is ``torch`` or ``autograd_tutor``) and
turns its result into plain data: for each tensor its values (NaN and the sign of zero
included), dtype, shape, ``requires_grad``, ``is_leaf`` and ``grad_fn`` name; for an
exception its type and message. NumPy RuntimeWarnings are collected too: torch never emits them.
"""

import warnings

import numpy as np


def _plain(x):
    if hasattr(x, "detach") and hasattr(x, "dtype") and hasattr(x, "shape"):
        values = np.round(np.asarray(x.detach().numpy()).astype(np.float64), 5)
        nan = np.isnan(values)
        return (
            "tensor",
            str(x.dtype).split(".")[-1],
            tuple(x.shape),
            np.where(nan, 0.0, values).tolist(),  # nan != nan: compared as a flag
            (np.signbit(values) & ~nan).tolist(),  # the sign of nan is noise
            nan.tolist(),
            bool(x.requires_grad),
            bool(x.is_leaf),
            None if x.grad_fn is None else x.grad_fn.name(),
        )
    if isinstance(x, (tuple, list)):
        return tuple(_plain(v) for v in x)
    if hasattr(x, "name") and callable(x.name) and hasattr(x, "next_functions"):
        return ("node", x.name())
    if isinstance(x, float) and np.isnan(x):
        return "nan"
    return x


def _message(e):
    """An exception's message, torch's names read as autograd_tutor's."""
    return str(e).replace("torch.", "at.")


def observe(L, program):
    """``("ok", plain result, numpy warnings)`` or ``("raises", exception type name,
    message)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = _plain(program(L))
        except Exception as e:  # noqa: BLE001 - the exception is what we compare
            return ("raises", type(e).__name__, _message(e))
    leaked = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return ("ok", result, leaked)


def assert_same(torch, at, program):
    """``program`` behaves the same on both libraries, with no NumPy warning leaking."""
    expected = observe(torch, program)
    got = observe(at, program)
    if expected[0] == "ok":
        expected = expected[:2] + ([],)  # torch's own warnings are not NumPy's
    assert got == expected, f"\nautograd_tutor: {got}\ntorch:          {expected}"
