"""``Adam``: adaptive moment estimation, like ``torch.optim.Adam`` (same update rule,
order of operations, state names and error messages)."""

import math

import numpy as np

from ..tensor import Tensor, bump_version
from .optimizer import Optimizer, grad_array

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam: a step per parameter scaled by running averages of its gradient.

    For each parameter ``p`` with gradient ``g``, at step ``t`` (torch's formulation):

    1. weight decay: ``g = g + weight_decay * p``;
    2. ``m = beta1 * m + (1 - beta1) * g`` (the mean of recent gradients) and
       ``v = beta2 * v + (1 - beta2) * g * g`` (their mean square);
    3. bias correction, because ``m`` and ``v`` start at 0:
       ``p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``.

    ``state[p]`` holds ``step``, ``exp_avg`` (m) and ``exp_avg_sq`` (v).

    Args:
        params: parameters (``model.parameters()``) or parameter groups.
        lr: learning rate (default 1e-3).
        betas: decay rates of the two averages (default ``(0.9, 0.999)``).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        amsgrad: use the largest ``v`` seen so far (the AMSGrad variant).
        maximize: ascend instead of descend.
        decoupled_weight_decay: shrink ``p`` directly (AdamW) instead of adding to ``g``.

    Example:
        >>> import autograd_tutor as at
        >>> w = at.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = at.optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step()
        >>> w                         # the first Adam step moves each weight by ~lr
        tensor([ 0.9000, -1.9000], requires_grad=True)
        >>> sorted(opt.state[w])
        ['exp_avg', 'exp_avg_sq', 'step']
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
    ):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        wd, amsgrad = group["weight_decay"], group["amsgrad"]
        for p in group["params"]:
            if p._grad is None:
                continue
            g = grad_array(p, group["maximize"])
            data = p._data
            st = self.state[p]
            if len(st) == 0:  # lazy state: created at the first step
                st["step"] = Tensor._make(np.zeros((), dtype=np.float32))
                st["exp_avg"] = Tensor._make(np.zeros_like(data))
                st["exp_avg_sq"] = Tensor._make(np.zeros_like(data))
                if amsgrad:
                    st["max_exp_avg_sq"] = Tensor._make(np.zeros_like(data))
            st["step"]._data += 1
            step = float(st["step"]._data)
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    data *= 1 - lr * wd
                else:
                    g = g + wd * data
            m, v = st["exp_avg"]._data, st["exp_avg_sq"]._data
            m += (1 - beta1) * (g - m)  # torch's lerp_(g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * (g * g)
            bias_correction1 = 1 - beta1**step
            bias_correction2_sqrt = math.sqrt(1 - beta2**step)
            if amsgrad:
                vmax = st["max_exp_avg_sq"]._data
                np.maximum(vmax, v, out=vmax)
                v = vmax
            denom = np.sqrt(v) / bias_correction2_sqrt
            denom += eps
            data -= (lr / bias_correction1) * (m / denom)
            bump_version(p)
