"""The backward pass: how ``loss.backward()`` walks the graph.

Mirrors torch's autograd engine (``torch/csrc/autograd/engine.cpp``) in a few dozen lines
of Python. ``iter_backward`` is a *generator*: it yields one ``BackwardStep`` per node it
runs, so ``backward()`` simply drains it, and the lesson's widgets replay the very same
steps one at a time. It uses no recursion, so a chain of 100,000 ops works.

The algorithm, in the order the lesson explains it:

1. Count, for every node reachable from the output, how many edges lead into it
   (its *dependencies*): a node may run only once all its gradients have arrived.
2. Seed the output with dL/dL = 1 (or the ``gradient`` you passed).
3. Repeatedly take the ready node with the highest sequence number (the most recently
   recorded operation), run its backward rule, and send one gradient along each
   ``next_functions`` edge. Where two edges reach the same node, their gradients add.
4. ``AccumulateGrad`` nodes add the arriving gradient into the leaf's ``.grad``.
5. Unless ``retain_graph=True``, free each node's saved values once it has run.

With ``create_graph=True`` the same walk carries tensors instead of NumPy arrays, with
gradient recording on: every backward rule is then recorded like a forward pass, so the
gradients have grad_fns of their own and can be differentiated again (a Hessian is the
gradient of a gradient).
"""

import itertools
from heapq import heappop, heappush
from typing import NamedTuple

import numpy as np

from .. import _quiet
from ..tensor import Tensor, update_view, warn_once
from .anomaly_mode import anomaly_state, report
from .function import AccumulateGrad, OpNode, grad_edge, input_edge
from .grad_mode import grad_state as _grad_state


class BackwardStep(NamedTuple):
    """One step of the backward pass, as the engine ran it.

    Attributes:
        node: the backward node that ran (e.g. ``MulBackward0``, ``AccumulateGrad``).
        grads_in: the gradient(s) that arrived at the node, one per output of its forward
            op (a list of NumPy arrays, after hooks).
        grads_out: the gradient sent along each of ``node.next_functions``
            (``None`` for slots that need none). Empty for ``AccumulateGrad``.
    """

    node: object
    grads_in: tuple
    grads_out: tuple


def iter_backward(
    roots,
    grad_roots,
    retain_graph=False,
    targets=None,
    captured=None,
    accumulate=True,
    quiet=True,
    create_graph=False,
):
    """Run the backward pass one node at a time, yielding a ``BackwardStep`` per node.

    Args:
        roots: ``(node, output_nr)`` pairs to start from (e.g. ``[(loss.grad_fn, 0)]``).
        grad_roots: the gradient (a NumPy array) for each root.
        retain_graph: keep saved values so the graph can be walked again.
        targets: optional set of ``(node, output_nr)`` pairs; when given, only nodes that
            lead to a target run.
        captured: dict filled with ``{(node, output_nr): gradient}`` for the targets.
        accumulate: False for ``autograd.grad``: a target node runs only if another
            target lies below it, so a leaf's ``.grad`` is left alone and nothing past
            the requested inputs is computed or freed (torch's pruning).
        quiet: silence NumPy's floating-point warnings during each step (callers that
            drain the generator at once silence the whole loop instead: cheaper).
        create_graph: the gradients (``grad_roots`` too) are tensors, and each step
            runs with gradient recording on, so the backward pass is itself recorded.
    """
    root_nodes = [node for node, _ in roots]
    run = _run_watched if anomaly_state.enabled else None  # step 4's variant, if any
    # (backward(inputs=...) and autograd.grad) prune first: which nodes run at all
    pruned = None
    if targets is not None:
        pruned = PrunedPass(root_nodes, targets, accumulate, run)
        run = pruned.run

    # 1. how many edges lead into each node: it runs once that many gradients arrived
    deps = _count_dependencies(root_nodes, pruned and pruned.needed)

    # 2. seed: each root receives its starting gradient
    buffers = {}
    for (node, nr), g in zip(roots, grad_roots):  # (a root given twice: they add)
        buf = buffers.setdefault(node, [None] * node._n_outputs)
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    ready = []  # a heap of (-sequence number, arrival, node): the latest op on top
    arrival = itertools.count().__next__  # equal sequence numbers: first come first
    for node in dict.fromkeys(root_nodes):
        if node not in deps:  # (a root leading to no input still runs its hooks)
            heappush(ready, (-node._sequence_nr, arrival(), node))

    while ready:
        # 3. take the ready node recorded last: the latest operation is undone first
        node = heappop(ready)[2]
        grads_in = buffers.pop(node, None) or [None] * node._n_outputs
        token = _quiet.enter() if quiet else None  # NumPy: silent on inf and nan
        if create_graph:  # record this step's operations (restored before the yield)
            grad_mode, _grad_state.enabled = _grad_state.enabled, True
        try:
            # 4. the hooks of the node's tensors see (and may replace) the arriving
            # gradients, then its local chain rule gives one gradient per edge
            # (AccumulateGrad: adds into .grad)
            if run is None:  # (_run_node's two steps, without a call per node)
                if node._hooked:  # tensor hooks or retain_grad() on its outputs
                    grads_in = node._run_pre_hooks(grads_in)
                grads_out = node._run(grads_in)
            else:  # anomaly detection, or a pruned pass: step 4 with more to it
                grads_in, grads_out = run(node, grads_in)
            if grads_out is None:  # (a pruned pass's stop: the node did not run)
                grads_out = ()
            elif node._kept_values and not retain_graph:
                node._kept_values = None  # 5. its saved values are no longer needed
                node._freed = True
            # one gradient along each edge; where two edges meet, the gradients add
            for nxt, nr, g in zip(node._next_nodes, node._next_nrs, grads_out):
                if nxt not in deps:  # no edge, or off every path to an input
                    continue
                if g is not None:  # two edges reach this node: their gradients add
                    buf = buffers.setdefault(nxt, [None] * nxt._n_outputs)
                    buf[nr] = g if buf[nr] is None else buf[nr] + g
                deps[nxt] -= 1
                if deps[nxt] == 0:  # its last gradient arrived: ready to run
                    heappush(ready, (-nxt._sequence_nr, arrival(), nxt))
        finally:
            if token is not None:
                _quiet.exit(token)
            if create_graph:
                _grad_state.enabled = grad_mode
        yield _new_step(BackwardStep, (node, grads_in, grads_out))

    if captured is not None:  # autograd.grad: the gradients of the requested inputs
        pruned.collect(captured)


