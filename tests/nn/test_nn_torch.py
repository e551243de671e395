"""Conformance of ``at.nn`` and ``at.optim`` with PyTorch 2.13 (the oracle).

* the blog network (n=100, 3-32-1, ReLU) starts from torch's own initial weights, loaded
  through ``load_state_dict({k: v.numpy()})``, then trains with SGD (plain, momentum,
  nesterov, weight decay, dampening) and Adam: every loss and the final parameters agree
  with torch's within float32 tolerance;
* ``Linear`` and ``MSELoss`` record torch's nodes with torch's ``next_functions``;
* bad input raises torch's exception with torch's message (``torch.`` read as ``at.``).

Each program is written once against a library namespace ``L`` (``torch`` or ``at``).
"""

import warnings

import numpy as np
import pytest

import autograd_tutor as at
from tests.conformance.graph_signature import signature

pytestmark = pytest.mark.torch


# ----------------------------------------------------------------------------------------
# The blog network, trained by both libraries


def _blog_data():
    """The lesson's data: x ~ N(0, 1), y = 0.2 x1 - 1.3 x2 - 0.5 x3 + noise (n=100)."""
    rng = np.random.default_rng(42)
    x = rng.standard_normal((100, 3)).astype(np.float32)
    noise = rng.standard_normal((100, 1)).astype(np.float32)
    y = x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5 + noise
    return x, y.astype(np.float32)


def _model(L):
    return L.nn.Sequential(L.nn.Linear(3, 32), L.nn.ReLU(), L.nn.Linear(32, 1))


def _train(L, model, make_optimizer, steps, x, y):
    optimizer = make_optimizer(L, model.parameters())
    loss_fn = L.nn.MSELoss(reduction="sum")
    xs, ys = L.from_numpy(x.copy()), L.from_numpy(y.copy())
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(xs), ys)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    params = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    return np.array(losses), params, optimizer


