"""Tensor creation, dtypes, shapes, conversions and repr."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_tutor as at


def test_factories_shapes_and_dtypes():
    assert at.zeros(2, 3).shape == (2, 3) and at.zeros((2, 3)).dtype == at.float32
    assert at.ones([4]).tolist() == [1.0] * 4
    assert (
        at.arange(3).dtype == at.int64 and at.arange(0.0, 1.0, 0.5).dtype == at.float32
    )
    assert at.tensor([1, 2]).dtype == at.int64
    assert at.tensor([1, 2.5]).dtype == at.float32
    assert at.tensor([True]).dtype == at.bool
    assert at.tensor(np.ones(2)).dtype == at.float64
    assert at.full((2,), 3.0).tolist() == [3.0, 3.0]
    x = at.randn(2, 3, dtype=at.float64)
    assert at.zeros_like(x).dtype == at.float64 and at.ones_like(x).shape == (2, 3)
    assert at.randn_like(x).shape == (2, 3) and at.rand_like(x).shape == (2, 3)
    assert at.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_manual_seed_makes_randn_reproducible():
    at.manual_seed(42)
    a = at.randn(3)
    at.manual_seed(42)
    assert at.randn(3).tolist() == a.tolist()
    assert 0 <= at.rand(100).min().item() and at.rand(100).max().item() < 1


def test_shape_queries():
    x = at.ones(2, 3, 4)
    assert (
        x.size() == (2, 3, 4) and x.size(-1) == 4 and x.dim() == 3 and x.numel() == 24
    )
    assert repr(x.shape) == "at.Size([2, 3, 4])"
    assert x.ndim == 3 and len(x) == 2


def test_conversions():
    x = at.tensor([[1.5, 2.0]])
    assert x.tolist() == [[1.5, 2.0]]
    assert isinstance(x.numpy(), np.ndarray)
    assert at.tensor(3.5).item() == 3.5 and float(at.tensor(2.0)) == 2.0
    assert f"{at.tensor(1.23456):.2f}" == "1.23"
    assert x.double().dtype == at.float64 and x.long().dtype == at.int64
    d = x.detach()
    assert d.numpy() is x.numpy() or np.shares_memory(d.numpy(), x.numpy())


def test_detach_is_cut_from_the_graph():
    x = at.ones(2, requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None


def test_requires_grad_setter_rules():
    x = at.ones(2)
    x.requires_grad = True
    assert x.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        at.arange(3).requires_grad = True


def test_comparisons_give_bool_tensors():
    x = at.tensor([1.0, -1.0])
    assert (x > 0).tolist() == [True, False] and (x == 1).dtype == at.bool


finite = st.floats(-1e6, 1e6, allow_nan=False, width=32)
interesting = st.one_of(
    finite,
    st.sampled_from(
        [0.0, 1.0, -2.0, 0.5, 1e-5, 123456.0, 1e9, float("nan"), float("inf")]
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    arr=hnp.arrays(
        np.float32,
        hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
        elements=interesting,
    ),
    requires_grad=st.booleans(),
)
def test_repr_matches_torch_floats(arr, requires_grad, torch):
    t = torch.tensor(arr, requires_grad=requires_grad)
    a = at.tensor(arr, requires_grad=requires_grad)
    assert repr(a) == repr(t).replace("torch.", "at.")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    arr=hnp.arrays(
        st.sampled_from([np.int64, np.float64, np.bool_]),
        hnp.array_shapes(min_dims=0, max_dims=2, max_side=5),
    )
)
def test_repr_matches_torch_other_dtypes(arr, torch):
    if arr.dtype == np.float64:
        arr = np.nan_to_num(arr, nan=0.0, posinf=1.0, neginf=-1.0)
    assert repr(at.tensor(arr)) == repr(torch.tensor(arr)).replace("torch.", "at.")


@pytest.mark.parametrize(
    "shape", [(2000,), (40, 40), (3, 400), (0,), (2, 0), (1, 1, 1)]
)
def test_repr_summaries_match_torch(shape, torch):
    arr = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) / 7
    assert repr(at.tensor(arr)) == repr(torch.tensor(arr)).replace("torch.", "at.")


def test_repr_with_grad_fn():
    x = at.ones(2, requires_grad=True)
    assert repr(x * 2) == "tensor([2., 2.], grad_fn=<MulBackward0>)"
    assert repr(at.tensor(28.83)) == "tensor(28.8300)"


def test_tensor_class_constructor_like_torch(torch):
    for args in [([1, 2],), (), ([[1.5]],)]:
        assert repr(at.Tensor(*args)) == repr(torch.Tensor(*args)).replace(
            "torch.", "at."
        )
    # with sizes torch leaves the memory uninitialised; ours is zeros: compare the rest
    ours, theirs = at.Tensor(2, 3), torch.Tensor(2, 3)
    assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype) == "at.float32"
    assert ours.tolist() == [[0.0] * 3] * 2
