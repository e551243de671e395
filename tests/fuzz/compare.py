"""Run a program on autograd_tutor and torch in lock step and classify the first difference.

Observed after every step: the result's values (NaN, inf and the sign of zero included),
dtype, shape, ``requires_grad``, ``is_leaf``, ``_version``, ``retains_grad``, the whole
``grad_fn`` graph (names and ``next_functions`` structure), ``repr``, the Python type of
non-tensor results; the exception type and message (torch's ``torch.`` read as ``at.``);
the warnings. After the last step: every variable again (in-place changes), each
tensor's ``.grad`` and what the recording hooks received.
"""

import math
from typing import NamedTuple

import numpy as np

from ..conformance.graph_signature import signature
from .documented import documented_refusal
from .program import close_dual_levels, new_namespace, run_step

# outcome classes, most severe first (a program is counted in its most severe class)
CLASSES = (
    "wrong gradient",
    "wrong forward value",
    "internal exception",
    "accepted where torch refuses",
    "refused where torch works",
    "documented refusal",
    "cosmetic: message",
    "cosmetic: name",
    "cosmetic: flag",
    "cosmetic: printing",
    "float rounding",
)
PASS = "same"
FAILING = frozenset(CLASSES) - {"documented refusal"}


# "float rounding": a discrete result (a comparison, all/any, an index, an integer)
# that differs because what it was computed from agreed only to rounding (a float32
# sum added in another order: torch's own order depends on the CPU's vector width).
# It counts as a difference, not as a wrong value; the runs diverge there.
ROUNDING = "float rounding"


# torch failing one of its own internal assertions ("INTERNAL ASSERT FAILED ... please
# report a bug to PyTorch"): like a segfault, it says nothing about autograd_tutor, so the
# program is counted apart ("torch crash", see campaign.summary) and compared no further
CRASH = "torch crash"


class TorchCrash(Exception):
    """torch broke one of its own internal assertions while running a step."""


def _torch_crashed(error):
    return error is not None and "INTERNAL ASSERT FAILED" in str(error)


class Difference(NamedTuple):
    klass: str
    step: int  # index of the step (len(program) for the final check)
    what: str  # the observed expression, e.g. "v3.grad" or "v2 (dtype)"
    at: object
    torch: object

    def describe(self):
        return f"{self.klass} at step {self.step}: {self.what}: at {self.at!r}, torch {self.torch!r}"


def _is_tensor(x):
    cls = type(x)
    return (
        hasattr(cls, "grad_fn") and hasattr(cls, "_version") and hasattr(cls, "dtype")
    )


def _array(t):
    try:
        return np.array(t.detach().numpy(), copy=True)
    except RuntimeError:  # torch's ZeroTensor (a gradient known to be zero) wants force
        return np.array(t.detach().numpy(force=True), copy=True)


def _leaves(ns):
    out = []
    for k, v in ns.items():
        if k[0] == "v" and _is_tensor(v):
            try:
                if v.is_leaf:
                    out.append(v)
            except Exception:  # noqa: BLE001, S112 - a broken tensor is reported elsewhere
                continue
    return out


def observe_tensor(t, leaves, deep=True, graph=False):
    """Everything observable about a tensor, as comparable plain data.

    A tensor that is some leaf's ``.grad`` (a ``.grad`` read, or ``x.grad.double()``
    that returns it) is observed as a gradient: how the engine bumped its version
    while accumulating is not part of the comparison. ``graph``: a gradient's
    ``grad_fn`` graph is observed too (gradients of a ``create_graph`` pass).
    """
    if deep and any(_grad_of(leaf) is t for leaf in leaves):
        deep = False
    obs = {
        "value": _array(t),
        "dtype": str(t.dtype).split(".")[-1],
        "shape": tuple(t.shape),
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "_version": t._version,
    }
    if not deep:
        del obs["_version"]
    if graph and not deep:
        obs["grad_fn"] = signature(t.grad_fn, leaves)
    if deep:
        obs["retains_grad"] = t.retains_grad
        try:
            obs["grad_fn"] = signature(t.grad_fn, leaves)
        except RuntimeError as e:  # torch refuses to show the graph of some views
            obs["grad_fn"] = f"RuntimeError: {_message(e)}"
        obs["repr"] = repr(t).replace("torch.", "at.")
    return obs


