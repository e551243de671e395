"""Small programs written once against the shared torch / autograd_tutor API.

Each entry: name -> (leaf shapes, function(L, *leaves) -> output tensor). ``L`` is the
library module (``torch`` or ``autograd_tutor``). Leaves are float64 tensors that require
grad, built from the same random numbers in both libraries.
"""

PROGRAMS = {
    # arithmetic, scalar on either side
    "add": ([(2, 3), (2, 3)], lambda L, a, b: a + b),
    "add_bcast": ([(4, 3), (1, 3)], lambda L, a, b: a + b),
    "add_alpha": ([(3,), (3,)], lambda L, a, b: a.add(b, alpha=2.5)),
    "add_scalar": ([(2, 2)], lambda L, a: a + 2),
    "radd_scalar": ([(2, 2)], lambda L, a: 2 + a),
    "sub": ([(2, 3), (3,)], lambda L, a, b: a - b),
    "sub_scalar": ([(2, 2)], lambda L, a: a - 1.5),
    "rsub_scalar": ([(2, 2)], lambda L, a: 1 - a),
    "mul": ([(2, 3), (2, 1)], lambda L, a, b: a * b),
    "mul_scalar": ([(3,)], lambda L, a: a * 3),
    "rmul_scalar": ([(3,)], lambda L, a: 3 * a),
    "div": ([(2, 3), (2, 3)], lambda L, a, b: a / (b * b + 1)),
    "div_scalar": ([(3,)], lambda L, a: a / 4),
    "rdiv_scalar": ([(3,)], lambda L, a: 2 / (a * a + 1)),
    "pow_scalar": ([(2, 2)], lambda L, a: a.pow(3)),
    "pow_op": ([(2, 2)], lambda L, a: a**2),
    "pow_half": ([(3,)], lambda L, a: (a * a + 1) ** 0.5),
    "rpow": ([(3,)], lambda L, a: 2**a),
    "pow_tensor": ([(3,), (3,)], lambda L, a, b: (a * a + 1) ** b),
    "neg": ([(2, 2)], lambda L, a: -a),
    "neg_method": ([(2, 2)], lambda L, a: a.neg()),
    "methods": ([(2, 2), (2, 2)], lambda L, a, b: a.add(1).sub(b).mul(2).div(3)),
    # elementwise functions
    "exp": ([(2, 3)], lambda L, a: a.exp()),
    "log": ([(2, 3)], lambda L, a: (a * a + 0.5).log()),
    "sqrt": ([(2, 3)], lambda L, a: (a * a + 0.5).sqrt()),
    "abs": ([(2, 3)], lambda L, a: a.abs()),
    "tanh": ([(2, 3)], lambda L, a: a.tanh()),
    "sigmoid": ([(2, 3)], lambda L, a: a.sigmoid()),
    "relu": ([(2, 3)], lambda L, a: a.relu()),
    "clamp_min": ([(3, 4)], lambda L, a: a.clamp(min=0)),
    "clamp_max": ([(3, 4)], lambda L, a: a.clamp(max=0.2)),
    "clamp_both": ([(3, 4)], lambda L, a: a.clamp(-0.5, 0.5)),
    "clamp_tensor": ([(3, 4), (3, 4)], lambda L, a, m: a.clamp(min=m)),
    "clamp_tensor_both": (
        [(3, 4), (4,), (3, 1)],
        lambda L, a, lo, hi: a.clamp(min=lo, max=hi),
    ),
    # reductions
    "sum": ([(2, 3)], lambda L, a: a.sum()),
    "sum_dim": ([(2, 3)], lambda L, a: a.sum(0)),
    "sum_dim_keep": ([(2, 3, 4)], lambda L, a: a.sum(dim=-1, keepdim=True)),
    "sum_dims": ([(2, 3, 4)], lambda L, a: a.sum(dim=(0, 2))),
    "mean": ([(2, 3)], lambda L, a: a.mean()),
    "mean_dim": ([(2, 3)], lambda L, a: a.mean(1)),
    "mean_dim_keep": ([(2, 3)], lambda L, a: a.mean(0, keepdim=True)),
    "max": ([(3, 4)], lambda L, a: a.max()),
    "min": ([(3, 4)], lambda L, a: a.min()),
    "max_dim": ([(3, 4)], lambda L, a: a.max(1)[0]),
    "max_dim_keep": ([(3, 4)], lambda L, a: a.max(0, keepdim=True).values),
    "min_dim": ([(3, 4)], lambda L, a: a.min(dim=0).values),
    # matrix products
    "mm": ([(2, 3), (3, 4)], lambda L, a, b: a.mm(b)),
    "matmul_2_2": ([(2, 3), (3, 4)], lambda L, a, b: a @ b),
    "matmul_1_1": ([(3,), (3,)], lambda L, a, b: a @ b),
    "matmul_2_1": ([(2, 3), (3,)], lambda L, a, b: a @ b),
    "matmul_1_2": ([(3,), (3, 4)], lambda L, a, b: a @ b),
    "matmul_3_2": ([(2, 3, 4), (4, 5)], lambda L, a, b: a @ b),
    "matmul_3_1": ([(2, 3, 4), (4,)], lambda L, a, b: a @ b),
    "matmul_1_3": ([(3,), (2, 3, 4)], lambda L, a, b: a @ b),
    "matmul_2_3": ([(5, 3), (2, 3, 4)], lambda L, a, b: a @ b),
    "matmul_3_3": ([(2, 3, 4), (2, 4, 5)], lambda L, a, b: a @ b),
    "matmul_bcast": ([(2, 1, 3, 4), (5, 4, 2)], lambda L, a, b: a @ b),
    "matmul_method": ([(2, 3), (3, 2)], lambda L, a, b: a.matmul(b)),
    # shapes
    "t": ([(2, 3)], lambda L, a: a.t()),
    "T": ([(2, 3)], lambda L, a: a.T),
    "transpose": ([(2, 3, 4)], lambda L, a: a.transpose(0, 2)),
    "permute": ([(2, 3, 4)], lambda L, a: a.permute(2, 0, 1)),
    "reshape": ([(2, 3)], lambda L, a: a.reshape(3, 2)),
    "reshape_infer": ([(2, 3)], lambda L, a: a.reshape(-1)),
    "reshape_copy": ([(2, 3)], lambda L, a: a.t().reshape(6)),
    "reshape_alias": ([(2, 3)], lambda L, a: a.t().reshape(3, 2, 1)),
    "reshape_alias_slice": ([(4, 3)], lambda L, a: a[::2].reshape(2, 3, 1)),
    "view": ([(2, 3)], lambda L, a: a.view(6)),
    "unsqueeze": ([(2, 3)], lambda L, a: a.unsqueeze(1)),
    "squeeze": ([(2, 1, 3)], lambda L, a: a.squeeze()),
    "squeeze_dim": ([(2, 1, 3)], lambda L, a: a.squeeze(1)),
    "squeeze_dims": ([(1, 3, 1, 2)], lambda L, a: a.squeeze((0, 2))),
    "expand": ([(3, 1)], lambda L, a: a.expand(2, 3, 4)),
    "clone": ([(2, 3)], lambda L, a: a.clone()),
    "stack": ([(2, 3), (2, 3)], lambda L, a, b: L.stack([a, b * a, a], dim=1)),
    "detach_mix": ([(2, 3)], lambda L, a: a.detach() * a),
    # indexing
    "index_int": ([(3, 4)], lambda L, a: a[1]),
    "index_neg": ([(3, 4)], lambda L, a: a[-1]),
    "index_two_ints": ([(3, 4)], lambda L, a: a[1, 2]),
    "index_slice": ([(5, 4)], lambda L, a: a[1:4]),
    "index_step": ([(6, 4)], lambda L, a: a[::2]),
    "index_full": ([(3, 4)], lambda L, a: a[:]),
    "index_full_tuple": ([(3, 4)], lambda L, a: a[:, 0:4]),
    "index_ellipsis_only": ([(3, 4)], lambda L, a: a[...]),
    "index_col_slice": ([(5, 3)], lambda L, a: a[:, 0:1]),
    "index_col": ([(5, 3)], lambda L, a: a[:, 1]),
    "index_ellipsis": ([(2, 3, 4)], lambda L, a: a[..., 0]),
    "index_none": ([(2, 3)], lambda L, a: a[None]),
    "index_list": ([(4, 3)], lambda L, a: a[[0, 2, 2]]),
    "index_mask": ([(4, 3)], lambda L, a: a[a > 0]),
    "index_tensor_repeat": ([(5,)], lambda L, a: a[L.tensor([0, 0, 3, 0])]),
    "index_mixed": ([(4, 5)], lambda L, a: a[1:3, [0, 4]]),
    "index_int_slice": ([(3, 4, 3)], lambda L, a: a[0, 1:3]),
    "index_none_int": ([(3, 4, 3)], lambda L, a: a[:, None, 0]),
    "index_list_int": ([(3, 4, 3)], lambda L, a: a[[0, 1], 0]),
    "index_int_list": ([(3, 4, 3)], lambda L, a: a[0, [0, 1]]),
    "index_split_advanced": ([(3, 4, 3)], lambda L, a: a[[0, 1], :, [1, 2]]),
    "index_slice_list_slice": ([(3, 4, 3)], lambda L, a: a[:, [0, 2], 1:]),
    "index_bool_rows": ([(3, 4)], lambda L, a: a[L.tensor([True, False, True])]),
    "index_int_ellipsis_int": ([(3, 4, 3)], lambda L, a: a[1, ..., 1]),
    # the lesson's graphs
    "seed_mean": ([(2, 2)], lambda L, a: a.mean()),
    "seed_two_inputs": (
        [(2, 2), ()],
        lambda L, x1, x2: ((x1 * (x2 + 2)).pow(2) * 3).mean(),
    ),
    "blog_net": (
        [(10, 3), (3, 8), (1, 8), (8, 1), (1, 1), (10, 1)],
        lambda L, x, w1, b1, w2, b2, y: (
            (x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2) - y).pow(2).sum()
        ),
    ),
    "fan_in": ([(3,)], lambda L, a: (a * 2 + a * 3 + a.exp()).sum()),
    "dtype_to": ([(2, 2)], lambda L, a: a.float() * 2),
    # in-place ops rewrite grad_fn (the leaves themselves may not be changed in place)
    "inplace_chain": ([(2, 3), (2, 3)], lambda L, a, b: _inplace_chain(a, b)),
    "inplace_zero_fill": (
        [(3,), (3,)],
        lambda L, a, b: (a * 1).zero_() + (b * 1).fill_(2.0) * b,
    ),
    "inplace_on_constant": ([(3,)], lambda L, a: L.zeros(3, dtype=L.float64).add_(a)),
}


def _inplace_chain(a, b):
    y = a * 1
    y.add_(b)
    y.mul_(2)
    y.sub_(a, alpha=0.5)
    y.div_(b * b + 1)
    y.clamp_(min=-0.5)
    return y
