"""The teaching core against the full engine on the lessons' graphs and on every op it
has: same values, gradients, node names, next_functions structure and step order."""

import ast
from pathlib import Path

import numpy as np
import pytest

import autograd_tutor as at
from autograd_tutor import teaching
from autograd_tutor.teaching import tensor as teaching_tensor

from .engines import (
    Package,
    PackageZeroD,
    TeachingScalar,
    TeachingTensor,
    assert_same_trace,
    numerical_grad,
    trace,
)

# ----------------------------------------------------------------------------------------
# The seed graph of lessons 2-3: x1 * (x2 + 2), squared, times 3, averaged


def seed_graph(E, x1_shape=(2, 2), mean=True):
    x1 = E.leaf(np.ones(x1_shape), requires_grad=True)
    x2 = E.leaf(1.1, requires_grad=True)
    y = x1 * (x2 + 2)
    z = y.pow(2) * 3
    out = z.mean() if mean else z
    y.retain_grad()
    z.retain_grad()
    return (x1, x2), (y, z), out


def test_seed_graph_numbers_of_the_lesson():
    (x1, x2), (y, z), out = seed_graph(TeachingTensor)
    out.backward()
    assert out.item() == pytest.approx(28.83)
    np.testing.assert_allclose(z.grad, np.full((2, 2), 0.25))
    np.testing.assert_allclose(y.grad, np.full((2, 2), 4.65))
    assert x2.grad == pytest.approx(18.6)
    np.testing.assert_allclose(x1.grad, np.full((2, 2), 14.415))


@pytest.mark.parametrize(
    "E, kw",
    [(TeachingTensor, {}), (TeachingScalar, {"x1_shape": (), "mean": False})],
    ids=["tensor", "scalar"],
)
def test_seed_graph_matches_package(E, kw):
    ours_leaves, ours_mid, ours = seed_graph(E, **kw)
    pk_leaves, pk_mid, pk = seed_graph(Package, **kw)
    np.testing.assert_allclose(E.value(ours), Package.value(pk), rtol=1e-12)
    assert ours.grad_fn.name() == pk.grad_fn.name()
    assert_same_trace(
        trace(ours, ours_leaves, E.steps(ours)), trace(pk, pk_leaves, Package.steps(pk))
    )
    for a, b in zip(ours_leaves + ours_mid, pk_leaves + pk_mid):
        np.testing.assert_allclose(E.grad(a), Package.grad(b), rtol=1e-12)


def test_seed_graph_action_plan_names():
    """The chain the lesson walks by hand through next_functions."""
    (x1, x2), _, out = seed_graph(TeachingTensor)
    mean = out.grad_fn
    mul3 = mean.next_functions[0][0]
    pow_ = mul3.next_functions[0][0]
    mul = pow_.next_functions[0][0]
    (acc1, _), (add, _) = mul.next_functions
    (acc2, _), const = add.next_functions
    names = [n.name() for n in (mean, mul3, pow_, mul, add)]
    assert names == [
        "MeanBackward0",
        "MulBackward0",
        "PowBackward0",
        "MulBackward0",
        "AddBackward0",
    ]
    assert mul3.next_functions[1] == (None, 0)  # the constant 3
    assert const == (None, 0)  # the constant 2
    assert type(acc1).__name__ == "AccumulateGrad" and acc1.variable is x1
    assert acc2.variable is x2
    assert acc1.name() == "torch::autograd::AccumulateGrad"


@pytest.mark.parametrize(
    "E, kw",
    [(TeachingTensor, {}), (TeachingScalar, {"x1_shape": (), "mean": False})],
    ids=["tensor", "scalar"],
)
def test_seed_graph_step_order_matches_torch(torch, E, kw):
    """The order lesson 8 prints is the order torch runs (watched with prehooks)."""
    _, _, ours = seed_graph(E, **kw)
    x1 = torch.ones(kw.get("x1_shape", (2, 2)), requires_grad=True)
    x2 = torch.tensor(1.1, requires_grad=True)
    z = (x1 * (x2 + 2)).pow(2) * 3
    out = z.mean() if kw.get("mean", True) else z
    order = []
    for node in _torch_nodes(out.grad_fn):
        node.register_prehook(lambda g, node=node: order.append(node.name()))
    out.backward()
    assert [s.node.name() for s in E.steps(ours)] == order


