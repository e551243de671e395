"""Random expressions (drawn by hypothesis) built in the teaching core and in the full
engine: the same values, gradients, graph and backward steps, and gradients that match
finite differences."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .engines import (
    Package,
    PackageZeroD,
    TeachingScalar,
    TeachingTensor,
    assert_same_trace,
    numerical_grad,
    trace,
)

LEAF_SHAPES = [(2, 3), (1, 3), (2, 1), (3,), ()]

# op name -> (number of operands, program); programs use only the API both engines share
UNARY = {
    "neg": lambda a: -a,
    "pow2": lambda a: a.pow(2),
    "pow3": lambda a: a**3,
    "exp": lambda a: a.tanh().exp(),  # tanh first: values stay moderate
    "log": lambda a: (a * a + 1).log(),
    "tanh": lambda a: a.tanh(),
    "relu": lambda a: a.relu(),
    "add_number": lambda a: a + 1.5,
    "radd_number": lambda a: 1.5 + a,
    "sub_number": lambda a: a - 0.5,
    "rsub_number": lambda a: 0.5 - a,
    "mul_number": lambda a: a * -2.0,
    "rmul_number": lambda a: 3.0 * a,
    "div_number": lambda a: a / 4.0,
    "rdiv_number": lambda a: 2.0 / (a * a + 1),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
}
TENSOR_ONLY = {  # (program, shape of the result from the input's shape)
    "clamp": (lambda a: a.clamp(min=0), lambda s: s),
    "sum0": (lambda a: a.sum(0), lambda s: s[1:]),
    "sum0_keepdim": (lambda a: a.sum(0, keepdim=True), lambda s: (1,) + s[1:]),
    "mean_last_keepdim": (lambda a: a.mean(-1, keepdim=True), lambda s: s[:-1] + (1,)),
    "sum_all": (lambda a: a.sum(), lambda s: ()),
    "mean_all": (lambda a: a.mean(), lambda s: ()),
    "mm": (None, lambda s: (s[0], 3)),  # a matrix (r, k) times a new (k, 3) leaf
}


def _broadcast(s, t):
    try:
        return np.broadcast_shapes(s, t)
    except ValueError:
        return None


@st.composite
def programs(draw, scalar):
    """A random program: leaves (shape, requires_grad) and a list of steps, each
    (op, operand positions), using only shapes that broadcast together."""
    n_leaves = draw(st.integers(1, 3))
    shapes = [
        () if scalar else draw(st.sampled_from(LEAF_SHAPES)) for _ in range(n_leaves)
    ]
    flags = [True] + [draw(st.booleans()) for _ in range(n_leaves - 1)]
    pool = list(zip(shapes, flags))  # (shape, requires grad) of every value so far
    steps = []
    ops = list(UNARY) + list(BINARY) + ([] if scalar else [*TENSOR_ONLY, "mm", "mm"])
    for _ in range(draw(st.integers(1, 7))):
        op = draw(st.sampled_from(ops))
        i = draw(st.integers(0, len(pool) - 1))
        shape, rg = pool[i]
        if op in BINARY:
            partners = [
                j for j, (s, _) in enumerate(pool) if _broadcast(shape, s) is not None
            ]
            j = draw(st.sampled_from(partners))
            steps.append((op, (i, j)))
            pool.append((_broadcast(shape, pool[j][0]), rg or pool[j][1]))
        elif op in TENSOR_ONLY:
            if op == "mm" and len(shape) != 2 or op != "mm" and len(shape) < 1:
                continue
            steps.append((op, (i,)))
            pool.append((TENSOR_ONLY[op][1](shape), True if op == "mm" else rg))
        else:
            steps.append((op, (i,)))
            pool.append((shape, rg))
    seed = draw(st.integers(0, 2**16))
    return shapes, flags, steps, seed


def run(E, program, arrays=None):
    """Build the program in engine ``E``; returns (data arrays, leaves, loss)."""
    shapes, flags, steps, seed = program
    rng = np.random.default_rng(seed)
    if arrays is None:
        arrays = [rng.standard_normal(s) for s in shapes]
    else:
        for s in shapes:
            rng.standard_normal(s)
    leaves = [E.leaf(a, requires_grad=f) for a, f in zip(arrays, flags)]
    pool = list(leaves)
    for op, args in steps:
        if op in UNARY:
            pool.append(UNARY[op](pool[args[0]]))
        elif op in BINARY:
            pool.append(BINARY[op](pool[args[0]], pool[args[1]]))
        elif op == "mm":
            weight = E.leaf(
                rng.standard_normal((pool[args[0]].shape[1], 3)), requires_grad=True
            )
            leaves.append(weight)
            pool.append(pool[args[0]].mm(weight))
        else:
            pool.append(TENSOR_ONLY[op][0](pool[args[0]]))
    out = next(v for v in reversed(pool) if v.requires_grad)
    if E.scalar:
        return arrays, leaves, out * 0.7
    return arrays, leaves, (out * E.leaf(rng.standard_normal(out.shape))).sum()


def _check(E, P, program):
    _, ours_leaves, ours = run(E, program)
    _, pk_leaves, pk = run(P, program)
    np.testing.assert_allclose(E.value(ours), P.value(pk), rtol=1e-10, atol=1e-12)
    assert_same_trace(
        trace(ours, ours_leaves, E.steps(ours)),
        trace(pk, pk_leaves, P.steps(pk)),
        rtol=1e-9,
        atol=1e-10,
    )
    for a, b in zip(ours_leaves, pk_leaves):
        ga, gb = E.grad(a), P.grad(b)
        assert (ga is None) == (gb is None)
        if ga is not None:
            np.testing.assert_allclose(ga, gb, rtol=1e-9, atol=1e-10)

    # finite differences on the teaching core itself (the leaves drawn from data)
    arrays = run(E, program)[0]

    def loss_of(arrs):
        return run(E, program, arrs)[2].item()

    for k, leaf in enumerate(ours_leaves[: len(arrays)]):
        if leaf.requires_grad:
            g = np.asarray(E.grad(leaf)) if leaf.grad is not None else 0.0
            numerical = numerical_grad(loss_of, arrays, k)
            scale = max(1.0, float(np.abs(numerical).max()))
            np.testing.assert_allclose(g, numerical, rtol=1e-5, atol=1e-5 * scale)


SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(programs(scalar=False))
def test_generated_tensor_programs_match_package(program):
    _check(TeachingTensor, Package, program)


@SETTINGS
@given(programs(scalar=True))
def test_generated_scalar_programs_match_package(program):
    _check(TeachingScalar, PackageZeroD, program)
