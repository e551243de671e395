"""Loss modules, like ``torch.nn.MSELoss``: a module that compares predictions with
targets and returns one number to call ``backward()`` on."""

from .. import functional as F
from .module import Module

__all__ = ["MSELoss"]


class MSELoss(Module):
    """Mean squared error between ``input`` and ``target``.

    Args:
        reduction: ``'mean'`` (default), ``'sum'`` (the blog network's
            ``(y_pred - y).pow(2).sum()``) or ``'none'``.

    Example:
        >>> import autograd_tutor as at
        >>> loss_fn = at.nn.MSELoss(reduction="sum")
        >>> loss = loss_fn(at.tensor([1.0, 2.0], requires_grad=True), at.tensor([0.0, 0.0]))
        >>> loss
        tensor(5., grad_fn=<MseLossBackward0>)
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)
