"""The lesson's own examples give the lesson's numbers and PyTorch's node chain."""

import numpy as np
import pytest

import autograd_tutor as at


def test_mean_example_gives_a_quarter_everywhere():
    x = at.ones(2, 2, requires_grad=True)
    y = x.mean()
    assert type(y.grad_fn).__name__ == "MeanBackward0"
    assert y.grad_fn.name() == "MeanBackward0"
    assert repr(y) == "tensor(1., grad_fn=<MeanBackward0>)"
    y.backward()
    assert repr(x.grad) == "tensor([[0.2500, 0.2500],\n        [0.2500, 0.2500]])"


@pytest.fixture
def two_inputs():
    x1 = at.ones(2, 2, requires_grad=True)
    x2 = at.tensor(1.1, requires_grad=True)
    y = x1 * (x2 + 2)
    z = y.pow(2) * 3
    out = z.mean()
    y.retain_grad()
    z.retain_grad()
    return x1, x2, y, z, out


def test_two_input_graph_has_torch_node_chain(two_inputs):
    x1, x2, y, z, out = two_inputs
    mean = out.grad_fn
    assert mean.name() == "MeanBackward0"
    ((mul3, nr),) = mean.next_functions
    assert (mul3.name(), nr) == ("MulBackward0", 0)
    assert mul3.next_functions[1] == (None, 0)  # the constant 3 needs no gradient
    pow_ = mul3.next_functions[0][0]
    assert pow_.name() == "PowBackward0"
    mul_y = pow_.next_functions[0][0]
    assert mul_y is y.grad_fn and mul_y.name() == "MulBackward0"
    acc_x1, add = (n for n, _ in mul_y.next_functions)
    assert type(acc_x1).__name__ == "AccumulateGrad" and acc_x1.variable is x1
    assert add.name() == "AddBackward0"
    assert add.next_functions[0][0].variable is x2
    assert add.next_functions[1] == (None, 0)


def test_two_input_graph_gradients(two_inputs):
    x1, x2, y, z, out = two_inputs
    out.backward()
    np.testing.assert_allclose(z.grad.numpy(), np.full((2, 2), 0.25))
    np.testing.assert_allclose(y.grad.numpy(), np.full((2, 2), 4.65), rtol=1e-6)
    np.testing.assert_allclose(x2.grad.numpy(), 18.6, rtol=1e-6)
    np.testing.assert_allclose(x1.grad.numpy(), np.full((2, 2), 14.415), rtol=1e-6)
    assert repr(x2.grad) == "tensor(18.6000)"


def test_chain_rule_by_hand_agrees(two_inputs):
    """out = mean(3 * (x1 (x2 + 2))**2): the lesson's hand derivation."""
    x1, x2, y, z, out = two_inputs
    out.backward()
    dz = 1 / 4
    dy = dz * 3 * 2 * (1 * (1.1 + 2))
    assert dy == pytest.approx(4.65)
    assert (dy * (1.1 + 2)) == pytest.approx(14.415)
    assert (4 * dy * 1) == pytest.approx(18.6)
