"""Unit tests of ``at.optim``: update rules computed by hand, groups, state, closures."""

import math

import numpy as np
import pytest

import autograd_tutor as at
from autograd_tutor import optim


def _param(values, grad):
    p = at.nn.Parameter(at.tensor(values))
    p.grad = at.tensor(grad)
    return p


def test_sgd_plain_step():
    p = _param([1.0, 2.0], [0.5, -1.0])
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.detach().numpy(), [0.95, 2.1])
    assert p.is_leaf and p.grad_fn is None  # the update was not recorded


def test_sgd_momentum_nesterov_dampening_weight_decay_by_hand():
    lr, mu, tau, wd = 0.1, 0.9, 0.25, 0.01
    cases = {
        "momentum": dict(momentum=mu),
        "nesterov": dict(momentum=mu, nesterov=True),
        "dampening": dict(momentum=mu, dampening=tau),
        "weight_decay": dict(momentum=mu, weight_decay=wd),
    }
    grads = [np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([-1.0, 3.0])]
    for name, kw in cases.items():
        p = _param([1.0, 1.0], [0.0, 0.0])
        opt = optim.SGD([p], lr=lr, **kw)
        w, buf = np.array([1.0, 1.0]), None
        for g in grads:
            p.grad = at.tensor(g.astype(np.float32))
            opt.step()
            d = g + kw.get("weight_decay", 0) * w
            buf = (
                d.copy() if buf is None else mu * buf + (1 - kw.get("dampening", 0)) * d
            )
            w = w - lr * (d + mu * buf if kw.get("nesterov") else buf)
        np.testing.assert_allclose(p.detach().numpy(), w, rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(
            opt.state[p]["momentum_buffer"].numpy(), buf, rtol=1e-6
        )


def test_sgd_maximize_and_params_without_grad():
    p, q = _param([1.0], [2.0]), at.nn.Parameter(at.tensor([5.0]))
    optim.SGD([p, q], lr=0.5, maximize=True).step()
    assert p.tolist() == [2.0] and q.tolist() == [5.0]  # q had no grad: untouched


def test_adam_two_steps_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p = _param([1.0, -1.0], [0.0, 0.0])
    opt = optim.Adam([p], lr=lr)
    w, m, v = np.array([1.0, -1.0]), np.zeros(2), np.zeros(2)
    for t, g in enumerate([np.array([0.2, -0.4]), np.array([1.0, 0.1])], start=1):
        p.grad = at.tensor(g.astype(np.float32))
        opt.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    np.testing.assert_allclose(p.detach().numpy(), w, rtol=1e-5)
    state = opt.state[p]
    assert state["step"].item() == 2.0 and state["step"].dtype == at.float32
    np.testing.assert_allclose(state["exp_avg"].numpy(), m, rtol=1e-6)
    np.testing.assert_allclose(state["exp_avg_sq"].numpy(), v, rtol=1e-5)


def test_adam_variants():
    p = _param([1.0], [1.0])
    opt = optim.Adam([p], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True)
    opt.step()  # AdamW: w * (1 - lr * wd), then the usual step of size ~lr
    np.testing.assert_allclose(p.item(), 1.0 * (1 - 0.05) - 0.1, rtol=1e-5)
    p = _param([1.0], [1.0])
    opt = optim.Adam([p], lr=0.1, amsgrad=True)
    opt.step()
    p.grad = at.tensor([0.0])
    opt.step()
    state = opt.state[p]
    assert state["max_exp_avg_sq"].item() >= state["exp_avg_sq"].item() > 0


def test_param_groups_have_their_own_settings():
    a, b = _param([1.0], [1.0]), _param([1.0], [1.0])
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.0)
    opt.step()
    np.testing.assert_allclose([a.item(), b.item()], [0.9, 0.5])
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["params"] == [b]
    assert "Parameter Group 1\n    dampening: 0" in repr(opt)


def test_zero_grad_and_version_counter():
    p = _param([1.0], [1.0])
    opt = optim.SGD([p], lr=0.1)
    v = p._version
    opt.step()
    assert p._version == v + 1  # an in-place change, as torch counts it
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_runs_with_grad_enabled():
    w = at.nn.Parameter(at.tensor([3.0]))
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with at.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 9.0 and w.tolist() == [1.5]


@pytest.mark.parametrize(
    "make",
    [
        lambda p: optim.SGD(p, lr=0.01, momentum=0.9),
        lambda p: optim.Adam(p, lr=0.01),
    ],
)
def test_optimizer_state_dict_round_trip_continues_identically(make):
    at.manual_seed(0)
    x, y = at.randn(20, 3), at.randn(20, 1)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            at.nn.functional.mse_loss(model(x), y).backward()
            opt.step()

    model = at.nn.Linear(3, 1)
    opt = make(model.parameters())
    train(model, opt, 3)
    twin = at.nn.Linear(3, 1)
    twin.load_state_dict(model.state_dict())
    twin_opt = make(twin.parameters())
    saved = opt.state_dict()
    assert list(saved["state"]) == [0, 1] and saved["param_groups"][0]["params"] == [
        0,
        1,
    ]
    twin_opt.load_state_dict(saved)
    train(model, opt, 3)
    train(twin, twin_opt, 3)
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_optimizer_load_state_dict_checks_groups():
    opt = optim.SGD([at.ones(1, requires_grad=True)], lr=0.1)
    other = optim.SGD([at.ones(1, requires_grad=True), at.ones(1, requires_grad=True)])
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(other.state_dict())


def test_optimizer_base_needs_a_step_rule():
    class Frozen(optim.Optimizer):
        pass

    opt = Frozen([at.ones(1, requires_grad=True)], {"lr": math.pi})
    assert opt.param_groups[0]["lr"] == math.pi
    with pytest.raises(NotImplementedError):
        opt.step()
