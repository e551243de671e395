"""Recorders: run the real engine once and snapshot what it did into frames.

There is no second backprop here. The forward recorder listens to
``at.autograd.graph.record_forward``; the backward recorder drains the very generator
``loss.backward()`` drains (``at.autograd.iter_backward_for``); the update and training
recorders run the lesson's own loop. Arrays are copied into read-only frames because
``.grad`` is accumulated in place.

>>> problem = blog_network()
>>> [f.op for f in record_forward_frames(problem)[0]]
['Mm', 'Add', 'Clamp', 'Mm', 'Add', 'Sub', 'Pow', 'Sum']
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import autograd_tutor as at
from autograd_tutor.autograd.function import AccumulateGrad
from autograd_tutor.functions import REGISTRY
from autograd_tutor.viz.spec import to_numpy

from .model import (
    BackwardFrame,
    Contribution,
    ForwardFrame,
    Slot,
    TrainingFrame,
    UpdateFrame,
    frozen_array,
)

BLOG_CODE = (
    "y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)\n"
    "loss = (y_pred - y).pow(2).sum()"
)

SEED_CODE = "y = x1 * (x2 + 2)\nz = y.pow(2) * 3\nout = z.mean()"


@dataclass
class Problem:
    """A loss to explore: the forward pass as a closure, plus names for the picture.

    Attributes:
        loss_fn: runs the forward pass and returns a scalar loss tensor.
        params: ``{name: leaf tensor}`` the update and training explorers change.
        names: ``{name: tensor}`` used to label leaves (and data) in frames and pictures.
        code: the source of the forward pass, shown with each op highlighted.
        lr: the learning rate of the update.
    """

    loss_fn: Callable
    params: dict
    names: dict = field(default_factory=dict)
    code: str = ""
    lr: float = 1e-4

    def __post_init__(self):
        self.names = {**self.names, **self.params}


def blog_network(seed=0, n=100, d_in=3, d_hidden=32, d_out=1, lr=1e-4):
    """The lesson's network: 100 points, 3 inputs, 32 hidden ReLUs, 1 output.

    The data and the initial weights are drawn after ``at.manual_seed(seed)``, so the
    same seed always gives the same numbers.

    >>> p = blog_network()
    >>> sorted(p.params), tuple(p.params["w1"].shape)
    (['b1', 'b2', 'w1', 'w2'], (3, 32))
    """
    at.manual_seed(seed)
    x = at.randn(n, d_in)
    y = x[:, 0:1] * 0.2 - x[:, 1:2] * 1.3 - x[:, 2:3] * 0.5 + at.randn(n, 1)
    w1 = at.randn(d_in, d_hidden, requires_grad=True)
    w2 = at.randn(d_hidden, d_out, requires_grad=True)
    b1 = at.zeros(1, d_hidden, requires_grad=True)
    b2 = at.zeros(1, d_out, requires_grad=True)

    def loss_fn():
        y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
        return (y_pred - y).pow(2).sum()

    params = {"w1": w1, "b1": b1, "w2": w2, "b2": b2}
    return Problem(loss_fn, params, {"x": x, "y": y}, BLOG_CODE, lr)


def seed_example():
    """The lesson's "digging deeper" graph: ``out = mean(3 * (x1 * (x2 + 2))**2)``.

    Returns the problem (parameters ``x1`` 2x2 of ones and ``x2 = 1.1``). After
    ``out.backward()``: ``x2.grad`` is 18.6 and ``x1.grad`` 14.415 everywhere.
    """
    x1 = at.ones(2, 2, requires_grad=True)
    x2 = at.tensor(1.1, requires_grad=True)

    def loss_fn():
        y = x1 * (x2 + 2)
        z = y.pow(2) * 3
        return z.mean()

    return Problem(loss_fn, {"x1": x1, "x2": x2}, {}, SEED_CODE, 0.1)


def as_problem(loss_fn=None, params=None, names=None, code="", lr=None):
    """Build a ``Problem`` from explorer arguments (``None`` -> the blog network)."""
    if loss_fn is None:
        problem = blog_network()
        if lr is not None:
            problem.lr = lr
        return problem
    names = {k: v for k, v in (names or {}).items() if isinstance(v, at.Tensor)}
    if params is None:
        params = {k: v for k, v in names.items() if v.requires_grad and v.is_leaf}
    return Problem(loss_fn, dict(params), names, code, 1e-4 if lr is None else lr)


# ----------------------------------------------------------------------------------------
# Naming nodes: deterministic ids from traversal order, never id()


def is_accumulate(node):
    """Whether ``node`` is a leaf's ``AccumulateGrad`` (ours or torch's)."""
    return isinstance(node, AccumulateGrad) or node.name().endswith("AccumulateGrad")


def sequence_nr(node):
    """The node's sequence number (torch exposes it as a method; leaves: inf)."""
    if is_accumulate(node):
        return float("inf")
    s = node._sequence_nr
    return float(s() if callable(s) else s)


