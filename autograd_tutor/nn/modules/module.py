"""``Module``: the base class of layers and networks, like ``torch.nn.Module``.

A module is an object that (a) holds parameters and sub-modules as attributes, found
again by ``parameters()`` and ``state_dict()``, and (b) computes something in
``forward``, run by calling the module.
"""

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ...tensor import Size, Tensor, bump_version
from ..parameter import Parameter

__all__ = ["Module"]


def typename(obj):
    """torch.typename: ``at.FloatTensor`` for tensors, the class name otherwise."""
    if isinstance(obj, Tensor):
        return f"at.{obj.dtype._legacy}"
    return type(obj).__name__


def _addindent(text, spaces):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class _IncompatibleKeys(
    namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
):
    """What ``load_state_dict(strict=False)`` could not match."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class Module:
    """Base class for all layers and networks.

    Subclass it, assign parameters and layers as attributes in ``__init__`` (after
    ``super().__init__()``), and write ``forward``. Calling the module runs ``forward``.

    Example:
        >>> import autograd_tutor as at
        >>> class TwoLayer(at.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = at.nn.Linear(3, 4)
        ...         self.out = at.nn.Linear(4, 1)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x).relu())
        >>> net = TwoLayer()
        >>> net
        TwoLayer(
          (hidden): Linear(in_features=3, out_features=4, bias=True)
          (out): Linear(in_features=4, out_features=1, bias=True)
        )
        >>> [name for name, p in net.named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
        >>> net(at.zeros(2, 3)).shape
        at.Size([2, 1])
    """

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", {})

    def forward(self, *args, **kwargs):
        """What the module computes; every subclass defines it."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------------------------
    # Registration: assigning a Parameter or a Module to an attribute records it

    def register_parameter(self, name, param):
        """Add ``param`` (a ``Parameter`` or None) under ``name``.

        Example:
            >>> import autograd_tutor as at
            >>> m = at.nn.Module()
            >>> m.register_parameter("scale", at.nn.Parameter(at.ones(1)))
            >>> [n for n, _ in m.named_parameters()]
            ['scale']
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                "cannot assign parameter before Module.__init__() call"
            )
        self._check_name(name, "parameter", self._parameters)
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{typename(param)}' object to parameter '{name}' "
                "(at.nn.Parameter or None required)"
            )
        if param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters "
                f"must be created explicitly. To express '{name}' as a function of another "
                "Tensor, compute the value in the forward() method."
            )
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is state but not a parameter (saved in ``state_dict``
        unless ``persistent=False``; never returned by ``parameters()``).

        Example:
            >>> import autograd_tutor as at
            >>> m = at.nn.Module()
            >>> m.register_buffer("steps", at.zeros(1))
            >>> list(m.state_dict())
            ['steps']
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{typename(tensor)}' object to buffer '{name}' "
                "(at Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module under ``name`` (what ``self.name = module`` does).

        Example:
            >>> import autograd_tutor as at
            >>> m = at.nn.Module()
            >>> m.add_module("act", at.nn.ReLU())
            >>> m
            Module(
              (act): ReLU()
            )
        """
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name, kind, table):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in table:
            raise KeyError(f"attribute '{name}' already exists")

    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError(
                    "cannot assign parameters before Module.__init__() call"
                )
            self._forget(name)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{typename(value)}' as parameter '{name}' "
                    "(at.nn.Parameter or None expected)"
                )
            params[name] = None
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError(
                    "cannot assign module before Module.__init__() call"
                )
            self._forget(name)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{typename(value)}' as child module '{name}' "
                    "(at.nn.Module or None expected)"
                )
            modules[name] = None
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{typename(value)}' as buffer '{name}' "
                    "(at Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _forget(self, name):
        """Before ``name`` is re-registered as another kind, drop its old entry."""
        self.__dict__.pop(name, None)
        for table in ("_parameters", "_buffers", "_modules"):
            self.__dict__[table].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name):
        # only called when normal lookup fails: parameters, buffers and children live in
        # their own dictionaries, as in torch
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            entries = d.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(
            f"'{type(self).__name__}' object has no attribute '{name}'"
        )

    def __delattr__(self, name):
        for table in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(table, ()):
                del self.__dict__[table][name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        keys = set(super().__dir__())
        for table in ("_parameters", "_buffers", "_modules"):
            keys.update(self.__dict__.get(table, {}))
        return sorted(keys)

    # ------------------------------------------------------------------------------------
    # Walking the tree

    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield ``(dotted name, module)`` for this module and every descendant.

        Example:
            >>> import autograd_tutor as at
            >>> net = at.nn.Sequential(at.nn.Linear(1, 1), at.nn.ReLU())
            >>> [name for name, _ in net.named_modules()]
            ['', '0', '1']
        """
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        """Every module in the tree, this one first."""
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """Yield ``(name, module)`` for the direct children."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        """The direct child modules.

        Example:
            >>> import autograd_tutor as at
            >>> list(at.nn.Sequential(at.nn.Tanh(), at.nn.Sigmoid()).children())
            [Tanh(), Sigmoid()]
        """
        for _, module in self.named_children():
            yield module

    def _named_members(self, table, prefix, recurse, remove_duplicate=True):
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in module.__dict__[table].items():
                if value is None or (remove_duplicate and value in seen):
                    continue
                if remove_duplicate:
                    seen.add(value)
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(dotted name, parameter)`` pairs, the names ``state_dict`` uses.

        A parameter shared by two layers is listed once.

        Example:
            >>> import autograd_tutor as at
            >>> [(n, tuple(p.shape)) for n, p in at.nn.Linear(3, 2).named_parameters()]
            [('weight', (2, 3)), ('bias', (2,))]
        """
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Every parameter in the tree: what an optimizer is given.

        Example:
            >>> import autograd_tutor as at
            >>> sum(p.numel() for p in at.nn.Linear(3, 32).parameters())
            128
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(dotted name, buffer)`` pairs."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """Every buffer in the tree."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call ``fn(module)`` on every child (recursively), then on this module.

        Example:
            >>> import autograd_tutor as at
            >>> net = at.nn.Sequential(at.nn.Linear(2, 2), at.nn.ReLU())
            >>> names = []
            >>> _ = net.apply(lambda m: names.append(type(m).__name__))
            >>> names
            ['Linear', 'ReLU', 'Sequential']
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------------------------
    # Modes and gradients

    def train(self, mode=True):
        """Set training mode (``eval()`` is ``train(False)``) here and in every child.

        Example:
            >>> import autograd_tutor as at
            >>> net = at.nn.Sequential(at.nn.Linear(1, 1)).eval()
            >>> net.training, net[0].training
            (False, False)
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Switch gradient recording on or off for every parameter (to freeze layers)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of every parameter (torch's default: ``.grad = None``).

        Example:
            >>> import autograd_tutor as at
            >>> lin = at.nn.Linear(2, 1)
            >>> lin(at.ones(1, 2)).sum().backward()
            >>> lin.zero_grad()
            >>> lin.weight.grad is None
            True
        """
        for p in self.parameters():
            zero_grad_of(p, set_to_none)

    def float(self):
        """Convert parameters and buffers to float32, in place."""
        return self._cast(np.float32)

    def double(self):
        """Convert parameters and buffers to float64, in place (for ``gradcheck``).

        Example:
            >>> import autograd_tutor as at
            >>> at.nn.Linear(2, 1).double().weight.dtype
            at.float64
        """
        return self._cast(np.float64)

    def _cast(self, dtype):
        for t in list(self.parameters()) + list(self.buffers()):
            if t._data.dtype.kind == "f" and t._data.dtype != dtype:
                t._data = t._data.astype(dtype)
                if t._grad is not None:
                    t._grad = Tensor._make(t._grad._data.astype(dtype))
        return self

    # ------------------------------------------------------------------------------------
    # Saving and loading weights

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """An ordered ``{dotted name: tensor}`` of parameters and persistent buffers.

        The tensors share memory with the parameters but are detached (unless
        ``keep_vars``). Turn them into NumPy arrays with ``.numpy()``, or into torch's
        with ``torch.from_numpy(t.numpy())``.

        Example:
            >>> import autograd_tutor as at
            >>> net = at.nn.Sequential(at.nn.Linear(3, 2), at.nn.ReLU(), at.nn.Linear(2, 1))
            >>> {k: tuple(v.shape) for k, v in net.state_dict().items()}
            {'0.weight': (2, 3), '0.bias': (2,), '2.weight': (1, 2), '2.bias': (1,)}
        """
        if destination is None:
            destination = OrderedDict()
        for name, module in self.named_modules(prefix=prefix, remove_duplicate=False):
            dot = name + "." if name else ""
            for key, p in module._parameters.items():
                if p is not None:
                    destination[dot + key] = p if keep_vars else p.detach()
            for key, b in module._buffers.items():
                if b is not None and key not in module._non_persistent_buffers_set:
                    destination[dot + key] = b if keep_vars else b.detach()
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy weights from ``state_dict`` into this module's parameters and buffers.

        Values may be at tensors, NumPy arrays or other array-likes (objects with
        ``__array__``), so a torch model's ``{k: v.numpy() for k, v in
        model.state_dict().items()}`` loads directly.
        Values are cast to each parameter's dtype. With ``strict`` (the default),
        missing or unexpected keys are errors; a shape mismatch always is. Unlike torch,
        nothing is copied when there is an error.

        Returns:
            ``(missing_keys, unexpected_keys)``, as a named tuple.

        Example:
            >>> import numpy as np
            >>> import autograd_tutor as at
            >>> lin = at.nn.Linear(2, 1)
            >>> lin.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.zeros(1)})
            <All keys matched successfully>
            >>> lin.weight
            Parameter containing:
            tensor([[1., 2.]], requires_grad=True)
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict)}."
            )
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors, copies = [], []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if isinstance(value, Tensor):
                array = value._data
            elif isinstance(value, np.ndarray) or hasattr(value, "__array__"):
                array = np.asarray(value)
            else:
                errors.append(
                    f'While copying the parameter named "{key}", expected at.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(value)}"
                )
                continue
            if array.shape != target._data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape "
                    f"{Size(array.shape)!r} from checkpoint, the shape in current model "
                    f"is {Size(target._data.shape)!r}."
                )
                continue
            copies.append((target, array))
        if strict:
            if unexpected:
                keys = ", ".join(f'"{k}"' for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
            if missing:
                keys = ", ".join(f'"{k}"' for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        for target, array in copies:  # an in-place copy under no_grad, as in torch
            np.copyto(target._data, array, casting="unsafe")
            bump_version(target)
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------------------------
    # Printing

    def extra_repr(self):
        """The settings shown inside the parentheses, e.g. ``in_features=3, ...``."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({key}): " + _addindent(repr(module), 2)
            for key, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def zero_grad_of(p, set_to_none):
    """``p.grad = None`` or ``p.grad.zero_()``, for Module and Optimizer.zero_grad."""
    if p._grad is None:
        return
    if set_to_none:
        p._grad = None
    else:
        g = p._grad
        if g._grad_fn is not None:
            g.detach_()
        else:
            g.requires_grad_(False)
        g.zero_()
