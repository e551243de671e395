"""Issue 11, the classes the long fuzz campaigns (``scripts/fuzz.py``) still found after
the first round of fixes, each as the few-line program that shows it, run in lock step on
torch 2.13 and autograd_tutor (see ``lockstep.observe``).

A case returns what to compare: tensors (values, dtype, flags, ``grad_fn`` name), numbers
such as a tensor's ``_version``, or lists of what hooks received.
"""

import pytest

import autograd_tutor as at

from .lockstep import assert_same

# ----------------------------------------------------------------------------------------
# Wrong gradients


def grad_hook_on_view_changed_in_place(L):
    # seed 2005835: the view's grad_fn is derived again (AsStridedBackward0) when the
    # hook is registered, so the hook must go on that node, not the one before
    x = L.zeros(2, requires_grad=True)
    v = (x * 1).t()
    v.mul_(1.9)
    seen = []
    v.register_hook(lambda g: seen.append(g + 0))
    v.sum().backward()
    return seen, x.grad


def grad_retain_grad_on_view_changed_in_place(L):
    x = L.ones(2, requires_grad=True)
    v = (x * 1)[0:1]
    v.mul_(2)
    v.retain_grad()
    (v * 3).sum().backward()
    return v.grad, x.grad


def ok_hook_on_view_of_base_that_requires_grad_later(L):
    base = L.zeros(3)
    v = base[0:2]
    base.requires_grad_()
    v.register_hook(lambda g: g)
    v.retain_grad()
    return v.requires_grad, v.is_leaf, v.grad_fn


# ----------------------------------------------------------------------------------------
# Messages


def _error(f):
    """The message of what ``f()`` raises, torch's module name read as at's."""
    try:
        f()
    except RuntimeError as e:
        return str(e).replace("torch.", "at.")
    return None


def _changed_inputs(L, op, n):
    """``op`` on ``n`` inputs of distinct shapes, all changed in place afterwards: the
    version error names the saved input torch checks first."""
    ins = [L.full([1] * i + [2, 3], 2.0 + i, requires_grad=True) * 1 for i in range(n)]
    out = op(*ins)
    for t in ins:
        t.mul_(1)
    return _error(lambda: out.sum().backward())


def msg_version_check_order_binary(L):
    # seeds 200462, 2009344, 2006584, 2008140: torch's nodes check their saved inputs
    # sorted by name (mul: other, self; pow: exponent, self; clamp: max, min, self)
    return [
        _changed_inputs(L, lambda a, b: a * b, 2),
        _changed_inputs(L, lambda a, b: a / b, 2),
        _changed_inputs(L, lambda a, b: a**b, 2),
        _changed_inputs(L, lambda a, b, c: a.clamp(b, c), 3),
        _changed_inputs(L, lambda a, b: a.clamp(min=b), 2),
        _changed_inputs(L, lambda a, b: a @ b.mT, 2),
    ]


def msg_version_check_order_inputs_before_result(L):
    x = L.ones(2, 3, requires_grad=True) * 1
    e = L.ones(1, 2, 3, requires_grad=True) * 1
    y = x**e
    x.mul_(1)
    y.mul_(1)  # the saved result is checked after the inputs
    first = _error(lambda: y.sum().backward())
    e.mul_(1)
    return first, _error(lambda: y.sum().backward())


def grad_version_check_order_create_graph(L):
    # the records in torch's order still match their saved values in a recorded
    # backward (create_graph=True): a float64 input cast for a float32 one
    a = L.tensor([1.0, 2.0], requires_grad=True)
    b = L.tensor([3.0, 4.0], dtype=L.float64, requires_grad=True)
    (ga, gb) = L.autograd.grad((a * b).sum(), (a, b), create_graph=True)
    (gga,) = L.autograd.grad((ga * gb).sum(), (a,), allow_unused=True)
    return ga, gb, gga


CASES = {
    k: v
    for k, v in dict(globals()).items()
    if k.split("_")[0] in ("grad", "fwd", "ok", "msg", "flag", "silent")
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, torch):
    assert_same(torch, at, CASES[name])