class GraphNames:
    """Deterministic ids and readable labels for the nodes reachable from ``roots``.

    Ids are ``n0, n1, ...`` in breadth-first order from the first root. Leaves are
    labelled ``AccumulateGrad(w1)`` with the name found in ``names`` (by identity), or
    ``leaf0, leaf1, ...`` in traversal order. Op nodes whose name occurs twice (two
    ``MmBackward0``) get the forward position of their op: ``MmBackward0 #4``.
    """

    def __init__(self, roots, names=None):
        by_identity = {id(t): k for k, t in (names or {}).items()}
        self.ids, self.labels, self.leaves = {}, {}, {}
        order, queue = [], [r for r in roots if r is not None]
        for r in queue:
            self.ids.setdefault(r, f"n{len(self.ids)}")
        i = 0
        while i < len(queue):
            node = queue[i]
            i += 1
            order.append(node)
            for nxt, _ in node.next_functions:
                if nxt is not None and nxt not in self.ids:
                    self.ids[nxt] = f"n{len(self.ids)}"
                    queue.append(nxt)
        ops = sorted((n for n in order if not is_accumulate(n)), key=sequence_nr)
        count = defaultdict(int)
        for n in ops:
            count[n.name()] += 1
        for pos, n in enumerate(ops, 1):
            name = n.name()
            self.labels[n] = f"{name} #{pos}" if count[name] > 1 else name
        n_unnamed = 0
        for n in order:
            if is_accumulate(n):
                leaf = by_identity.get(id(n.variable))
                if leaf is None:
                    leaf = f"leaf{n_unnamed}"
                    n_unnamed += 1
                self.leaves[n] = leaf
                self.labels[n] = f"AccumulateGrad({leaf})"

    def label(self, node):
        return self.labels.get(node, node.name())


ACCUMULATE_RULE = (
    "leaf.grad += incoming gradient  (gradients add up across backward calls)"
)


def rule_from_doc(doc):
    """The first paragraph of an op's docstring, on one line."""
    return " ".join(doc.strip().split("\n\n")[0].split())


def local_rule(node):
    """The local derivative of a node in one line, from its op's docstring."""
    if is_accumulate(node):
        return ACCUMULATE_RULE
    op = REGISTRY.get(node.name())  # a built-in op: its docstring has the maths
    function = getattr(node, "_forward_cls", None)  # a custom Function's (torch's name)
    if op is not None:
        doc = op.__doc__
    elif function is not None:
        doc = function.__doc__ or "your Function's backward()"
    else:
        doc = None
    if not doc:
        return "see the op's backward()"
    return rule_from_doc(doc)


# ----------------------------------------------------------------------------------------
# Forward


_OP_TOKENS = {
    "Mm": (r"\.mm\(", r"@"),
    "Matmul": (r"\.matmul\(", r"@"),
    "Add": (r"\.add\(", r"(?<![+])\+(?![+=])"),
    "Sub": (r"\.sub\(", r" - "),
    "Rsub": (r" - ",),
    "Mul": (r"\.mul\(", r"(?<![*])\*(?![*=])"),
    "Div": (r"\.div\(", r"/"),
    "Pow": (r"\.pow\(", r"\*\*"),
    "Neg": (r"\.neg\(", r"-(?=[\w(])"),
}