def _run_node(node, grads_in):
    """Step 4 for one node, as the loop runs it in a plain pass: the hooks of its
    tensors see the arriving gradients first (and may replace them), then its local
    chain rule gives one gradient per edge. Returns both. (A node that no gradient
    reached still runs, as in torch: a built-in rule passes none on, a custom
    ``Function``'s backward gets zeros.)"""
    if node._hooked:  # tensor hooks or retain_grad() on its outputs
        grads_in = node._run_pre_hooks(grads_in)
    return grads_in, node._run(grads_in)


def _run_watched(node, grads_in):
    """Step 4 under anomaly detection: the hooks, then the node's chain rule; a node
    whose rule fails (or returns nan, with ``check_nan``) names the forward line that
    made it."""
    if node._hooked:
        grads_in = node._run_pre_hooks(grads_in)
    try:
        grads_out = node._run(grads_in)
    except Exception:
        report(node)
        raise
    if anomaly_state.check_nan:
        for i, g in enumerate(grads_out):
            if isinstance(g, Tensor):
                g = g._data
            if g is not None and g.dtype.kind == "f" and np.isnan(g).any():
                report(node)
                raise RuntimeError(
                    f"Function '{node.name()}' returned nan values in its {i}th output."
                )
    return grads_in, grads_out


class PrunedPass:
    """What ``backward(inputs=...)`` and ``autograd.grad`` change in the backward pass,
    worked out before its loop (``targets``: the requested inputs' edges):

    * ``needed``: the nodes on some path from a root to a target (the others get no
      gradient, so step 1 counts only these);
    * ``stops``: nodes that receive their gradient but do not run: a root off every
      path; under ``autograd.grad`` (``accumulate=False``) also a target with no other
      target below it, so a leaf's ``.grad`` is left alone and nothing past the
      requested inputs is computed or freed (torch's pruning);
    * ``narrowed``: built-in nodes that run with this pass's ``needs_input_grad``
      (see ``_narrowed_needs``).

    ``run`` is step 4 for such a pass; the gradients arriving at the target nodes are
    kept, and ``collect`` hands them over after the loop.
    """

    def __init__(self, root_nodes, targets, accumulate, run):
        self.targets = targets
        self.target_nodes = {node for node, _ in targets}
        self.needed = _nodes_leading_to(root_nodes, self.target_nodes)
        self.stops = {node for node in root_nodes if node not in self.needed}
        if not accumulate:  # autograd.grad: a target runs only to reach another
            self.stops.update(
                node
                for node in self.target_nodes
                if not any(c in self.needed for c in node._next_nodes)
            )
        self.narrowed = _narrowed_needs(self.needed)
        self.arrived = {}  # target node -> the gradients it received
        self._run = run or _run_node  # step 4 of the unpruned pass

    def run(self, node, grads_in):
        """Step 4 of a pruned pass. A target's arriving gradients are kept (before the
        tensors' hooks, as torch); a stop runs its hooks only (``None`` as its
        gradients out: it did not run); a narrowed node runs with this pass's
        ``needs_input_grad``, restored after."""
        if node in self.target_nodes:
            self.arrived[node] = tuple(grads_in)
        if node in self.stops:
            grads_in = _hooked(node, grads_in)
            if node in self.target_nodes:  # autograd.grad's result: after the hooks
                self.arrived[node] = tuple(grads_in)
            return grads_in, None
        narrowed = self.narrowed.get(node)
        if narrowed is None:
            return self._run(node, grads_in)
        recorded, node.needs_input_grad = node.needs_input_grad, narrowed
        try:
            return self._run(node, grads_in)
        finally:
            node.needs_input_grad = recorded

    def collect(self, captured):
        """After the loop: ``{(node, output_nr): gradient}`` for every target."""
        for node, grads in self.arrived.items():
            for nr, g in enumerate(grads):
                if (node, nr) in self.targets:
                    captured[(node, nr)] = g


