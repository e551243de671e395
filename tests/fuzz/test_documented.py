"""The README's list of differences from PyTorch and the fuzzer's ``REFUSALS`` agree."""

import re
import warnings
from pathlib import Path

import pytest

import autograd_tutor as at

from .documented import REFUSALS, documented_refusal

README = Path(__file__).resolve().parents[2] / "README.md"


def _differences_paragraph():
    text = README.read_text()
    start = text.index("**Where it differs from PyTorch**")
    end = text.index("\n\n", start)
    return " ".join(text[start:end].split())


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.phrase[:40])
def test_each_documented_refusal_is_in_the_readme_and_raised(refusal, torch):
    assert " ".join(refusal.readme.split()) in _differences_paragraph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's create_graph reference-cycle note
        exec(refusal.example, {"L": torch})  # noqa: S102 - torch runs it
    with pytest.raises(Exception) as info:
        exec(refusal.example, {"L": at})  # noqa: S102
    assert refusal.phrase in str(info.value)
    assert documented_refusal(str(info.value)) is refusal


def test_every_refusal_the_readme_lists_is_known_to_the_fuzzer():
    clauses = re.split(r";", _differences_paragraph())
    claimed = [c for c in clauses if re.search(r"refuse|raise", c)]
    for clause in claimed:
        assert any(" ".join(r.readme.split()) in clause for r in REFUSALS), clause
    assert len(claimed) == len(REFUSALS)
