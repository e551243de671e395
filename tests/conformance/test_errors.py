"""Conformance: bad input raises PyTorch's exception type with PyTorch's message."""

import re
import warnings

import pytest

import autograd_tutor as at


def _inplace_on_leaf(L):
    x = L.ones(2, 2, requires_grad=True)
    x.sub_(1)


def _modified_saved_nonleaf(L):
    x = L.ones(2, 2, requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


def _modified_saved_leaf(L):
    x = L.ones(2, 2, requires_grad=True)
    w = L.ones(2, 2)
    z = x * w
    w.add_(1)
    z.sum().backward()


def _modified_saved_output(L):
    x = L.ones(2, 2, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


def _modified_double(L):
    x = L.ones(3, requires_grad=True, dtype=L.float64)
    w = L.ones(3, dtype=L.float64)
    z = x * w
    w.mul_(2)
    z.sum().backward()


def _second_backward(L):
    x = L.ones(2, 2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _saved_after_free(L):
    x = L.ones(2, 2, requires_grad=True)
    y = x.pow(2)
    y.sum().backward()
    y.grad_fn._saved_self  # noqa: B018  (reading it is the error)


def _unused(L):
    a = L.ones(2, requires_grad=True)
    b = L.ones(2, requires_grad=True)
    L.autograd.grad((a * 2).sum(), [a, b])


def _grad_no_rg(L):
    a = L.ones(2, requires_grad=True)
    L.autograd.grad((a * 2).sum(), [L.ones(2)])


def _rg_nonleaf(L):
    x = L.ones(2, requires_grad=True)
    (x * 2).requires_grad_(False)


def _set_grad_size(L):
    x = L.ones(2, requires_grad=True)
    x.grad = L.ones(3)


def _set_grad_dtype(L):
    x = L.ones(2, requires_grad=True)
    x.grad = L.ones(2, dtype=L.float64)


def _grad_non_scalar(L):
    x = L.ones(2, requires_grad=True)
    L.autograd.grad(x * 2, x)


ERRORS = {
    "inplace_leaf": _inplace_on_leaf,
    "modified_saved_nonleaf": _modified_saved_nonleaf,
    "modified_saved_leaf": _modified_saved_leaf,
    "modified_saved_output": _modified_saved_output,
    "modified_double": _modified_double,
    "second_backward": _second_backward,
    "saved_after_free": _saved_after_free,
    "nonscalar_backward": lambda L: (L.ones(2, 2, requires_grad=True) * 2).backward(),
    "no_grad_backward": lambda L: L.ones(2).sum().backward(),
    "int_requires_grad": lambda L: L.tensor([1, 2], requires_grad=True),
    "int_requires_grad_": lambda L: L.arange(3).requires_grad_(),
    "item_many": lambda L: L.ones(2, 2).item(),
    "requires_grad_nonleaf": _rg_nonleaf,
    "numpy_requires_grad": lambda L: L.ones(2, requires_grad=True).numpy(),
    "view_bad_size": lambda L: L.ones(2, 2).view(3, 3),
    "view_noncontiguous": lambda L: L.ones(2, 2).t().view(4),
    "reshape_bad_infer": lambda L: L.ones(2, 2).reshape(3, -1),
    "sum_bad_dim": lambda L: L.ones(2, 2).sum(2),
    "unsqueeze_bad_dim": lambda L: L.ones(2, 2).unsqueeze(3),
    "transpose_bad_dim": lambda L: L.ones(2, 2).transpose(0, 2),
    "index_out_of_range": lambda L: L.ones(2, 2)[5],
    "too_many_indices": lambda L: L.ones(2, 2)[0, 0, 0],
    "index_tensor_out_of_range": lambda L: L.ones(2, 2)[L.tensor([5])],
    "mm_shapes": lambda L: L.ones(2, 3).mm(L.ones(2, 3)),
    "mm_not_matrix": lambda L: L.ones(3).mm(L.ones(3, 3)),
    "matmul_shapes": lambda L: L.ones(2, 3) @ L.ones(2, 3),
    "matmul_dot_sizes": lambda L: L.ones(3) @ L.ones(4),
    "matmul_0d": lambda L: L.tensor(1.0) @ L.ones(2),
    "broadcast": lambda L: L.ones(2, 3) + L.ones(2, 2),
    "gradient_shape": lambda L: (L.ones(2, 2, requires_grad=True) * 2).backward(
        L.ones(3)
    ),
    "grad_unused": _unused,
    "grad_not_requires_grad": _grad_no_rg,
    "inplace_int_float": lambda L: L.arange(3).add_(1.5),
    "inplace_broadcast_shape": lambda L: L.ones(2).add_(L.ones(2, 2)),
    "expand_bad": lambda L: L.ones(2, 2).expand(3, 3),
    "permute_bad": lambda L: L.ones(2, 2).permute(0),
    "zero_grad_none": lambda L: L.ones(2, requires_grad=True).grad.zero_(),
    "backward_leaf_nonscalar": lambda L: L.ones(2, requires_grad=True).backward(),
    "retain_grad_no_rg": lambda L: L.ones(2).retain_grad(),
    "hook_no_rg": lambda L: L.ones(2).register_hook(lambda g: g),
    "negative_size": lambda L: L.zeros(-1),
    "clamp_no_bounds": lambda L: L.ones(2).clamp(),
    "mean_int": lambda L: L.arange(3).mean(),
    "bool_ambiguous": lambda L: bool(L.ones(2)),
    "len_0d": lambda L: len(L.tensor(1.0)),
    "permute_duplicate": lambda L: L.ones(2, 3).permute(0, 0),
    "mm_dtypes": lambda L: L.ones(2, 2).mm(L.ones(2, 2, dtype=L.float64)),
    "mm_dtypes_long": lambda L: L.ones(2, 2).mm(L.ones(2, 2, dtype=L.int64)),
    "mv_dtypes": lambda L: L.ones(2, 2) @ L.ones(2, dtype=L.float64),
    "dot_dtypes": lambda L: L.ones(2, dtype=L.float64) @ L.ones(2),
    "bmm_dtypes": lambda L: L.ones(2, 2, 2, dtype=L.float64) @ L.ones(2, 2, 2),
    "set_grad_size": _set_grad_size,
    "set_grad_dtype": _set_grad_dtype,
    "ragged_list": lambda L: L.tensor([[1, 2], [3]]),
    "ragged_deep": lambda L: L.tensor([[[1], [2]], [[3]]]),
    "bool_minus_int": lambda L: L.tensor([True]).sub_(1),
    "bool_minus_bool": lambda L: L.tensor([True]) - L.tensor([True]),
    "float_minus_bool": lambda L: L.tensor([1.0]) - L.tensor([True]),
    "bool_negation": lambda L: -L.tensor([True]),
    "int_negative_power": lambda L: L.tensor([2]) ** -1,
    "grad_of_non_scalar": _grad_non_scalar,
}


def _normalise(msg):
    msg = msg.replace("torch.", "at.")
    msg = re.sub(r" \(Triggered internally at .*\)$", "", msg)
    return msg


def _catch(fn, L):
    with pytest.raises(Exception) as info:
        fn(L)
    return type(info.value).__name__, _normalise(str(info.value))


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_matches_torch(name, torch):
    expected = _catch(ERRORS[name], torch)
    got = _catch(ERRORS[name], at)
    assert got == expected


def test_non_leaf_grad_warning_matches_torch(torch):
    def read(L):
        a = L.ones(2, requires_grad=True)
        y = a * 2
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert y.grad is None
        return [(x.category.__name__, _normalise(str(x.message))) for x in w]

    assert read(at) == read(torch)
