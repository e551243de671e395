"""A set of tensors by identity, holding them weakly.

``weakref.WeakSet`` will not do: it compares its members with ``==``, which a tensor
answers elementwise. Here a member is found by ``id`` and checked to be the very
tensor (an id may be reused once a tensor is gone), and leaves the set when it is
freed. Used for the views whose own ``requires_grad`` was set (``autograd.function``)
and the tangents a program holds (``autograd.forward_ad``).
"""

import weakref


class TensorSet:
    __slots__ = ("_refs",)

    def __init__(self):
        self._refs = {}  # id(tensor) -> weak reference to it

    def add(self, t):
        key = id(t)
        self._refs[key] = weakref.ref(t, lambda _: self._refs.pop(key, None))

    def discard(self, t):
        self._refs.pop(id(t), None)

    def clear(self):
        self._refs.clear()

    def __contains__(self, t):
        ref = self._refs.get(id(t))
        return ref is not None and ref() is t