def _count_dependencies(roots, needed=None):
    """Step 1: for each node, the number of edges that lead into it (iteratively).
    Only nodes in ``needed`` count, when it is given: the others get no gradient."""
    deps = {}
    stack = list(dict.fromkeys(roots))
    roots = set(stack)
    while stack:
        for nxt in stack.pop()._next_nodes:
            if nxt is None or (needed is not None and nxt not in needed):
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:  # reached for the first time: walk on from it
                deps[nxt] = 1
                if nxt not in roots:
                    stack.append(nxt)
    return deps


def _nodes_leading_to(roots, targets):
    """The nodes that lie on some path from a root to a target (for ``autograd.grad``)."""
    order = []  # post-order: every node after all nodes below it
    seen = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root._next_nodes))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child is not None and child not in seen:
                    seen.add(child)
                    stack.append((child, iter(child._next_nodes)))
                    break
            else:
                stack.pop()
                order.append(node)
    needed = set()
    for node in order:
        if node in targets or any(c in needed for c in node._next_nodes):
            needed.add(node)
    return needed


def _narrowed_needs(needed):
    """In a pruned pass, the built-in nodes with an input whose edge leads to no
    requested input: ``{node: needs_input_grad}`` with False for those edges.

    torch's built-in backward rules ask ``task_should_compute_output`` of this pass,
    not what was true when the graph was recorded: ``backward(inputs=[y])`` runs y's
    own node but computes no gradient for the edges below it (``y = x ** mask`` then
    takes no ``mask - 1``, which would raise). A custom ``Function``'s ``ctx`` keeps
    the flags it was recorded with, as in torch."""
    narrowed = {}
    for node in needed:
        needs = getattr(node, "needs_input_grad", None)
        if not needs or not isinstance(node, OpNode):
            continue
        mask = tuple(n and fn in needed for n, fn in zip(needs, node._next_nodes))
        if mask != needs:
            narrowed[node] = mask
    return narrowed


def _hooked(node, grads_in):
    """The gradients arriving at ``node`` after its tensors' hooks (and retain_grad)."""
    if isinstance(node, AccumulateGrad):
        if node.variable._hooks:
            return [node._hooked_grad(grads_in[0])]
        return grads_in
    return node._run_pre_hooks(grads_in) if node._hooked else grads_in


_new_step = tuple.__new__  # builds a BackwardStep without NamedTuple's slower __new__


# ----------------------------------------------------------------------------------------
# The public entry points: Tensor.backward and autograd.grad


def _make_seeds(tensors, grad_tensors, create_graph=False):
    """The roots' edges and their starting gradients: arrays, or tensors when the
    backward pass is recorded (a ``gradient`` that requires grad is kept as it is)."""
    roots, seeds = [], []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if t._base is not None:
            update_view(t)  # a view changed in place: its grad_fn is derived again
        if not t._requires_grad or input_edge(t)[0] is None:
            # (a view made under no_grad() says requires_grad, but leads nowhere)
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs"
                )
            g = np.ones(t._data.shape, dtype=t._data.dtype)
            if create_graph:
                g = Tensor._make(g)
        else:
            if not isinstance(g, Tensor):
                raise TypeError(
                    f"gradient must be a Tensor or None, not {type(g).__name__}"
                )
            if g._data.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{g.shape!r} and output[{i}] has a shape of {t.shape!r}."
                )
            if not create_graph:
                g = g._data.astype(t._data.dtype, copy=False)
            elif g._data.dtype != t._data.dtype:
                g = g.to(t.dtype)
        edge = grad_edge(t)
        if type(edge[0]) is AccumulateGrad:  # a leaf as a root: its caller holds g
            edge[0].caller_grad = g
        roots.append(edge)
        seeds.append(g)
    return roots, seeds


