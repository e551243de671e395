"""A seeded generator of random programs over the public API (``Step`` lists).

The generator runs each step it writes on torch as it goes (the "shadow"), so it can
pick arguments that fit what exists: shapes that broadcast, dims in range, indices
inside a dimension, tensors that require grad for ``backward``. With the ``errors``
feature it also writes arguments torch refuses, to compare the refusals.

Features (``FEATURES``; a program uses the ops of the features it is given):

- ``factories``: ``tensor`` (float32/float64 leaves with or without requires_grad),
  ``zeros ones full eye arange zeros_like ones_like full_like``
- ``int``: int64 and bool tensors as operands
- ``scalar``, ``empty``: 0-d tensors, tensors with a 0-size dimension (size-1 dims are
  always drawn)
- ``mixed``: float64 tensors next to float32 ones (type promotion)
- ``special``: 0.0, -0.0, NaN and inf among the values (else values are nonzero)
- ``domain``: ops that can leave their domain (``log sqrt reciprocal``, division by a
  tensor, ``**`` with a tensor or fractional exponent, ``0 ** x``); without it ``**``
  takes exponents 2 and 3 (or base 2) and ``/`` divides by a nonzero number
- ``arith``: ``+ - * / **`` (tensor or Python number on either side, broadcasting),
  ``add/sub(alpha=) mul div pow``, functional ``at.add`` ... (``at.pow(2, x)`` too)
- ``unary``: ``neg exp log sqrt abs tanh sigmoid relu reciprocal clone detach
  contiguous`` and ``clamp/clip`` (numbers or tensors)
- ``reduce``: ``sum mean max min`` (all, dim, dims, keepdim; ``values/indices``),
  ``argmax argmin all any``
- ``matmul``: ``@ matmul mm`` over 1-D, 2-D and batched shapes
- ``shape``: ``t .T .mT transpose permute reshape view view_as reshape_as flatten
  unsqueeze squeeze expand expand_as`` (so non-contiguous tensors)
- ``index``: ints, negative ints, slices with steps, None, ..., int lists, bool masks,
  int and bool tensor indices
- ``setitem``: ``x[key] = number / tensor``
- ``inplace``: ``add_ sub_ mul_ div_ zero_ fill_ clamp_ copy_ += -= *= /=
  requires_grad_ detach_`` on tensors, views and leaves
- ``compare``: ``== != < <= > >= & | ~``
- ``convert``: ``float double long int bool to item tolist float() int() bool() len()
  size dim numel is_contiguous``
- ``hooks``: ``register_hook`` (recording, scaling, None-returning hooks),
  ``handle.remove()``, ``retain_grad``
- ``backward``: ``backward()`` with ``gradient``, ``retain_graph``; reading ``.grad``
- ``inputs``: ``backward(inputs=[...])`` (leaves and non-leaves)
- ``grad``: ``autograd.grad`` with several inputs, ``retain_graph``, ``allow_unused``
- ``gradmode``: steps under ``no_grad``, ``enable_grad``, ``set_grad_enabled(False)``
- ``nn``: ``nn.Linear`` (weights set from literals), ``Sequential`` (not called on an
  input that puts a hidden value on ReLU's kink up to rounding: ``relu_tie``), ``ReLU
  Tanh Sigmoid MSELoss``, ``nn.functional.linear relu mse_loss``
- ``optim``: unrolled training loops with ``SGD`` (momentum, nesterov, weight_decay)
  and ``Adam`` over leaves or a model's parameters
- ``errors``: out-of-range dims, shapes that do not broadcast, wrong dtypes
- ``create_graph forward_ad functional views``: higher-order gradients, forward mode,
  ``autograd.functional`` and in-place ops on views (``tests/fuzz/gen_higher.py``)

``make test`` runs 300 seeds with the features listed in ``tests/fuzz/test_fuzz.py``'s
``CLEAN`` (those that show no difference any more); ``scripts/fuzz.py`` uses them all.
"""

import random

from . import gen_higher
from .program import Step, new_namespace, run_step

FEATURES = (
    "factories int mixed scalar empty special domain arith unary reduce matmul shape index "
    "setitem inplace compare convert hooks backward inputs grad gradmode nn optim errors"
).split() + gen_higher.FEATURES  # (create_graph forward_ad functional views)

HOOKS = (
    "lambda g: rec.append(g + 0)",
    "lambda g: g * 2",
    "lambda g: None",
)


def _lit(value):
    if isinstance(value, list):
        return "[" + ", ".join(_lit(v) for v in value) + "]"
    if isinstance(value, float):
        if value != value:
            return "float('nan')"
        if value in (float("inf"), float("-inf")):
            return "float('inf')" if value > 0 else "-float('inf')"
    return repr(value)


