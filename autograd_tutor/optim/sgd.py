"""``SGD``: stochastic gradient descent with optional momentum, like ``torch.optim.SGD``
(same update rule, same order of operations, same error messages)."""

from ..tensor import Tensor, bump_version
from .optimizer import Optimizer, grad_array

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent: ``p -= lr * g``, optionally with momentum and weight decay.

    For each parameter ``p`` with gradient ``g`` (torch's formulation):

    1. weight decay: ``g = g + weight_decay * p``;
    2. momentum: ``buf = g`` the first time, then ``buf = momentum * buf +
       (1 - dampening) * g``; the step direction is ``buf``, or ``g + momentum * buf``
       with ``nesterov``;
    3. ``p = p - lr * direction``.

    Args:
        params: parameters (``model.parameters()``) or parameter groups.
        lr: learning rate (default 1e-3).
        momentum: momentum factor (default 0).
        dampening: dampening for momentum (default 0).
        weight_decay: L2 penalty (default 0).
        nesterov: Nesterov momentum (needs momentum > 0 and zero dampening).
        maximize: ascend instead of descend.

    Example:
        >>> import autograd_tutor as at
        >>> w = at.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = at.optim.SGD([w], lr=0.1)
        >>> loss = (w * w).sum()      # gradient 2 * w
        >>> opt.zero_grad(); loss.backward(); opt.step()
        >>> w
        tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
    ):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr, momentum = group["lr"], group["momentum"]
        wd, dampening = group["weight_decay"], group["dampening"]
        nesterov, maximize = group["nesterov"], group["maximize"]
        # as torch: every buffer is read before any parameter moves, and written back
        # after, so a parameter listed twice gets two first steps (the last buffer stays)
        params = [p for p in group["params"] if p._grad is not None]
        bufs = [None] * len(params)
        if momentum != 0:  # (reading self.state[p] would create an entry)
            bufs = [self.state[p].get("momentum_buffer") for p in params]
        for i, p in enumerate(params):  # parameters without a gradient are left alone
            g = grad_array(p, maximize)
            data = p._data
            if wd != 0:
                g = g + wd * data
            if momentum != 0:
                buf = bufs[i]
                if buf is None:  # the first step: the buffer starts as the gradient
                    buf = bufs[i] = Tensor._make(g.copy())
                else:
                    b = buf._data
                    b *= momentum
                    b += g if dampening == 0 else (1 - dampening) * g
                    bump_version(buf)
                g = g + momentum * buf._data if nesterov else buf._data
            data -= lr * g
            bump_version(p)
        if momentum != 0:
            for p, buf in zip(params, bufs, strict=True):
                self.state[p]["momentum_buffer"] = buf