def _printed(a, t):
    """The two reprs to compare: as they are, but without their ``tangent=`` parts
    where torch's tangent records a graph or requires grad (``tangent=tensor(...,
    grad_fn=<...>)``; the README: a tangent here is a plain tensor) or both tangents
    are 0-d, so printed as every digit of their number (``format``), and agree to
    rounding."""
    cut = t.find("tangent=")
    if cut < 0:
        return a, t
    graph = "grad_fn=" in t[cut:] or "requires_grad=True" in t[cut:]
    if graph or _close_numbers(_tangent_number(a), _tangent_number(t)):
        return _without_tangent(a), _without_tangent(t)
    return a, t


def _tangent_number(text):
    """The number a 0-d tangent prints as (``..., tangent=0.11755732446908951)``)."""
    cut = text.find("tangent=")
    try:
        return float(text[cut + len("tangent=") : -1]) if cut >= 0 else None
    except ValueError:  # a tensor's text, not a number
        return None


def _close_numbers(x, y):
    return (
        x is not None
        and y is not None
        and bool(np.isclose(x, y, rtol=1e-5, atol=1e-8, equal_nan=True))
    )


def _without_tangent(text):
    cut = text.find("tangent=")
    if cut < 0:
        return text
    return text[:cut].rstrip().rstrip(",") + ")"


def _grad_of(leaf):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return leaf.grad


def observe(x, leaves, deep=True, graph=False):
    """Comparable plain data for a step's result (``deep=False``: a gradient)."""
    if _is_tensor(x):
        return ("tensor", observe_tensor(x, leaves, deep, graph))
    if isinstance(x, tuple):
        items = [observe(e, leaves, deep, graph) for e in x]
        return ("tuple", type(x).__qualname__, items)
    if isinstance(x, list):
        return ("list", [observe(e, leaves, deep, graph) for e in x])
    if isinstance(x, (bool, int, float, type(None), str)):
        return ("py", type(x).__name__, x)
    return ("object", type(x).__name__)


def _same_array(a, b):
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        a, b = a.astype(np.float64), b.astype(np.float64)
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            return False
        ok = ~np.isnan(a)
        a, b = a[ok], b[ok]
        if not np.array_equal(np.isinf(a), np.isinf(b)):
            return False
        if not np.array_equal(a[np.isinf(a)], b[np.isinf(b)]):
            return False
        fin = ~np.isinf(a)
        a, b = a[fin], b[fin]
        if not np.allclose(a, b, rtol=1e-4, atol=1e-5):
            return False
        zero = (a == 0) & (b == 0)
        return bool(np.array_equal(np.signbit(a[zero]), np.signbit(b[zero])))
    return bool(np.array_equal(a, b))


def _exact(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _same_py(a, b):
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-5) and (
            a != 0 or math.copysign(1, a) == math.copysign(1, b)
        )
    return a == b


_TENSOR_FIELDS = (
    # field, class when it differs (a gradient's value: "wrong gradient")
    ("shape", "wrong forward value"),
    ("dtype", "wrong forward value"),
    ("value", "wrong forward value"),
    ("requires_grad", "cosmetic: flag"),
    ("is_leaf", "cosmetic: flag"),
    ("_version", "cosmetic: flag"),
    ("retains_grad", "cosmetic: flag"),
    ("grad_fn", "cosmetic: name"),
    ("repr", "cosmetic: printing"),
)