def _span_of(code, start):
    """End of a method call starting at ``start`` (the dot): its matching ')'."""
    depth = 0
    for j in range(start, len(code)):
        if code[j] == "(":
            depth += 1
        elif code[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(code)


def code_spans(code, op_names):
    """Best-effort ``(start, end)`` of each op in ``code`` (``None`` when not found).

    Looks for the first unused ``.name(`` (or the op's operator) from the start of the
    line of the previous op's match, then anywhere: ops run line by line, and within a
    line chains like ``x.mm(w1).add(b1)`` run left to right, while in nested
    expressions like ``x1 * (x2 + 2)`` the ``+`` runs before the ``*``.

    >>> code_spans("(a - b).pow(2).sum()", ["Sub", "Pow", "Sum"])
    [(2, 5), (7, 14), (14, 20)]
    """
    spans, used, cursor = [], set(), 0
    for name in op_names:
        patterns = _OP_TOKENS.get(name, (re.escape("." + name.lower() + "("),))
        found = None
        for lo in (cursor, 0):
            hits = []
            for pat in patterns:
                for m in re.finditer(pat, code[lo:]):
                    s = lo + m.start()
                    e = _span_of(code, s) if code[s] == "." else lo + m.end()
                    if (s, e) not in used:
                        hits.append((s, e))
            if hits:
                found = min(hits)
                break
        spans.append(found)
        if found is not None:
            used.add(found)
            cursor = code.rfind("\n", 0, found[0]) + 1
    return spans


def _describe(value, by_identity):
    if hasattr(value, "shape") and hasattr(value, "grad_fn"):
        name = by_identity.get(id(value))
        shape = list(value.shape)
        return f"{name} {shape}" if name else f"tensor {shape}"
    return repr(value)


def record_forward_frames(problem):
    """Run the forward pass once, recording each op.

    Returns ``(frames, records, loss, names)``: ``records[i]`` is the engine's
    ``ForwardRecord`` of op ``i`` (``records[:i + 1]`` is the picture of frame ``i``),
    ``names`` a ``GraphNames`` over the finished graph.
    """
    with at.autograd.graph.record_forward() as records:
        loss = problem.loss_fn()
    return frames_from_records(records, loss, problem)


def frames_from_records(records, loss, problem):
    """Frames from ``ForwardRecord``s (ours, or torch's ops recorded the same way)."""
    names = GraphNames([loss.grad_fn], problem.names)
    by_identity = {id(t): k for k, t in problem.names.items()}
    spans = code_spans(problem.code, [r.name for r in records]) if problem.code else []
    frames = []
    for i, r in enumerate(records):
        node = r.output.grad_fn
        params = ", ".join(
            f"{k}={v}"
            for k, v in r.params.items()
            if v is not None and not (k == "alpha" and v == 1)
        )
        frames.append(
            ForwardFrame(
                index=i,
                op=r.name,
                node=names.label(node) if node is not None else None,
                inputs=tuple(_describe(v, by_identity) for v in r.inputs),
                params=params,
                code_span=spans[i] if i < len(spans) else None,
                output=frozen_array(to_numpy(r.output)),
                node_id=names.ids.get(node),
            )
        )
        by_identity[id(r.output)] = f"[{i + 1}]"
    return frames, records, loss, names


# ----------------------------------------------------------------------------------------
# Backward


def _leaf_grads(names):
    return {
        leaf: frozen_array(to_numpy(n.variable.grad))
        if n.variable.grad is not None
        else None
        for n, leaf in names.leaves.items()
    }


def record_slots(node, grads_out, names, arrived):
    """One ``Slot`` per ``next_functions`` entry with the gradient sent along it; each
    sent gradient is noted in ``arrived[target]`` (the fan-in of the target).

    A slot whose input needs no grad carries nothing (torch computes nothing there; a
    rule may still return a value, which is dropped).
    """
    label, slots = names.label(node), []
    for k, (nxt, _) in enumerate(node.next_functions):
        g = grads_out[k] if k < len(grads_out) else None
        g = frozen_array(to_numpy(g)) if nxt is not None and g is not None else None
        slots.append(Slot(k, names.label(nxt) if nxt is not None else None, g))
        if g is not None:
            arrived[nxt].append(Contribution(label, g))
    return tuple(slots)


def record_backward_frames(loss, names=None, retain_graph=True):
    """Run ``loss.backward()`` step by step; returns ``(frames, graph_names, nodes)``.

    This *is* the backward pass (the leaves' ``.grad`` fill as usual); each frame is
    a copy of one ``BackwardStep`` plus the fan-in that produced its gradient and a
    snapshot of every leaf's ``.grad``. ``nodes[i]`` is the node of frame ``i``.
    """
    names = (
        names if isinstance(names, GraphNames) else GraphNames([loss.grad_fn], names)
    )
    root = loss.grad_fn
    arrived = defaultdict(list)
    arrived[root].append(
        Contribution(
            "seed: dloss/dloss = 1",
            frozen_array(np.ones(loss.shape, dtype=to_numpy(loss).dtype)),
        )
    )
    frames, nodes = [], []
    with np.errstate(all="ignore"):
        steps = at.autograd.iter_backward_for(loss, retain_graph=retain_graph)
        for i, step in enumerate(steps):
            node = step.node
            label = names.label(node)
            slots = record_slots(node, step.grads_out, names, arrived)
            frames.append(
                BackwardFrame(
                    index=i,
                    node=label,
                    node_id=names.ids.get(node, ""),
                    sequence_nr=sequence_nr(node),
                    rule=local_rule(node),
                    arrived=tuple(arrived.pop(node, ())),
                    grads_in=tuple(frozen_array(g) for g in step.grads_in),
                    slots=slots,
                    leaf=names.leaves.get(node),
                    leaf_grads=_leaf_grads(names),
                )
            )
            nodes.append(node)
    return frames, names, nodes


# ----------------------------------------------------------------------------------------
# Update and training


def _no_grad_update(p, lr):
    with at.no_grad():
        p.sub_(lr * p.grad)


def record_update_frames(params, lr):
    """Apply the lesson's update to each parameter, then zero the gradients.

    Needs ``.grad`` filled (run backward first). For each parameter three moments are
    recorded: before, after ``p.sub_(lr * p.grad)`` inside ``no_grad`` (with the ops
    that ran and proof that nothing was recorded), and after ``p.grad.zero_()``.
    """
    frames = []

    def add(name, p, stage, code, step=None, recorded=(), before=None):
        frames.append(
            UpdateFrame(
                index=len(frames),
                param=name,
                stage=stage,
                code=code,
                value=frozen_array(to_numpy(p)),
                grad=frozen_array(to_numpy(p.grad)) if p.grad is not None else None,
                step=frozen_array(step),
                grad_fn=repr(p.grad_fn),
                is_leaf=p.is_leaf,
                version=p._version,
                recorded=recorded,
                before=before,
            )
        )

    for name, p in params.items():
        if p.grad is None:
            raise RuntimeError(f"{name}.grad is None: run loss.backward() first")
        step = lr * to_numpy(p.grad)
        add(
            name,
            p,
            "before",
            f"{name}.grad  # dloss/d{name}, filled by backward()",
            step,
        )
        before = frozen_array(to_numpy(p))
        with at.autograd.graph.record_forward() as records:
            _no_grad_update(p, lr)
        recorded = tuple(f"{r.name}: grad_fn={r.output.grad_fn!r}" for r in records)
        add(
            name,
            p,
            "sub_",
            f"with at.no_grad():\n    {name}.sub_(learning_rate * {name}.grad)",
            step,
            recorded,
            before,
        )
    for name, p in params.items():
        p.grad.zero_()
        add(name, p, "zero_", f"{name}.grad.zero_()")
    return frames


def record_training_frames(problem, lr, iterations=200, zero_grad=True, no_grad=True):
    """Train ``problem`` for ``iterations`` steps from its current weights.

    The what-ifs: ``zero_grad=False`` skips ``p.grad.zero_()`` (gradients pile up),
    ``no_grad=False`` does the update outside ``with at.no_grad():`` (PyTorch refuses:
    the error becomes the last frame). The parameters are restored afterwards, so
    each run starts from the same weights.
    """
    start = {k: np.array(to_numpy(p), copy=True) for k, p in problem.params.items()}
    start_grads = {
        k: frozen_array(to_numpy(p.grad)) if p.grad is not None else None
        for k, p in problem.params.items()
    }
    frames = []
    try:
        with np.errstate(all="ignore"):
            for it in range(iterations):
                loss = problem.loss_fn()
                loss.backward()
                norms = {
                    k: float(np.linalg.norm(to_numpy(p.grad)))
                    for k, p in problem.params.items()
                }
                try:
                    for p in problem.params.values():
                        if no_grad:
                            _no_grad_update(p, lr)
                        else:
                            p.sub_(lr * p.grad)
                except RuntimeError as e:
                    frames.append(
                        TrainingFrame(
                            it, float(loss.item()), norms, f"RuntimeError: {e}"
                        )
                    )
                    break
                if zero_grad:
                    for p in problem.params.values():
                        p.grad.zero_()
                frames.append(TrainingFrame(it, float(loss.item()), norms))
    finally:
        with at.no_grad():
            for k, p in problem.params.items():
                p.copy_(at.from_numpy(start[k]))
                g = start_grads[k]
                p.grad = None if g is None else at.from_numpy(np.array(g))
    return frames


def seed_answers():
    """Run the seed example's backward pass; returns the values a learner can predict.

    >>> {k: round(float(v.reshape(-1)[0]), 3) for k, v in seed_answers().items()}
    {'out': 28.83, 'z.grad': 0.25, 'y.grad': 4.65, 'x2.grad': 18.6, 'x1.grad': 14.415}
    """
    problem = seed_example()
    x1, x2 = problem.params["x1"], problem.params["x2"]
    y = x1 * (x2 + 2)
    z = y.pow(2) * 3
    out = z.mean()
    y.retain_grad()
    z.retain_grad()
    out.backward()
    return {
        "out": out.detach().numpy(),
        "z.grad": z.grad.numpy(),
        "y.grad": y.grad.numpy(),
        "x2.grad": x2.grad.numpy(),
        "x1.grad": x1.grad.numpy(),
    }
