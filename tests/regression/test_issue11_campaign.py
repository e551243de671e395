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


CASES = {
    k: v
    for k, v in dict(globals()).items()
    if k.split("_")[0] in ("grad", "fwd", "ok", "msg", "flag", "silent")
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, torch):
    assert_same(torch, at, CASES[name])