def _torch_nodes(root):
    seen, stack = {root}, [root]
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


# ----------------------------------------------------------------------------------------
# The blog's network 3-32-1 (lessons 1 and 4)


def _blog_data(seed=0):
    rng = np.random.default_rng(seed)
    n, d_in, d_hidden, d_out = 100, 3, 32, 1
    x = rng.standard_normal((n, d_in))
    y = (
        x[:, 0:1] * 0.2
        - x[:, 1:2] * 1.3
        - x[:, 2:3] * 0.5
        + rng.standard_normal((n, 1))
    )
    w1 = rng.standard_normal((d_in, d_hidden))
    w2 = rng.standard_normal((d_hidden, d_out))
    return x, y, w1, np.zeros((1, d_hidden)), w2, np.zeros((1, d_out))


def blog_network(E, arrays):
    x, y = E.leaf(arrays[0]), E.leaf(arrays[1])
    params = [E.leaf(a, requires_grad=True) for a in arrays[2:]]
    w1, b1, w2, b2 = params
    y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
    loss = (y_pred - y).pow(2).sum()
    return params, loss


def test_blog_network_matches_package():
    arrays = _blog_data()
    ours_params, ours = blog_network(TeachingTensor, arrays)
    pk_params, pk = blog_network(Package, arrays)
    np.testing.assert_allclose(ours.item(), pk.item(), rtol=1e-12)
    assert_same_trace(
        trace(ours, ours_params, TeachingTensor.steps(ours)),
        trace(pk, pk_params, Package.steps(pk)),
        rtol=1e-9,
        atol=1e-9,
    )
    for a, b in zip(ours_params, pk_params):
        assert a.grad.shape == b.grad.shape  # b1's gradient summed over the batch
        np.testing.assert_allclose(a.grad, Package.grad(b), rtol=1e-9, atol=1e-9)


def test_blog_network_gradients_match_finite_differences():
    arrays = [a[:5] if i < 2 else a for i, a in enumerate(_blog_data(1))]  # 5 rows

    def loss_of(arrs):
        return blog_network(TeachingTensor, arrs)[1].item()

    params, loss = blog_network(TeachingTensor, arrays)
    loss.backward()
    for k, p in enumerate(params, start=2):
        np.testing.assert_allclose(
            p.grad, numerical_grad(loss_of, arrays, k), rtol=1e-5, atol=1e-6
        )


def test_blog_network_trains_like_package():
    """200 iterations of the lesson's loop (learning rate 1e-4): same loss trajectory."""
    arrays = _blog_data()
    ours_params = [teaching.Tensor(a, requires_grad=True) for a in arrays[2:]]
    pk_params = [Package.leaf(a, requires_grad=True) for a in arrays[2:]]
    x_t, y_t = teaching.Tensor(arrays[0]), teaching.Tensor(arrays[1])
    x_p, y_p = Package.leaf(arrays[0]), Package.leaf(arrays[1])
    ours_losses, pk_losses = [], []
    for _ in range(200):
        w1, b1, w2, b2 = ours_params
        loss = (x_t.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2) - y_t).pow(2).sum()
        ours_losses.append(loss.item())
        loss.backward()
        for w in ours_params:
            w.data = w.data - 1e-4 * w.grad  # the update is not recorded
            w.grad = None
        w1, b1, w2, b2 = pk_params
        loss = (x_p.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2) - y_p).pow(2).sum()
        pk_losses.append(loss.item())
        loss.backward()
        with at.no_grad():
            for w in pk_params:
                w.sub_(1e-4 * w.grad)
                w.grad.zero_()
    assert ours_losses[-1] < ours_losses[0] / 2
    np.testing.assert_allclose(ours_losses, pk_losses, rtol=1e-9)


# ----------------------------------------------------------------------------------------
# Every op of the teaching core, alone and with broadcasting

X, Y, P = (2, 3), (1, 3), (2, 3)  # shapes: Y broadcasts against X

