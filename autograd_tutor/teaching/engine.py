"""The engine of lesson 8: the node class, ``AccumulateGrad`` and the backward schedule.

The same algorithm as the full engine (``autograd_tutor/autograd/engine.py``) and as
PyTorch's ``engine.cpp``, written to be read in one sitting. It knows nothing about
floats or arrays: a gradient is anything that supports ``+``, so ``scalar.py`` (Python
floats) and ``tensor.py`` (NumPy arrays) share it.

Lesson 8 builds it in this order (its parts are named in the docstrings below):

* **Part 1, the node class and AccumulateGrad.** Every recorded operation creates a
  ``Node``: it remembers where the gradient must go next (``next_functions``) and what
  its backward rule needs (``saved``). Its class name is the name PyTorch prints, e.g.
  ``MulBackward0``. ``AccumulateGrad``, the node at a leaf, adds the gradient into
  ``.grad``. ``grad_edge`` and ``record`` connect values to nodes.
* **Part 2, values and backward rules** live in ``scalar.py``: one ``Node`` subclass per
  operation, whose ``backward(grad)`` applies the chain rule.
* **Part 3, the schedule** (``iter_backward``), in five steps:

  1. count, for every node reachable from the output, the edges that lead into it;
  2. seed the output with dL/dL = 1;
  3. repeatedly run the ready node with the highest sequence number (the most
     recently recorded operation; ``AccumulateGrad`` nodes have the highest of all) and
     send one gradient along each edge; where two edges meet, the gradients add, and a
     node becomes ready when its last gradient has arrived;
  4. ``AccumulateGrad`` adds the arriving gradient into the leaf's ``.grad``;
  5. unless ``retain_graph=True``, free each node's saved values once it has run.
* **Part 4** shows why dependencies are counted; **part 5** (``tensor.py``) moves to
  NumPy arrays and undoes broadcasting.
"""

import heapq
import itertools
import weakref
from typing import NamedTuple

# Nodes are numbered in the order they are recorded: the sequence number.
_sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the graph "
    "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
    "you need to backward through the graph a second time or if you need to access saved "
    "tensors after calling backward."
)


class Node:
    """Part 1: one recorded operation, as the backward pass sees it (``y.grad_fn``).

    A subclass is one backward rule, named as in PyTorch (``AddBackward0``...). Its
    ``backward(grad)`` receives dL/d(output) and returns dL/d(input), one per input:
    the chain rule, dL/d(input) = dL/d(output) * d(output)/d(input).

    Attributes:
        next_functions: one ``(node, 0)`` pair per input of the operation: the input's
            ``grad_fn``, the ``AccumulateGrad`` of a leaf, or ``(None, 0)`` for an input
            that needs no gradient (a constant such as the 2 in ``x + 2``). The 0 says
            which output of that node the gradient belongs to (here every op has one).
        saved: the forward values the rule needs (e.g. both factors of a product);
            ``None`` once the backward pass has freed them.
        _sequence_nr: the node's rank in recording order; the schedule runs the most
            recent ready node first.
    """

    def __init__(self, next_functions, saved=(), **settings):
        self.next_functions = next_functions
        self.saved = saved
        self.__dict__.update(settings)  # e.g. the exponent of a pow, input shapes
        self._sequence_nr = next(_sequence)
        self._retained = None  # weak reference to the output, after retain_grad()

    def name(self):
        """The node's name, e.g. ``'MulBackward0'``: its class name."""
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def backward(self, grad):
        """dL/d(input) for each input, given dL/d(output) = ``grad``."""
        raise NotImplementedError(f"{self.name()} has no backward rule")


class AccumulateGrad(Node):
    """Part 1: the node at a leaf (a tensor you created with ``requires_grad=True``).

    Its "backward rule" is to add the arriving gradient into ``variable.grad``. Within
    one backward pass the schedule has already summed every path's contribution, so
    it runs once per leaf; across ``backward()`` calls the gradients add up in
    ``.grad``, which is why training loops reset them after each update.
    """

    _sequence_nr = float("inf")  # runs as soon as it is ready, as in PyTorch

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()  # the end of every path
        self.saved = ()
        self._retained = None

    def name(self):
        return "torch::autograd::AccumulateGrad"  # what torch's name() returns

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def backward(self, grad):
        leaf = self.variable
        leaf.grad = grad if leaf.grad is None else leaf.grad + grad  # never in place
        return ()  # nothing further to send


class BackwardStep(NamedTuple):
    """One step of the schedule: the node that ran, the gradient that arrived at it
    (``grads_in``, a 1-tuple), and the gradient sent along each of its
    ``next_functions`` (``grads_out``; ``None`` towards constants)."""

    node: Node
    grads_in: tuple
    grads_out: tuple