def diff_obs(a, t, what, grad=False):
    """[(class, what, at, torch)] for two observations."""
    if a[0] != t[0]:
        klass = "wrong gradient" if grad else "wrong forward value"
        return [(klass, what + " (kind)", a[0], t[0])]
    kind = a[0]
    if kind == "tensor":
        out = []
        for field, klass in _TENSOR_FIELDS:
            if field not in a[1] or field not in t[1]:
                continue
            if field == "repr" and not _exact(a[1]["value"], t[1]["value"]):
                continue  # rounding apart (another summation order): prints may differ
            x, y = a[1][field], t[1][field]
            if field == "repr":
                x, y = _printed(x, y)
            same = _same_array(x, y) if field == "value" else x == y
            if not same:
                if grad and klass == "wrong forward value":
                    klass = "wrong gradient"
                shown = (x.tolist(), y.tolist()) if field == "value" else (x, y)
                out.append((klass, f"{what} ({field})", *shown))
                if klass in ("wrong gradient", "wrong forward value"):
                    break
        return out
    if kind == "tuple":
        out = []
        if a[1] != t[1]:
            out.append(("cosmetic: name", what + " (type)", a[1], t[1]))
        if len(a[2]) != len(t[2]):
            klass = "wrong gradient" if grad else "wrong forward value"
            return [(klass, what + " (length)", a, t)]
        for i, (x, y) in enumerate(zip(a[2], t[2], strict=True)):
            out += diff_obs(x, y, f"{what}[{i}]", grad)
        return out
    if kind == "list":
        if len(a[1]) != len(t[1]):
            klass = "wrong gradient" if grad else "wrong forward value"
            return [(klass, what + " (length)", a, t)]
        out = []
        for i, (x, y) in enumerate(zip(a[1], t[1], strict=True)):
            out += diff_obs(x, y, f"{what}[{i}]", grad)
        return out
    if kind == "py":
        if a[1] != t[1]:
            return [("cosmetic: name", what + " (type)", a[1], t[1])]
        if not _same_py(a[2], t[2]):
            klass = "wrong gradient" if grad else "wrong forward value"
            return [(klass, what + " (value)", a[2], t[2])]
        return []
    if a != t:
        return [("cosmetic: name", what, a[1], t[1])]
    return []


def _message(e):
    msg = str(e) if not isinstance(e, KeyError) else (e.args[0] if e.args else "")
    return str(msg).replace("torch.", "at.")


def _warning_key(w):
    message = w[1].split(" (Triggered internally at ")[0]  # torch's C++ source line
    return (w[0], message.replace("torch.", "at."))


# torch gives these once per process (TORCH_WARN_ONCE), whatever ran before: not
# comparable program by program (tests/unit checks that autograd_tutor warns once too)
ONCE = (
    "is deprecated on 0-D tensors",
    "The use of `x.T` on tensors of dimension other",
    "Using backward() with create_graph=True will create a reference cycle",
)


def _diff_warnings(wa, wt, what):
    a = sorted(_warning_key(w) for w in wa if not any(o in w[1] for o in ONCE))
    t = sorted(_warning_key(w) for w in wt if not any(o in w[1] for o in ONCE))
    if a == t:
        return []
    for w in wa:
        if "numpy" in w[2] or w[0] == "RuntimeWarning":
            if _warning_key(w) not in t:
                return [("internal exception", what + " (warning)", a, t)]
    return [("cosmetic: message", what + " (warnings)", a, t)]


def _diff_errors(ea, et, what, internal_frame):
    """Classify a step where at or torch (or both) raised.

    Both raising the same exception with the same message is agreement, even when
    autograd_tutor's comes from Python itself (``int()`` of a NaN tensor: Python's
    ``ValueError`` in ``__int__`` on one side, in the program's line on the other).
    """
    if ea is not None and et is not None and _err(ea) == _err(et):
        return []
    if ea is not None and internal_frame(ea):
        return [("internal exception", what, f"{type(ea).__name__}: {ea}", _err(et))]
    if ea is None:
        return [("accepted where torch refuses", what, None, _err(et))]
    if et is None:
        klass = (
            "documented refusal"
            if documented_refusal(_message(ea))
            else "refused where torch works"
        )
        return [(klass, what, _err(ea), None)]
    if type(ea).__name__ != type(et).__name__ or _message(ea) != _message(et):
        return [("cosmetic: message", what, _err(ea), _err(et))]
    return []


def _err(e):
    if e is None:
        return None
    return f"{type(e).__name__}: {_message(e)}"


def _rank(klass):
    return CLASSES.index(klass)


def compare(program, at, torch):
    """Run ``program`` on both libraries; return the list of ``Difference``s found.

    Comparison stops at the first difference that makes the two runs diverge (a wrong
    value, or one side raising alone); cosmetic differences are collected and the run
    goes on. A forward-AD level the program left open is closed after it.
    """
    try:
        return _lock_step(program, at, torch)
    finally:
        close_dual_levels(at), close_dual_levels(torch)


