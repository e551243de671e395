"""Issue 11, index assignment and the in-place checks: ``x[key] = v`` must fail (or
work) exactly as in torch 2.13, in torch's order and in torch's words.

torch first resolves the key (integers, slices, ``None``, ``...`` become a view of ``x``;
integer arrays and masks are kept for ``index_put_``), raising its indexing errors; it
then writes ``v`` into what the key selected, and only then runs the in-place checks on
that tensor: on a view of a leaf that requires grad the error says "a view of a leaf
Variable", on the leaf itself (``x[...]``, ``x[:]``, ``x[[0]]``) "a leaf Variable".
Value broadcasting uses ``expand``'s words; ``index_put_`` checks the value's shape
before its dtype, and its dtype before the bounds of the indices. Writing into memory
that several elements share (an expanded tensor) is refused by ``copy_``, ``fill_``
with a tensor and the arithmetic ops, but not by ``fill_`` with a number, ``zero_`` or
``index_put_`` (which only warns).

Each case is a small program over ``L`` (``torch`` or ``autograd_tutor``), run on both:
the exception (type and message), the warnings, and the tensors named ``out`` (values,
dtype, flags, the whole ``grad_fn`` graph) must be the same.
"""

import warnings

import pytest

import autograd_tutor as at

from .lockstep import _plain

LEAF = "x = L.zeros(3, requires_grad=True); "
LEAF2 = "x = L.zeros(3, 2, requires_grad=True); "
NONLEAF = "x = L.zeros(3, requires_grad=True).clone(); "
NO_GRAD_VIEW = "x = L.zeros(3, requires_grad=True)\nwith L.no_grad():\n    v = x[0:2]\n"
EXPANDED = "a = L.zeros(1).expand(3); "

