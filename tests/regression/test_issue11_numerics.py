"""Issue 11, numeric and dtype side: each class the differential fuzzer found, as the
few-line program that exposed it, run in lock step on torch 2.13 and autograd_tutor.

Each ``grad_*``/``fwd_*``/``refused_*``/``accepted_*`` function takes the library module
``L`` and returns what to compare (``lockstep.observe``: values with the sign of zero
and NaN, dtypes, flags, node names, or the type of the exception). The ``MESSAGES``
programs must raise the same exception with the same message (``torch.`` read as
``at.``).
"""

import pytest

import autograd_tutor as at

from .lockstep import assert_same

NAN, INF = float("nan"), float("inf")

# ----------------------------------------------------------------------------------------
# Wrong gradients: the sign of zero


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


# ----------------------------------------------------------------------------------------
# Every case above, run in lock step

PREFIXES = ("grad_", "fwd_", "refused_", "accepted_")
CASES = {k: v for k, v in dict(globals()).items() if k.startswith(PREFIXES)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, torch):
    assert_same(torch, at, CASES[name])
