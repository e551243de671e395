"""The same programs on the teaching core and on the full engine, described alike.

An *engine* here is an adapter with ``leaf(data, requires_grad)``, ``steps(root)``
(the backward pass, one record per node) and ``grad(value)`` (``.grad`` as a NumPy
array or None), so a test builds one graph in both and compares what they did.
"""

import numpy as np

import autograd_tutor as at
from autograd_tutor import teaching

from ..conformance.graph_signature import signature


class Package:
    """The full, torch-compatible engine, in float64."""

    scalar = False  # True: every value is a 0-d tensor (to compare with Scalar)

    @staticmethod
    def leaf(data, requires_grad=False):
        return at.tensor(
            np.asarray(data, dtype=np.float64),
            dtype=at.float64,
            requires_grad=requires_grad,
        )

    @staticmethod
    def steps(root, **kw):
        return list(at.autograd.iter_backward_for(root, **kw))

    @staticmethod
    def value(t):
        return np.asarray(t.detach().numpy(), dtype=np.float64)

    @staticmethod
    def grad(t):
        return None if t.grad is None else np.asarray(t.grad.numpy(), dtype=np.float64)


class PackageZeroD(Package):
    """The full engine on 0-d tensors: the counterpart of ``Scalar``."""

    scalar = True

    @staticmethod
    def leaf(data, requires_grad=False):
        return Package.leaf(np.asarray(data).reshape(()), requires_grad)


class TeachingTensor:
    """``autograd_tutor.teaching.Tensor``."""

    scalar = False

    @staticmethod
    def leaf(data, requires_grad=False):
        return teaching.Tensor(data, requires_grad=requires_grad)

    @staticmethod
    def steps(root, **kw):
        return list(teaching.iter_backward(root, **kw))

    @staticmethod
    def value(t):
        return np.asarray(t.data, dtype=np.float64)

    @staticmethod
    def grad(t):
        return None if t.grad is None else np.asarray(t.grad, dtype=np.float64)


class TeachingScalar(TeachingTensor):
    """``autograd_tutor.teaching.Scalar``: one float per value."""

    scalar = True

    @staticmethod
    def leaf(data, requires_grad=False):
        return teaching.Scalar(float(np.asarray(data)), requires_grad=requires_grad)


def bfs_index(root):
    """Each node reachable from ``root`` -> its position in breadth-first order (the
    order ``signature`` lists them in)."""
    index, order = {root: 0}, [root]
    for node in order:
        for child, _ in node.next_functions:
            if child is not None and child not in index:
                index[child] = len(order)
                order.append(child)
    return index


def trace(root, leaves, steps):
    """What a backward pass did, engine-neutral: the graph's signature and, per step,
    (node position, node name, gradient that arrived, gradients sent)."""
    index = bfs_index(root.grad_fn)
    ran = []
    for s in steps:
        # only what is sent somewhere: towards a constant ((None, 0)) nothing is sent
        # (the full engine may still compute a value there, e.g. AddBackward0's)
        grads_out = tuple(
            None if g is None or nxt is None else np.asarray(g, dtype=np.float64)
            for (nxt, _), g in zip(s.node.next_functions, s.grads_out)
        )
        g_in = np.asarray(s.grads_in[0], dtype=np.float64)
        ran.append((index[s.node], s.node.name(), g_in, grads_out))
    return signature(root.grad_fn, leaves), ran


def assert_same_trace(a, b, rtol=1e-10, atol=1e-12):
    """Two ``trace`` results agree: same graph, same steps in the same order, same
    gradients at every step."""
    (sig_a, ran_a), (sig_b, ran_b) = a, b
    assert sig_a == sig_b
    assert [r[:2] for r in ran_a] == [r[:2] for r in ran_b]
    for (i, name, gin_a, gout_a), (_, _, gin_b, gout_b) in zip(ran_a, ran_b):
        where = f"step at node {i} ({name})"
        np.testing.assert_allclose(gin_a, gin_b, rtol=rtol, atol=atol, err_msg=where)
        assert len(gout_a) == len(gout_b), where
        for ga, gb in zip(gout_a, gout_b):
            assert (ga is None) == (gb is None), where
            if ga is not None:
                np.testing.assert_allclose(ga, gb, rtol=rtol, atol=atol, err_msg=where)


def numerical_grad(f, arrays, k, eps=1e-6):
    """Central differences of the scalar ``f(arrays)`` w.r.t. ``arrays[k]``."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    x = arrays[k]
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        orig = x[idx]
        x[idx] = orig + eps
        plus = f(arrays)
        x[idx] = orig - eps
        minus = f(arrays)
        x[idx] = orig
        out[idx] = (plus - minus) / (2 * eps)
    return out