OPS = {
    # name: (input shapes, requires_grad flags, program)
    "add": ([X, Y], [True, True], lambda a, b: a + b),
    "add_number": ([X], [True], lambda a: a + 2),
    "radd_number": ([X], [True], lambda a: 2 + a),
    "add_constant": ([X, Y], [True, False], lambda a, b: a + b),
    "add_add": ([X], [True], lambda a: a + a),
    "sub": ([Y, X], [True, True], lambda a, b: a - b),
    "sub_number": ([X], [True], lambda a: a - 2),
    "rsub": ([X], [True], lambda a: 2 - a),
    "mul": ([X, Y], [True, True], lambda a, b: a * b),
    "mul_number": ([X], [True], lambda a: a * 3),
    "rmul_number": ([X], [True], lambda a: 3 * a),
    "mul_self": ([X], [True], lambda a: a * a),
    "mul_scalar_tensor": ([(), X], [True, True], lambda a, b: a * b),
    "div": ([X, Y], [True, True], lambda a, b: a / (b * b + 1)),
    "div_number": ([X], [True], lambda a: a / 2),
    "rdiv_number": ([X], [True], lambda a: 2 / (a * a + 1)),
    "neg": ([X], [True], lambda a: -a),
    "pow2": ([X], [True], lambda a: a.pow(2)),
    "pow3": ([X], [True], lambda a: a**3),
    "exp": ([X], [True], lambda a: a.exp()),
    "log": ([X], [True], lambda a: (a * a + 1).log()),
    "tanh": ([X], [True], lambda a: a.tanh()),
    "relu": ([X], [True], lambda a: a.relu()),
    "clamp_min": ([X], [True], lambda a: a.clamp(min=0)),
    "clamp_max": ([X], [True], lambda a: a.clamp(max=0.3)),
    "clamp_both": ([X], [True], lambda a: a.clamp(min=-0.5, max=0.5)),
    "sum": ([X], [True], lambda a: a.sum()),
    "sum_dim0": ([X], [True], lambda a: a.sum(0)),
    "sum_dim1_keepdim": ([X], [True], lambda a: a.sum(1, keepdim=True)),
    "mean": ([X], [True], lambda a: a.mean()),
    "mean_dim1": ([X], [True], lambda a: a.mean(1)),
    "mean_dim0_keepdim": ([X], [True], lambda a: a.mean(0, keepdim=True)),
    "mm": ([(2, 3), (3, 4)], [True, True], lambda a, b: a.mm(b)),
    "mm_constant": ([(2, 3), (3, 4)], [False, True], lambda a, b: a.mm(b)),
    "bias": ([(4, 3), (1, 3)], [True, True], lambda a, b: a.add(b)),
    "number_plus_row": ([(), (3,)], [True, True], lambda a, b: a + b),
}

SCALAR_OPS = [
    name
    for name, (shapes, _, _) in OPS.items()
    if all(s in (X, Y, ()) for s in shapes)
    and not name.startswith(("sum", "mean", "mm", "clamp", "bias"))
]


def _build(E, name, arrays, rng):
    """The op's program on ``arrays``, reduced to a number with random weights."""
    _, flags, fn = OPS[name]
    leaves = [E.leaf(a, requires_grad=f) for a, f in zip(arrays, flags)]
    out = fn(*leaves)
    if E.scalar:
        return leaves, out * float(rng.standard_normal())
    return leaves, (out * E.leaf(rng.standard_normal(np.shape(E.value(out))))).sum()


def _program(E, name, seed=7):
    rng = np.random.default_rng(seed)
    shapes = [() if E.scalar else s for s in OPS[name][0]]
    arrays = [rng.standard_normal(s) for s in shapes]
    leaves, loss = _build(E, name, arrays, rng)
    return arrays, leaves, loss


def _loss_of(E, name, seed=7):
    def f(arrays):
        rng = np.random.default_rng(seed)
        for a in arrays:  # the same draws as _program
            rng.standard_normal(np.shape(a))
        return _build(E, name, arrays, rng)[1].item()

    return f


CASES = [
    pytest.param(name, E, id=f"{name}-{kind}")
    for kind, E, names in [
        ("tensor", TeachingTensor, sorted(OPS)),
        ("scalar", TeachingScalar, SCALAR_OPS),
    ]
    for name in names
]


