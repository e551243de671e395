"""``at.autograd``: the machinery behind ``backward()``, in torch.autograd's layout.

* ``function``: backward nodes, ``AccumulateGrad`` and the custom ``Function`` API;
* ``engine``: the backward pass as a generator of steps (``iter_backward``);
* ``grad_mode``: ``no_grad``, ``enable_grad``, ``set_grad_enabled``;
* ``gradcheck``: finite-difference checking (``gradgradcheck``: of second derivatives);
* ``forward_ad``: forward-mode AD (dual tensors, ``make_dual`` / ``unpack_dual``);
* ``functional``: ``jacobian``, ``vjp``, ``jvp`` of whole functions.
"""

from . import forward_ad, functional, graph
from .anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .engine import BackwardStep, backward, grad, iter_backward, iter_backward_for
from .function import AccumulateGrad, Function, Node
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .inference_mode import inference_mode, is_inference_mode_enabled

__all__ = [
    "AccumulateGrad",
    "BackwardStep",
    "Function",
    "GradcheckError",
    "Node",
    "backward",
    "detect_anomaly",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "set_detect_anomaly",
    "enable_grad",
    "forward_ad",
    "functional",
    "grad",
    "graph",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_inference_mode_enabled",
    "is_grad_enabled",
    "iter_backward",
    "iter_backward_for",
    "no_grad",
    "set_grad_enabled",
]
