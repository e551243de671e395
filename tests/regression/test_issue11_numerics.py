"""Issue 11, numeric and dtype side: each class the differential fuzzer found, as the
few-line program that exposed it, run in lock step on torch 2.13 and autograd_tutor.

Each ``grad_*``/``fwd_*``/``refused_*``/``accepted_*`` function takes the library module
``L`` and returns what to compare (``lockstep.observe``: values with the sign of zero
and NaN, dtypes, flags, node names, or the type of the exception). The ``MESSAGES``
programs must raise the same exception with the same message (``torch.`` read as
``at.``), or return the same thing.
"""

import pytest

import autograd_tutor as at

from .lockstep import _plain, assert_same

NAN, INF = float("nan"), float("inf")

# ----------------------------------------------------------------------------------------
# Wrong gradients: the sign of zero


def fwd_bool_add_with_alpha_stays_bool(L):  # seed 2000468: at gave int64
    a = L.tensor([True, False, True, False])
    b = L.tensor([True, True, False, False])
    return [a.add(b, alpha=k) for k in (2, -1, 0)] + [L.add(a, b, alpha=3)]


def grad_masks_keep_the_sign_of_zero(L):
    # clamp, clamp with tensor bounds and relu pass the gradient through unchanged
    # where they pass it at all: a -0. gradient stays -0. (torch's where(mask, g, 0))
    out = []
    for f in (
        lambda x: x.clamp(-1, 1),
        lambda x: x.clamp(min=-1),
        lambda x: x.clamp(L.tensor(-1.0), L.tensor(1.0)),
        lambda x: x.relu(),
    ):
        x = L.tensor([-0.4, 0.3, 2.0], requires_grad=True)
        (f(x) * -0.0).sum().backward()
        out.append(x.grad)
    return out


def grad_abs_then_clamp(L):  # seed 200906
    v3 = L.tensor([-0.4, -0.4, -0.9], dtype=L.float64, requires_grad=True)
    v7 = L.clip(v3, -0.5, 1.1)
    v7.abs().clamp(0.7, 1.5).sum().backward()
    return v3.grad


def grad_mse_loss_target_of_an_exact_fit(L):  # seed 102999
    # torch computes the target's gradient as 2 (target - input), not -(2 (input -
    # target)): an exact fit gives +0., not -0.
    x = L.tensor([[-1.2, 0.0, 1.5]], requires_grad=True)
    y = L.tensor([[-1.2, 0.0, -1.7]], requires_grad=True)
    for reduction in ("none", "sum", "mean"):
        L.nn.MSELoss(reduction=reduction)(x, y).sum().backward()
    return x.grad, y.grad


# ----------------------------------------------------------------------------------------
# Wrong gradients: counts (seeds 201356 201805 206294 207756 208750 216985)