@pytest.mark.parametrize("name, E", CASES)
def test_op_matches_package(name, E):
    P = PackageZeroD if E.scalar else Package
    _, ours_leaves, ours = _program(E, name)
    _, pk_leaves, pk = _program(P, name)
    np.testing.assert_allclose(E.value(ours), P.value(pk), rtol=1e-12)
    assert_same_trace(
        trace(ours, ours_leaves, E.steps(ours, retain_graph=True)),
        trace(pk, pk_leaves, P.steps(pk, retain_graph=True)),
    )
    for a, b in zip(ours_leaves, pk_leaves):
        ga, gb = E.grad(a), P.grad(b)
        assert (ga is None) == (gb is None)
        if ga is not None:
            assert np.shape(ga) == np.shape(gb)
            np.testing.assert_allclose(ga, gb, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, E", CASES)
def test_op_gradient_matches_finite_differences(name, E):
    arrays, leaves, loss = _program(E, name)
    loss.backward()
    for k, leaf in enumerate(leaves):
        if leaf.requires_grad:
            numerical = numerical_grad(_loss_of(E, name), arrays, k)
            np.testing.assert_allclose(E.grad(leaf), numerical, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(OPS))
def test_second_backward_fails_exactly_when_package_fails(name):
    """Step 5: a node that saved values frees them; running it again is torch's error."""
    outcomes = []
    for E in (TeachingTensor, Package):
        _, _, loss = _program(E, name)
        loss.backward()
        try:
            loss.backward()
            outcomes.append("fine")
        except RuntimeError as e:
            outcomes.append(str(e))
    assert outcomes[0] == outcomes[1]


def test_retain_graph_lets_gradients_add_up_across_calls():
    results = []
    for E in (TeachingTensor, Package):
        (x1, x2), (y, _), out = seed_graph(E)
        out.backward(retain_graph=True)
        out.backward()
        results.append([E.grad(t) for t in (x1, x2, y)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(results[0][1], 37.2)


def test_errors_speak_pytorch():
    for E in (TeachingTensor, Package):
        x = E.leaf([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="implicitly created only for scalar"):
            (x * 2).backward()
        with pytest.raises(RuntimeError, match="does not require grad"):
            E.leaf([1.0]).sum().backward()


def test_leaf_flags_like_package():
    for E in (TeachingTensor, Package):
        c = E.leaf([[1.0, 2.0]])
        assert c.mean().is_leaf and not c.mean().requires_grad  # no input needs grad
        x = E.leaf([1.0], requires_grad=True)
        assert x.is_leaf and not (x * 2).is_leaf


def test_backward_with_an_explicit_gradient():
    seed = np.array([1.0, -2.0])
    grads = []
    for E in (TeachingTensor, Package):
        x = E.leaf([3.0, 4.0], requires_grad=True)
        y = x * x
        y.backward(seed if E is TeachingTensor else at.tensor(seed, dtype=at.float64))
        grads.append(E.grad(x))
    np.testing.assert_allclose(grads[0], grads[1])
    np.testing.assert_allclose(grads[0], [6.0, -16.0])


@pytest.mark.parametrize(
    "grad_shape, shape",
    [
        ((100, 32), (1, 32)),
        ((2, 3), ()),
        ((2, 3), (3,)),
        ((4, 2, 3), (2, 1)),
        ((3,), (3,)),
    ],
)
def test_unbroadcast_matches_numpy_broadcasting(grad_shape, shape, rng):
    """Summing back is the adjoint of broadcasting: <g, broadcast(v)> = <unbroadcast(g), v>."""
    g = rng.standard_normal(grad_shape)
    v = rng.standard_normal(shape)
    back = teaching.unbroadcast(g, shape)
    assert back.shape == shape
    np.testing.assert_allclose(
        (g * np.broadcast_to(v, grad_shape)).sum(), (back * v).sum(), rtol=1e-12
    )


def test_a_graph_is_freed_without_the_cyclic_collector():
    """Outputs point at nodes, nodes at inputs, never back: reference counting frees
    a finished graph (the full engine's principle 6)."""
    import gc
    import weakref

    gc.disable()
    try:
        x = teaching.Tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).exp()
        y.retain_grad()
        loss = y.sum()
        node = weakref.ref(loss.grad_fn)
        loss.backward()
        del y, loss
        assert node() is None
    finally:
        gc.enable()


def test_teaching_core_imports_nothing_from_the_full_engine():
    """Meant to be read alone: only the standard library, NumPy and its own modules."""
    folder = Path(teaching_tensor.__file__).parent
    allowed = {"heapq", "itertools", "math", "weakref", "typing", "numpy"}
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 1 or node.module in allowed, (
                    path.name,
                    node.module,
                )
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name in allowed, (path.name, alias.name)