def _lock_step(program, at, torch):
    from .program import internal_frame

    na, nt = new_namespace(at), new_namespace(torch)
    diffs = []
    inexact = set()  # variables whose values agree only to rounding
    noise = set()  # ... and those that agree only within the absolute tolerance
    noise_read = False  # has a step read one of those? (see _final)
    for i, step in enumerate(program):
        if not all(u in na and u in nt for u in step.uses):
            continue  # a variable an earlier step failed to bind (on both sides)
        oa, ot = run_step(step, na), run_step(step, nt)
        if _torch_crashed(ot.error):
            raise TorchCrash(f"step {i}: {ot.error}")
        noise_read = noise_read or bool(noise & set(step.uses))
        found = []
        if oa.error is not None or ot.error is not None:
            found += _diff_errors(
                oa.error, ot.error, step.out or step.op, internal_frame
            )
            if oa.error is not None and ot.error is None:
                nt.pop(step.out, None)
            if ot.error is not None and oa.error is None:
                na.pop(step.out, None)
        elif step.out is not None:
            try:
                obs_a = observe(oa.value, _leaves(na), not step.grad, _graph(step))
            except Exception as e:  # noqa: BLE001 - the result itself is broken
                if not _same_refusal(e, ot.value, _leaves(nt), not step.grad):
                    found.append(
                        ("internal exception", f"{step.out} (observed)", _err(e), None)
                    )
            else:
                obs_t = observe(ot.value, _leaves(nt), not step.grad, _graph(step))
                step_diffs = diff_obs(obs_a, obs_t, step.out, grad=step.grad)
                if _rounding_explains(step, inexact, noise, obs_a, obs_t, na) or (
                    noise_read and step.grad  # (a gradient read: as in _final)
                ):
                    step_diffs = [_rounding(d) for d in step_diffs]
                found += step_diffs
                if not _bit_exact(obs_a, obs_t):
                    inexact.add(step.out)
                    if _only_absolutely_close(obs_a, obs_t):
                        noise.add(step.out)
                if inexact & set(step.uses) and _branch_apart(step, na, nt):
                    noise_read = True  # the gradients flow back along other branches
        found += _diff_warnings(oa.warnings, ot.warnings, step.out or step.op)
        diffs += [Difference(k, i, w, x, y) for k, w, x, y in found]
        if any(d[0] not in _COSMETIC for d in found):
            return diffs  # (a rounding difference too: the two runs diverge there)
    grads = {s.out: _graph(s) for s in program if s.grad}
    diffs += _final(na, nt, len(program), grads, noise_read)
    return diffs


def _graph(step):
    """Is ``step``'s result a gradient observed with its graph (``grad="graph"``)?"""
    return step.grad == "graph"


_COSMETIC = {c for c in CLASSES if c.startswith("cosmetic")}


def _values(obs):
    """The value arrays (and Python numbers) in an observation, in order."""
    if obs[0] == "tensor":
        return [obs[1]["value"]]
    if obs[0] in ("tuple", "list"):
        return [v for o in obs[-1] for v in _values(o)]
    if obs[0] == "py":
        return [obs[2]]
    return []


def _bit_exact(a, t):
    va, vt = _values(a), _values(t)
    if len(va) != len(vt):
        return False
    for x, y in zip(va, vt, strict=True):
        if isinstance(x, np.ndarray) and isinstance(y, np.ndarray):
            if not _exact(x, y):
                return False
        elif not (x == y or (x != x and y != y)):  # (nan == nan here)
            return False
    return True


def _discrete(a, t):
    """Does the result hold only discrete values (bool or integer tensors, Python bools
    and ints), on both sides?"""
    va, vt = _values(a), _values(t)
    return bool(va) and all(
        (v.dtype.kind in "biu") if isinstance(v, np.ndarray) else isinstance(v, int)
        for v in va + vt
    )


# Sums of products: the sign of an exact zero depends on the BLAS kernel (its order and
# its starting value), so torch itself gives -0. from addmm and 0. from mm for the same
# numbers (x = [[0.7]], w = [[-0.]], bias = [-0.]).
_PRODUCT_OPS = frozenset({"matmul", "linear", "Linear()", "Sequential()"})


