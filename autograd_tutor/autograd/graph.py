"""Watching the forward pass: ``record_forward()`` lists every op as it runs.

PyTorch has no direct equivalent (its closest relatives are ``torch.autograd.graph``
hooks and ``__torch_function__`` modes). The widgets use it to replay a forward pass one
operation at a time, and the graph pictures to draw the data-flow view.

>>> import autograd_tutor as at
>>> x = at.ones(2, requires_grad=True)
>>> with at.autograd.graph.record_forward() as ops:
...     y = (x * 2).sum()
>>> [r.name for r in ops]
['Mul', 'Sum']
"""

from typing import NamedTuple

# the lists currently collecting records (nested blocks all collect); Op.apply and
# Function.apply call notify() while it is not empty
recorders = []


class ForwardRecord(NamedTuple):
    """One operation of the forward pass.

    Attributes:
        name: the op's short name (``"Mm"``, ``"Add"``, ``"Clamp"``...).
        op: the op class (``functions.Mm``...) or the custom ``Function`` subclass.
        inputs: the positional inputs as passed (tensors or numbers).
        params: keyword settings (``dim``, ``exponent``, ``min``...).
        output: the resulting tensor (its ``grad_fn`` is None if nothing was recorded).
    """

    name: str
    op: type
    inputs: tuple
    params: dict
    output: object


class record_forward:
    """Context manager collecting a ``ForwardRecord`` for every op run inside it."""

    def __enter__(self):
        self.records = []
        recorders.append(self.records)
        return self.records

    def __exit__(self, *exc):
        recorders.remove(self.records)
        return False


def notify(op, inputs, params, output):
    """Give every open ``record_forward()`` block the record of one op just run."""
    rec = ForwardRecord(op.__name__, op, tuple(inputs), dict(params), output)
    for records in recorders:
        records.append(rec)


def retained_tensors(node):
    """``{output_nr: tensor}``: the live tensors ``node`` made that called
    ``retain_grad()`` (autograd_tutor's own lookup: torch has none, and for its nodes
    this gives ``{}``). The graph pictures draw them even when you named none.

    >>> import autograd_tutor as at
    >>> y = at.ones(2, requires_grad=True) * 2
    >>> y.retain_grad()
    >>> retained_tensors(y.grad_fn) == {0: y}
    True
    """
    refs = getattr(node, "_retain", None) or {}  # the node keeps weak references
    live = ((nr, ref()) for nr, ref in sorted(refs.items()))
    return {nr: t for nr, t in live if t is not None}
