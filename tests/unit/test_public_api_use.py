"""viz and widgets read the engine through its public API only.

They draw and replay graphs of both libraries, ours and PyTorch's, so what they may read
of a tensor or a node is what a PyTorch user may read: the public names, and the few
underscore names that are PyTorch's own API (``t._version``, ``grad_fn._sequence_nr()``,
``grad_fn._saved_self``). An engine internal (``t._data``, ``node._op``) read there
would tie the pictures to today's engine and fail on PyTorch's objects.
"""

import ast
from pathlib import Path

import pytest

import autograd_tutor as at
from autograd_tutor.autograd import function

PACKAGE = Path(at.__file__).parent
READERS = sorted([*PACKAGE.glob("viz/*.py"), *PACKAGE.glob("widgets/*.py")])

# PyTorch's Python API spells these with an underscore; ours mirrors them.
TORCH_UNDERSCORE_API = {
    "tensor": ("_version", "_base"),
    "node": ("_sequence_nr", "_forward_cls"),  # _forward_cls: a custom Function's
}
SAVED_PREFIX = "_saved_"  # grad_fn._saved_self, grad_fn._saved_other, ...


def _names_of(cls):
    names = set()
    for klass in cls.__mro__:
        names.update(vars(klass))
        names.update(getattr(klass, "__slots__", ()))
    return names


def _engine_private_names():
    """The underscore attributes of the engine's tensors and nodes, those of a live
    graph's objects included."""
    x = at.ones(2, requires_grad=True)
    y = (x * 2).exp().sum()
    objects = [x, y, y.grad_fn, y.grad_fn.next_functions[0][0]]
    classes = {at.Tensor, function.Node, function.AccumulateGrad, function.OpNode}
    classes |= {function.BackwardCFunction, function.CopySlices}
    names = set().union(*(_names_of(c) for c in classes))
    for obj in objects:
        names.update(getattr(obj, "__dict__", ()))
    allowed = {n for group in TORCH_UNDERSCORE_API.values() for n in group}
    return {
        n
        for n in names
        if n.startswith("_") and not n.startswith("__") and n not in allowed
    }


def _reads(path, private):
    """``(line, name)`` for each read of an engine internal: ``obj._name`` on anything
    but ``self``/``cls``, and ``getattr``/``hasattr`` with such a name."""
    hits = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in private:
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                hits.append((node.lineno, node.attr))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in private
        ):
            hits.append((node.lineno, node.args[1].value))
    return hits


def test_the_check_knows_the_engine_internals():
    private = _engine_private_names()
    assert {"_data", "_grad", "_grad_fn", "_op"} <= private
    assert not any(n.startswith(SAVED_PREFIX) for n in private)


@pytest.mark.parametrize("path", READERS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reads_only_public_api(path):
    hits = _reads(path, _engine_private_names())
    assert not hits, f"{path.name} reads engine internals: {hits}"


def test_the_underscore_names_allowed_are_torchs(torch):
    x = torch.ones(2, requires_grad=True)
    y = (x * 2).sum()
    for name in TORCH_UNDERSCORE_API["tensor"]:
        assert hasattr(y, name), name
    assert hasattr(y.grad_fn.next_functions[0][0], "_saved_self")

    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    node = Double.apply(x).grad_fn
    for name in TORCH_UNDERSCORE_API["node"]:
        assert hasattr(node, name), name
