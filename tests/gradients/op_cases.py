"""How to exercise every op in ``functions.REGISTRY`` for finite-difference checks.

Each case: node name -> (shape strategy, function of float64 leaf tensors[, gradcheck
options]). The
registry-coverage test fails if an op is registered without a case here (or in the
``NN_OP_CASES`` of tests/nn), so no op lands without gradient coverage.
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_tutor as at

small = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
matrix = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4)
wide = hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=4)


@st.composite
def one(draw, shapes=small):
    return [draw(shapes)]


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast together (sizes of 1 and missing leading dims)."""
    shape = draw(small)
    other = list(draw(hnp.broadcastable_shapes(shape, min_dims=0, max_dims=3)))
    return [shape, tuple(other)] if draw(st.booleans()) else [tuple(other), shape]


@st.composite
def mm_pair(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    return [(n, k), (k, m)]


@st.composite
def mv_pair(draw):
    n, k = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return [(n, k), (k,)]


@st.composite
def dot_pair(draw):
    k = draw(st.integers(1, 5))
    return [(k,), (k,)]


@st.composite
def bmm_pair(draw):
    b, n, k, m = (draw(st.integers(1, 3)) for _ in range(4))
    return [(b, n, k), (b, k, m)]


def _positive(t):
    return t * t + 0.5


def _dim(t, k=0):
    return k % t.ndim


def _away_from_kinks(t):
    """Shift values away from 0 so |x|, relu and clamp are differentiable there."""
    return t + 0.01 * (t._data >= 0).astype(np.float64) - 0.01 * (t._data < 0)


def _distinct(t):
    """Values whose order a finite-difference step cannot change: ``0.01 * t`` plus a
    constant that puts the elements 0.1 apart in a fixed shuffled order, so max/min
    have one clear winner. (Two random normals 1e-7 apart swap under the 1e-6 step,
    and the numerical gradient, not the analytical one, is then wrong.)"""
    order = np.random.default_rng(t.numel()).permutation(t.numel())
    return t * 0.01 + at.tensor(order.reshape(t.shape) * 0.1, dtype=at.float64)


def _index_put(a, b):
    """x[[0]] = values (IndexPutBackward0): the gradient of x at the overwritten
    positions goes to the values, elsewhere to a."""
    x = a.reshape(-1) * 1.0
    x[[0]] = b.reshape(-1)[0:1].exp()
    return x * a.reshape(-1)


def _as_strided(a):
    """A view whose base changed in place is derived again (AsStridedBackward0)."""
    b = a * 1.0
    v = b.view(-1)
    b.mul_(a)
    return v * 3


def _pieces(views):
    """The views of unbind/split/chunk, each squared and weighted differently; the last
    one unused when there are several (the node fills its gradient with zeros)."""
    used = views[:-1] if len(views) > 1 else views
    return at.stack([(v * v).sum() * (k + 1) for k, v in enumerate(used)])


def _gradient(f):
    """The gradient of f, recorded (create_graph=True): a function whose graph holds
    the ops that backward formulas use, such as MulBackward1."""

    def grad_of_f(a):
        with at.enable_grad():  # (finite differences evaluate it under no_grad)
            if not a.requires_grad:
                a.requires_grad_()
            (g,) = at.autograd.grad(f(a).sum(), a, create_graph=True)
        return g

    return grad_of_f


def _squared_gradients(f, times):
    """The gradient of the gradient's square, ``times`` deep: each backward formula's
    own backward is recorded (the upstream gradient depends on the input)."""
    for _ in range(times):
        f = _gradient(lambda a, f=f: f(a) ** 2)
    return f


OP_CASES = {
    "AddBackward0": (broadcast_pair(), lambda a, b: a.add(b, alpha=1.5)),
    "SubBackward0": (broadcast_pair(), lambda a, b: a - b),
    "RsubBackward1": (one(), lambda a: 2 - a),
    "MulBackward0": (broadcast_pair(), lambda a, b: a * b),
    "MulBackward1": (one(), _gradient(lambda a: a**3)),
    "DivBackward1": (one(), _gradient(lambda a: a.mean(dim=-1) ** 2)),
    "DivBackward0": (broadcast_pair(), lambda a, b: a / _positive(b)),
    "ReciprocalBackward0": (one(), lambda a: _positive(a).reciprocal()),
    "NegBackward0": (one(), lambda a: -a),
    "PowBackward0": (one(), lambda a: a**3),
    "PowBackward1": (broadcast_pair(), lambda a, b: _positive(a) ** b),
    "PowBackward2": (one(), lambda a: 1.7**a),
    "ExpBackward0": (one(), lambda a: a.exp()),
    "LogBackward0": (one(), lambda a: _positive(a).log()),
    "SqrtBackward0": (one(), lambda a: _positive(a).sqrt()),
    "AbsBackward0": (one(), lambda a: _away_from_kinks(a).abs()),
    "TanhBackward0": (one(), lambda a: a.tanh()),
    "SigmoidBackward0": (one(), lambda a: a.sigmoid()),
    "ReluBackward0": (one(), lambda a: _away_from_kinks(a).relu()),
    "ClampBackward1": (one(), lambda a: _away_from_kinks(a).clamp(min=0)),
    "ClampBackward0": (
        broadcast_pair(),
        lambda a, b: a.clamp(min=b - 0.3, max=b + 0.3),
    ),
    "SumBackward0": (one(), lambda a: a.sum()),
    "SumBackward1": (one(), lambda a: a.sum(dim=_dim(a, 1), keepdim=a.ndim > 1)),
    "MeanBackward0": (one(), lambda a: a.mean()),
    "MeanBackward1": (one(), lambda a: a.mean(dim=-1)),
    "MaxBackward1": (one(), lambda a: _distinct(a).max()),
    "MinBackward1": (one(), lambda a: _distinct(a).min()),
    "MaxBackward0": (one(), lambda a: _distinct(a).max(dim=0).values),
    "MinBackward0": (one(), lambda a: _distinct(a).min(dim=-1, keepdim=True).values),
    "MmBackward0": (mm_pair(), lambda a, b: a.mm(b)),
    "MvBackward0": (mv_pair(), lambda a, b: a @ b),
    "DotBackward0": (dot_pair(), lambda a, b: a @ b),
    "BmmBackward0": (bmm_pair(), lambda a, b: a @ b),
    "ViewBackward0": (one(), lambda a: a.view(-1)),
    "UnsafeViewBackward0": (one(wide), lambda a: a.t().reshape(-1)),
    "ReshapeAliasBackward0": (one(wide), lambda a: a.t().reshape(*a.t().shape, 1)),
    "SqueezeBackward0": (one(), lambda a: a.unsqueeze(0).squeeze()),
    "SqueezeBackward1": (one(), lambda a: a.unsqueeze(1).squeeze(1)),
    "SqueezeBackward2": (one(), lambda a: a.unsqueeze(0).squeeze((0, -1))),
    "SqueezeBackward4": (one(matrix), lambda a: a[0] @ a.t()),
    "UnsqueezeBackward0": (one(), lambda a: a.unsqueeze(-1)),
    "ExpandBackward0": (one(), lambda a: a.expand(2, *a.shape)),
    "TBackward0": (one(matrix), lambda a: a.t()),
    "TransposeBackward0": (one(), lambda a: a.transpose(0, -1)),
    "PermuteBackward0": (one(), lambda a: a.permute(*reversed(range(a.ndim)))),
    "CloneBackward0": (one(), lambda a: a.clone()),
    "StackBackward0": (one(), lambda a: at.stack([a, a * a, a], dim=-1)),
    "AliasBackward0": (one(), lambda a: a[..., :]),
    "UnbindBackward0": (one(), lambda a: _pieces(a.unbind(-1))),
    "SplitBackward0": (one(), lambda a: _pieces(a.split(2))),
    "SplitWithSizesBackward0": (
        one(),
        lambda a: _pieces(a.split([1, a.shape[-1] - 1], dim=-1)),
    ),
    "CatBackward0": (one(), _gradient(lambda a: a.split(1)[0] ** 3)),
    # float32 in the middle: finite differences need a coarser step and tolerance
    "ToCopyBackward0": (
        one(),
        lambda a: a.float().double() * 1.0,
        dict(eps=1e-3, atol=1e-2),
    ),
    "SelectBackward0": (one(), lambda a: a[0]),
    "SliceBackward0": (one(), lambda a: a[::2]),
    "IndexBackward0": (one(), lambda a: a[at.tensor([0, 0, a.shape[0] - 1])]),
    "ZeroBackward0": (one(), lambda a: (a * 1.0).zero_() + a),
    "FillBackward2": (one(), lambda a: (a * 1.0).fill_(2.0) * a),
    "FillBackward3": (one(), lambda a: (a * 1.0).fill_(a.sum()) * a),
    "CopyBackwards": (broadcast_pair(), lambda a, b: (a * 1.0 + b * 0).copy_(a * b)),
    "IndexPutBackward0": (one(), lambda a: _index_put(a, a)),
    "AsStridedBackward0": (one(), _as_strided),
    # the backward formulas that are ops, reached through a recorded gradient
    "ThresholdBackwardBackward0": (
        one(),
        _gradient(lambda a: _away_from_kinks(a).relu() ** 2),
    ),
    "TanhBackwardBackward0": (one(), _gradient(lambda a: a.tanh())),
    "SigmoidBackwardBackward0": (one(), _gradient(lambda a: a.sigmoid())),
    "AddBackward1": (one(), _gradient(_gradient(lambda a: a.sigmoid()))),
    "SubBackward1": (one(), _gradient(lambda a: _positive(a) ** a)),
    "WhereBackward0": (
        one(),
        _gradient(lambda a: _away_from_kinks(a).clamp(min=0) ** 2),
    ),
    "SgnBackward0": (one(), _gradient(lambda a: _away_from_kinks(a).abs() * a)),
    "SelectBackwardBackward0": (one(), _gradient(lambda a: a[0] ** 2)),
    "SliceBackwardBackward0": (one(), _gradient(lambda a: a[::2] ** 2)),
    "ScatterBackward0": (
        one(),
        _gradient(lambda a: _distinct(a).max(dim=0).values ** 2),
    ),
    "GatherBackward0": (
        one(),
        _squared_gradients(lambda a: _distinct(a).max(dim=0).values, 2),
    ),
    "ScatterAddBackward0": (
        one(),
        _squared_gradients(lambda a: _distinct(a).min(dim=-1).values, 3),
    ),
    "MaskedFillBackward1": (one(), _gradient(lambda a: _distinct(a).max() ** 2)),
    "MaskedSelectBackward0": (
        one(),
        _squared_gradients(lambda a: _distinct(a).min(), 2),
    ),
    "MaskedScatterBackward0": (
        one(),
        _squared_gradients(lambda a: _distinct(a).min(), 3),
    ),
    "MaskedScatterBackwardBackward0": (
        one(),
        _squared_gradients(lambda a: _distinct(a).max(), 4),
    ),
    "IndexPutImplBackward0": (
        one(),
        _gradient(lambda a: a[at.tensor([0, 0, a.shape[0] - 1])] ** 2),
    ),
}
