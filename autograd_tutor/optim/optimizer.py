"""``Optimizer``: the base class of ``SGD`` and ``Adam``, like ``torch.optim.Optimizer``.

An optimizer holds ``param_groups`` (lists of parameters, each with its settings such as
``lr``) and ``state`` (per-parameter memory such as momentum buffers). ``step()`` updates
every parameter that has a gradient, in place and unrecorded; ``zero_grad()`` clears the
gradients before the next ``backward()``.
"""

import copy
import warnings
from collections import defaultdict

from .. import _quiet
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn.modules.module import typename, zero_grad_of
from ..tensor import Tensor

__all__ = ["Optimizer"]


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class: subclasses give ``defaults`` and implement ``step``.

    Args:
        params: an iterable of tensors, or of dicts ``{"params": [...], "lr": ...}``
            (parameter groups, each overriding some defaults).
        defaults: the settings of every group that does not override them.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors "
                f"or dicts, but got {typename(params)}"
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group of parameters with its own settings (missing ones come from
        ``defaults``).

        Example:
            >>> import autograd_tutor as at
            >>> a, b = at.nn.Linear(2, 2), at.nn.Linear(2, 1)
            >>> opt = at.optim.SGD(a.parameters(), lr=0.1)
            >>> opt.add_param_group({"params": b.parameters(), "lr": 0.01})
            >>> [g["lr"] for g in opt.param_groups]
            [0.1, 0.01]
        """
        if not isinstance(param_group, dict):
            raise TypeError(
                f"param_group must be a dict, but got {type(param_group).__name__}"
            )
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list "
                "instead."
            )
        else:
            param_group["params"] = list(params)
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + typename(param)
                )
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in "
                "future, this will cause an error; see "
                "github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Clear every parameter's gradient: ``.grad = None`` by default (torch's
        default), or fill it with zeros with ``set_to_none=False``.

        Gradients *add up* across ``backward()`` calls, so a training loop clears them
        once per step.

        Example:
            >>> import autograd_tutor as at
            >>> w = at.ones(2, requires_grad=True)
            >>> opt = at.optim.SGD([w], lr=0.1)
            >>> (w * 3).sum().backward()
            >>> opt.zero_grad(set_to_none=False); w.grad
            tensor([0., 0.])
            >>> opt.zero_grad(); w.grad is None
            True
        """
        for group in self.param_groups:
            for p in group["params"]:
                zero_grad_of(p, set_to_none)

    def step(self, closure=None):
        """Update every parameter that has a gradient (not recorded by autograd).

        Args:
            closure: optional function that re-evaluates the model and returns the
                loss (run with gradients enabled).

        Returns:
            The closure's loss, or None.
        """
        loss = self._closure_loss(closure)
        quiet = _quiet.enter()  # inf and nan in a gradient: no NumPy warning (torch)
        try:
            with no_grad():
                for group in self.param_groups:
                    self._update_group(group)
        finally:
            _quiet.exit(quiet)
        return loss

    def _update_group(self, group):
        """The optimizer's rule, applied to one parameter group (under no_grad)."""
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ------------------------------------------------------------------------------------
    # Saving and restoring

    def state_dict(self):
        """``{"state": {index: {...}}, "param_groups": [...]}``, with parameters replaced
        by their position (0, 1, ...) across the groups, as in torch.

        Example:
            >>> import autograd_tutor as at
            >>> w = at.ones(2, requires_grad=True)
            >>> opt = at.optim.SGD([w], lr=0.1, momentum=0.9)
            >>> w.sum().backward(); opt.step()
            >>> opt.state_dict()["state"]
            {0: {'momentum_buffer': tensor([1., 1.])}}
        """
        index, groups, start = {}, [], 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {
            index[id(p)]: value
            for p, value in self.state.items()
            if isinstance(p, Tensor) and id(p) in index
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore ``state`` and group settings saved by ``state_dict()`` (copied; state
        tensors are cast to their parameter's dtype)."""
        state_dict = copy.deepcopy(state_dict)
        groups, saved_groups = self.param_groups, state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups"
            )
        if any(
            len(g["params"]) != len(s["params"])
            for g, s in zip(groups, saved_groups, strict=True)
        ):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size "
                "of optimizer's group"
            )
        id_map = {
            old: p
            for g, s in zip(groups, saved_groups, strict=True)
            for old, p in zip(s["params"], g["params"], strict=True)
        }
        state = defaultdict(dict)
        for k, value in state_dict["state"].items():
            if k not in id_map:
                continue
            p = id_map[k]
            state[p] = {name: _cast_state(name, v, p) for name, v in value.items()}
        new_groups = []
        for g, s in zip(groups, saved_groups, strict=True):
            s["params"] = g["params"]
            new_groups.append(s)
        self.state = state
        self.param_groups = new_groups

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _cast_state(name, value, param):
    if not isinstance(value, Tensor):
        return value
    if name == "step":  # kept as float32, like torch's scalar step counter
        return value
    if value._data.dtype != param._data.dtype:
        return Tensor._make(value._data.astype(param._data.dtype))
    return value


def grad_array(p, maximize):
    """The array an optimizer steps along: ``p.grad`` (negated when maximizing)."""
    g = p._grad._data
    return -g if maximize else g
