"""Unit tests of ``at.nn``: parameters, registration, layers, state dicts."""

from collections import OrderedDict

import numpy as np
import pytest

import autograd_tutor as at
from autograd_tutor import nn
from autograd_tutor.nn import functional as F


def test_parameter_is_a_leaf_that_shares_memory():
    data = at.zeros(3)
    p = nn.Parameter(data)
    assert isinstance(p, at.Tensor) and p.is_leaf and p.requires_grad
    data[0] = 5.0
    assert p[0].item() == 5.0  # same numbers, like torch
    assert type(p * 2) is at.Tensor and type(p.detach()) is at.Tensor
    assert not nn.Parameter(at.ones(1), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)


def test_attribute_assignment_registers_parameters_and_children():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(at.ones(1))
            self.body = nn.Linear(2, 2)
            self.note = "plain attributes stay plain"

        def forward(self, x):
            return self.body(x) * self.scale

    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale",
        "body.weight",
        "body.bias",
    ]
    assert list(net.children()) == [net.body]
    assert "scale" in dir(net) and "body" in dir(net)
    assert net.note == "plain attributes stay plain"
    net.scale = None  # a registered parameter may be set to None ...
    assert [n for n, _ in net.named_parameters()] == ["body.weight", "body.bias"]
    net.body = nn.Linear(2, 3)  # ... and a child replaced by another module
    assert net.body.out_features == 3
    del net.body
    assert list(net.children()) == []
    with pytest.raises(AttributeError):
        _ = net.body


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    net = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(net.parameters())) == 2
    assert len(list(net.named_modules())) == 3  # the shared layer once
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_train_eval_zero_grad_requires_grad_and_double():
    net = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    assert all(m.training for m in net.modules())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net(at.ones(1, 2)).sum().backward()
    net.zero_grad(set_to_none=False)
    assert all((p.grad.numpy() == 0).all() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not net(at.ones(1, 2)).requires_grad
    assert net.double()[0].weight.dtype == at.float64


def test_buffers_are_state_but_not_parameters():
    m = nn.Module()
    m.register_buffer("running", at.zeros(2))
    m.register_buffer("scratch", at.zeros(1), persistent=False)
    assert list(m.parameters()) == []
    assert [n for n, _ in m.named_buffers()] == ["running", "scratch"]
    assert list(m.state_dict()) == ["running"]
    m.load_state_dict({"running": np.array([1.0, 2.0])})
    assert m.running.tolist() == [1.0, 2.0]


def test_apply_visits_children_first():
    seen = []
    nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU())).apply(
        lambda m: seen.append(type(m).__name__)
    )
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


# ----------------------------------------------------------------------------------------
# Linear


def test_linear_default_init_bounds_and_shapes():
    at.manual_seed(0)
    layer = nn.Linear(16, 8)
    bound = 1 / 4
    assert layer.weight.shape == (8, 16) and layer.bias.shape == (8,)
    assert layer.weight.abs().max().item() <= bound
    assert layer.bias.abs().max().item() <= bound
    assert layer.weight.dtype == at.float32
    assert nn.Linear(2, 3, bias=False).bias is None
    assert nn.Linear(2, 3, dtype=at.float64).weight.dtype == at.float64


def test_linear_init_is_reproducible_with_manual_seed():
    at.manual_seed(7)
    a = nn.Linear(3, 4).state_dict()
    at.manual_seed(7)
    b = nn.Linear(3, 4).state_dict()
    assert all((a[k].numpy() == b[k].numpy()).all() for k in a)


