"""Named results of ``max(dim)`` / ``min(dim)``: ``values`` and ``indices``, like
``torch.return_types.max`` and ``torch.return_types.min``."""

from typing import NamedTuple


class _MinMax(NamedTuple):
    values: object
    indices: object

    def __repr__(self):
        return (
            f"at.return_types.{type(self).__name__}(\nvalues={self.values!r},\n"
            f"indices={self.indices!r})"
        )


class max(_MinMax):  # noqa: A001 - torch's name
    """``(values, indices)`` of ``x.max(dim)``; unpack it or use the attributes."""

    __slots__ = ()


class min(_MinMax):  # noqa: A001 - torch's name
    """``(values, indices)`` of ``x.min(dim)``; unpack it or use the attributes."""

    __slots__ = ()


_BY_NAME = {"max": max, "min": min}


def MinMax(name, values, indices):
    """The named result of ``max(dim)`` or ``min(dim)``."""
    return _BY_NAME[name](values, indices)