def _nested(flat, shape):
    if not shape:
        return flat[0]
    n = len(flat) // shape[0] if shape[0] else 0
    return [_nested(flat[i * n : (i + 1) * n], shape[1:]) for i in range(shape[0])]


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _holds(pred, t):
    """``pred(t)``, False when torch refuses to describe ``t`` (reading ``is_leaf`` of a
    view made under no_grad whose base was changed in place raises)."""
    try:
        return bool(pred(t))
    except RuntimeError:
        return False


class Generator(gen_higher.Higher):
    """Writes one program from ``seed`` with the ops of ``features``."""

    def __init__(self, seed, torch, features=FEATURES, max_ops=10):
        self.r = random.Random(seed)
        self.f = set(features)
        self.ns = new_namespace(torch)
        self.torch = torch
        self.steps = []
        self.count = 0
        self.max_ops = max_ops

    # -- bookkeeping ------------------------------------------------------------------
    def emit(self, op, code, uses=(), out=True, mode=None, grad=False, then=""):
        """Append a step, run it on the shadow; the bound variable, or None."""
        name = None
        if out:
            name = f"v{self.count}" if out is True else out
            if out is True:
                self.count += 1
        if (
            mode is None
            and not then
            and "gradmode" in self.f
            and self.r.random() < 0.12
        ):
            mode = self.r.choice(
                [
                    "no_grad",
                    "enable_grad",
                    "set_grad_enabled(False)",
                    "no_grad(), L.enable_grad()",
                ]
            )
        step = Step(op, name, code, tuple(uses), mode, grad, then)
        self.steps.append(step)
        outcome = run_step(step, self.ns)
        if outcome.error is not None:
            return None
        return name

    def tensors(self, pred=lambda t: True):
        return [
            k
            for k, v in self.ns.items()
            if k[0] == "v" and isinstance(v, self.torch.Tensor) and _holds(pred, v)
        ]

    def pick(self, pred=lambda t: True):
        names = self.tensors(pred)
        if not names:
            return None
        if self.r.random() < 0.6:
            return names[-1 - min(int(self.r.expovariate(0.7)), len(names) - 1)]
        return self.r.choice(names)

    def val(self, name):
        return self.ns[name]

    def chance(self, p):
        return self.r.random() < p

    # -- data -------------------------------------------------------------------------
    def shape(self):
        pool = [(3,), (2, 3), (1, 3), (3, 1), (2, 1, 3), (2, 2), (1,), (4,), (2, 3, 2)]
        if "scalar" in self.f:
            pool += [(), ()]
        if "empty" in self.f:
            pool += [(0,), (2, 0), (0, 3)]
        return self.r.choice(pool)

    def number(self):
        if "special" in self.f and self.chance(0.08):
            return self.r.choice([0.0, -0.0, float("nan"), float("inf"), -float("inf")])
        x = round(self.r.uniform(-2, 2), 1)
        if x == 0 and "special" not in self.f:
            x = 0.5
        return x

    def literal(self, shape, kind="f"):
        n = _numel(shape)
        if kind == "b":
            flat = [self.chance(0.5) for _ in range(n)]
        elif kind == "i":
            flat = [self.r.randint(-3, 3) for _ in range(n)]
        else:
            flat = [self.number() for _ in range(n)]
        if n == 0:
            return None
        return _lit(_nested(flat, shape))

    def leaf(self, shape=None, kind=None, requires_grad=None, dtype=None):
        shape = self.shape() if shape is None else tuple(shape)
        if kind is None:
            kind = "f"
            if "int" in self.f and self.chance(0.15):
                kind = self.r.choice("ib")
        if kind == "f":
            dtype = dtype or (
                self.r.choice(["float32", "float32", "float64"])
                if "mixed" in self.f
                else "float32"
            )
            rg = self.chance(0.7) if requires_grad is None else requires_grad
            extra = f", dtype=L.{dtype}" if dtype != "float32" else ""
            extra += ", requires_grad=True" if rg else ""
        else:
            extra = ""
        lit = self.literal(shape, kind)
        if lit is None:  # a 0-size dimension: no literal spells it
            dt = {"f": dtype or "float32", "i": "int64", "b": "bool"}[kind]
            rg = (
                ", requires_grad=True"
                if kind == "f" and "requires_grad" in extra
                else ""
            )
            return self.emit("zeros", f"L.zeros({_lit(list(shape))}, dtype=L.{dt}{rg})")
        return self.emit("tensor", f"L.tensor({lit}{extra})")

    def float_tensor(self, pred=lambda t: True):
        name = self.pick(lambda t: t.is_floating_point() and pred(t))
        return name if name is not None else self.leaf(kind="f")

    def operand(self):
        name = self.pick() if self.chance(0.85) else None
        return name if name is not None else self.leaf()

    def compatible_shape(self, shape):
        """A shape that broadcasts with ``shape``."""
        shape = list(shape)
        c = self.r.randrange(5)
        if c == 0 or not shape:
            out = shape
        elif c == 1:
            out = shape[self.r.randrange(len(shape) + 1) :]
        elif c == 2:
            out = [1 if self.chance(0.5) else s for s in shape]
        elif c == 3:
            out = [2] + shape if len(shape) < 3 else shape
        else:
            out = [1] * len(shape)
        if "errors" in self.f and self.chance(0.05):
            out = [s + 2 for s in shape] or [2]
        return tuple(out)

    def other(self, name, same_result_shape=False):
        """A tensor operand that broadcasts with ``name`` (existing or a new leaf)."""
        shape = tuple(self.val(name).shape)
        want = self.compatible_shape(shape)
        if same_result_shape:
            want = want[-len(shape) :] if shape else ()
        for k in reversed(self.tensors()):
            if k != name and tuple(self.val(k).shape) == want and self.chance(0.5):
                return k
        return self.leaf(want, kind="f" if self.chance(0.9) else None)

    def dim(self, name, extra=0):
        nd = self.val(name).dim()
        hi = max(nd + extra, 1)
        if "errors" in self.f and self.chance(0.05):
            return hi + 1
        return self.r.randrange(-hi, hi)

    # -- ops --------------------------------------------------------------------------
    def g_factory(self):
        shape = self.shape()
        s = _lit(list(shape))
        c = self.r.randrange(10)
        if c == 0:
            return self.emit("zeros", f"L.zeros({', '.join(map(str, shape)) or '()'})")
        if c == 1:
            return self.emit("ones", f"L.ones({s}, dtype=L.float64)")
        if c == 2:
            return self.emit("full", f"L.full({s}, {self.number()!r})")
        if c == 3:
            n = self.r.randrange(0 if "empty" in self.f else 1, 4)
            m = self.r.randrange(1, 4)
            return self.emit(
                "eye", f"L.eye({n}, {m})" if self.chance(0.5) else f"L.eye({n})"
            )
        if c == 4:
            if self.chance(0.5):
                return self.emit("arange", f"L.arange({self.r.randrange(1, 6)})")
            return self.emit(
                "arange", f"L.arange(0.0, {self.r.randrange(1, 4)}.0, 0.5)"
            )
        x = self.operand()
        if x is None:
            return None
        if c == 5:
            return self.emit("zeros_like", "L.zeros_like({0})", [x])
        if c == 6:
            return self.emit("ones_like", "L.ones_like({0})", [x])
        if c == 7:
            return self.emit("full_like", f"L.full_like({{0}}, {self.number()!r})", [x])
        if c == 8 and "scalar" in self.f:
            return self.emit("tensor", f"L.tensor({_lit(self.number())})")
        return self.leaf()

    def g_arith(self):
        a = self.operand()
        if a is None:
            return None
        c = self.r.randrange(4)
        domain = "domain" in self.f
        op = self.r.choice(
            ["+", "-", "*", "/", "**"] if domain else ["+", "-", "*", "/", "**"]
        )
        if not domain and op in ("/", "**"):
            if op == "/" or self.chance(0.5):
                k = (
                    self.r.choice([2, 3, -1.5, 0.5])
                    if op == "/"
                    else self.r.choice([2, 3])
                )
                return self.emit(op, f"{{0}} {op} {k!r}", [a])
            return self.emit("r**", "2 ** {0}", [a])
        if c == 0:  # tensor op scalar
            return self.emit(op, f"{{0}} {op} {_lit(self.scalar())}", [a])
        if c == 1:  # scalar op tensor
            if op == "**" and self.chance(
                0.3
            ):  # torch's (Number self, Tensor exponent)
                return self.emit("r**", f"L.pow({_lit(self.scalar())}, {{0}})", [a])
            return self.emit("r" + op, f"{_lit(self.scalar())} {op} {{0}}", [a])
        b = self.other(a)
        if b is None:
            return None
        if c == 2:
            return self.emit(op, f"{{0}} {op} {{1}}", [a, b])
        ms = ["add", "sub", "mul", "L.add", "L.mul", "L.sub"]
        m = self.r.choice(ms + ["div", "pow"] if domain else ms)
        if m in ("add", "sub") and self.chance(0.5):
            return self.emit(
                m, f"{{0}}.{m}({{1}}, alpha={self.r.choice([2, 0.5, -1])})", [a, b]
            )
        if m.startswith("L."):
            return self.emit(m, f"{m}({{0}}, {{1}})", [a, b])
        return self.emit(m, f"{{0}}.{m}({{1}})", [a, b])

    def scalar(self):
        if self.chance(0.3):
            return self.r.choice(
                [0, 1, 2, -1, 3] if "special" in self.f else [1, 2, -1, 3]
            )
        return self.number()

    def g_unary(self):
        a = self.operand()
        if a is None:
            return None
        if self.chance(0.25):
            lo, hi = sorted([self.number(), self.number()])
            c = self.r.randrange(5)
            if c == 0:
                return self.emit("clamp", f"{{0}}.clamp(min={lo!r})", [a])
            if c == 1:
                return self.emit("clamp", f"{{0}}.clamp(max={hi!r})", [a])
            if c == 2:
                return self.emit("clamp", f"L.clip({{0}}, {lo!r}, {hi!r})", [a])
            if c == 3:
                b = self.other(a)
                return b and self.emit("clamp", "{0}.clamp(min={1})", [a, b])
            return self.emit("clamp", f"{{0}}.clamp({lo!r}, {hi!r})", [a])
        names = "neg exp abs tanh sigmoid relu clone detach contiguous".split()
        if "domain" in self.f:
            names += ["log", "sqrt", "reciprocal"]
        m = self.r.choice(names)
        if self.chance(0.2):
            if m in ("contiguous", "detach", "clone", "reciprocal", "neg"):
                return self.emit("neg", "-{0}", [a])
            return self.emit(m, f"L.{m}({{0}})", [a])
        return self.emit(m, f"{{0}}.{m}()", [a])

    def g_reduce(self):
        a = self.operand()
        if a is None:
            return None
        m = self.r.choice("sum sum mean mean max min argmax argmin all any".split())
        keep = ", keepdim=True" if self.chance(0.3) else ""
        nd = self.val(a).dim()
        if m in ("all", "any"):
            return self.emit(m, f"{{0}}.{m}()", [a])
        if self.chance(0.35):
            return self.emit(m, f"{{0}}.{m}()", [a])
        if m in ("sum", "mean") and nd >= 2 and self.chance(0.3):
            dims = self.r.sample(range(nd), 2)
            return self.emit(m, f"{{0}}.{m}(dim=({dims[0]}, {dims[1]}){keep})", [a])
        d = self.dim(a)
        if m in ("max", "min"):
            t = self.emit(m, f"{{0}}.{m}({d}{keep})", [a])
            if t is None:
                return None
            part = self.r.choice(["values", "indices", "[0]", "[1]"])
            code = f"{{0}}.{part}" if part[0] != "[" else f"{{0}}{part}"
            return self.emit("." + part.strip("[]"), code, [t])
        return self.emit(m, f"{{0}}.{m}(dim={d}{keep})", [a])

    def g_matmul(self):
        a = self.float_tensor(lambda t: 1 <= t.dim() <= 3)
        if a is None:
            return None
        sa = tuple(self.val(a).shape)
        if not sa:
            return None
        k = sa[-1]
        if "errors" in self.f and self.chance(0.05):
            k += 1
        n = self.r.randrange(1, 4)
        c = self.r.randrange(4)
        sb = [(k,), (k, n), (2, k, n), (1, k, n)][c]
        if len(sa) == 1 and c >= 2:
            sb = (k, n)
        dt = str(self.val(a).dtype).split(".")[-1]
        b = self.leaf(sb, kind="f", dtype=dt if self.chance(0.9) else None)
        if b is None:
            return None
        form = self.r.choice(
            ["{0} @ {1}", "{0}.matmul({1})", "L.matmul({0}, {1})", "{0}.mm({1})"]
        )
        if self.chance(0.2):
            return self.emit(
                "matmul", form, [b, a] if len(sb) == 2 and len(sa) <= 2 else [a, b]
            )
        return self.emit("matmul", form, [a, b])

    def g_shape(self):
        a = self.operand()
        if a is None:
            return None
        t = self.val(a)
        nd, shape = t.dim(), tuple(t.shape)
        c = self.r.randrange(13)
        if c == 0:
            return self.emit("t", "{0}.t()", [a])
        if c == 1:
            return self.emit("T", "{0}.T" if nd != 3 else "{0}.mT", [a])
        if c == 2:
            return self.emit("mT", "{0}.mT", [a])
        if c == 3:
            return self.emit(
                "transpose", f"{{0}}.transpose({self.dim(a)}, {self.dim(a)})", [a]
            )
        if c == 4:
            perm = list(range(nd))
            self.r.shuffle(perm)
            return self.emit(
                "permute", f"{{0}}.permute({', '.join(map(str, perm))})", [a]
            )
        if c in (5, 6):
            new = self.reshape_to(shape)
            m = "reshape" if c == 5 else "view"
            return self.emit(m, f"{{0}}.{m}({', '.join(map(str, new)) or '()'})", [a])
        if c == 7:
            return self.emit("flatten", "{0}.flatten()", [a])
        if c == 8:
            return self.emit("unsqueeze", f"{{0}}.unsqueeze({self.dim(a, 1)})", [a])
        if c == 9:
            if self.chance(0.4):
                return self.emit("squeeze", "{0}.squeeze()", [a])
            return self.emit("squeeze", f"{{0}}.squeeze({self.dim(a)})", [a])
        if c == 10:
            sizes = [
                self.r.choice([2, 3]) if s == 1 else (-1 if self.chance(0.3) else s)
                for s in shape
            ]
            if self.chance(0.3):
                sizes = [2] + sizes
            return self.emit(
                "expand", f"{{0}}.expand({', '.join(map(str, sizes)) or '()'})", [a]
            )
        b = self.pick(lambda u: u.numel() == t.numel())
        if b is None:
            return None
        m = self.r.choice(["view_as", "reshape_as", "expand_as"])
        return self.emit(m, f"{{0}}.{m}({{1}})", [a, b])

    def reshape_to(self, shape):
        n = _numel(shape)
        options = [(n,), (-1,), (1, n), (n, 1)]
        if n and n % 2 == 0:
            options += [(2, n // 2), (-1, 2), (n // 2, 1, 2)]
        if n == 1:
            options += [(), (1, 1, 1)]
        if "errors" in self.f and self.chance(0.05):
            options = [(n + 1,)]
        return self.r.choice(options)

    def index_key(self, t):
        """A subscript for ``t`` (as source text) and the tensor names it uses."""
        shape = tuple(t.shape)
        parts, uses = [], []
        if shape and self.chance(0.3):  # advanced index on the first dimension
            c = self.r.randrange(4)
            n = shape[0]
            if c == 0 and n:
                idx = [self.r.randrange(-n, n) for _ in range(self.r.randrange(1, 4))]
                parts.append(_lit(idx))
            elif c == 1:
                mask = self.literal((n,), "b") or "[]"
                uses.append(self.emit("tensor", f"L.tensor({mask}, dtype=L.bool)"))
                parts.append("{%d}" % len(uses))
            elif c == 2 and n:
                idx = [self.r.randrange(-n, n) for _ in range(self.r.randrange(1, 3))]
                uses.append(self.emit("tensor", f"L.tensor({_lit(idx)})"))
                parts.append("{%d}" % len(uses))
            else:
                parts.append(
                    self.r.choice(["True", "[]", "None"])
                    if "errors" in self.f
                    else "None"
                )
            dims = shape[1:]
        else:
            dims = shape
        for s in dims:
            c = self.r.randrange(6)
            if c == 0 and s:
                parts.append(str(self.r.randrange(-s, s)))
            elif c == 1:
                a, b = sorted(
                    [self.r.randrange(-s - 1, s + 2), self.r.randrange(-s - 1, s + 2)]
                )
                step = self.r.choice(["", "", ":2", ":3"])
                parts.append(f"{a}:{b}{step}")
            elif c == 2:
                parts.append(":")
            elif c == 3:
                parts.append("None")
            elif c == 4:
                parts.append("...")
                break
            else:
                break
        if "errors" in self.f and self.chance(0.05):
            parts.append("5")
        if not parts:
            parts = [self.r.choice(["...", "None", ":"])]
        if any(u is None for u in uses):
            return None, None
        return ", ".join(parts), uses

    def keyed(self):
        """An operand and a subscript for it: (name, key, names the key uses)."""
        a = self.operand()
        if a is None:
            return None, None, None
        key, uses = self.index_key(self.val(a))
        return a, key, uses

    def g_index(self):
        a, key, uses = self.keyed()
        if key is None:
            return None
        if (
            self.chance(0.15) and self.val(a).is_floating_point()
        ):  # a mask made by comparison
            m = self.emit(">", "{0} > 0", [a])
            return m and self.emit("getitem", "{0}[{1}]", [a, m])
        return self.emit("getitem", "{0}[" + key + "]", [a, *uses])

    def g_setitem(self):
        a, key, uses = self.keyed()
        if key is None:
            return None
        try:
            target = eval(f"{a}[{key.format(a, *uses)}]", self.ns)  # noqa: S307
            tshape = tuple(target.shape)
        except Exception:  # noqa: BLE001 - torch refuses the key: keep it as an error case
            tshape = ()
        if self.chance(0.5):
            value = _lit(
                self.number()
                if self.val(a).is_floating_point()
                else self.r.randrange(3)
            )
            return self.emit(
                "setitem", "{0}[" + key + "] = " + value, [a, *uses], out=False
            )
        v = self.leaf(
            self.compatible_shape(tshape)[-len(tshape) :] if tshape else (), kind="f"
        )
        if v is None:
            return None
        n = len(uses) + 1
        return self.emit(
            "setitem", "{0}[" + key + "] = {%d}" % n, [a, *uses, v], out=False
        )

    def g_inplace(self):
        a = self.operand()
        if a is None:
            return None
        c = self.r.randrange(12)
        if c <= 3:
            m = ["add_", "sub_", "mul_", "div_"][c]
            if self.chance(0.4):
                return self.emit(m, f"{{0}}.{m}({_lit(self.scalar())})", [a], out=False)
            b = self.other(a, same_result_shape=True)
            return b and self.emit(m, f"{{0}}.{m}({{1}})", [a, b], out=False)
        if c == 4:
            op = self.r.choice(["+=", "-=", "*=", "/="])
            if self.chance(0.5):
                return self.emit(
                    op, f"{{0}} {op} {_lit(self.scalar())}", [a], out=False
                )
            b = self.other(a, same_result_shape=True)
            return b and self.emit(op, f"{{0}} {op} {{1}}", [a, b], out=False)
        if c == 5:
            return self.emit("zero_", "{0}.zero_()", [a], out=False)
        if c == 6:
            if self.chance(0.3) and "scalar" in self.f:
                b = self.pick(lambda t: t.dim() == 0)
                if b is not None:
                    return self.emit("fill_", "{0}.fill_({1})", [a, b], out=False)
            return self.emit(
                "fill_", f"{{0}}.fill_({_lit(self.number())})", [a], out=False
            )
        if c == 7:
            lo, hi = sorted([self.number(), self.number()])
            return self.emit("clamp_", f"{{0}}.clamp_({lo!r}, {hi!r})", [a], out=False)
        if c == 8:
            b = self.other(a, same_result_shape=True)
            return b and self.emit("copy_", "{0}.copy_({1})", [a, b], out=False)
        if c == 9:
            flag = "" if self.chance(0.6) else "False"
            return self.emit(
                "requires_grad_", f"{{0}}.requires_grad_({flag})", [a], out=False
            )
        if c == 10:
            return self.emit("detach_", "{0}.detach_()", [a], out=False)
        # an in-place op through a view (slice or transpose) of ``a``
        v = self.emit("view", self.r.choice(["{0}[0:1]", "{0}.t()", "{0}[...]"]), [a])
        if v is None:
            return None
        return self.emit("mul_", f"{{0}}.mul_({_lit(self.scalar())})", [v], out=False)

    def g_compare(self):
        a = self.operand()
        if a is None:
            return None
        op = self.r.choice(["==", "!=", "<", "<=", ">", ">="])
        if self.chance(0.5):
            m = self.emit(op, f"{{0}} {op} {_lit(self.scalar())}", [a])
        else:
            b = self.other(a)
            m = b and self.emit(op, f"{{0}} {op} {{1}}", [a, b])
        if m is None or self.chance(0.5):
            return m
        b = self.pick(lambda t: t.dtype == self.torch.bool)
        c = self.r.randrange(3)
        if c == 0 or b is None:
            return self.emit("~", "~{0}", [m])
        op = "&" if c == 1 else "|"
        return self.emit(op, f"{{0}} {op} {{1}}", [m, b])

    def g_convert(self):
        a = self.operand()
        if a is None:
            return None
        t = self.val(a)
        c = self.r.randrange(8)
        if c == 0:
            m = self.r.choice(["float", "double", "long", "int", "bool"])
            return self.emit(m, f"{{0}}.{m}()", [a])
        if c == 1:
            return self.emit(
                "to", f"{{0}}.to(L.{self.r.choice(['float64', 'float32'])})", [a]
            )
        if c == 2 and (t.numel() == 1 or "errors" in self.f):
            return self.emit("item", "{0}.item()", [a])
        if c == 3:
            return self.emit("tolist", "{0}.tolist()", [a])
        if c == 4 and (t.numel() == 1 or "errors" in self.f):
            f = self.r.choice(["float", "int", "bool"])
            return self.emit(f + "()", f"{f}({{0}})", [a])
        if c == 5:
            return self.emit("len", "len({0})", [a])
        if c == 6:
            return self.emit(
                "shape",
                self.r.choice(["{0}.shape", "{0}.size()", "{0}.shape[1:]"]),
                [a],
            )
        m = self.r.choice(
            [
                "dim()",
                "numel()",
                "is_contiguous()",
                "size(0)",
                "is_leaf",
                "requires_grad",
            ]
        )
        return self.emit(m, f"{{0}}.{m}", [a])

    def needs_grad(self, t):
        return t.requires_grad and t.is_floating_point()

    def g_hook(self):
        a = self.pick(self.needs_grad)
        if a is None:
            return None
        c = self.r.randrange(4)
        if c == 0 and not self.holds(a, "is_leaf"):
            return self.emit("retain_grad", "{0}.retain_grad()", [a], out=False)
        if c == 1:
            h = next((k for k, v in self.ns.items() if k[0] == "h"), None)
            if h is not None:
                return self.emit("remove", "{0}.remove()", [h], out=False)
        if self.val(a)._base is not None and self.val(a)._version:
            return None  # torch 2.13 segfaults hooking a view changed through another
        name = f"h{self.count}"
        self.count += 1
        hook = self.r.choice(HOOKS)
        if "errors" in self.f and self.chance(0.05):
            hook = "lambda g: g.sum()"
        return self.emit("register_hook", f"{{0}}.register_hook({hook})", [a], out=name)

    def root(self):
        """A scalar that requires grad (made by ``sum`` when needed)."""
        y = self.pick(self.needs_grad)
        if y is None:
            x = self.leaf(kind="f", requires_grad=True)
            y = x and self.emit("mul", "{0} * 2", [x])
        if y is None:
            return None
        if self.val(y).numel() != 1 or self.chance(0.2):
            y = self.emit("sum", "{0}.sum()", [y])
        return y

    def g_backward(self):
        if self.chance(0.2):
            y = self.pick(self.needs_grad)
            if y is not None:
                # the gradient made inline: torch may keep that very tensor as a
                # .grad (and add into it later), which a variable would let us see
                return self.emit(
                    "backward",
                    "{0}.backward(L.ones_like({0}), retain_graph=True)",
                    [y],
                    out=False,
                )
        y = self.root()
        if y is None:
            return None
        opts = ", retain_graph=True" if self.chance(0.6) else ""
        uses = [y]
        if "inputs" in self.f and self.chance(0.3):
            leaves = self.tensors(lambda t: self.needs_grad(t))
            chosen = self.r.sample(leaves, min(len(leaves), self.r.randrange(1, 3)))
            if chosen:
                uses += chosen
                opts += (
                    ", inputs=["
                    + ", ".join("{%d}" % (i + 1) for i in range(len(chosen)))
                    + "]"
                )
        return self.emit("backward", f"{{0}}.backward({opts[2:]})", uses, out=False)

    def g_read_grad(self):
        a = self.pick(lambda t: t.is_leaf and t.requires_grad)
        return a and self.emit(".grad", "{0}.grad", [a], grad=True)

    def g_grad(self):
        y = self.root()
        if y is None:
            return None
        leaves = self.tensors(lambda t: self.needs_grad(t))
        chosen = self.r.sample(leaves, min(len(leaves), self.r.randrange(1, 4)))
        if not chosen:
            return None
        ins = ", ".join("{%d}" % (i + 1) for i in range(len(chosen)))
        opts = ""
        if self.chance(0.6):
            opts += ", retain_graph=True"
        if self.chance(0.5):
            opts += ", allow_unused=True"
        return self.emit(
            "autograd.grad",
            f"L.autograd.grad({{0}}, [{ins}]{opts})",
            [y, *chosen],
            grad=True,
        )

    def linear(self, i, o, bias=True):
        """An ``nn.Linear`` with weights set from literals; its name."""
        then = "with L.no_grad():\n"
        then += f"    {{0}}.weight.copy_(L.tensor({self.literal((o, i)) or '[]'}))"
        if bias:
            then += f"\n    {{0}}.bias.copy_(L.tensor({self.literal((o,)) or '[]'}))"
        bias_arg = "" if bias else ", bias=False"
        m = self.emit("Linear", f"L.nn.Linear({i}, {o}{bias_arg})", then=then)
        return m

    def g_nn(self):
        c = self.r.randrange(5)
        x = self.float_tensor(lambda t: 1 <= t.dim() <= 3)
        if x is None or not self.val(x).dim():
            return None
        i = self.val(x).shape[-1]
        o = self.r.randrange(1, 4)
        if c == 0:
            m = self.linear(i, o, bias=self.chance(0.8))
            if m is None:
                return None
            self.emit(".weight", "{0}.weight", [m])
            return self.emit("Linear()", "{0}({1})", [m, x])
        if c == 1:
            w = self.leaf((o, i), kind="f", dtype=str(self.val(x).dtype).split(".")[-1])
            return w and self.emit("linear", "L.nn.functional.linear({0}, {1})", [x, w])
        if c == 2:
            act = self.r.choice(["ReLU()", "Tanh()", "Sigmoid()"])
            return self.emit(act, f"L.nn.{act}({{0}})", [x])
        if c == 3:
            y = self.other(x, same_result_shape=True)
            red = self.r.choice(["", ", reduction='sum'", ", reduction='none'"])
            if self.chance(0.5):
                return y and self.emit(
                    "MSELoss", f"L.nn.MSELoss({red[2:]})({{0}}, {{1}})", [x, y]
                )
            return y and self.emit(
                "mse_loss", f"L.nn.functional.mse_loss({{0}}, {{1}}{red})", [x, y]
            )
        first = self.linear(i, 3)
        second = self.linear(3, o)
        if first is None or second is None or self.relu_tie(first, x):
            return None
        seq = self.emit(
            "Sequential", "L.nn.Sequential({0}, L.nn.ReLU(), {1})", [first, second]
        )
        return seq and self.emit("Sequential()", "{0}({1})", [seq, x])

    def relu_tie(self, linear, x):
        """Does ``linear(x)`` hold a value that is 0 up to rounding (in the ReLU of a
        ``Sequential``)? Then ReLU's kink sits on a rounding tie the comparator cannot
        see: the hidden value is exactly 0 in torch's sum of products and 1e-8 in
        NumPy's (seed 3105808), so the gradient passes on one side only. The program
        then calls no ``Sequential`` there. (Literal data makes such ties common: with
        one decimal, -0.8 * -0.4 - 0.4 * 0.2 - 1.2 * 0.2 is 0 in exact arithmetic.)"""
        m, v = self.val(linear), self.val(x)
        torch = self.torch
        try:
            with torch.no_grad():
                out = m(v)
                scale = v.abs() @ m.weight.abs().mT + m.bias.abs()
        except RuntimeError:  # (a float64 x: the call raises, compared as an error)
            return False
        eps = torch.finfo(out.dtype).eps
        return bool((out.abs() <= 8 * eps * scale).any())

    def g_optim(self):
        opt = self.r.choice(
            [
                "SGD({p}, lr=0.1)",
                "SGD({p}, lr=0.1, momentum=0.9)",
                "SGD({p}, lr=0.05, momentum=0.9, nesterov=True)",
                "SGD({p}, lr=0.1, weight_decay=0.01)",
                "Adam({p}, lr=0.1)",
            ]
        )
        if self.chance(0.5):  # a model trained on data
            x = self.leaf((4, 2), kind="f", requires_grad=False)
            y = self.leaf((4, 1), kind="f", requires_grad=False)
            m = self.linear(2, 1)
            if None in (x, y, m):
                return None
            o = self.emit("optim", "L.optim." + opt.format(p="{0}.parameters()"), [m])
            if o is None:
                return None
            for _ in range(self.r.randrange(1, 4)):
                self.emit("zero_grad", "{0}.zero_grad()", [o], out=False)
                loss = self.emit(
                    "mse_loss", "L.nn.functional.mse_loss({0}({1}), {2})", [m, x, y]
                )
                if loss is None:
                    return None
                self.emit("backward", "{0}.backward()", [loss], out=False)
                self.emit("step", "{0}.step()", [o], out=False)
            return self.emit(".weight", "{0}.weight", [m])
        params = self.tensors(lambda t: t.is_leaf and self.needs_grad(t))
        params = self.r.sample(params, min(len(params), 2))
        if not params:
            p = self.leaf(kind="f", requires_grad=True)
            params = [p] if p else []
        if not params:
            return None
        plist = "[" + ", ".join("{%d}" % i for i in range(len(params))) + "]"
        o = self.emit("optim", "L.optim." + opt.format(p=plist), params)
        if o is None:
            return None
        loss_code = " + ".join(
            "(({%d} - 0.5) ** 2).sum()" % i for i in range(len(params))
        )
        for _ in range(self.r.randrange(1, 4)):
            self.emit("zero_grad", "{0}.zero_grad()", [o], out=False)
            loss = self.emit("loss", loss_code, params)
            if loss is None:
                return None
            self.emit("backward", "{0}.backward()", [loss], out=False)
            self.emit("step", "{%d}.step()" % 0, [o], out=False)
        return params[0]

    # -- the program ------------------------------------------------------------------
    WEIGHTS = (  # (feature, generator, weight)
        ("factories", "g_factory", 1),
        ("arith", "g_arith", 4),
        ("unary", "g_unary", 3),
        ("reduce", "g_reduce", 2),
        ("matmul", "g_matmul", 1),
        ("shape", "g_shape", 3),
        ("index", "g_index", 2),
        ("setitem", "g_setitem", 1),
        ("inplace", "g_inplace", 2),
        ("compare", "g_compare", 1),
        ("convert", "g_convert", 1),
        ("hooks", "g_hook", 1),
        ("backward", "g_backward", 2),
        ("backward", "g_read_grad", 0.5),
        ("grad", "g_grad", 1),
        ("nn", "g_nn", 1),
        ("optim", "g_optim", 0.5),
        *gen_higher.WEIGHTS,
    )

    def program(self):
        table = [(g, w) for f, g, w in self.WEIGHTS if f in self.f]
        names, weights = zip(*table, strict=True)
        for _ in range(self.r.randrange(1, 3)):
            self.leaf(kind="f", requires_grad=True)
        for _ in range(self.r.randrange(2, self.max_ops + 1)):
            getattr(self, self.r.choices(names, weights)[0])()
        if "backward" in self.f and self.chance(0.7):
            self.g_backward()
        return self.steps


def generate(seed, torch, features=FEATURES, max_ops=10):
    """The program for ``seed`` (a list of ``Step``)."""
    return Generator(seed, torch, features, max_ops).program()