OPTIMIZERS = {
    "sgd": lambda L, p: L.optim.SGD(p, lr=1e-4),
    "sgd_momentum": lambda L, p: L.optim.SGD(p, lr=1e-4, momentum=0.9),
    "sgd_nesterov": lambda L, p: L.optim.SGD(p, lr=1e-4, momentum=0.9, nesterov=True),
    "sgd_weight_decay": lambda L, p: L.optim.SGD(
        p, lr=1e-4, momentum=0.5, weight_decay=0.1
    ),
    "sgd_dampening": lambda L, p: L.optim.SGD(p, lr=1e-4, momentum=0.9, dampening=0.3),
    "adam": lambda L, p: L.optim.Adam(p, lr=1e-2),
    "adam_weight_decay": lambda L, p: L.optim.Adam(
        p, lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05
    ),
    "adam_amsgrad": lambda L, p: L.optim.Adam(p, lr=1e-2, amsgrad=True),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_blog_network_trains_like_torch(name, torch):
    x, y = _blog_data()
    torch.manual_seed(0)
    t_model = _model(torch)
    a_model = _model(at)
    # identical starting weights: torch's state dict, converted to NumPy
    a_model.load_state_dict({k: v.numpy() for k, v in t_model.state_dict().items()})

    t_losses, t_params, t_opt = _train(torch, t_model, OPTIMIZERS[name], 30, x, y)
    a_losses, a_params, a_opt = _train(at, a_model, OPTIMIZERS[name], 30, x, y)

    np.testing.assert_allclose(a_losses, t_losses, rtol=2e-5)
    assert t_params.keys() == a_params.keys()
    for key in t_params:
        np.testing.assert_allclose(a_params[key], t_params[key], rtol=1e-5, atol=1e-6)
    assert a_losses[-1] < a_losses[0]  # it learns
    # the optimizer's memory has torch's names and values
    t_state, a_state = t_opt.state_dict()["state"], a_opt.state_dict()["state"]
    assert t_state.keys() == a_state.keys()
    for idx in t_state:
        assert t_state[idx].keys() == a_state[idx].keys()
        for k, v in t_state[idx].items():
            v = v.numpy()  # float32 cancellation: tolerance relative to the scale
            atol = 1e-6 * max(1.0, float(np.abs(v).max()))
            np.testing.assert_allclose(
                np.asarray(a_state[idx][k]), v, rtol=1e-4, atol=atol
            )


def test_sgd_step_equals_the_lessons_manual_update(torch):
    """optimizer.step() with plain SGD is the lesson's ``w.sub_(lr * w.grad)``."""
    x, y = _blog_data()
    at.manual_seed(3)
    model = _model(at)
    manual = _model(at)
    manual.load_state_dict(model.state_dict())
    _train(at, model, OPTIMIZERS["sgd"], 5, x, y)
    xs, ys = at.from_numpy(x), at.from_numpy(y)
    for _ in range(5):
        loss = (manual(xs) - ys).pow(2).sum()
        loss.backward()
        with at.no_grad():
            for w in manual.parameters():
                w.sub_(1e-4 * w.grad)
                w.grad.zero_()
    for (k, a), (_, b) in zip(
        model.state_dict().items(), manual.state_dict().items(), strict=True
    ):
        np.testing.assert_allclose(
            a.numpy(), b.numpy(), rtol=1e-5, atol=1e-7, err_msg=k
        )


def test_torch_loads_our_state_dict(torch):
    a_model = _model(at)
    t_model = _model(torch)
    t_model.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in a_model.state_dict().items()}
    )
    x = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32)
    np.testing.assert_allclose(
        a_model(at.from_numpy(x)).detach().numpy(),
        t_model(torch.from_numpy(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_default_init_has_torchs_distribution(torch):
    at.manual_seed(0)
    big = at.nn.Linear(400, 300)
    w, b = big.weight.detach().numpy(), big.bias.detach().numpy()
    bound = 1 / np.sqrt(400)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # uniform on (-bound, bound): std = bound / sqrt(3), like torch's layer
    t_w = torch.nn.Linear(400, 300).weight.detach().numpy()
    np.testing.assert_allclose(w.std(), t_w.std(), rtol=0.02)
    np.testing.assert_allclose(w.std(), bound / np.sqrt(3), rtol=0.02)


# ----------------------------------------------------------------------------------------
# Graph structure: the nodes Linear and MSELoss record


def _linear_graph(L, shape, bias, x_grad, contiguous=True):
    L.manual_seed(0)
    layer = L.nn.Linear(3, 4, bias=bias)
    data = np.arange(np.prod(shape), dtype=np.float32).reshape(shape) / 10
    if not contiguous:
        data = np.ascontiguousarray(data.transpose()).transpose()
    x = L.from_numpy(data)
    if x_grad:
        x.requires_grad_()
    out = layer(x)
    leaves = [layer.weight] + ([layer.bias] if bias else []) + [x]
    return out, leaves


LINEAR_CASES = [
    (shape, bias, x_grad)
    for shape in [(5, 3), (3,), (2, 5, 3)]
    for bias in (True, False)
    for x_grad in (False, True)
]


@pytest.mark.parametrize(
    "shape, bias, x_grad",
    LINEAR_CASES,
    ids=[
        f"{len(s)}d-{'bias' if b else 'nobias'}-{'xgrad' if g else 'x'}"
        for s, b, g in LINEAR_CASES
    ],
)
def test_linear_graph_matches_torch(shape, bias, x_grad, torch):
    t_out, t_leaves = _linear_graph(torch, shape, bias, x_grad)
    a_out, a_leaves = _linear_graph(at, shape, bias, x_grad)
    assert signature(a_out.grad_fn, a_leaves) == signature(t_out.grad_fn, t_leaves)
    assert a_out.grad_fn.name() == t_out.grad_fn.name()
    assert tuple(a_out.shape) == tuple(t_out.shape)


def test_linear_graph_non_contiguous_input_matches_torch(torch):
    t_out, t_leaves = _linear_graph(torch, (4, 2, 3), True, False, contiguous=False)
    a_out, a_leaves = _linear_graph(at, (4, 2, 3), True, False, contiguous=False)
    assert signature(a_out.grad_fn, a_leaves) == signature(t_out.grad_fn, t_leaves)


def test_addmm_saved_values_match_torch(torch):
    for L in (torch, at):
        layer = L.nn.Linear(3, 2)
        x = L.ones(4, 3)
        fn = layer(x).grad_fn
        assert (fn._saved_alpha, fn._saved_beta) == (1, 1)
        assert fn._saved_mat2 is None  # x needs no grad: torch does not keep weight.t()
        assert tuple(fn._saved_mat1.shape) == (4, 3)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target_grad", [False, True], ids=["target", "target_grad"])
@pytest.mark.parametrize(
    "shapes",
    [((5, 1), (5, 1)), ((5, 1), (5,)), ((5,), (1,))],
    ids=["same", "bcast", "bcast1"],
)
def test_mse_loss_graph_and_value_match_torch(reduction, target_grad, shapes, torch):
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal(shapes[0]).astype(np.float32)
    b_np = rng.standard_normal(shapes[1]).astype(np.float32)
    results = {}
    for L in (torch, at):
        a = L.from_numpy(a_np.copy()).requires_grad_()
        b = L.from_numpy(b_np.copy()).requires_grad_(target_grad)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = L.nn.MSELoss(reduction=reduction)(a, b)
        out.sum().backward() if reduction == "none" else out.backward()
        leaves = [a, b]
        node = out.grad_fn
        results[L.__name__] = (
            signature(node, leaves),
            node._saved_reduction,
            out.detach().numpy().copy(),
            a.grad.numpy().copy(),
            None if b.grad is None else b.grad.numpy().copy(),
            [str(w.message).replace("torch.", "at.") for w in caught],
        )
    t, a = results["torch"], results["autograd_tutor"]
    assert a[0] == t[0]
    assert a[1] == t[1]
    for i in (2, 3, 4):
        if t[i] is None:
            assert a[i] is None
        else:
            np.testing.assert_allclose(a[i], t[i], rtol=1e-5, atol=1e-6)
    assert a[5] == t[5]


def test_module_reprs_match_torch(torch):
    def build(L):
        return [
            L.nn.Sequential(L.nn.Linear(3, 32), L.nn.ReLU(), L.nn.Linear(32, 1)),
            L.nn.Linear(3, 2, bias=False),
            L.nn.MSELoss(reduction="sum"),
            L.nn.Sequential(
                L.nn.Sequential(L.nn.Linear(1, 1)), L.nn.Tanh(), L.nn.Sigmoid()
            ),
            L.nn.Sequential(),
        ]

    assert [repr(m) for m in build(at)] == [repr(m) for m in build(torch)]


def test_parameter_repr_matches_torch(torch):
    for data in ([1.0, 2.0], [[0.5]]):
        a = repr(at.nn.Parameter(at.tensor(data)))
        assert a == repr(torch.nn.Parameter(torch.tensor(data)))
    a = repr(at.nn.Parameter(at.tensor([1.0]), requires_grad=False))
    assert a == repr(torch.nn.Parameter(torch.tensor([1.0]), requires_grad=False))


def test_names_and_state_dict_keys_match_torch(torch):
    def build(L):
        net = L.nn.Sequential(
            L.nn.Linear(3, 4), L.nn.ReLU(), L.nn.Linear(4, 1, bias=False)
        )
        return (
            [n for n, _ in net.named_parameters()],
            [n for n, _ in net.named_modules()],
            [n for n, _ in net.named_children()],
            list(net.state_dict()),
            [type(m).__name__ for m in net[0:2]],
        )

    assert build(at) == build(torch)


def test_optimizer_reprs_and_groups_match_torch(torch):
    # torch's groups also carry device/compiler switches (foreach, fused, capturable,
    # differentiable) that mean nothing here: compare the settings both have
    for make in (
        lambda L, p: L.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
        lambda L, p: L.optim.Adam(p, lr=0.1, betas=(0.8, 0.9), amsgrad=True),
    ):
        a = make(at, [at.ones(1, requires_grad=True)])
        t = make(torch, [torch.ones(1, requires_grad=True)])
        a_group = {k: v for k, v in a.param_groups[0].items() if k != "params"}
        t_group = {k: t.param_groups[0][k] for k in a_group}
        assert a_group == t_group
        assert set(t.param_groups[0]) - set(a.param_groups[0]) <= {
            "foreach",
            "fused",
            "capturable",
            "differentiable",
        }
        assert a.defaults == {k: t.defaults[k] for k in a.defaults}


# ----------------------------------------------------------------------------------------
# Errors


def _state_dict_errors(L, state):
    layer = L.nn.Linear(3, 2)
    layer.load_state_dict({k: L.zeros(*shape) for k, shape in state.items()})


def _no_forward(L):
    L.nn.Module()(1)


def _before_init(L):
    class Broken(L.nn.Module):
        def __init__(self):
            self.w = L.nn.Parameter(L.ones(1))

    Broken()


def _assign_tensor_to_parameter(L):
    L.nn.Linear(3, 2).weight = L.ones(2, 3)


def _mse(L, reduction="mean", a=(2,), b=(2,)):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        L.nn.functional.mse_loss(L.ones(*a), L.ones(*b), reduction=reduction)


ERRORS = {
    "sgd_non_leaf": lambda L: L.optim.SGD([L.ones(2, requires_grad=True) * 2], lr=0.1),
    "adam_non_leaf": lambda L: L.optim.Adam([L.ones(2, requires_grad=True) + 1]),
    "sgd_negative_lr": lambda L: L.optim.SGD(L.nn.Linear(2, 1).parameters(), lr=-0.1),
    "sgd_negative_momentum": lambda L: L.optim.SGD(
        [L.ones(1, requires_grad=True)], lr=0.1, momentum=-0.5
    ),
    "sgd_negative_weight_decay": lambda L: L.optim.SGD(
        [L.ones(1, requires_grad=True)], weight_decay=-1
    ),
    "sgd_nesterov_without_momentum": lambda L: L.optim.SGD(
        [L.ones(1, requires_grad=True)], lr=0.1, nesterov=True
    ),
    "sgd_nesterov_with_dampening": lambda L: L.optim.SGD(
        [L.ones(1, requires_grad=True)],
        lr=0.1,
        momentum=0.9,
        dampening=0.1,
        nesterov=True,
    ),
    "sgd_empty": lambda L: L.optim.SGD([], lr=0.1),
    "sgd_tensor_not_list": lambda L: L.optim.SGD(L.ones(2, requires_grad=True), lr=0.1),
    "sgd_not_a_tensor": lambda L: L.optim.SGD([1], lr=0.1),
    "sgd_set_of_params": lambda L: L.optim.SGD(
        [{"params": {L.ones(1, requires_grad=True)}}], lr=0.1
    ),
    "sgd_overlapping_groups": lambda L: (
        lambda w: L.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    )(L.ones(1, requires_grad=True)),
    "adam_negative_lr": lambda L: L.optim.Adam([L.ones(1, requires_grad=True)], lr=-1),
    "adam_negative_eps": lambda L: L.optim.Adam(
        [L.ones(1, requires_grad=True)], eps=-1
    ),
    "adam_beta0": lambda L: L.optim.Adam(
        [L.ones(1, requires_grad=True)], betas=(1.0, 0.9)
    ),
    "adam_beta1": lambda L: L.optim.Adam(
        [L.ones(1, requires_grad=True)], betas=(0.9, -0.1)
    ),
    "adam_negative_weight_decay": lambda L: L.optim.Adam(
        [L.ones(1, requires_grad=True)], weight_decay=-1
    ),
    "state_dict_missing": lambda L: _state_dict_errors(L, {"weight": (2, 3)}),
    "state_dict_unexpected": lambda L: _state_dict_errors(
        L, {"weight": (2, 3), "bias": (2,), "foo": (1,), "bar": (1,)}
    ),
    "state_dict_shapes": lambda L: _state_dict_errors(
        L, {"weight": (3, 3), "bias": (3,)}
    ),
    "state_dict_missing_and_shape": lambda L: _state_dict_errors(L, {"weight": (3, 3)}),
    "state_dict_shape_not_strict": lambda L: L.nn.Linear(3, 2).load_state_dict(
        {"weight": L.zeros(3, 3)}, strict=False
    ),
    "state_dict_sequential": lambda L: L.nn.Sequential(
        L.nn.Linear(3, 2), L.nn.ReLU(), L.nn.Linear(2, 1)
    ).load_state_dict({"0.weight": L.zeros(2, 3), "1.weight": L.zeros(1)}),
    "state_dict_not_a_mapping": lambda L: L.nn.Linear(3, 2).load_state_dict([1]),
    "linear_wrong_features_2d": lambda L: L.nn.Linear(3, 2)(L.ones(5, 4)),
    "linear_wrong_features_nobias": lambda L: L.nn.Linear(3, 2, bias=False)(
        L.ones(5, 4)
    ),
    "linear_wrong_features_3d": lambda L: L.nn.Linear(3, 2)(L.ones(2, 5, 4)),
    "linear_wrong_features_1d": lambda L: L.nn.Linear(3, 2)(L.ones(4)),
    "linear_0d": lambda L: L.nn.Linear(3, 2)(L.tensor(1.0)),
    "linear_dtype": lambda L: L.nn.Linear(3, 2)(L.ones(2, 3, dtype=L.float64)),
    "mse_bad_reduction": lambda L: _mse(L, "average"),
    "mse_shapes": lambda L: _mse(L, a=(5, 2), b=(3,)),
    "module_without_forward": _no_forward,
    "assign_before_init": _before_init,
    "assign_tensor_to_parameter": _assign_tensor_to_parameter,
    "assign_int_to_module": lambda L: setattr(L.nn.Sequential(L.nn.ReLU()), "0", 3),
    "parameter_name_with_dot": lambda L: L.nn.Module().register_parameter("a.b", None),
    "parameter_name_empty": lambda L: L.nn.Module().register_parameter("", None),
    "parameter_not_parameter": lambda L: L.nn.Module().register_parameter(
        "w", L.ones(1)
    ),
    "add_module_not_module": lambda L: L.nn.Module().add_module("m", 3),
    "missing_attribute": lambda L: L.nn.Linear(1, 1).wieght,
    "sequential_index": lambda L: L.nn.Sequential(L.nn.ReLU())[3],
    "train_not_bool": lambda L: L.nn.Linear(1, 1).train("yes"),
    "integer_parameter": lambda L: L.nn.Parameter(L.tensor([1, 2])),
}


def _outcome(fn, L):
    with pytest.raises(Exception) as info:
        fn(L)
    return type(info.value).__name__, str(info.value).replace("torch.", "at.")


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_matches_torch(name, torch):
    assert _outcome(ERRORS[name], at) == _outcome(ERRORS[name], torch)


def test_duplicate_parameter_warning_matches_torch(torch):
    def warned(L):
        w = L.ones(1, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            L.optim.SGD([w, w], lr=0.1)
        return [(c.category.__name__, str(c.message)) for c in caught]

    assert warned(at) == warned(torch) != []


def test_strict_false_reports_like_torch(torch):
    def report(L):
        result = L.nn.Linear(3, 2).load_state_dict(
            {"weight": L.zeros(2, 3), "extra": L.zeros(1)}, strict=False
        )
        ok = L.nn.Linear(3, 2).load_state_dict(
            {"weight": L.zeros(2, 3), "bias": L.zeros(2)}
        )
        return result.missing_keys, result.unexpected_keys, repr(result), repr(ok)

    assert report(at) == report(torch)
