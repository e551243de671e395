"""Anomaly detection, like ``torch.autograd.detect_anomaly``: when a backward node
fails (or, with ``check_nan``, produces NaN), say which forward line created it.

Off by default: remembering where every operation was recorded costs time. Turn it on
while hunting the source of an in-place or NaN error::

    >>> import autograd_tutor as at
    >>> x = at.tensor([0.0, 1.0], requires_grad=True)
    >>> with at.autograd.set_detect_anomaly(True):
    ...     loss = (x.sqrt() * 0).sum()
    ...     loss.backward()
    Traceback (most recent call last):
      ...
    RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
"""

import os
import traceback
import warnings


class _AnomalyState:
    __slots__ = ("enabled", "check_nan")

    def __init__(self):
        self.enabled = False
        self.check_nan = True


anomaly_state = _AnomalyState()  # read by Op.apply and the engine (.enabled)
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return anomaly_state.enabled


def is_anomaly_check_nan_enabled():
    """True while anomaly detection also checks backward results for NaN."""
    return anomaly_state.check_nan


class set_detect_anomaly:
    """Switch anomaly detection on or off, right away or for a ``with`` block."""

    def __init__(self, mode, check_nan=True):
        self._prev = (anomaly_state.enabled, anomaly_state.check_nan)
        anomaly_state.enabled, anomaly_state.check_nan = bool(mode), bool(check_nan)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        anomaly_state.enabled, anomaly_state.check_nan = self._prev
        return False


class detect_anomaly(set_detect_anomaly):
    """``with at.autograd.detect_anomaly():`` turns anomaly detection on inside."""

    def __init__(self, check_nan=True):
        self._check_nan = check_nan

    def __enter__(self):
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and "
            "should only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )
        super().__init__(True, self._check_nan)


def forward_trace():
    """Where the user's code recorded the current operation (the package's own frames
    left out), as the lines a traceback would print."""
    frames = [
        f for f in traceback.extract_stack()[:-1] if not f.filename.startswith(_PACKAGE)
    ]
    return "".join(traceback.format_list(frames))


def report(node):
    """Warn with the forward traceback of ``node``, as torch does before re-raising."""
    trace = getattr(node, "_forward_trace", None) or "  (not recorded)\n"
    warnings.warn(
        f"Error detected in {node.name()}. Traceback of forward call that caused the "
        f"error:\n{trace}",
        UserWarning,
        stacklevel=3,
    )
