"""Named results of ``max(dim)`` / ``min(dim)``: ``values`` and ``indices``, like
``torch.return_types.max``."""

from typing import NamedTuple


class _MinMaxBase(NamedTuple):
    values: object
    indices: object


class MinMax(_MinMaxBase):
    """``(values, indices)``; unpack it or use the attributes."""

    def __new__(cls, name, values, indices):
        self = super().__new__(cls, values, indices)
        self._name = name
        return self

    def __repr__(self):
        return (
            f"at.return_types.{self._name}(\nvalues={self.values!r},\n"
            f"indices={self.indices!r})"
        )
