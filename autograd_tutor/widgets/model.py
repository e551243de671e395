"""The widgets' model: immutable frames and a timeline that steps through them.

PyTorch has no counterpart: this is the lesson's "slow motion replay". A recorder (see
``recorders.py``) runs the real engine once and snapshots what happened into frames;
a ``Timeline`` moves a cursor over them and tells its observers. Nothing here imports
ipywidgets, so all of it can be tested (and used) without Jupyter.

>>> tl = Timeline(["forward", "backward", "update"])
>>> seen = []
>>> stop = tl.observe(lambda timeline: seen.append(timeline.frame))
>>> tl.next(); tl.next(); tl.next()  # the third call is at the end: nothing happens
>>> seen
['backward', 'update']
>>> tl.go_to(-5); tl.index   # going before the start clamps to the first frame
0
"""

from dataclasses import dataclass, field

import numpy as np


def frozen_array(a):
    """A read-only copy of ``a``: ``.grad`` is accumulated in place, so frames copy it."""
    if a is None:
        return None
    out = np.array(a, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Slot:
    """One ``next_functions`` slot of a backward node and the gradient sent along it.

    Attributes:
        index: position in ``node.next_functions`` (= which input of the forward op).
        target: what the slot points at: a node name such as ``"ClampBackward1"``, or
            ``"AccumulateGrad(w1)"`` for a leaf; ``None`` for an input needing no grad.
        grad: the gradient sent (a read-only array), or ``None``.
    """

    index: int
    target: str | None
    grad: np.ndarray | None


@dataclass(frozen=True)
class Contribution:
    """A gradient that travelled along one edge into a node (several ones add up)."""

    source: str
    grad: np.ndarray


@dataclass(frozen=True)
class ForwardFrame:
    """One operation of the forward pass.

    Attributes:
        index: position in the forward pass (0 = first op).
        op: the op's short name (``"Mm"``).
        node: the name of the node autograd recorded (``"MmBackward0"``), or ``None``
            when nothing was recorded (no input required grad).
        inputs: one short description per input (``"x [100, 3]"``, ``"0.2"``).
        params: keyword settings as text (``"min=0"``).
        code_span: ``(start, end)`` of the op in the source code, or ``None``.
        output: the result's values (read-only array).
        node_id: the picture's id of the recorded node (``None`` if not recorded).
    """

    index: int
    op: str
    node: str | None
    inputs: tuple
    params: str
    code_span: tuple | None
    output: np.ndarray
    node_id: str | None = None

    def summary(self):
        shape = list(self.output.shape)
        rec = f"grad_fn={self.node}" if self.node else "not recorded"
        return f"{self.op}({', '.join(self.inputs)}) -> {shape}, {rec}"


@dataclass(frozen=True)
class BackwardFrame:
    """One step of the backward pass, exactly as the engine ran it.

    Attributes:
        index: execution position (0 = the loss's node, which runs first).
        node: the node's name (``"MulBackward0"``, ``"AccumulateGrad(w1)"``).
        node_id: the picture's id of the node.
        sequence_nr: the engine's ordering key (highest runs first; leaves: inf).
        rule: the local derivative in words (``"z = a * b.  dz/da = b,  dz/db = a."``).
        arrived: the edges whose gradients reached the node (fan-in: they add up).
        grads_in: the (summed) gradient(s) the node received, one per forward output.
        slots: one ``Slot`` per ``next_functions`` entry.
        leaf: name of the leaf whose ``.grad`` this step filled (AccumulateGrad only).
        leaf_grads: ``{leaf name: .grad snapshot or None}`` after this step.
    """

    index: int
    node: str
    node_id: str
    sequence_nr: float
    rule: str
    arrived: tuple
    grads_in: tuple
    slots: tuple
    leaf: str | None = None
    leaf_grads: dict = field(default_factory=dict)

    def summary(self):
        if self.leaf is not None:
            return f"{self.node}: {self.leaf}.grad += incoming gradient"
        sent = ", ".join(s.target or "None" for s in self.slots)
        return f"{self.node} -> [{sent}]"


@dataclass(frozen=True)
class UpdateFrame:
    """One moment of the weight update of one parameter.

    Attributes:
        index: position in the update sequence.
        param: the parameter's name (``"w1"``).
        stage: ``"before"``, ``"sub_"`` (after ``p.sub_(lr * p.grad)``) or ``"zero_"``
            (after ``p.grad.zero_()``).
        code: the line of Python this stage runs.
        value: the parameter's values at this stage.
        grad: its ``.grad`` at this stage.
        step: ``lr * grad`` (what is subtracted).
        grad_fn: ``repr`` of the parameter's ``grad_fn`` after the stage (None: nothing
            recorded) and ``is_leaf``, ``version``: proof that no_grad kept it a leaf.
        recorded: the ops the update ran, each with the ``grad_fn`` of its result.
        before: the values before ``sub_`` (``sub_`` stage only), to compare.
    """

    index: int
    param: str
    stage: str
    code: str
    value: np.ndarray
    grad: np.ndarray | None
    step: np.ndarray | None
    grad_fn: str
    is_leaf: bool
    version: int
    recorded: tuple = ()
    before: np.ndarray | None = None

    def summary(self):
        return f"{self.param} {self.stage}: {self.code}"


@dataclass(frozen=True)
class TrainingFrame:
    """One training iteration (forward, loss, backward, update, zero).

    Attributes:
        index: the iteration number.
        loss: the loss computed in this iteration (``nan`` if the step failed first).
        grad_norms: ``{param: norm of .grad}`` as used by this iteration's update.
        error: the exception text if the iteration failed (e.g. forgetting no_grad).
    """

    index: int
    loss: float
    grad_norms: dict
    error: str | None = None

    def summary(self):
        if self.error:
            return f"iteration {self.index}: {self.error}"
        return f"iteration {self.index}: loss {self.loss:.4f}"


class Timeline:
    """A cursor over a sequence of frames: ``next``, ``previous``, ``go_to``, ``reset``.

    The index never leaves ``0 .. len(frames) - 1``. Observers are called with the
    timeline after every change of position (or of frames, see ``replace``).

    Args:
        frames: a non-empty sequence of frames (any objects).
    """

    def __init__(self, frames):
        self._frames = tuple(frames)
        if not self._frames:
            raise ValueError("a Timeline needs at least one frame")
        self._index = 0
        self._observers = []

    def __len__(self):
        return len(self._frames)

    @property
    def frames(self):
        return self._frames

    @property
    def index(self):
        return self._index

    @property
    def frame(self):
        """The frame at the cursor."""
        return self._frames[self._index]

    @property
    def at_start(self):
        return self._index == 0

    @property
    def at_end(self):
        return self._index == len(self._frames) - 1

    def observe(self, callback):
        """Call ``callback(timeline)`` after each change; returns a function to stop."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback)

    def go_to(self, index):
        """Move to ``index`` (clamped to the valid range); observers hear of real moves."""
        index = min(max(int(index), 0), len(self._frames) - 1)
        if index != self._index:
            self._index = index
            self._notify()

    def next(self):
        """One frame forward (stays on the last frame at the end)."""
        self.go_to(self._index + 1)

    def previous(self):
        """One frame back (stays on the first frame at the start)."""
        self.go_to(self._index - 1)

    def reset(self):
        """Back to the first frame."""
        self.go_to(0)

    def replace(self, frames):
        """Swap in new frames (e.g. after a learning-rate change), keeping the index."""
        frames = tuple(frames)
        if not frames:
            raise ValueError("a Timeline needs at least one frame")
        self._frames = frames
        self._index = min(self._index, len(frames) - 1)
        self._notify()

    def _notify(self):
        for callback in list(self._observers):
            callback(self)
