"""The pure-Python model: Timeline stepping and prediction checks (no ipywidgets)."""

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_tutor.widgets.model import Timeline, frozen_array

MOVES = st.one_of(
    st.sampled_from(["next", "previous", "reset"]),
    st.integers(min_value=-50, max_value=50),
)


@given(n=st.integers(min_value=1, max_value=20), moves=st.lists(MOVES, max_size=60))
def test_stepping_never_leaves_the_range(n, moves):
    tl = Timeline(range(n))
    heard = []
    tl.observe(lambda t: heard.append(t.index))
    expected = 0
    for move in moves:
        before = tl.index
        if move == "next":
            tl.next()
            expected = min(before + 1, n - 1)
        elif move == "previous":
            tl.previous()
            expected = max(before - 1, 0)
        elif move == "reset":
            tl.reset()
            expected = 0
        else:
            tl.go_to(move)
            expected = min(max(move, 0), n - 1)
        assert tl.index == expected
        assert 0 <= tl.index < n
        assert tl.frame == tl.frames[tl.index]
        # observers hear exactly of real moves
        assert (heard[-1] == tl.index) if before != tl.index else True
    assert tl.at_start == (tl.index == 0)
    assert tl.at_end == (tl.index == n - 1)


def test_observers_hear_each_move_once_and_can_stop():
    tl = Timeline("abc")
    heard = []
    stop = tl.observe(lambda t: heard.append(t.frame))
    tl.next()
    tl.next()
    tl.next()  # at the end: no move, no notification
    tl.reset()
    stop()
    tl.next()
    assert heard == ["b", "c", "a"]


def test_replace_keeps_the_index_in_range():
    tl = Timeline(range(10))
    tl.go_to(8)
    tl.replace(range(3))
    assert tl.index == 2 and tl.frame == 2
    with pytest.raises(ValueError):
        tl.replace([])
    with pytest.raises(ValueError):
        Timeline([])


def test_frozen_arrays_are_copies_and_read_only():
    a = np.ones(3)
    f = frozen_array(a)
    a += 1  # like .grad accumulating in place
    assert f.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError):
        f[0] = 5


def test_model_and_recorders_do_not_import_ipywidgets():
    import subprocess

    code = (
        "import sys, autograd_tutor as at\n"
        "from autograd_tutor.widgets import model, recorders\n"
        "recorders.record_forward_frames(recorders.blog_network())\n"
        "assert 'ipywidgets' not in sys.modules, 'ipywidgets imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=_repo_root())


def _repo_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]
