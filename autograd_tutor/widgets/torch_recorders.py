"""Real PyTorch graphs in the explorers: torch's own forward ops and backward order.

torch is optional and never imported unless the learner already did (``"torch" in
sys.modules``) or passes a torch tensor. The forward recorder is a
``torch.overrides.TorchFunctionMode`` that notes every op that returns a tensor; the
backward recorder registers a pre-hook and a hook on every ``grad_fn`` node
(``Node.register_prehook`` / ``Node.register_hook``), runs torch's ``backward()`` and
keeps, in the order torch ran them, what each node received and sent. The frames are
the same ``BackwardFrame`` / ``ForwardFrame`` the engine's recorders make, so every
explorer view works unchanged.
"""

import sys
from collections import defaultdict

import numpy as np

import autograd_tutor as at
from autograd_tutor.autograd.graph import ForwardRecord
from autograd_tutor.functions import REGISTRY

from . import recorders as R
from .model import BackwardFrame, Contribution, frozen_array

NO_TORCH = (
    "This needs PyTorch, which is optional: pip install torch "
    "(the explorers work without it on autograd_tutor tensors)."
)


def _torch():
    """The torch module if the learner has it, else a clear ImportError."""
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(NO_TORCH) from e
    return torch


def is_torch_tensor(x):
    """Whether ``x`` is a ``torch.Tensor`` (False, without importing torch, if it is
    not loaded)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _is_torch_thing(x):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, (torch.Tensor, torch.nn.Module))


def uses_torch(loss_fn, names):
    """Whether a forward closure may run torch ops: torch is loaded and the closure is
    the learner's own (its result tells which engine ran)."""
    return loss_fn is not None and "torch" in sys.modules


def expand_names(names):
    """``{name: tensor}`` from ``names``, with each torch module's parameters named
    ``"model.0.weight"``; values that are neither tensors nor modules are dropped."""
    out = {}
    for k, v in (names or {}).items():
        if k.startswith("_"):
            continue
        if hasattr(v, "named_parameters") and _is_torch_thing(v):
            for pn, p in v.named_parameters():
                out[f"{k}.{pn}"] = p
        elif hasattr(v, "shape") and hasattr(v, "grad_fn"):
            out[k] = v
    return out


# ----------------------------------------------------------------------------------------
# Forward


def _op_name(func):
    name = getattr(func, "__name__", str(func)).strip("_")
    name = {"truediv": "div", "rtruediv": "rdiv", "rmul": "mul", "radd": "add"}.get(
        name, name
    )
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _recorder_class():
    torch = _torch()
    from torch.overrides import TorchFunctionMode

    class OpRecorder(TorchFunctionMode):
        """Notes every torch op that returns a tensor (property reads are skipped)."""

        def __init__(self):
            super().__init__()
            self.records = []

        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            name = getattr(func, "__name__", "")
            if isinstance(out, torch.Tensor) and name not in ("__get__", "__set__"):
                self.records.append(
                    ForwardRecord(_op_name(func), func, tuple(args), dict(kwargs), out)
                )
            return out

    return OpRecorder


def torch_problem(loss_fn, names=None, code=""):
    """A ``Problem`` whose names may be torch tensors and modules."""
    return R.Problem(loss_fn, {}, expand_names(names), code)


def record_forward_frames(problem):
    """Run the closure once; record torch's ops if it returned a torch tensor, else
    the engine's. Returns what ``recorders.record_forward_frames`` returns."""
    mode = _recorder_class()() if "torch" in sys.modules else None
    with at.autograd.graph.record_forward() as at_records:
        if mode is None:
            loss = problem.loss_fn()
        else:
            with mode:
                loss = problem.loss_fn()
    records = mode.records if is_torch_tensor(loss) else at_records
    return R.frames_from_records(records, loss, problem)


# ----------------------------------------------------------------------------------------
# Backward


def _rules():
    """Our engine's local rule for each node name (torch's nodes have the same names)."""
    return {
        name: R.rule_from_doc(op.__doc__) for name, op in REGISTRY.items() if op.__doc__
    }


def _rule(node, rules):
    if R.is_accumulate(node):
        return R.ACCUMULATE_RULE
    name = node.name()
    return rules.get(name, f"torch's derivative formula for {name}")


def record_backward_frames(loss, names=None):
    """Run torch's ``loss.backward()`` with hooks on every node; frames in torch's order.

    Returns ``(frames, graph_names, nodes)`` like ``recorders.record_backward_frames``.
    The leaves' ``.grad`` fill as with ``loss.backward()`` (the graph is retained).
    """
    torch = _torch()
    if not isinstance(loss, torch.Tensor) or loss.grad_fn is None:
        raise TypeError("record_backward_frames needs a torch tensor with a grad_fn")
    names = R.GraphNames([loss.grad_fn], expand_names(names))
    received, ran = {}, []

    def leaf_grads():
        return {
            leaf: None
            if n.variable.grad is None
            else frozen_array(R.to_numpy(n.variable.grad))
            for n, leaf in names.leaves.items()
        }

    handles = []
    for node in names.ids:
        handles.append(
            node.register_prehook(
                lambda grad_outputs, node=node: received.__setitem__(node, grad_outputs)
            )
        )
        handles.append(
            node.register_hook(
                lambda grad_inputs, grad_outputs, node=node: ran.append(
                    (node, grad_inputs, grad_outputs, leaf_grads())
                )
            )
        )
    try:
        loss.backward(retain_graph=True)
    finally:
        for h in handles:
            h.remove()

    rules = _rules()
    arrived = defaultdict(list)
    arrived[loss.grad_fn].append(
        Contribution(
            "seed: dloss/dloss = 1",
            frozen_array(np.ones(tuple(loss.shape), np.float32)),
        )
    )
    frames, nodes = [], []
    for i, (node, sent, got, grads) in enumerate(ran):
        label = names.label(node)
        slots = R.record_slots(node, sent, names, arrived)
        frames.append(
            BackwardFrame(
                index=i,
                node=label,
                node_id=names.ids.get(node, ""),
                sequence_nr=R.sequence_nr(node),
                rule=_rule(node, rules),
                arrived=tuple(arrived.pop(node, ())),
                grads_in=tuple(
                    frozen_array(R.to_numpy(g))
                    for g in received.get(node, got)
                    if g is not None
                ),
                slots=slots,
                leaf=names.leaves.get(node),
                leaf_grads=grads,
            )
        )
        nodes.append(node)
    return frames, names, nodes
