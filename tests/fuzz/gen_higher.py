"""The generator's features beyond first derivatives (issue 12), mixed into ``Generator``.

- ``create_graph``: ``autograd.grad(..., create_graph=True)`` and
  ``backward(create_graph=True)`` over the random program's graph, then a second (and
  sometimes a third) derivative of a function of those gradients, by ``autograd.grad``
  or ``backward``. The gradients are compared with their ``grad_fn`` graphs (the
  double-backward nodes), not only their values.
- ``forward_ad``: a block ``enter_dual_level()`` ... ``exit_dual_level()`` in which
  ``make_dual`` gives random tangents to random tensors, the generator's own ops (of the
  features it was given) run on them, and ``unpack_dual`` reads primals and tangents.
- ``functional``: ``autograd.functional.jacobian hessian vjp jvp hvp vhp`` of small
  random lambdas built from the registry's ops, with random ``create_graph`` and
  ``strict`` (``vectorize=True`` now and then: a documented refusal).
- ``views``: in-place ops on views of non-leaf (or plain) tensors: a view of a view,
  ``retain_grad`` on a view, the base changed after the view was, a view read again
  after its base changed, then ``backward`` and the gradients.

Each ``g_<feature>`` writes steps with ``self.emit`` as the generator's own features do,
so programs are shrunk and printed the same way. A step whose result is a gradient of a
``create_graph`` pass is marked ``grad="graph"``: compared as a gradient (no version
counter) but with its ``grad_fn`` graph. A tangent is marked ``grad=True`` and read
``.detach()``-ed when torch's would record a ``grad_fn`` (the README: a tangent is a
plain tensor here).
"""

FEATURES = ["create_graph", "forward_ad", "functional", "views"]

WEIGHTS = (  # (feature, generator method, weight), appended to Generator.WEIGHTS
    ("create_graph", "g_create_graph", 2),
    ("forward_ad", "g_forward_ad", 1.5),
    ("functional", "g_functional", 1.5),
    ("views", "g_views", 2),
)

FWAD = "L.autograd.forward_ad"

# a function of a gradient ``g`` (``{0}``), optionally of an input ``x`` (``{1}``)
OF_GRADIENT = (
    "({0} * {0}).sum()",
    "{0}.sum()",
    "({0} ** 3).mean()",
    "{0}.exp().sum()",
    "{0}.tanh().sum()",
    "({0} * {1}).sum()",
    "({0} - {1}).abs().sum()",
)

UNARY = ("exp", "tanh", "sigmoid", "relu", "abs", "neg")
UNARY_DOMAIN = ("log", "sqrt", "reciprocal")


