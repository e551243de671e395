"""Conformance: anomaly detection names the node and the forward line, and raises
torch's errors (NaN check, in-place hint)."""

import warnings

import pytest

import autograd_tutor as at


def _nan_in_backward(L):
    x = L.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt()  # FORWARD-LINE
    (y * 0).sum().backward()


def _inplace(L):
    x = L.ones(2, requires_grad=True)
    y = x * 2
    z = y * y  # FORWARD-LINE
    with L.no_grad():
        y.add_(1)
    z.sum().backward()


def _outcome(L, program):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with L.autograd.detect_anomaly():
            assert L.is_anomaly_enabled()
            with pytest.raises(RuntimeError) as info:
                program(L)
    reports = [str(w.message) for w in caught if "Error detected in" in str(w.message)]
    assert reports, "no 'Error detected in ...' warning"
    first = reports[0].splitlines()[0]
    assert "FORWARD-LINE" in reports[0]  # the forward line that recorded the node
    return first, str(info.value).replace("torch.", "at.")


@pytest.mark.parametrize(
    "program", [_nan_in_backward, _inplace], ids=["nan", "inplace"]
)
def test_anomaly_mode_matches_torch(program, torch):
    assert _outcome(at, program) == _outcome(torch, program)


def test_anomaly_mode_is_off_by_default_and_restored():
    assert not at.autograd.is_anomaly_enabled()
    with at.autograd.set_detect_anomaly(True, check_nan=False):
        assert at.autograd.is_anomaly_enabled()
        assert not at.autograd.is_anomaly_check_nan_enabled()
    assert not at.autograd.is_anomaly_enabled()
    assert at.autograd.is_anomaly_check_nan_enabled()