CASES = {
    # basic indexing: a view first, then the in-place check on that view
    "slice_part_of_leaf": LEAF + "x[0:2] = 1.",
    "slice_negative_start_of_leaf": LEAF + "x[-3:3] = 1.",  # a view, though all of x
    "slice_negative_start_open_of_leaf": LEAF + "x[-3:] = 1.",
    "slice_step_of_leaf": LEAF + "x[:3:2] = 1.",
    "slice_whole_of_leaf": LEAF + "x[:] = 1.",  # x itself
    "slice_past_end_of_leaf": LEAF + "x[0:5] = 1.",  # x itself too
    "slice_explicit_whole_of_leaf": LEAF + "x[0:3:1] = 1.",
    "ellipsis_of_leaf": LEAF + "x[...] = 1.",
    "none_of_leaf": LEAF + "x[None] = 1.",
    "true_of_leaf": LEAF + "x[True] = 1.",
    "false_of_leaf": LEAF + "x[False] = 1.; out = x",  # nothing written, no check
    "int_of_leaf": LEAF + "x[1] = 2.",
    "int_tensor_of_leaf": LEAF + "x[L.tensor(1)] = 1.",
    "bool_tensor_0d_of_leaf": LEAF + "x[L.tensor(True)] = 1.",
    "tuple_whole_slices_of_leaf": LEAF2 + "x[:, 0:2] = 1.",
    "tuple_slice_past_end_of_leaf": LEAF2 + "x[:, :5] = 1.",
    "tuple_negative_slice_of_leaf": LEAF2 + "x[:, -2:] = 1.",
    "tuple_none_of_leaf": LEAF + "x[:, None] = 1.",
    "tuple_ellipsis_none_of_leaf": LEAF + "x[..., None] = 1.",
    "empty_leaf_slice": "x = L.zeros(0, requires_grad=True); x[0:0] = 1.",
    "empty_leaf_slice_negative_stop": "x = L.zeros(0, requires_grad=True); x[0:-1] = 1.",
    # advanced indexing: index_put_ on the leaf itself (or on the view that came first)
    "list_of_leaf": LEAF + "x[[0]] = 1.",
    "empty_list_of_leaf": LEAF + "x[[]] = 1.",
    "mask_of_leaf": LEAF + "x[L.tensor([True, False, True])] = 1.",
    "slice_then_list_of_leaf": LEAF2 + "x[:, [0]] = 1.",
    "int_then_list_of_leaf": LEAF2 + "x[0, [0]] = 1.",
    "none_then_list_of_leaf": LEAF2 + "x[None, [0]] = 1.",
    "list_then_none_of_leaf": LEAF2 + "x[[0], None] = 1.",
    "true_then_list_of_leaf": LEAF + "x[True, [0]] = 1.",
    "out_of_bounds_list_of_leaf": LEAF + "x[[5]] = 1.",  # the leaf check comes first
    "wrong_dtype_of_leaf": LEAF + "x[[0, 1]] = L.zeros(2, dtype=L.float64)",
    # torch's indexing errors come before any in-place check
    "slice_of_0d_leaf": "x = L.zeros((), requires_grad=True); x[0:1] = 1.",
    "int_of_0d_leaf": "x = L.zeros((), requires_grad=True); x[0] = 1.",
    "int_5_of_0d_leaf": "x = L.zeros((), requires_grad=True); x[5] = 1.",
    "list_of_0d_leaf": "x = L.zeros((), requires_grad=True); x[[0]] = 1.",
    "ellipsis_of_0d_leaf": "x = L.zeros((), requires_grad=True); x[...] = 1.",
    "none_of_0d_leaf": "x = L.zeros((), requires_grad=True); x[None] = 1.",
    "out_of_bounds_int_of_leaf": LEAF + "x[5] = 1.",
    "too_many_of_leaf": LEAF + "x[0, 0] = 1.",
    "too_many_with_list_of_leaf": LEAF + "x[:, [0]] = 1.",
    "negative_step_of_leaf": LEAF + "x[::-1] = 1.",
    "zero_step_of_leaf": LEAF + "x[::0] = 1.",
    "negative_step_of_0d_leaf": "x = L.zeros((), requires_grad=True); x[::-1] = 1.",
    "mask_0d_of_0d": "x = L.zeros(()); x[L.tensor([True])] = 1.",
    # value broadcasting: expand's words, before the in-place check
    "value_does_not_expand_into_leaf_view": LEAF + "x[0:2] = L.zeros(3)",
    "value_does_not_expand_into_view": NONLEAF + "x[0:2] = L.zeros(3)",
    "value_too_many_dims": NONLEAF + "x[0:2] = L.zeros(2, 2)",
    "value_too_many_dims_double": LEAF + "x[0:2] = L.zeros(2, 2, dtype=L.float64)",
    "value_leading_ones_do_not_expand": LEAF + "x[0:2] = L.zeros(1, 3)",
    "value_leading_ones_into_leaf": LEAF + "x[...] = L.zeros(1, 3, dtype=L.float64)",
    "no_grad_view_value_does_not_expand": NO_GRAD_VIEW + "v[...] = L.zeros(5)",
    # index_put_: the value's shape, then its dtype, then the bounds of the indices
    "index_put_dtype": "x = L.zeros(3); x[[0, 1]] = L.zeros(2, dtype=L.float64)",
    "index_put_dtype_before_bounds": "x = L.zeros(3); x[[0, 5]] = L.zeros(2, dtype=L.float64)",
    "index_put_shape_before_dtype": "x = L.zeros(3); x[[0, 1]] = L.zeros(3, dtype=L.float64)",
    "index_put_shape_before_bounds": "x = L.zeros(3); x[[0, 5]] = L.zeros(3)",
    "index_put_2d_shape": "x = L.zeros(3, 2); x[[0, 5]] = L.zeros(4)",
    "index_put_leading_ones_bounds": "x = L.zeros(3, 2); x[[0, 5]] = L.zeros(1, 1, 2)",
    "index_put_leading_ones_shape": "x = L.zeros(3, 2); x[[0, 1]] = L.zeros(3, 1, 2)",
    "index_put_index_shapes": "x = L.zeros(3, 2); x[[0, 1], [0, 1, 1]] = 1.",
    "mask_shape": "x = L.zeros(3); x[L.tensor([True, False])] = 1.",
    "mask_shape_tensor_value": "x = L.zeros(3); x[L.tensor([True, False])] = L.zeros(2)",
    "mask_shape_second_dim": "x = L.zeros(2, 3); x[L.tensor([[True, False], [True, True]])] = 1.",
    "mask_fill_casts": "x = L.zeros(3, dtype=L.int64); x[L.tensor([True, False, True])] = L.tensor(2.7); out = x",
    "mask_list_fill_casts": "x = L.zeros(3, dtype=L.int64); x[[True, False, False]] = L.tensor([2.7]); out = x",
    "mask_0d_no_cast": "x = L.zeros(3, dtype=L.int64); x[L.tensor(True)] = L.tensor([2.7])",
    "list_no_cast": "x = L.zeros(3, dtype=L.int64); x[[0]] = L.tensor(2.7)",
    "true_casts": "x = L.zeros(3, dtype=L.int64); x[True] = L.tensor([2.7]); out = x",
    "int_casts_number": "x = L.zeros(3, dtype=L.int64); x[0] = 2.7; out = x",
    "int_casts_tensor": "x = L.zeros(3, dtype=L.int64); x[0] = L.tensor(2.7); out = x",
    "true_of_0d": "x = L.zeros(()); x[True] = 1.; out = x",
    "value_of_wrong_type": LEAF + "x[0] = [1, 2]",
    "value_none": "x = L.zeros(3); x[0] = None",
    "value_array": "import numpy as np\nx = L.zeros(3); x[0] = np.array(2.)",
    "value_numpy_float32": "import numpy as np\nx = L.zeros(3); x[0] = np.float32(2.)",
    "value_numpy_bool": "import numpy as np\nx = L.zeros(3); x[0] = np.bool_(True)",
    "value_numpy_int": "import numpy as np\nx = L.zeros(3); x[0] = np.int32(3); out = x",
    "value_numpy_float64": "import numpy as np\nx = L.zeros(3); x[0] = np.float64(3); out = x",
    # views made under no_grad(): torch's words for the view and for a view of it
    "no_grad_view_int": NO_GRAD_VIEW + "v[0] = 1.",
    "no_grad_view_none": NO_GRAD_VIEW + "v[None] = 1.",
    "no_grad_view_slice": NO_GRAD_VIEW + "v[0:1] = 1.",
    "no_grad_view_whole": NO_GRAD_VIEW + "v[0:5] = 1.",
    "no_grad_view_list": NO_GRAD_VIEW + "v[[0]] = 1.",
    "no_grad_view_out_of_bounds": NO_GRAD_VIEW + "v[7] = 1.",
    # what gets recorded when the value requires grad
    "record_view_of_value": NONLEAF
    + "w = L.zeros(1, 2, requires_grad=True); x[0:2] = w; out = x",
    "record_expand_of_value": NONLEAF
    + "w = L.zeros(1, 1, requires_grad=True); x[0:2] = w; out = x",
    "record_fill_of_value": NONLEAF
    + "w = L.zeros((), requires_grad=True); x[0:2] = w; out = x",
    "record_fill_whole": NONLEAF
    + "w = L.zeros((), requires_grad=True); x[...] = w; out = x",
    "record_copy_expand_whole": NONLEAF
    + "w = L.zeros(1, requires_grad=True); x[...] = w; out = x",
    "record_copy_same_shape": NONLEAF
    + "w = L.ones(2, requires_grad=True); x[1:] = w; out = x",
    "record_index_put_view_of_value": NONLEAF
    + "w = L.ones(1, 1, requires_grad=True); x[[0]] = w; out = x",
    "record_backward": NONLEAF
    + "w = L.ones(1, 2, requires_grad=True); x[0:2] = w * 3; (x * L.arange(3.)).sum().backward(); out = w.grad",
    # memory shared by several elements (an expanded tensor): only some ops refuse
    "expanded_add_": EXPANDED + "a.add_(1)",
    "expanded_iadd": EXPANDED + "a += 1",
    "expanded_mul_": EXPANDED + "a.mul_(1)",
    "expanded_clamp_": EXPANDED + "a.clamp_(0, 1)",
    "expanded_copy_": EXPANDED + "a.copy_(L.tensor([1., 2., 3.]))",
    "expanded_fill_number": EXPANDED + "a.fill_(7.); out = a",
    "expanded_fill_int": EXPANDED + "a.fill_(7); out = a",
    "expanded_fill_tensor": EXPANDED + "a.fill_(L.tensor(7.))",
    "expanded_zero_": EXPANDED + "a.zero_(); out = a",
    "expanded_setitem_int": EXPANDED + "a[0] = 5.; out = a",
    "expanded_setitem_int_tensor": EXPANDED + "a[0] = L.tensor(7.); out = a",
    "expanded_setitem_slice": EXPANDED + "a[0:2] = 7.",
    "expanded_setitem_slice_tensor": EXPANDED + "a[0:2] = L.tensor([1., 2.])",
    "expanded_setitem_slice_one": EXPANDED + "a[0:1] = 3.; out = a",
    "expanded_setitem_ellipsis": EXPANDED + "a[...] = 7.",
    "expanded_setitem_list": EXPANDED + "a[[0]] = L.tensor(7.); out = a",
    "expanded_setitem_list_two": EXPANDED + "a[[0, 1]] = L.tensor([7., 8.]); out = a",
    "expanded_setitem_empty_list": "a = L.tensor([False]).expand(3); a[[]] = 2; out = a",
    "expanded_setitem_mask": EXPANDED
    + "a[L.tensor([True, False, True])] = 7.; out = a",
    "expanded_setitem_mask_values": EXPANDED
    + "a[L.tensor([True, False, True])] = L.tensor([7., 8.]); out = a",
    "expanded_2d_setitem_row": "a = L.zeros(1, 1).expand(2, 3); a[0] = 2.",
    "expanded_2d_setitem_element": "a = L.zeros(1, 1).expand(2, 3); a[0, 1] = 2.; out = a",
    "expanded_2d_setitem_int_list": "a = L.zeros(2, 1).expand(2, 3); a[0, [1]] = 3.; out = a",
    "expanded_index_put_recorded": "v1 = L.tensor([[-0.5, 1.8]])\nwith L.no_grad():\n"
    "    v3 = v1.neg()\nv5 = v3.expand(2, 2); v6 = L.tensor([[0.3]], requires_grad=True)\n"
    "v5[[-2], 0:1:3] = v6; out = v3",
    "expanded_one_element": "a = L.zeros(1).expand(1); a.mul_(2); out = a",
    "expanded_empty": "a = L.zeros(1, 1).expand(0, 3); a.mul_(2); a.copy_(L.tensor(1.)); out = a",
    # in-place checks of the other ops: the leaf check before the op's own errors
    "leaf_fill_tensor_of_wrong_dim": LEAF + "x.fill_(L.zeros(2))",
    "leaf_add_wrong_shape": LEAF + "x.add_(L.zeros(2))",
    "nonleaf_fill_tensor_of_wrong_dim": NONLEAF + "x.fill_(L.zeros(2))",
    "leaf_bool_sub_": "x = L.tensor([1.], requires_grad=True); x.sub_(L.tensor([True]))",
    "leaf_bool_isub": "x = L.tensor([1.], requires_grad=True); x -= L.tensor([True])",
    "bool_sub_": "x = L.tensor([True]); x.sub_(L.tensor([True]))",
    "leaf_clamp_no_bounds": "x = L.tensor([1., 2.], requires_grad=True); x.clamp_()",
    "leaf_fill_overflow": "x = L.tensor([1., 2.], requires_grad=True); x.fill_(1e300)",
    # the result type an in-place op computes in, and whether it can be written back
    "int_div_number": "x = L.tensor([1, 2]); x.div_(2)",
    "int_div_int_tensor": "x = L.tensor([1, 2]); x.div_(L.tensor([2, 2]))",
    "int_div_double_tensor": "x = L.tensor([1, 2]); x.div_(L.tensor([2., 2.], dtype=L.float64))",
    "bool_div_number": "x = L.tensor([True]); x.div_(2)",
    "bool_itruediv_tensor": "x = L.tensor([True]); x /= L.tensor([2.])",
    "int_mul_float": "x = L.tensor([1, 2]); x.mul_(1.5)",
    "int_add_double_0d": "x = L.tensor([1, 2]); x.add_(L.tensor(1.5, dtype=L.float64))",
    "bool_add_int": "x = L.tensor([True]); x.add_(2)",
    "bool_add_bool": "x = L.tensor([True]); x.add_(True); out = x",
    "int_clamp_floats": "x = L.tensor([1, 2]); x.clamp_(0.5, 1.5)",
    "int_clamp_int_float": "x = L.tensor([1, 2]); x.clamp_(0, 1.5)",
    "bool_clamp_floats": "x = L.tensor([True]); x.clamp_(0.5, 1.5)",
    "bool_clamp_ints": "x = L.tensor([True]); x.clamp_(0, 1)",
    "int32_clamp_floats": "x = L.tensor([1, 2], dtype=L.int32); x.clamp_(0.5, 1.5)",
    "clamp_tensor_bounds": "x = L.tensor([1, 2]); x.clamp_(L.tensor(0), L.tensor(1)); out = x",
    "clamp_tensor_min": "x = L.tensor([1., 2.]); x.clamp_(min=L.tensor([0., 5.])); out = x",
    "clamp_tensor_broadcast_out": "x = L.tensor([1., 2.]); x.clamp_(min=L.tensor([[0., 5.]]))",
    "clamp_tensor_no_broadcast": "x = L.tensor([1., 2.]); x.clamp_(min=L.tensor([0., 5., 1.]))",
    "clamp_tensor_cast": "x = L.tensor([1, 2]); x.clamp_(L.tensor(0.5), L.tensor(1))",
    "clamp_tensor_leaf": "x = L.tensor([1., 2.], requires_grad=True); x.clamp_(min=L.tensor([[0., 5.]]))",
    "clamp_tensor_recorded": "x = L.tensor([1., 2.], requires_grad=True).clone()\n"
    "m = L.tensor([0., 5.], requires_grad=True); x.clamp_(min=m); (x * 2).sum().backward()\n"
    "out = (x, m.grad)",
    "clamp_grad_bound_into_plain": "x = L.tensor([1., 2.]); m = L.tensor([0., 5.], requires_grad=True)\n"
    "x.clamp_(min=m); x.sum().backward(); out = (x, m.grad)",
    "float_div_int": "x = L.tensor([1., 2.]); x.div_(2); out = x",
    # numbers out of the tensor type's range are refused (not wrapped around)
    "fill_int_inf": "x = L.tensor([1, 2]); x.fill_(float('inf'))",
    "fill_int_nan": "x = L.tensor([1, 2]); x.fill_(float('nan'))",
    "fill_int_minus_inf": "x = L.tensor([1, 2]); x.fill_(-float('inf'))",
    "fill_int_too_big": "x = L.tensor([1, 2]); x.fill_(9.3e18)",
    "fill_int_big": "x = L.tensor([1, 2]); x.fill_(9.2e18); out = x",
    "fill_int_truncates": "x = L.tensor([1, 2]); x.fill_(2.7); out = x",
    "fill_int32_inf": "x = L.tensor([1, 2], dtype=L.int32); x.fill_(float('inf'))",
    "fill_int32_too_big": "x = L.tensor([1, 2], dtype=L.int32); x.fill_(2**40)",
    "fill_python_int_too_big": "x = L.tensor([1, 2]); x.fill_(2**70)",
    "fill_float_too_big": "x = L.tensor([1., 2.]); x.fill_(-1e300)",
    "fill_float_just_too_big": "x = L.tensor([1., 2.]); x.fill_(3.4028235e38)",
    "fill_float_inf": "x = L.tensor([1., 2.]); x.fill_(float('inf')); out = x",
    "fill_double_big": "x = L.tensor([1., 2.], dtype=L.float64); x.fill_(1e300); out = x",
    "fill_bool_inf": "x = L.tensor([True, False]); x.fill_(float('inf')); out = x",
    "fill_int_tensor_inf": "x = L.tensor([1, 2]); x.fill_(L.tensor(float('inf')))",
    "setitem_int_inf": "x = L.tensor([1, 2]); x[0] = float('inf')",
    "setitem_int_overflow_before_index": "x = L.tensor([1, 2]); x[[5]] = 1e300",
    "setitem_float_overflow": "x = L.tensor([1., 2.]); x[0] = 1e300",
    # torch's overlap rules: partial overlap refused, the same memory or a layout too
    # hard to tell (a step) let through; index_put_ refuses even the same memory
    "copy_same_memory": "x = L.zeros(3); x.copy_(x[...]); out = x",
    "copy_same_memory_expanded": "x = L.zeros(1).expand(3); x.copy_(x); out = x",
    "copy_alias_into_expanded": "v3 = L.tensor([True]); v4 = v3[...]; v7 = v3.expand_as(L.tensor([-0.3]))\n"
    "v7.copy_(v4); out = v7",
    "copy_partial": "x = L.zeros(4); x[0:2].copy_(x[1:3])",
    "add_partial": "x = L.zeros(4); x[0:2].add_(x[1:3])",
    "add_step_too_hard": "x = L.zeros(4); x[0:2].add_(x[0:4:2]); out = x",
    "copy_transpose": "x = L.zeros(2, 2); x.copy_(x.t())",
    "add_transpose": "x = L.zeros(2, 2); x.add_(x.t())",
    "add_self": "x = L.ones(2, 2); x.add_(x); out = x",
    "copy_views_same_block": "x = L.zeros(1, 4); y = x.view(4, 1); x.copy_(y.view(1, 4)); out = x",
    "fill_from_own_view": "x = L.tensor(1.9) + 1; v = x[None]; v.fill_(x); out = (v, x)",
    "fill_from_own_view_recorded": "x = L.tensor(1.9, requires_grad=True) + 1; x[None] = x\n"
    "out = x",
    "fill_from_own_element": "x = L.tensor([1., 2.]); x.fill_(x[1]); out = x",
    "index_put_from_own_slice": "x = L.zeros(4); x[[0, 1]] = x[0:2]",
    "index_put_from_own_step": "x = L.zeros(4); x[[0, 1]] = x[0:4:2]; out = x",
    "index_put_from_own_overlap": "x = L.zeros(4); x[[0, 1]] = x[1:3]",
    "index_put_from_itself": "x = L.zeros(4); x[[0, 1, 2, 3]] = x",
    # the version check names the node that made the changed tensor as torch does
    "version_error_exp": "x = L.tensor([1., 2.], requires_grad=True); y = (x * 1).exp()\n"
    "y.add_(1); y.sum().backward()",
    "version_error_pow2": "x = L.tensor([1., 2.], requires_grad=True); y = 2 ** (x * 1)\n"
    "y.add_(1); y.sum().backward()",
    "version_error_copy": "x = L.tensor(1., requires_grad=True); y = L.zeros(()); y.copy_(x)\n"
    "z = y * y; y.copy_(x); z.backward()",
    "version_error_min1": "x = L.tensor([1., 2.], requires_grad=True); y = (x * 1).min()\n"
    "y.add_(1); y.sum().backward()",
}


def _graph(fn):
    """The ``grad_fn`` graph below ``fn`` as nested names (edges in order)."""
    if fn is None:
        return None
    return (fn.name(), tuple(_graph(f) for f, _ in fn.next_functions))


def _run(L, source):
    """``("raises", type, message)`` or ``("ok", out, graphs)``, and the warnings."""
    ns = {"L": L}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(source, ns)  # noqa: S102 - the case's program, on torch and on at
            out = ns.get("out")
            outs = out if isinstance(out, tuple) else (out,)
            result = (
                "ok",
                _plain(out),
                tuple(_graph(getattr(o, "grad_fn", None)) for o in outs),
            )
        except Exception as e:  # noqa: BLE001 - the exception is what we compare
            result = ("raises", type(e).__name__, str(e).replace("torch.", "at."))
    said = sorted(
        (w.category.__name__, str(w.message).split(" (Triggered internally")[0])
        for w in caught
    )
    return result, said


@pytest.mark.parametrize("name", sorted(CASES))
def test_setitem_matches_torch(name, torch):
    expected = _run(torch, CASES[name])
    got = _run(at, CASES[name])
    assert got == expected, f"\nautograd_tutor: {got}\ntorch:          {expected}"