@pytest.mark.parametrize("shape", [(3,), (5, 3), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_computes_x_wt_plus_b(shape, bias):
    at.manual_seed(1)
    layer = nn.Linear(3, 2, bias=bias)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    expected = x @ layer.weight.detach().numpy().T
    if bias:
        expected = expected + layer.bias.detach().numpy()
    out = layer(at.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-6, atol=1e-6)


def test_linear_gradients_are_the_lessons_formulas():
    """dL/dW = grad.T @ x and dL/db = grad summed over the batch (broadcasting undone)."""
    at.manual_seed(2)
    layer = nn.Linear(3, 2)
    x = at.randn(5, 3)
    layer(x).sum().backward()
    ones = np.ones((5, 2), dtype=np.float32)
    np.testing.assert_allclose(layer.weight.grad.numpy(), ones.T @ x.numpy(), rtol=1e-6)
    np.testing.assert_allclose(layer.bias.grad.numpy(), ones.sum(0))


def test_updating_a_weight_between_forward_and_backward_is_caught():
    layer = nn.Linear(2, 1)
    x = at.ones(3, 2, requires_grad=True)
    loss = layer(x).sum()
    opt = at.optim.SGD(layer.parameters(), lr=0.1)
    for p in layer.parameters():
        p.grad = at.ones_like(p)
    opt.step()  # changes weight in place: the saved weight.t() is now stale
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# ----------------------------------------------------------------------------------------
# Sequential, activations, losses


def test_sequential_indexing_and_names():
    relu = nn.ReLU()
    seq = nn.Sequential(nn.Linear(2, 2), relu, nn.Linear(2, 1))
    assert seq[1] is relu and seq[-2] is relu and len(seq) == 3
    assert isinstance(seq[:2], nn.Sequential) and len(seq[:2]) == 2
    assert list(seq) == list(seq.children())
    named = nn.Sequential(
        OrderedDict([("hidden", nn.Linear(2, 2)), ("act", nn.Tanh())])
    )
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"]
    assert named.hidden is named[0]
    assert len(seq.append(nn.Sigmoid())) == 4


def test_activations_match_numpy():
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    t = at.from_numpy(x)
    np.testing.assert_allclose(nn.ReLU()(t).numpy(), np.maximum(x, 0))
    np.testing.assert_allclose(nn.Tanh()(t).numpy(), np.tanh(x), rtol=1e-6)
    np.testing.assert_allclose(nn.Sigmoid()(t).numpy(), 1 / (1 + np.exp(-x)), rtol=1e-6)
    assert nn.ReLU()(at.ones(1, requires_grad=True)).grad_fn.name() == "ReluBackward0"


@pytest.mark.parametrize(
    "reduction, value, grad",
    [
        ("mean", 2.5, [1.0, 2.0]),
        ("sum", 5.0, [2.0, 4.0]),
        ("none", [1.0, 4.0], [2.0, 4.0]),
    ],
)
def test_mse_loss_values_and_gradients(reduction, value, grad):
    pred = at.tensor([1.0, 2.0], requires_grad=True)
    target = at.tensor([0.0, 0.0], requires_grad=True)
    loss = nn.MSELoss(reduction=reduction)(pred, target)
    assert loss.grad_fn.name() == "MseLossBackward0"
    assert np.allclose(loss.detach().numpy(), value)
    loss.sum().backward() if reduction == "none" else loss.backward()
    assert pred.grad.tolist() == grad
    assert target.grad.tolist() == [-g for g in grad]  # d/dtarget = -d/dpred


def test_mse_loss_equals_the_lessons_loss():
    at.manual_seed(3)
    pred, y = at.randn(100, 1), at.randn(100, 1)
    np.testing.assert_allclose(
        F.mse_loss(pred, y, reduction="sum").item(),
        (pred - y).pow(2).sum().item(),
        rtol=1e-6,
    )


# ----------------------------------------------------------------------------------------
# state_dict / load_state_dict


def test_state_dict_is_detached_and_shares_memory():
    layer = nn.Linear(2, 1)
    sd = layer.state_dict()
    assert list(sd) == ["weight", "bias"]
    assert not sd["weight"].requires_grad and sd["weight"].is_leaf
    with at.no_grad():
        layer.weight.fill_(3.0)
    assert sd["weight"].tolist() == [[3.0, 3.0]]
    assert layer.state_dict(keep_vars=True)["weight"] is layer.weight


def test_load_state_dict_copies_casts_and_bumps_versions():
    src, dst = nn.Linear(3, 2), nn.Linear(3, 2)
    version = dst.weight._version
    result = dst.load_state_dict(
        {k: v.numpy().astype(np.float64) for k, v in src.state_dict().items()}
    )
    assert repr(result) == "<All keys matched successfully>"
    assert dst.weight.dtype == at.float32 and dst.weight._version == version + 1
    assert (dst.weight.detach().numpy() == src.weight.detach().numpy()).all()
    assert dst.weight.detach().numpy() is not src.weight.detach().numpy()
    dst.load_state_dict(src.state_dict())  # at tensors work too
    with pytest.raises(RuntimeError, match="received <class 'list'>"):
        dst.load_state_dict({"weight": [[1, 2, 3], [4, 5, 6]], "bias": np.zeros(2)})


def test_load_state_dict_is_all_or_nothing():
    layer = nn.Linear(2, 1)
    before = layer.weight.detach().numpy().copy()
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        layer.load_state_dict({"weight": np.zeros((1, 2)), "bias": np.zeros(5)})
    assert (layer.weight.detach().numpy() == before).all()


def test_load_state_dict_not_strict_reports_keys():
    result = nn.Linear(2, 1).load_state_dict(
        {"weight": np.zeros((1, 2)), "x": 1}, strict=False
    )
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["x"]
    with pytest.raises(RuntimeError, match="received <class 'object'>"):
        nn.Linear(2, 1).load_state_dict({"weight": object(), "bias": np.zeros(1)})
