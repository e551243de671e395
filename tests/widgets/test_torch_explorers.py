"""The explorers on real PyTorch graphs: torch's own order and gradients, via hooks."""

import subprocess
import sys

import numpy as np
import pytest

import autograd_tutor as at

pytest.importorskip("ipywidgets")
torch = pytest.importorskip("torch")
W = at.widgets
pytestmark = pytest.mark.torch


def _seed_torch():
    x1 = torch.ones(2, 2, requires_grad=True)
    x2 = torch.tensor(1.1, requires_grad=True)
    return x1, x2, (x1 * (x2 + 2)).pow(2).mul(3).mean()


def test_backward_on_a_torch_loss_follows_torch():
    x1, x2, out = _seed_torch()
    ex = W.BackwardExplorer(out, names={"x1": x1, "x2": x2})
    # the same program on our engine gives the same order (the engine mirrors torch)
    a1 = at.ones(2, 2, requires_grad=True)
    a2 = at.tensor(1.1, requires_grad=True)
    ours = W.BackwardExplorer(
        (a1 * (a2 + 2)).pow(2).mul(3).mean(), names={"x1": a1, "x2": a2}
    )
    assert [f.node for f in ex.frames] == [f.node for f in ours.frames]
    assert ex.frames[0].node == "MeanBackward0" and ex.frames[0].rule.startswith("y =")
    # gradients: what torch computes on a fresh copy
    y1, y2, fresh = _seed_torch()
    g1, g2 = torch.autograd.grad(fresh, (y1, y2))
    last = ex.frames[-1].leaf_grads
    np.testing.assert_allclose(last["x1"], g1.numpy(), rtol=1e-6)
    np.testing.assert_allclose(last["x2"], g2.numpy(), rtol=1e-6)
    np.testing.assert_allclose(x1.grad.numpy(), g1.numpy())  # it ran backward()
    # what PowBackward0 received is d out / d (pow's output), as torch says
    z1, z2, _ = _seed_torch()
    p = (z1 * (z2 + 2)).pow(2)
    (gp,) = torch.autograd.grad(p.mul(3).mean(), p)
    pow_frame = next(f for f in ex.frames if f.node == "PowBackward0")
    np.testing.assert_allclose(pow_frame.grads_in[0], gp.numpy(), rtol=1e-6)
    # a constant's slot sends nothing, leaves have no sequence number
    mul3 = ex.frames[1]
    assert mul3.slots[1].target is None and mul3.slots[1].grad is None
    assert ex.data["frames"][4]["seq"] is None
    assert "MeanBackward0" in repr(ex)


def test_torch_module_parameters_are_named():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU())
    loss = model(torch.randn(5, 3)).pow(2).sum()
    ex = W.BackwardExplorer(loss, names={"model": model})
    leaves = {f.leaf for f in ex.frames if f.leaf}
    assert leaves == {"model.0.weight", "model.0.bias"}
    np.testing.assert_allclose(
        ex.frames[-1].leaf_grads["model.0.weight"], model[0].weight.grad.numpy()
    )


def test_forward_with_torch_tensors_records_torch_ops():
    x1, x2, _ = _seed_torch()
    code = "(x1 * (x2 + 2)).pow(2).mul(3).mean()"
    ex = W.ForwardExplorer(
        lambda: (x1 * (x2 + 2)).pow(2).mul(3).mean(), names=locals(), code=code
    )
    assert [f.op for f in ex.frames] == ["Add", "Mul", "Pow", "Mul", "Mean"]
    assert [f.node for f in ex.frames][:2] == ["AddBackward0", "MulBackward0 #2"]
    assert ex.frames[0].inputs == ("x2 []", "2")
    assert code[slice(*ex.frames[2].code_span)] == ".pow(2)"
    assert repr(ex).endswith("loss = 28.83")
    assert ex.data["graph"]["svg"]


def test_without_torch_the_message_is_clear():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from autograd_tutor.widgets import torch_recorders as T\n"
        "assert not T.is_torch_tensor(1.0)\n"
        "try:\n"
        "    T._torch()\n"
        "except ImportError as e:\n"
        "    assert 'pip install torch' in str(e), e\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_not_a_tensor_says_what_is_needed():
    with pytest.raises(TypeError, match="autograd_tutor tensor or a torch tensor"):
        W.BackwardExplorer(3.0)
