"""``Sequential``: layers run one after another, like ``torch.nn.Sequential``."""

from collections import OrderedDict

from .module import Module

__all__ = ["Sequential"]


class Sequential(Module):
    """A chain of modules: the output of each is the input of the next.

    Children are named ``'0'``, ``'1'``, ... (or by the keys of an ``OrderedDict``),
    which is where ``state_dict`` keys like ``'0.weight'`` come from.

    Example:
        >>> import autograd_tutor as at
        >>> model = at.nn.Sequential(
        ...     at.nn.Linear(3, 32),
        ...     at.nn.ReLU(),
        ...     at.nn.Linear(32, 1),
        ... )
        >>> model
        Sequential(
          (0): Linear(in_features=3, out_features=32, bias=True)
          (1): ReLU()
          (2): Linear(in_features=32, out_features=1, bias=True)
        )
        >>> model(at.randn(100, 3)).shape
        at.Size([100, 1])
        >>> model[0], len(model)
        (Linear(in_features=3, out_features=32, bias=True), 3)
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        size = len(self)
        idx = idx.__index__()
        if not -size <= idx < size:
            raise IndexError(f"index {idx} is out of range")
        return list(self._modules.values())[idx % size]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add ``module`` at the end; returns the Sequential.

        Example:
            >>> import autograd_tutor as at
            >>> at.nn.Sequential(at.nn.Linear(2, 2)).append(at.nn.Tanh())
            Sequential(
              (0): Linear(in_features=2, out_features=2, bias=True)
              (1): Tanh()
            )
        """
        self.add_module(str(len(self)), module)
        return self
