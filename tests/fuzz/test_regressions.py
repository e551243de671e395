"""Differences the fuzzer found, each a small program that must now agree with torch.

Every entry is a program (one line a step, ``L`` = the library) that ``compare`` runs on
autograd_tutor and torch: values, gradients, dtypes, flags, graphs, printing, exception
types and messages, warnings. The classes here are those the issue did not list.
"""

import re

import pytest

import autograd_tutor as at

from .campaign import check
from .compare import PASS
from .program import Step

REGRESSIONS = {
    # printing: an empty tensor names its dtype unless it is the default float32
    "empty_int64_repr": "v0 = L.tensor([], dtype=L.int64)",
    "empty_bool_repr": "v0 = L.zeros(2, 0, dtype=L.bool)",
    "empty_float64_repr": "v0 = L.zeros(0, 3, dtype=L.float64)",
    "empty_comparison_repr": "v0 = L.zeros(2, 0)\nv1 = v0 > 1",
    "negative_zero_repr": "v0 = L.tensor([-0.0, 1.0])\nv1 = L.tensor([-0.0, 0.5])",
    # names: the handle register_hook returns, Size as the type of a shape
    "hook_handle_type": "v0 = L.tensor([1.0], requires_grad=True)\n"
    "v1 = v0.register_hook(lambda g: g)",
    "size_type": "v0 = L.ones(2, 3)\nv1 = v0.shape\nv2 = v0.size()",
    # messages
    "mT_of_1d": "v0 = L.ones(3)\nv1 = v0.mT",
    "float_of_many": "v0 = L.ones(3)\nv1 = float(v0)",
    "int_of_many": "v0 = L.ones(3)\nv1 = int(v0)",
    "index_error_dim": "v0 = L.ones(2, 3)\nv1 = v0[0, 5]",
    "index_error_dim_after_none": "v0 = L.ones(2, 3)\nv1 = v0[None, 1, 7]",
    "slice_of_0d": "v0 = L.tensor(1.0)\nv1 = v0[0:1]",
    "int_index_of_0d": "v0 = L.tensor(1.0)\nv1 = v0[0]",
    "int_index_assignment_of_0d": "v0 = L.tensor(1.0)\nv0[0] = 2.0",
    "nonzero_int_index_of_0d": "v0 = L.tensor(1.0)\nv1 = v0[5]\nv2 = v0[-1]\nv0[-1] = 1.0",
    # x[...] = v and x[:] = v write x itself (torch: CopyBackwards, a leaf's error)
    "setitem_ellipsis_of_leaf": "v0 = L.ones(2, 3, requires_grad=True)\nv0[...] = 1.0",
    "setitem_full_slice_of_leaf": "v0 = L.ones(2, 3, requires_grad=True)\nv0[:] = 1.0",
    "setitem_full_slices": "v0 = L.ones(2, requires_grad=True)\nv1 = v0 * 2\n"
    "v1[:, ...] = v0\nv1[:] = 3.0",
    # .T of a tensor that is not 2-D: PermuteBackward0, and torch's warnings
    "T_of_1d": "v0 = L.ones(3, requires_grad=True)\nv1 = v0.T",
    "T_of_0d": "v0 = L.tensor(2.0, requires_grad=True)\nv1 = v0.T",
    "T_of_3d": "v0 = L.ones(2, 3, 1, requires_grad=True)\nv1 = v0.T",
    # a vector times a matrix: torch squeezes its product in place (version 1)
    "vector_matrix_version": "v0 = L.ones(3)\nv1 = L.ones(3, 2)\nv2 = v0 @ v1\n"
    "v3 = L.nn.functional.linear(v0, v1.t())",
    # the mean squared error of no elements: nan, and an empty gradient
    "mse_loss_of_empty": "v0 = L.zeros(2, 0, requires_grad=True)\n"
    "v1 = L.nn.functional.mse_loss(v0, L.zeros(2, 0))\nv1.backward()\n"
    "v2 = L.nn.MSELoss(reduction='sum')(v0, L.zeros(2, 0))\nv2.backward()",
    # abs of a 0-d tensor: its gradient (NumPy's sign of a 0-d array is a scalar)
    "abs_of_0d_backward": "v0 = L.tensor(-1.5, requires_grad=True)\nv1 = v0.abs()\n"
    "v1.backward()",
    # linear without bias reports matmul's dtype error, with bias addmm's
    "linear_dtype_message": "v0 = L.ones(2, 3)\nv1 = L.ones(4, 3, dtype=L.float64)\n"
    "v2 = L.nn.functional.linear(v0, v1)",
}


def program(source):
    """Steps from source lines: ``name = expression`` or a statement."""
    steps = []
    for line in source.splitlines():
        m = re.fullmatch(r"(v\d+) = (.*)", line)
        out, code = (m.group(1), m.group(2)) if m else (None, line)
        code = code.replace("{", "{{").replace("}", "}}")
        steps.append(Step("line", out, code))
    return steps


@pytest.mark.parametrize("name", REGRESSIONS)
def test_regression_agrees_with_torch(name, torch):
    klass, diffs = check(program(REGRESSIONS[name]), at, torch)
    assert klass == PASS, [d.describe() for d in diffs]


def test_T_and_mT_warn_once_as_torch(torch):
    import importlib
    import warnings

    importlib.import_module("autograd_tutor.tensor")._WARNED.clear()
    for make, attr in ((lambda: at.tensor(1.0), "T"), (lambda: at.ones(3), "T"),
                       (lambda: at.tensor(1.0), "mT")):  # fmt: skip
        with warnings.catch_warnings(record=True) as first:
            warnings.simplefilter("always")
            getattr(make(), attr)
        with warnings.catch_warnings(record=True) as second:
            warnings.simplefilter("always")
            getattr(make(), attr)
        assert len(first) == 1 and first[0].category is UserWarning
        assert second == []
