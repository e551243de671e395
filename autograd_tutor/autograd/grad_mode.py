"""Turning gradient recording on and off, like ``torch.no_grad``, ``torch.enable_grad``
and ``torch.set_grad_enabled``. Each works as a ``with`` block and as a decorator."""

import functools


# One switch for the whole process. Ops read ``grad_state.enabled`` before recording
# (Op.apply, the engine, in-place ops, inference_mode: public within the package).
class _GradState:
    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = True


grad_state = _GradState()


def is_grad_enabled():
    """True when operations on tensors that require grad are being recorded."""
    return grad_state.enabled


class DecoratorContext:
    """What every mode switch shares (torch's ``_DecoratorContextManager``): used as a
    decorator, it runs the function inside a fresh copy of itself (``clone()``), so the
    function can be called again and again, even from inside itself."""

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        """A new switch like this one, for one call of a decorated function."""
        return type(self)()


class _GradModeContext(DecoratorContext):
    """Remember the old mode on enter, restore it on exit."""

    mode = True

    def __enter__(self):
        self._prev = grad_state.enabled
        grad_state.enabled = self.mode
        return None

    def __exit__(self, *exc):
        grad_state.enabled = self._prev
        return False


class no_grad(_GradModeContext):
    """Stop recording: results of operations inside have ``requires_grad=False``.

    Use it for the weight update, which must not become part of the graph::

        >>> import autograd_tutor as at
        >>> w = at.ones(2, requires_grad=True)
        >>> with at.no_grad():
        ...     v = w * 2
        >>> v.requires_grad
        False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` switches recording off right away (as a function call),
    or for the duration of a ``with`` block, or of a decorated function."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(
                f"set_grad_enabled() expects a bool, got {type(mode).__name__}"
            )
        self.mode = mode
        self._prev = grad_state.enabled
        grad_state.enabled = mode

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        grad_state.enabled = self._prev
        return False

    def __call__(self, func):
        grad_state.enabled = self._prev  # the decorator form must not switch now
        return super().__call__(func)

    def clone(self):
        return set_grad_enabled(self.mode)
