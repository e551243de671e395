"""The generator's issue-12 features (tests/fuzz/gen_higher.py) write what they claim,
and the comparator sees what they write: gradients of a create_graph pass with their
graphs, tangents, a forward-AD level left open by a program that stopped inside it."""

import autograd_tutor as at

from . import gen_higher
from .compare import compare, outcome
from .generator import FEATURES, generate
from .program import Step

BASE = [f for f in FEATURES if f not in gen_higher.FEATURES]


def _ops(torch, features, seeds=60):
    return {s.op for seed in range(seeds) for s in generate(seed, torch, features)}


def test_each_feature_writes_its_ops(torch):
    expected = {
        "create_graph": {"autograd.grad", "grad[i]", "of_grad", ".grad", "backward"},
        "forward_ad": {"enter_dual_level", "make_dual", "tangent", "exit_dual_level"},
        "functional": {"lambda", "jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"},
        "views": {"base", "view", "retain_grad", "add_", "copy_", "setitem", ".grad"},
    }
    for feature, ops in expected.items():
        written = _ops(torch, [*BASE, feature])
        assert ops <= written, (feature, sorted(ops - written))


def test_a_create_graph_gradient_is_compared_with_its_graph(torch, monkeypatch):
    program = [
        Step("tensor", "v0", "L.tensor([1.0, 2.0], requires_grad=True)"),
        Step("**", "v1", "({0} ** 3).sum()", ("v0",)),
        Step(
            "autograd.grad",
            "v2",
            "L.autograd.grad({0}, [{1}], create_graph=True)",
            ("v1", "v0"),
            grad="graph",
        ),
    ]
    assert compare(program, at, torch) == []
    from autograd_tutor import functions

    # a broken engine: the recorded backward of x ** 3 multiplies by 3 in another node
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return (grad * (x * x) * 3.0,)

    monkeypatch.setattr(functions.Pow, "backward", staticmethod(backward))
    diffs = compare(program, at, torch)
    assert outcome(diffs) == "cosmetic: name"
    assert diffs[0].what == "v2[0] (grad_fn)"


def test_a_program_stopped_inside_a_dual_level_leaves_none_open(torch):
    program = [
        Step("enter_dual_level", None, "L.autograd.forward_ad.enter_dual_level()"),
        Step("tensor", "v0", "L.tensor([1.0, 2.0])"),
        Step("make_dual", "v1", "L.autograd.forward_ad.make_dual({0}, {0})", ("v0",)),
        Step(
            "tangent", "v2", "L.autograd.forward_ad.unpack_dual({0}).tangent", ("v1",)
        ),
    ]  # (no exit_dual_level)
    assert compare(program, at, torch) == []
    for lib in (at, torch):
        with lib.autograd.forward_ad.dual_level():  # raises if a level were still open
            pass