def grad_retained_through_index_assignment(L):
    # retain_grad() follows a tensor to the CopySlices node an index assignment gives
    # it: its .grad is the gradient of the tensor as it is now, not of the old node
    x = L.ones(3, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y[0] = 5.0
    y.sum().backward()
    return y.grad, x.grad


def grad_input_non_leaf_then_index_assignment(L):  # seed 201805
    # backward(inputs=[y]) on a non-leaf makes it retain its gradient (torch)
    v1 = L.zeros([0, 3], dtype=L.float64, requires_grad=True)
    v2 = v1.sum()
    v2.backward(retain_graph=True, inputs=[v2])
    v2[None] = -0.5
    v2.backward(retain_graph=True)
    return v2.grad, v2.retains_grad


def grad_backward_from_a_view_changed_through_its_base(L):  # seed 208750
    # loss.backward() on a view whose base was changed in place since: the view is
    # derived again (AsStridedBackward0), as when its grad_fn is read
    x = L.ones(2, 3, dtype=L.float64, requires_grad=True)
    s = x.sum()
    t = s.t()
    s.div_(0.4)
    t.backward()
    return x.grad


def grad_leaf_hooks_run_after_the_leaf_stops_requiring_grad(L):  # seed 102007
    # a leaf's hooks run on the gradient reaching its AccumulateGrad node even when the
    # leaf was detach_()ed or requires_grad_(False)ed since; only the adding is skipped
    rec = []
    out = []
    for cut in (lambda t: t.detach_(), lambda t: t.requires_grad_(False)):
        x = L.tensor(0.7, requires_grad=True)
        x.register_hook(lambda g: rec.append(g + 0))
        y = x.clamp(min=-1.8)
        cut(x)
        y.backward()
        out.append(x.grad)
    return rec, out


def grad_number_to_a_0d_power_after_neg(L):
    # -(c ** x) for a 0-d x: Neg's gradient reaches PowBackward2 as a NumPy scalar
    x = L.tensor(2.0, requires_grad=True)
    (-(3**x)).backward()
    e = L.zeros([0], dtype=L.float64, requires_grad=True)
    (-(1 ** e.sum())).clone().backward()
    return x.grad, e.grad


# ----------------------------------------------------------------------------------------
# Wrong forward values


def fwd_sgd_momentum_with_a_parameter_twice(L):  # seeds 101996, 215117
    # torch reads every momentum buffer before it updates any: a parameter listed twice
    # gets two first steps (each buffer a copy of the gradient), and the buffer kept
    # is the last one made
    import warnings

    out = []
    for kw in ({}, {"weight_decay": 0.1, "nesterov": True}, {"dampening": 0.5}):
        p = L.tensor([1.0, -2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "contains ... duplicate parameters"
            opt = L.optim.SGD([p, p], lr=0.1, momentum=0.9, **kw)
        for _ in range(3):
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
        out += [p.detach().clone(), opt.state[p]["momentum_buffer"]]
    return out


def fwd_pow_with_a_tensor_exponent_is_pow(L):  # seeds 204517, 218389
    # x ** tensor(0.5) is C's pow, not sqrt: (-inf) ** 0.5 = inf, (-0.) ** 0.5 = 0.
    # (a Python exponent 0.5 is sqrt in torch: nan and -0.)
    x = L.tensor([-0.0, 2.0, -INF, INF, -1.1, 0.0])
    out = []
    for e in (0.5, -0.5, 2.0, -1.0):
        out += [x ** L.tensor(e), x ** L.tensor([e]), x**e]
    out.append(L.tensor(-INF) ** L.tensor(0.5))
    out.append(L.tensor(-INF, dtype=L.float64) ** L.tensor(0.5))
    return out


def refused_empty_batched_products_of_mixed_dtypes(L):  # seeds 202631 210087 211388
    # bmm has nothing to compute for an empty product (or an empty contraction): no
    # dtype check, and the result has the second operand's dtype
    f, d = L.float32, L.float64
    out = []
    for a, b in [((0, 3), (2, 3, 1)), ((2, 0, 3), (2, 3, 4)), ((0, 0), (1, 0, 2))]:
        for x, y in ((f, d), (d, f)):
            out.append(L.zeros(a, dtype=x) @ L.zeros(b, dtype=y))
    p = L.zeros(2, 3, 0, requires_grad=True)
    q = L.zeros(2, 0, 4, dtype=d, requires_grad=True)
    r = p @ q
    r.sum().backward()
    return out, r, p.grad, q.grad


# ----------------------------------------------------------------------------------------
# Accepted where torch refuses


def _bool_powers(L):
    # pow has no kernel for bool: any power whose result would be bool is refused,
    # except a Python bool exponent (True: a copy, False: ones)
    b = L.tensor([True, False])
    yield lambda: b**b
    yield lambda: b.pow(b)
    yield lambda: b ** L.tensor(True)
    yield lambda: True**b
    yield lambda: L.tensor(True) ** L.tensor(True)
    yield lambda: b**True
    yield lambda: b**False
    yield lambda: b**2
    yield lambda: b**2.0
    yield lambda: 2**b
    yield lambda: b ** L.tensor([2, 3])
    yield lambda: L.tensor([1.5, 2.0]) ** b


def _bool_exponent_backward(L):
    # d(x ** b)/dx = b * x ** (b - 1): torch computes b - 1, and refuses for a bool b
    for e in (L.tensor([True, False]), L.tensor(True), True, L.tensor([2, 3])):
        x = L.tensor([1.5, 2.0], requires_grad=True)
        yield lambda x=x, e=e: (x**e).sum().backward()


def _grad_of_integer_results(L):
    # fill_ of an integer tensor with a tensor that requires grad records FillBackward3
    # (torch); every differentiable op with an integer or bool result then refuses
    w = L.tensor(1.0, dtype=L.float64, requires_grad=True)
    for dtype in (L.bool, L.int64):
        x = L.zeros(1, 3, dtype=dtype)
        x.fill_(w)
        yield lambda x=x: (x.requires_grad, type(x.grad_fn).__name__)
        yield lambda x=x: x.T
        yield lambda x=x: x[0]
        yield lambda x=x: x.view(3)
        yield lambda x=x: x * 2
        yield lambda x=x: x.sum()
        yield lambda x=x: x.clone()
        yield lambda x=x: x.max(1)
        yield lambda x=x: (x == 1).tolist()
        yield lambda x=x: x.float().tolist()
        yield lambda x=x: (x * w).tolist()


# ----------------------------------------------------------------------------------------
# Messages: the same exception, in torch's words


def _products(L):
    # shapes are checked before dtypes (mm, mv); bmm checks dtypes only when the
    # product has elements to compute
    f, d = L.float32, L.float64
    for a, b in [
        ((2, 3), (4, 2)),
        ((2, 3), (4,)),
        ((3,), (4, 2)),
        ((2, 3), (3, 2)),
        ((2, 2, 3), (2, 4, 2)),
        ((2, 2, 3), (2, 3, 2)),
        ((3,), (2, 4, 2)),
        ((2, 2, 3), (4,)),
        ((2, 2, 3), (3,)),
        ((1, 3, 0), (2, 0, 4)),
    ]:
        yield lambda a=a, b=b: L.zeros(a, dtype=f) @ L.zeros(b, dtype=d)
        yield lambda a=a, b=b: L.zeros(a, dtype=d) @ L.zeros(b, dtype=f)


def _type_names(L):
    # expand names the tensor's type (CPUBoolType for bool); so does the in-place
    # error of backward, with the node's name less "Backward0" (PowBackward1: Pow1)
    for dtype in (L.float32, L.float64, L.int64, L.bool):
        yield lambda dtype=dtype: L.zeros(2, 1, dtype=dtype).expand(3)
    for f in (
        lambda x: x**2,
        lambda x: x ** L.tensor(2.0),
        lambda x: 2**x,
        lambda x: x.min(),
        lambda x: x.max(),
        lambda x: x.add(1),
    ):
        x = L.ones(3, requires_grad=True)
        y = f(x * 1)
        z = y * y
        y.mul_(1)
        yield lambda z=z: z.sum().backward()
    x = L.ones(3, requires_grad=True)
    m = x > 0
    y = x * m
    m.fill_(False)
    yield lambda: y.sum().backward()


MESSAGES = {
    "products": _products,
    "bool_powers": _bool_powers,
    "bool_exponent_backward": _bool_exponent_backward,
    "grad_of_integer_results": _grad_of_integer_results,
    "type_names": _type_names,
}


def _raised(program):
    """The exception ``program`` raised (type, message), or what it returned."""
    try:
        result = program()
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return type(e).__name__, str(e).replace("torch.", "at.")
    return "ok", _plain(result)


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_messages_match_torch(name, torch):
    got = [_raised(p) for p in MESSAGES[name](at)]
    expected = [_raised(p) for p in MESSAGES[name](torch)]
    assert got == expected


# ----------------------------------------------------------------------------------------
# Every case above, run in lock step

PREFIXES = ("grad_", "fwd_", "refused_", "accepted_")
CASES = {k: v for k, v in dict(globals()).items() if k.startswith(PREFIXES)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, torch):
    assert_same(torch, at, CASES[name])
