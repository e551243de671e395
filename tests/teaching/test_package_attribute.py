"""``at.teaching`` is reachable from the package, loaded only when first used."""

import subprocess
import sys

import autograd_tutor as at


def test_at_teaching_is_the_teaching_core():
    from autograd_tutor import teaching

    assert at.teaching is teaching
    assert at.teaching.Tensor is teaching.tensor.Tensor


def test_importing_the_package_does_not_load_the_teaching_core():
    code = (
        "import sys, autograd_tutor as at\n"
        "before = 'autograd_tutor.teaching' in sys.modules\n"
        "at.teaching\n"
        "print(before, 'autograd_tutor.teaching' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "True"]


def test_an_unknown_attribute_still_raises_attribute_error():
    try:
        at.teachings  # noqa: B018
    except AttributeError as error:
        assert "teachings" in str(error)
    else:
        raise AssertionError("at.teachings should not exist")
