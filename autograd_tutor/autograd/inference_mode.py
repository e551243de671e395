"""``inference_mode``, like ``torch.inference_mode``: no_grad, and more. Tensors made
inside are *inference tensors*: they have no version counter, so autograd can never check
them, and torch keeps them out of autograd for good: outside inference mode they may
not be changed in place, saved for backward, or made to require grad.

>>> import autograd_tutor as at
>>> w = at.ones(2, requires_grad=True)
>>> with at.inference_mode():
...     y = w * 2
>>> y.requires_grad, y.is_inference()
(False, True)
"""

import weakref

from .grad_mode import DecoratorContext, grad_state

__all__ = ["inference_mode", "is_inference_mode_enabled"]


class _InferenceState:
    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = False


# read by Op.apply, tensor.py and in-place ops (public within the package):
inference_state = _InferenceState()
inference_views = {}  # id(view) -> weakref: views of normal tensors made in inference mode


class InferenceVersion(list):
    """The version box of an inference tensor (a list, like every tensor's box): its
    type is the mark. Views share their base's box, so a view of an inference tensor is
    one too, and a view of a normal tensor is not."""


def is_inference_mode_enabled():
    """True inside ``with at.inference_mode():``."""
    return inference_state.enabled


class inference_mode(DecoratorContext):
    """``with at.inference_mode():`` (or ``@at.inference_mode``, ``@at.inference_mode()``,
    ``inference_mode(False)`` to switch it off inside): nothing is recorded, and new
    tensors are inference tensors."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # used as a bare decorator: mode is the function

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self._prev = (grad_state.enabled, inference_state.enabled)
        grad_state.enabled, inference_state.enabled = not self.mode, self.mode
        return None

    def __exit__(self, *exc):
        grad_state.enabled, inference_state.enabled = self._prev
        return False

    def clone(self):
        return inference_mode(self.mode)


def mark(t):
    """Make ``t`` (just created in inference mode) an inference tensor."""
    t._version_box = InferenceVersion([0])


def note_view(view):
    """A view of a normal tensor made in inference mode: remembered, as torch forbids
    changing it in place outside inference mode."""
    key = id(view)
    inference_views[key] = weakref.ref(
        view, lambda _, k=key: inference_views.pop(k, None)
    )


def check_inplace(t):
    """torch's refusal of an in-place change to an inference tensor outside inference
    mode."""
    if type(t._version_box) is InferenceVersion:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed."
            "You can make a clone to get a normal tensor before doing inplace update."
            "See https://github.com/pytorch/rfcs/pull/17 for more details."
        )


def check_recorded_view(t):
    """torch's refusal to record an in-place change to a view made in inference mode."""
    ref = inference_views.get(id(t))
    if ref is not None and ref() is t:
        raise RuntimeError(
            "A view was created in inference mode and is being modified inplace in "
            "normal mode. Given that this use case is ambiguous and error-prone, it is "
            "forbidden. You can clarify your code by moving both the view and the "
            "inplace either both inside the inference_mode block (if you don't want the "
            "inplace to be tracked) or both outside (if you want the inplace to be "
            "tracked)."
        )


SAVED_MESSAGE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created "
    "in inference mode in computation tracked by autograd. To work around this, you can "
    "make a clone to get a normal tensor and use it in autograd, or use "
    "`at.no_grad()` instead of `at.inference_mode()`."
)