def _rounding_explains(step, inexact, noise, a, t, ns):
    """Can rounding alone explain how the two results' values differ? (Only their
    values: see ``_rounding``; a dtype or a shape must agree all the same.)

    Yes when the step read a value that agreed only within the absolute tolerance
    (``noise``: a value that is 0 up to rounding, which a division or a log blows up);
    when it read values that agreed only to rounding (``inexact``) and its result is
    discrete (a comparison flips) or differs only where one side is not finite (a
    product ``tiny * inf = inf`` against ``0 * inf = nan``, ``log`` of ``-tiny`` against
    ``log(0)``) or in the sign of a zero (``x ** (1 - ulp)`` against ``x ** 1``: ``nan``
    for a negative ``x``, ``0.`` for ``-0.``); when a sum of products differs only in the sign of a zero; and when
    ``clamp`` with tensor bounds differs only in the sign of a zero it was given twice
    (``ns``: the step's operands, see ``_clamp_tie``).
    """
    if noise & set(step.uses):
        return True
    if inexact & set(step.uses) and (
        _discrete(a, t) or _differ_only(a, t, _nonfinite_or_zero)
    ):
        return True
    if step.op == "clamp" and len(step.uses) > 1:
        return _differ_only(a, t, _clamp_tie([ns[u] for u in step.uses]))
    if step.op in ("max", "min") and _both_zeros(ns[step.uses[0]]):
        return _differ_only(a, t, _signed_zero)  # (see _both_zeros)
    return step.op in _PRODUCT_OPS and _differ_only(a, t, _signed_zero)


def _branch_apart(step, na, nt):
    """Did a piecewise op (``clamp``, ``abs``, ``relu``) take another branch on each
    side for some element, its operand agreeing only to rounding (``0.1 + ulp`` against
    ``0.1 - ulp`` clamped at ``min=0.1``, ``|6e-8|`` against ``|0.|``)? Its values
    still agree to rounding, but its gradient is 1 on one side and 0 on the other."""
    if step.op not in _BRANCHES or not step.uses:
        return False
    branches = []
    for ns in (na, nt):
        x, y = ns.get(step.uses[0]), ns.get(step.out)
        if not (_is_tensor(x) and _is_tensor(y)):
            return False
        x, y = _array(x), _array(y)
        if x.dtype.kind != "f" or x.shape != y.shape:
            return False
        branches.append(_BRANCHES[step.op](x, y))
    return not np.array_equal(*branches)


_BRANCHES = {  # op -> its branch per element, from its operand x and its result y
    "clamp": lambda x, y: x == y,  # passed through, or clamped
    "relu": lambda x, y: x > 0,
    "abs": np.sign,  # (sgn(0) = 0: no gradient at all)
}


def _clamp_tie(operands):
    """``where(x, y)`` for ``_differ_only``: the zeros of a ``clamp`` result where the
    clamped tensor and a tensor bound are both zeros (``0.`` clamped to ``min=-0.``).

    torch's CPU kernel returns either operand there, depending on the path an element
    takes, not on its values: the vectorized loop gives the bound, the scalar loop for
    the tail of a row gives ``x``. So ``zeros(17).clamp(min=full((17,), -0.))`` is
    sixteen ``-0.`` and one ``0.`` (``x`` of float64 on an AVX-512 CPU; another vector
    width moves the line), while ``zeros(4)`` gives ``0.`` four times. autograd_tutor
    always returns ``x`` (torch's scalar loop, and every number bound): a tie's sign
    is rounding. Anywhere else a sign of zero is compared (``-0.3`` clamped to
    ``min=-0.`` is ``-0.``)."""
    arrays = [_array(o).astype(np.float64) for o in operands]
    x, bounds = arrays[0], arrays[1:]

    def tie(u, v):
        shape = u.shape
        xs = np.broadcast_to(x, shape) == 0
        zero_bound = np.zeros(shape, dtype=bool)
        for b in bounds:
            zero_bound |= np.broadcast_to(b, shape) == 0
        return _signed_zero(u, v) & xs & zero_bound

    return tie


def _only_absolutely_close(a, t):
    """Do two observations agree only thanks to the absolute tolerance: some value is
    relatively far from the other side's, both tiny (a float32 sum that is 0 up to
    rounding, 6e-8 in one order and 2e-7 in another)? Whatever is computed from such a
    value (a quotient, a log) may differ without bound: rounding, not a wrong value."""
    for x, y in zip(_values(a), _values(t), strict=False):
        if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)):
            continue
        if x.shape != y.shape or x.dtype.kind != "f" or y.dtype.kind != "f":
            continue
        x, y = x.astype(np.float64), y.astype(np.float64)
        both = np.isfinite(x) & np.isfinite(y)
        if not np.allclose(x[both], y[both], rtol=1e-4, atol=0):
            return True
    return False


def _nonfinite(x, y):
    return ~np.isfinite(x) | ~np.isfinite(y)


def _signed_zero(x, y):
    return (x == 0) & (y == 0)