class Higher:
    """The ``g_`` methods of the features above (a mixin of ``Generator``)."""

    def holds(self, name, flag):
        """The shadow's ``name.flag`` (``is_leaf``, ``requires_grad``...); False when
        torch refuses to say (a no_grad view whose base changed in place)."""
        try:
            return bool(getattr(self.val(name), flag))
        except RuntimeError:
            return False

    def pick_inputs(self, most=3):
        """Some tensors that require grad (leaves first), for ``autograd.grad``."""
        cands = self.tensors(self.needs_grad)
        leaves = [k for k in cands if self.holds(k, "is_leaf")]
        pool = leaves if leaves and self.chance(0.7) else cands
        return self.r.sample(pool, min(len(pool), self.r.randrange(1, most + 1)))

    # -- create_graph ---------------------------------------------------------------
    def g_create_graph(self):
        y = self.root()
        if y is None:
            return None
        xs = self.pick_inputs()
        if not xs:
            return None
        grads = self.first_derivative(y, xs)
        if grads and self.chance(0.85):
            self.derivative_of(grads, xs, depth=2)
        return grads[0] if grads else None

    def first_derivative(self, y, xs):
        """``create_graph=True`` gradients of ``y`` with respect to ``xs`` (names)."""
        if self.chance(0.65):
            opts = ", create_graph=True"
            if self.chance(0.5):
                opts += ", retain_graph=True"
            if self.chance(0.4):
                opts += ", allow_unused=True"
            return self.grad_tuple(y, xs, opts)
        opts = "create_graph=True"
        if self.chance(0.3):
            opts += ", retain_graph=True"
        uses = [y]
        if self.chance(0.3):
            uses += xs
            opts += ", inputs=[" + ", ".join("{%d}" % (i + 1) for i in range(len(xs)))
            opts += "]"
        self.emit("backward", f"{{0}}.backward({opts})", uses, out=False)
        return self.read_grads(xs)

    def read_grads(self, xs):
        """Read the ``.grad`` of the leaves among ``xs``; the names bound to tensors."""
        grads = [
            self.emit(".grad", "{0}.grad", [x], grad="graph")
            for x in xs
            if self.holds(x, "is_leaf")
        ]
        return [g for g in grads if g is not None and self.val(g) is not None]

    def grad_tuple(self, y, xs, opts):
        """``autograd.grad(y, xs, ...)`` and its elements (the names bound)."""
        ins = ", ".join("{%d}" % (i + 1) for i in range(len(xs)))
        t = self.emit(
            "autograd.grad",
            f"L.autograd.grad({{0}}, [{ins}]{opts})",
            [y, *xs],
            grad="graph",
        )
        if t is None:
            return []
        out = []
        for i in range(len(xs)):
            g = self.emit("grad[i]", f"{{0}}[{i}]", [t], grad="graph")
            if g is not None and self.val(g) is not None:
                out.append(g)
        return out

    def derivative_of(self, grads, xs, depth):
        """A derivative of a scalar function of the gradients ``grads``; again at
        ``depth`` > 2 now and then (a third derivative)."""
        recorded = [g for g in grads if self.holds(g, "requires_grad")]
        pool = recorded if recorded and self.chance(0.85) else grads
        g = self.r.choice(pool)
        x = self.r.choice(xs)
        form = self.r.choice(OF_GRADIENT)
        if "{1}" in form and self.val(x).shape != self.val(g).shape:
            form = OF_GRADIENT[0]
        z = self.emit("of_grad", form, [g, x])
        if z is None:
            return
        xs2 = self.pick_inputs() if self.chance(0.3) else xs
        more = depth < 3 and self.chance(0.4)
        if self.chance(0.7):
            opts = ", create_graph=True" if more else ""
            if self.chance(0.5):
                opts += ", retain_graph=True"
            if self.chance(0.5):
                opts += ", allow_unused=True"
            grads2 = self.grad_tuple(z, xs2, opts)
        else:
            opts = "create_graph=True" if more else ""
            if self.chance(0.3):
                opts += (", " if opts else "") + "retain_graph=True"
            self.emit("backward", f"{{0}}.backward({opts})", [z], out=False)
            grads2 = self.read_grads(xs2)
        if more and grads2:
            self.derivative_of(grads2, xs2, depth + 1)

    # -- forward_ad -------------------------------------------------------------------
    CHAIN = (  # the generator's ops that may run on dual tensors (by feature)
        ("arith", "g_arith", 4),
        ("unary", "g_unary", 3),
        ("reduce", "g_reduce", 2),
        ("matmul", "g_matmul", 1),
        ("shape", "g_shape", 2),
        ("index", "g_index", 1),
        ("setitem", "g_setitem", 0.5),
        ("inplace", "g_inplace", 1),
        ("compare", "g_compare", 0.3),
        ("convert", "g_convert", 0.3),
        ("nn", "g_nn", 0.5),
    )

    def g_forward_ad(self):
        self.emit("enter_dual_level", f"{FWAD}.enter_dual_level()", out=False)
        first = self.count
        duals = [self.dual() for _ in range(self.r.randrange(1, 3))]
        duals = [d for d in duals if d is not None]
        table = [(g, w) for f, g, w in self.CHAIN if f in self.f]
        if table:
            names, weights = zip(*table, strict=True)
            for _ in range(self.r.randrange(1, 6)):
                getattr(self, self.r.choices(names, weights)[0])()
        made = [
            k
            for k in self.tensors(lambda t: t.is_floating_point())
            if int(k[1:]) >= first
        ]
        for k in self.r.sample(made, min(len(made), self.r.randrange(1, 4))):
            self.unpack(k)
        if duals and self.chance(0.2):  # reverse mode through the dual tensors
            self.g_backward()
        self.emit("exit_dual_level", f"{FWAD}.exit_dual_level()", out=False)
        return duals[0] if duals else None

    def dual(self):
        """``make_dual`` of a float tensor with a random tangent of its shape and dtype."""
        p = self.float_tensor() if self.chance(0.7) else self.leaf(kind="f")
        if p is None:
            return None
        t = self.val(p)
        shape, dtype = tuple(t.shape), str(t.dtype).split(".")[-1]
        if "errors" in self.f and self.chance(0.05):
            shape = (*shape, 2)
        tangent = self.leaf(shape, kind="f", requires_grad=False, dtype=dtype)
        if tangent is None:
            return None
        return self.emit("make_dual", f"{FWAD}.make_dual({{0}}, {{1}})", [p, tangent])

    def unpack(self, name):
        """Read the tangent (or now and then the primal) of ``name``."""
        if self.chance(0.25):
            return self.emit("primal", f"{FWAD}.unpack_dual({{0}}).primal", [name])
        code = f"{FWAD}.unpack_dual({{0}}).tangent"
        try:
            shadow = eval(code.format(name), self.ns)  # noqa: S307 - our own code
        except Exception:  # noqa: BLE001 - the step will show torch's error
            shadow = None
        if shadow is not None and shadow.requires_grad:
            code += ".detach()"  # torch's tangents may record a graph (README)
        return self.emit("tangent", code, [name], grad=True)

    # -- functional -------------------------------------------------------------------
    def g_functional(self):
        kind = self.r.choice(["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
        scalar = kind in ("hessian", "hvp", "vhp")
        n = self.r.randrange(1, 3)
        ins = []
        for _ in range(n):
            if ins and self.chance(0.5):
                shape = self.compatible_shape(tuple(self.val(ins[0]).shape))
                x = self.leaf(shape, kind="f", requires_grad=self.chance(0.3))
            elif self.chance(0.4):
                x = self.float_tensor()
            else:
                x = self.leaf(kind="f", requires_grad=self.chance(0.3))
            if x is not None:
                ins.append(x)
        if not ins:
            return None
        f = self.emit("lambda", self.function(ins, scalar))
        if f is None:
            return None
        as_tuple = len(ins) > 1 or self.chance(0.3)
        if as_tuple:
            inputs = "(" + ", ".join("{%d}" % (i + 1) for i in range(len(ins))) + ",)"
        else:
            inputs = "{1}"
        uses = [f, *ins]
        opts = ""
        if self.chance(0.4):
            opts += ", create_graph=True"
        if self.chance(0.3):
            opts += ", strict=True"
        v = ""
        if kind in ("vjp", "jvp", "hvp", "vhp") and self.chance(0.9):
            vs = self.directions(f, ins, kind)
            if vs is None:
                return None
            k = len(uses)
            uses += vs
            if as_tuple:
                v = ", (" + ", ".join("{%d}" % (k + i) for i in range(len(vs))) + ",)"
            else:
                v = ", {%d}" % k
        if kind in ("jacobian", "hessian") and self.chance(0.05):
            opts += ", vectorize=True"
            if kind == "jacobian" and self.chance(0.5):
                opts += ', strategy="forward-mode"'
        code = f"L.autograd.functional.{kind}({{0}}, {inputs}{v}{opts})"
        return self.emit(kind, code, uses, grad="graph")

    def directions(self, f, ins, kind):
        """Leaves shaped like the inputs (``jvp hvp vhp``) or the outputs (``vjp``)."""
        if kind != "vjp":
            shapes = [tuple(self.val(x).shape) for x in ins]
        else:
            try:
                out = self.val(f)(*[self.val(x) for x in ins])
            except Exception:  # noqa: BLE001 - torch's own error will show
                return None
            outs = _as_tuple(out)
            shapes = [tuple(getattr(o, "shape", ())) for o in outs]
            if len(outs) != len(ins):
                return None  # (v's tuple-ness follows the inputs' here)
        vs = []
        for s in shapes:
            dt = str(self.val(ins[0]).dtype).split(".")[-1]
            v = self.leaf(s, kind="f", requires_grad=False, dtype=dt)
            if v is None:
                return None
            vs.append(v)
        return vs

    def function(self, ins, scalar):
        """A lambda over as many arguments as ``ins``: elementwise ops, broadcasting,
        a reduction at the end when ``scalar``; tried on torch, a few attempts."""
        args = "abc"[: len(ins)]
        src = None
        for _ in range(4):
            body = self.expression(list(args), depth=self.r.randrange(1, 4))
            if scalar:
                body = f"({body}).{self.r.choice(['sum()', 'mean()', 'sum()'])}"
            elif self.chance(0.2):
                body = f"({body}).sum(0)"
            elif len(ins) > 1 and self.chance(0.2):
                body = f"({body}), {args[-1]} * 2"
            src = f"lambda {', '.join(args)}: {body}"
            try:
                out = eval(src, self.ns)(*[self.val(x) for x in ins])  # noqa: S307
            except Exception:  # noqa: BLE001, S112 - try another
                continue
            if all(isinstance(o, self.torch.Tensor) for o in _as_tuple(out)):
                return src
        return src

    def expression(self, args, depth):
        if depth == 0:
            if self.chance(0.15):
                return _num(self.number())
            return self.r.choice(args)
        c = self.r.randrange(6)
        a = self.expression(args, depth - 1)
        if c == 0:
            names = UNARY + (UNARY_DOMAIN if "domain" in self.f else ())
            return f"({a}).{self.r.choice(names)}()"
        if c == 1:
            return f"({a}) ** {self.r.choice([2, 3])}"
        if c == 2:
            return f"L.tanh({a})" if self.chance(0.5) else f"({a}).clamp(-1.0, 1.0)"
        b = self.expression(args, depth - 1)
        op = self.r.choice(["+", "-", "*", "*"] + (["/"] if "domain" in self.f else []))
        return f"({a}) {op} ({b})"

    # -- views ------------------------------------------------------------------------
    def g_views(self):
        base = self.view_base()
        if base is None:
            return None
        v = self.view_of(base)
        if v is None:
            return None
        if self.chance(0.35):
            w = self.view_of(v)  # a view of a view
            v = w if w is not None else v
        if self.chance(0.25) and self.holds(v, "requires_grad"):
            self.emit("retain_grad", "{0}.retain_grad()", [v], out=False)
        self.inplace_on(v)
        if self.chance(0.3):  # the base changed after its view was
            self.inplace_on(base)
        if self.chance(
            0.4
        ):  # the view read again (derived again after its base changed)
            self.emit("mul", "{0} * 2", [v])
        if self.chance(0.6):
            target = base if self.chance(0.6) else v
            if self.holds(target, "requires_grad"):
                y = self.emit("sum", "({0} * 1.5).sum()", [target])
                if y is not None:
                    opts = "retain_graph=True" if self.chance(0.4) else ""
                    self.emit("backward", f"{{0}}.backward({opts})", [y], out=False)
                    for k in (v, base):
                        if self.holds(k, "retains_grad") or self.chance(0.2):
                            self.emit(".grad", "{0}.grad", [k], grad=True)
        return v

    def view_base(self):
        """A non-leaf float tensor (made from one that requires grad), or a plain one."""
        c = self.r.randrange(4)
        if c == 0:
            return self.leaf(kind="f", requires_grad=False)
        x = self.float_tensor(self.needs_grad) if c == 1 else None
        if x is None or self.holds(x, "is_leaf"):
            x = x or self.leaf(kind="f", requires_grad=True)
            if x is None:
                return None
            form = self.r.choice(["{0} * 2", "{0}.clone()", "{0} + 0.5", "{0}.exp()"])
            return self.emit("base", form, [x])
        return x

    def view_of(self, name):
        t = self.val(name)
        nd, shape = t.dim(), tuple(t.shape)
        forms = ["{0}[...]", "{0}.unsqueeze(0)", "{0}.view(-1)", "{0}.reshape(-1)"]
        if nd >= 1 and shape[0] > 0:
            forms += ["{0}[0]", "{0}[1:]", "{0}[0:1]", "{0}[::2]"]
        if nd >= 2:
            forms += ["{0}[:, 0]", "{0}.t()", "{0}.transpose(0, 1)", "{0}.mT"]
            forms += ["{0}[:, 1:]", "{0}.permute(1, 0, *range(2, {0}.dim()))"]
        if nd >= 1 and 1 in shape:
            forms += ["{0}.squeeze()", f"{{0}}.squeeze({shape.index(1)})"]
        if nd == 1 and shape[0] == 1:
            forms += ["{0}.expand(3)"]
        if nd == 2 and shape[0] > 0 and shape[1] > 0:
            forms += ["{0}[0, 0]", "{0}[-1, 1:]"]
        return self.emit("view", self.r.choice(forms), [name])

    def inplace_on(self, name):
        """An in-place op on ``name``: with a tensor that requires grad now and then."""
        t = self.val(name)
        c = self.r.randrange(9)
        if c <= 3:
            m = ["add_", "sub_", "mul_", "div_"][c]
            if self.chance(0.35):
                return self.emit(
                    m, f"{{0}}.{m}({_num(self.scalar())})", [name], out=False
                )
            w = self.leaf(
                self.compatible_shape(tuple(t.shape))[-t.dim() :] if t.dim() else (),
                kind="f",
                requires_grad=self.chance(0.7),
                dtype=str(t.dtype).split(".")[-1],
            )
            return w and self.emit(m, f"{{0}}.{m}({{1}})", [name, w], out=False)
        if c == 4:
            w = self.leaf(tuple(t.shape), kind="f", requires_grad=self.chance(0.7))
            return w and self.emit("copy_", "{0}.copy_({1})", [name, w], out=False)
        if c == 5:
            return self.emit("zero_", "{0}.zero_()", [name], out=False)
        if c == 6 and t.dim() >= 1 and t.shape[0] > 0:
            w = self.leaf(tuple(t.shape[1:]), kind="f", requires_grad=self.chance(0.6))
            return w and self.emit("setitem", "{0}[0] = {1}", [name, w], out=False)
        if c == 7:
            lo, hi = sorted([self.number(), self.number()])
            return self.emit(
                "clamp_", f"{{0}}.clamp_({lo!r}, {hi!r})", [name], out=False
            )
        op = self.r.choice(["+=", "*=", "-="])
        return self.emit(op, f"{{0}} {op} {_num(self.scalar())}", [name], out=False)


def _num(x):
    if x != x:
        return "float('nan')"
    if x in (float("inf"), float("-inf")):
        return "float('inf')" if x > 0 else "-float('inf')"
    return repr(x)


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)
