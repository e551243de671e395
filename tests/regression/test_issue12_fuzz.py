"""Issue 12: what the fuzzer's higher-order features found (tests/fuzz/gen_higher.py),
each as the few-line program of the seed that exposed it, run in lock step on torch
2.13 and autograd_tutor.

Each case takes the library module ``L`` and returns what to compare (see
``lockstep.observe``); ``graph(t, leaves)`` is the whole ``grad_fn`` graph of ``t``
(node names and edges, leaves by position), as the fuzzer compares it.
"""

import pytest

from ..conformance.graph_signature import signature
from .lockstep import assert_same


def graph(t, leaves):
    return signature(t.grad_fn, leaves)


# ----------------------------------------------------------------------------------------
# create_graph=True: the double-backward graph


def saved_input_of_another_dtype(L):
    # fuzz seed 220: a float32 input saved by a float64 mul is used as it is in the
    # recorded backward (torch promotes inside the mul), not through ToCopyBackward0
    a = L.tensor([1.0, 2.0], requires_grad=True)
    b = L.tensor([3.0, 4.0], dtype=L.float64, requires_grad=True)
    ga, gb = L.autograd.grad((a * b).sum(), [a, b], create_graph=True)
    return ga, gb, graph(ga, [a, b]), graph(gb, [a, b])


def saved_input_of_another_dtype_pow(L):
    # fuzz seed 7: the same through pow (both inputs saved, one cast)
    a = L.tensor([[1.0, 1.8], [0.3, 1.9]], requires_grad=True)
    b = L.tensor([[-0.7, 0.4], [1.8, 0.7]], dtype=L.float64, requires_grad=True)
    (a.pow(b).clamp(max=1.5)).sum().backward(create_graph=True)
    return a.grad, b.grad, graph(a.grad, [a, b]), graph(b.grad, [a, b])


CASES = [saved_input_of_another_dtype, saved_input_of_another_dtype_pow]


@pytest.mark.parametrize("case", CASES, ids=lambda f: f.__name__)
def test_same_as_torch(torch, case):
    import autograd_tutor as at

    assert_same(torch, at, case)