def _nonfinite_or_zero(x, y):
    return _nonfinite(x, y) | _signed_zero(x, y)


def _both_zeros(operand):
    """Does ``operand`` hold both ``0.`` and ``-0.``? Then its ``max``/``min`` may be
    either: they are equal, and torch's reduction returns the one its path meets last
    (``[0., -0.]`` gives ``-0.``, ``[0.] * 8 + [-0.]`` of float64 ``0.``: the vector
    loop), so the sign of a zero maximum or minimum is rounding."""
    x = _array(operand)
    if x.dtype.kind != "f":
        return False
    zero = x == 0
    return bool((zero & np.signbit(x)).any() and (zero & ~np.signbit(x)).any())


def _differ_only(a, t, where):
    """Do the value arrays of two observations differ only at positions ``where(x, y)``
    (and have the same shapes and dtypes)?"""
    va, vt = _values(a), _values(t)
    if len(va) != len(vt) or not va:
        return False
    for x, y in zip(va, vt, strict=True):
        if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)):
            return False
        if x.dtype != y.dtype or x.shape != y.shape:
            return False
        if x.dtype.kind != "f":  # (the indices of max(dim) beside its values)
            if not _exact(x, y):
                return False
            continue
        x, y = x.astype(np.float64), y.astype(np.float64)
        free = where(x, y)
        if not _same_array(x[~free], y[~free]):
            return False
    return True


def _rounding(d):
    """A value difference that rounding explains (see ``_rounding_explains``) counts as
    rounding; a dtype, a shape, a kind or a length stays what it is."""
    klass, what, x, y = d
    if klass in ("wrong forward value", "wrong gradient") and what.endswith("(value)"):
        return (ROUNDING, what, x, y)
    return d


def _final(na, nt, index, grads, noise_read=False):
    """The last check of every variable and its ``.grad``. ``noise_read``: a step read
    a value that is 0 only up to rounding (``1e-8`` on one side, ``0.`` or ``-7e-9`` on
    the other, say a weight Adam moved to 0); the gradients flowing back through what
    it computed (``1 / w`` for ``log(w)``) may then differ without bound, so their
    values count as rounding (their dtypes, shapes and flags are still compared). So
    they do after a piecewise op took another branch on each side (``_branch_apart``).
    """
    import warnings

    out = []
    la, lt = _leaves(na), _leaves(nt)
    for name in [k for k in nt if k[0] == "v"]:
        a, t = na.get(name), nt.get(name)
        if not (_is_tensor(t) and _is_tensor(a)):
            continue
        deep, graph = name not in grads, grads.get(name, False)
        try:
            obs_a = observe(a, la, deep, graph)
        except Exception as e:  # noqa: BLE001 - the result itself is broken
            if not _same_refusal(e, t, lt, deep):
                out.append(Difference("internal exception", index, name, _err(e), None))
            continue
        try:
            obs_t = observe(t, lt, deep, graph)
        except RuntimeError:  # torch refuses to describe it (a no_grad view, changed)
            continue
        found = diff_obs(obs_a, obs_t, name, grad=not deep)
        if noise_read and not deep:
            found = [_rounding(d) for d in found]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ga, gt = a.grad, t.grad
        grad_diffs = diff_obs(
            observe(ga, la, deep=False, graph=True),
            observe(gt, lt, deep=False, graph=True),
            f"{name}.grad",
            True,
        )
        found += [_rounding(d) for d in grad_diffs] if noise_read else grad_diffs
        out += [Difference(k, index, w, x, y) for k, w, x, y in found]
    ra, rt = na["rec"], nt["rec"]
    found = diff_obs(observe(ra, la), observe(rt, lt), "rec", grad=True)
    if noise_read:  # (what the hooks received: gradients too)
        found = [_rounding(d) for d in found]
    out += [Difference(k, index, w, x, y) for k, w, x, y in found]
    return out


def _same_refusal(error, t, leaves, deep):
    """Does observing torch's tensor fail with autograd_tutor's error too? (torch
    refuses to say ``is_leaf`` of a view made under no_grad() whose base changed.)"""
    try:
        observe(t, leaves, deep)
    except RuntimeError as e:
        return _err(e) == _err(error)
    return False


def outcome(diffs):
    """The program's class: its most severe difference, or ``PASS``."""
    if not diffs:
        return PASS
    return min((d.klass for d in diffs), key=_rank)