def _as_tuple(x):
    if isinstance(x, Tensor) or x is None:
        return (x,)
    return tuple(x)


def backward(
    tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None
):
    """Compute the gradient of ``tensors`` w.r.t. graph leaves, adding it into ``.grad``.

    This is what ``loss.backward()`` calls. See ``iter_backward`` for the algorithm.
    """
    token = _quiet.enter()  # the whole pass at once: NumPy stays silent throughout
    try:
        for _ in _iter_backward_for(
            tensors, grad_tensors, retain_graph, create_graph, inputs, quiet=False
        ):
            pass
    finally:
        _quiet.exit(token)


def iter_backward_for(
    tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None
):
    """Like ``backward`` but yields each ``BackwardStep``: the lesson's stepping API.

    >>> import autograd_tutor as at
    >>> x = at.ones(2, requires_grad=True)
    >>> [step.node.name() for step in at.autograd.iter_backward_for(x.sum())]
    ['SumBackward0', 'torch::autograd::AccumulateGrad']
    """
    return _iter_backward_for(tensors, grad_tensors, retain_graph, create_graph, inputs)


def _iter_backward_for(
    tensors,
    grad_tensors=None,
    retain_graph=None,
    create_graph=False,
    inputs=None,
    quiet=True,
):
    tensors = _as_tuple(tensors)
    grad_tensors = (
        _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    )
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(
            f"got {len(grad_tensors)} tensors and {len(tensors)} gradients"
        )
    if retain_graph is None:
        retain_graph = create_graph  # torch's default: a recorded pass keeps the graph
    roots, seeds = _make_seeds(tensors, grad_tensors, create_graph)
    if create_graph:
        warn_once(_CYCLE_WARNING)
    targets = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        for t in inputs:  # a non-leaf input keeps its gradient in .grad (as torch)
            if t._base is not None:
                update_view(t)
            if t._grad_fn is not None:
                t.retain_grad()
        targets = {grad_edge(t) for t in inputs}
    yield from iter_backward(
        roots, seeds, bool(retain_graph), targets, None, True, quiet, create_graph
    )


_CYCLE_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this "
    "function, make sure to reset the .grad fields of your parameters to None after use "
    "to break the cycle and avoid the leak."
)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    allow_unused=None,
    materialize_grads=False,
):
    """Return d(outputs)/d(inputs) without touching any ``.grad``, like torch.autograd.grad.

    >>> import autograd_tutor as at
    >>> x = at.tensor([1.0, 2.0], requires_grad=True)
    >>> at.autograd.grad((x * x).sum(), x)
    (tensor([2., 4.]),)

    With ``create_graph=True`` the gradient is recorded, so it can be differentiated
    again: the second derivative of x**3 is 6x.

    >>> (g,) = at.autograd.grad((x**3).sum(), x, create_graph=True)
    >>> g
    tensor([ 3., 12.], grad_fn=<MulBackward0>)
    >>> at.autograd.grad(g.sum(), x)
    (tensor([ 6., 12.]),)
    """
    outputs = _as_tuple(outputs)
    single_input = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    grad_outputs = (
        _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    )
    for t in inputs:
        if t._base is not None:
            update_view(
                t
            )  # its grad_fn as it is now (torch's errors for no_grad views)
        if not t.requires_grad:
            raise RuntimeError(
                "One of the differentiated Tensors does not require grad"
            )
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph  # torch's default: a recorded pass keeps the graph
    roots, seeds = _make_seeds(outputs, grad_outputs, create_graph)
    edges = [grad_edge(t) for t in inputs]
    captured = {}
    steps = iter_backward(
        roots,
        seeds,
        bool(retain_graph),
        set(edges),
        captured,
        False,
        False,
        create_graph,
    )
    token = _quiet.enter()  # the whole pass at once: NumPy stays silent throughout
    try:
        for _ in steps:
            pass
    finally:
        _quiet.exit(token)
    result = []
    for i, (edge, t) in enumerate(zip(edges, inputs)):
        g = captured.get(edge)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been "
                    "used in the graph. Set allow_unused=True if this is the desired "
                    "behavior."
                )
            result.append(
                Tensor._make(np.zeros_like(t._data)) if materialize_grads else None
            )
        elif isinstance(g, Tensor):  # create_graph=True: the recorded gradient itself
            result.append(g if g._data.dtype == t._data.dtype else g.to(t.dtype))
        else:
            result.append(Tensor._make(np.array(g, dtype=t._data.dtype, copy=True)))
    del single_input
    return tuple(result)