class Value:
    """What ``Scalar`` and ``Tensor`` share: data that remembers how it was made.

    Attributes:
        data: a Python float (``Scalar``) or a NumPy array (``Tensor``).
        requires_grad: record operations on this value (and everything made from it).
        grad: dL/d(this value) after ``backward()``, a float or a NumPy array (the
            full engine and torch wrap it in a tensor): kept for leaves, and for other
            values after ``retain_grad()``; ``None`` before.
        grad_fn: the ``Node`` of the operation that made this value; ``None`` for a leaf.
    """

    def __init__(self, data, requires_grad=False):
        self.data = data
        self.requires_grad = requires_grad
        self.grad = None
        self.grad_fn = None
        self._accumulate_grad = None  # weak reference to this leaf's AccumulateGrad

    @property
    def is_leaf(self):
        """True if no recorded operation made this value (as torch: ``grad_fn`` is None)."""
        return self.grad_fn is None

    def retain_grad(self):
        """Keep the gradient of a non-leaf in ``.grad`` during the backward pass."""
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)

    def backward(self, gradient=None, retain_graph=False):
        """dL/d(leaf) for every leaf this value was made from, added into ``leaf.grad``."""
        backward(self, gradient, retain_graph)

    def _seed(self):
        """The starting gradient dL/dL: 1 shaped like ``data`` (see ``Tensor``)."""
        raise NotImplementedError


def grad_edge(value):
    """Where the gradient of ``value`` must go: its ``grad_fn``, its leaf's
    ``AccumulateGrad`` (one per leaf), or nowhere (``(None, 0)``) for a constant."""
    if value.grad_fn is not None:
        return (value.grad_fn, 0)
    if not value.requires_grad:
        return (None, 0)
    # The leaf holds only a weak reference (as torch does): the graph points at the
    # leaf, the leaf does not point back, so a finished graph is freed at once.
    acc = value._accumulate_grad and value._accumulate_grad()
    if acc is None:
        acc = AccumulateGrad(value)
        value._accumulate_grad = weakref.ref(acc)
    return (acc, 0)


def record(node_class, inputs, result, saved=(), **settings):
    """Part 1: attach a new ``node_class`` node to ``result`` if any input needs a
    gradient, with one ``next_functions`` edge per input.

    ``inputs`` are ``Value`` objects (constants wrapped, ``requires_grad=False``),
    ``saved`` what the backward rule will need, ``settings`` extra attributes.
    """
    if any(t.requires_grad for t in inputs):
        edges = tuple(grad_edge(t) for t in inputs)
        result.grad_fn = node_class(edges, saved, **settings)
        result.requires_grad = True
    return result


def iter_backward(root, gradient=None, retain_graph=False):
    """Part 3: run the backward pass one node at a time, yielding a ``BackwardStep``.

    ``backward()`` drains this generator; a lesson can print each step instead.
    """
    if not root.requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn"
        )
    start = grad_edge(root)[0]

    # 1. dependencies: how many edges lead into each node (a walk without recursion)
    deps = {}
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)

    # 2. seed: the output receives dL/dL = 1
    buffers = {start: root._seed() if gradient is None else gradient}

    # 3. the ready queue: highest sequence number first (heapq pops the smallest, so
    # we store minus the number); among equals, first come first served
    tie = itertools.count()
    ready = [(-start._sequence_nr, next(tie), start)]
    while ready:
        node = heapq.heappop(ready)[2]
        grad = buffers.pop(node)  # every contribution has arrived and been added
        if node.saved is None:
            raise RuntimeError(FREED_MESSAGE)
        if node._retained is not None:  # retain_grad(): keep a non-leaf's gradient
            out = node._retained()
            if out is not None:
                out.grad = grad if out.grad is None else out.grad + grad
        # 4. the node's rule (an AccumulateGrad adds into its leaf's .grad)
        grads = node.backward(grad)
        grads_out = tuple(
            None if nxt is None else g
            for (nxt, _), g in zip(node.next_functions, grads)
        )
        # 5. saved values are no longer needed: free them
        if node.saved and not retain_graph:
            node.saved = None
        for (nxt, _), g in zip(node.next_functions, grads_out):
            if nxt is None:
                continue  # a constant: its gradient goes nowhere
            # two edges reach this node: their gradients add (the multivariable chain rule)
            buffers[nxt] = g if nxt not in buffers else buffers[nxt] + g
            deps[nxt] -= 1
            if deps[nxt] == 0:  # its last gradient arrived: it is ready
                heapq.heappush(ready, (-nxt._sequence_nr, next(tie), nxt))
        yield BackwardStep(node, (grad,), grads_out)


def backward(root, gradient=None, retain_graph=False):
    """Run the whole backward pass from ``root`` (what ``root.backward()`` calls)."""
    for _ in iter_backward(root, gradient, retain_graph):
        pass
