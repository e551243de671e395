"""NumPy's floating-point warnings, silenced where torch is silent.

torch computes ``1 / 0 = inf`` and ``0 / 0 = nan`` without a word, while NumPy warns
("divide by zero encountered in divide"). Every NumPy computation the engine runs for an
op (its forward in ``Op.apply``, each node of the backward pass, in-place writes,
printing) runs between ``enter()`` and ``exit(token)``, NumPy's ``errstate(all="ignore")``
set and reset directly (a context manager would cost a microsecond per op).
"""

import numpy as np

try:  # NumPy 2 keeps the error state in a context variable: set it, then reset it
    from functools import partial

    from numpy._core._ufunc_config import _extobj_contextvar as _state

    with np.errstate(all="ignore"):
        _IGNORE = _state.get()

    # enter() starts ignoring floating-point errors and returns the token for exit();
    # exit(token) restores the error state enter() replaced. Both are the context
    # variable's own methods (no Python function between: they run for every op).
    enter = partial(_state.set, _IGNORE)
    exit = _state.reset  # noqa: A001 - paired with enter()

except ImportError:  # another NumPy layout: the public (slower) context manager

    def enter():
        token = np.errstate(all="ignore")
        token.__enter__()
        return token

    def exit(token):  # noqa: A001
        token.__exit__(None, None, None)
