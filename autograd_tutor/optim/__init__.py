"""``at.optim``: optimizers that update a model's parameters, mirroring ``torch.optim``.

The training loop of the blog network shrinks to three lines::

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

>>> import autograd_tutor as at
>>> model = at.nn.Linear(3, 1)
>>> optimizer = at.optim.SGD(model.parameters(), lr=1e-4)
>>> optimizer.param_groups[0]["lr"]
0.0001
"""

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]
