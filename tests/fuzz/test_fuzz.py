"""Random programs run on autograd_tutor and torch agree (tests/fuzz/generator.py).

``make test`` runs ``SEEDS`` with the features in ``CLEAN`` (the generator's features
that currently show no difference at all); ``scripts/fuzz.py`` runs long campaigns with
every feature. A failing seed is shrunk and printed as a runnable script.
"""

import contextlib
import io
import warnings

import numpy as np
import pytest

import autograd_tutor as at

from . import gen_higher
from .campaign import check, reproducer, run_seed, shrink
from .compare import CRASH, FAILING, PASS
from .generator import FEATURES, generate
from .program import Step, close_dual_levels, script

CLEAN = tuple(
    "factories int mixed scalar empty special domain arith unary reduce matmul shape "
    "index setitem inplace compare convert hooks backward inputs grad gradmode nn optim "
    "errors".split()
) + tuple(gen_higher.FEATURES)  # issue 11's features and issue 12's: all of them
SEEDS = range(300)
CHUNK = 50


@pytest.mark.parametrize("start", range(SEEDS.start, SEEDS.stop, CHUNK))
def test_random_programs_agree_with_torch(start, torch):
    failures = []
    for seed in range(start, start + CHUNK):
        klass, program, diffs, _ = run_seed(
            seed, at, torch, CLEAN, shrink_failures=False
        )
        if klass not in (PASS, "documented refusal", CRASH):  # (CRASH: torch's bug)
            failures.append((seed, klass, program, diffs))
    texts = []
    for seed, klass, program, _ in failures[:3]:
        small = shrink(program, klass, at, torch)
        texts.append(
            f"seed {seed}: {klass}\n"
            + reproducer(small, check(small, at, torch)[1], klass)
        )
    assert not failures, f"{len(failures)} programs differ:\n\n" + "\n\n".join(texts)


def _leaf(name, code):
    return Step("tensor", name, code)


@contextlib.contextmanager
def _sums_off_by(delta, graph_as_it_was=False):
    """autograd_tutor's sums ``delta`` away from torch's, as a float32 sum added in
    another order is: a recorded ``+ delta`` after the sum, or (``graph_as_it_was``)
    its value changed in place, its graph as it was."""
    sum_ = at.Tensor.sum

    def rounded(self, *args, **kw):
        out = sum_(self, *args, **kw)
        if graph_as_it_was:
            out._data[...] += np.asarray(delta, dtype=out._data.dtype)
            return out
        return out - at.tensor(-delta) if delta < 0 else out + at.tensor(delta)

    at.Tensor.sum = rounded
    try:
        yield
    finally:
        at.Tensor.sum = sum_


PROGRAM = [
    _leaf("v0", "L.tensor([1.0, 2.0, 3.0], requires_grad=True)"),
    _leaf("v1", "L.tensor([0.5, -1.0, 2.0], requires_grad=True)"),
    Step("exp", "v2", "{0}.exp()", ("v1",)),
    Step("mul", "v3", "{0} * {1}", ("v0", "v1")),
    Step("sum", "v4", "{0}.sum()", ("v3",)),
    Step("backward", None, "{0}.backward()", ("v4",)),
]


def test_the_same_program_agrees(torch):
    assert check(PROGRAM, at, torch) == (PASS, [])


def test_a_wrong_gradient_is_found_shrunk_and_printed(torch, monkeypatch):
    from autograd_tutor import functions

    def twice(ctx, grad):  # a broken engine: Mul's gradient is doubled
        return tuple(None if g is None else 2 * g for g in original(ctx, grad))

    original = functions.Mul.backward
    monkeypatch.setattr(functions.Mul, "backward", staticmethod(twice))
    klass, diffs = check(PROGRAM, at, torch)
    assert klass == "wrong gradient"
    assert {d.what for d in diffs if d.klass == klass} == {
        "v0.grad (value)",
        "v1.grad (value)",
    }
    small = shrink(PROGRAM, klass, at, torch)
    assert [s.op for s in small] == ["tensor", "tensor", "mul", "sum", "backward"]
    text = reproducer(small, check(small, at, torch)[1], klass)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(text, {})  # noqa: S102 - the printed reproducer runs as it is
    printed = out.getvalue().splitlines()
    assert printed[0] == "autograd_tutor v0.grad tensor([ 1., -2.,  4.])"
    assert printed[1] == "torch v0.grad tensor([ 0.5000, -1.0000,  2.0000])"


def test_refusals_and_acceptances_are_told_apart(torch, monkeypatch):
    backward = [
        *PROGRAM[:-1],
        Step(
            "jacobian",
            None,
            "L.autograd.functional.jacobian(lambda a: a * a, {0}, vectorize=True)",
            ("v0",),
        ),
    ]
    assert check(backward, at, torch)[0] == "documented refusal"
    monkeypatch.setattr(at.Tensor, "exp", lambda self: self._data.reshape(7))
    assert check(PROGRAM, at, torch)[0] == "internal exception"

    def refuse(self):
        raise RuntimeError("no exp here")

    monkeypatch.setattr(at.Tensor, "exp", refuse)
    assert check(PROGRAM, at, torch)[0] == "refused where torch works"
    wrong_dim = [PROGRAM[0], Step("sum", "v5", "{0}.sum(3)", ("v0",))]
    monkeypatch.setattr(at.Tensor, "sum", lambda self, dim: self)
    assert check(wrong_dim, at, torch)[0] == "accepted where torch refuses"


def test_cosmetic_differences_are_classified(torch, monkeypatch):
    monkeypatch.setattr(at.Tensor, "__repr__", lambda self: "tensor(?)")
    klass, diffs = check(PROGRAM, at, torch)
    assert klass == "cosmetic: printing" and klass in FAILING
    assert diffs[0].what == "v0 (repr)"


def test_generation_is_seeded_and_covers_the_api(torch):
    assert generate(7, torch) == generate(7, torch)
    assert generate(7, torch) != generate(8, torch)
    base = [f for f in FEATURES if f not in gen_higher.FEATURES]  # (issue 11's API)
    ops = {step.op for seed in range(300) for step in generate(seed, torch, base)}
    expected = set(
        "tensor zeros ones full eye arange zeros_like ones_like full_like + - * / ** add sub "
        "mul exp log sqrt relu sigmoid tanh abs clamp sum mean max min argmax all matmul t "
        "transpose permute reshape view flatten unsqueeze squeeze expand getitem setitem "
        "add_ mul_ zero_ fill_ clamp_ copy_ requires_grad_ detach_ == > ~ float long item "
        "tolist register_hook retain_grad remove backward autograd.grad .grad Linear "
        "Sequential mse_loss MSELoss optim zero_grad step".split()
    )
    assert expected <= ops, sorted(expected - ops)
    assert set(FEATURES) >= set(CLEAN)


def test_the_printed_program_runs_as_printed(torch):
    ran = 0
    for seed in range(80):  # (many programs stop at a step that raises: errors, index)
        text = script(generate(seed, torch, CLEAN))
        with contextlib.suppress(Exception), contextlib.redirect_stdout(io.StringIO()):
            try:
                exec(text, {})  # noqa: S102 - a program some step of which raises is skipped
                ran += 1
            finally:  # (one that stopped inside a forward-AD level: the level closed)
                close_dual_levels(at), close_dual_levels(torch)
    assert ran >= 10


def test_the_same_python_error_on_both_sides_is_agreement(torch):
    # int() of a NaN tensor: Python's ValueError, raised inside autograd_tutor's
    # __int__ and in the program's own line for torch (its __int__ is C code)
    program = [
        _leaf("v0", "L.tensor(float('nan'), requires_grad=True)"),
        Step("int()", "v1", "int({0})", ("v0",)),
        _leaf("v2", "L.tensor(float('inf'))"),
        Step("int()", "v3", "int({0})", ("v2",)),
    ]
    assert check(program, at, torch) == (PASS, [])


def test_generation_survives_tensors_torch_will_not_describe(torch):
    # seed 205587: a no_grad view whose base was changed in place; reading its
    # is_leaf raises in torch, so the generator must skip it, not stop
    assert generate(205587, torch)


def test_the_summary_counts_torch_crashes_apart():
    from .campaign import summary

    text = summary({"same": 97, "cosmetic: name": 1, "torch crash": 2}, 100)
    assert "torch crash                          2" in text
    assert text.splitlines()[-1] == (
        "differ: 1 of 98 programs (1.02%); 2 torch crashes counted apart"
    )


def test_a_non_finite_value_from_values_apart_by_rounding_is_told_apart(
    torch, monkeypatch
):
    """``tiny * inf = inf`` where torch has ``0 * inf = nan``: rounding, when the step
    read a value that agreed only to rounding; a wrong value when its inputs were exact."""
    program = [
        _leaf("v0", "L.tensor([0.25, 0.5])"),
        Step("sum", "v1", "{0}.sum() - 0.75", ("v0",)),
        Step("*", "v2", "{0} * float('inf')", ("v1",)),
    ]
    assert check(program, at, torch) == (PASS, [])  # nan on both sides
    with _sums_off_by(-6e-8):
        assert check(program, at, torch)[0] == "float rounding"
    monkeypatch.setattr(at.Tensor, "__mul__", lambda self, o: at.tensor(-float("inf")))
    assert check(program, at, torch)[0] == "wrong forward value"  # exact inputs


def test_a_failed_internal_assertion_of_torch_is_counted_apart(torch):
    """Seed 9023830: torch 2.13 lets ``fill_`` record ``FillBackward3`` on an integer
    tensor from a value that requires grad (so does autograd_tutor, as torch), and its
    engine then fails ``isDifferentiableType ... INTERNAL ASSERT FAILED``: a bug of
    torch's, counted apart like a segfault, not as a difference."""
    program = [
        _leaf("v0", "L.tensor(1.5, dtype=L.float64, requires_grad=True)"),
        _leaf("v1", "L.tensor([0.5, -2.0]).argmin(dim=0)"),
        Step("fill_", None, "{0}.fill_({1})", ("v1", "v0")),
        Step("sub", "v2", "{0}.sub({1})", ("v1", "v0")),
        Step("backward", None, "{0}.backward()", ("v2",)),
    ]
    assert check(program, at, torch) == (CRASH, [])
    assert check(program[:-1], at, torch) == (PASS, [])
    issue_11 = CLEAN[: CLEAN.index("errors") + 1]  # (the campaign's features)
    assert run_seed(9023830, at, torch, issue_11, shrink_failures=False)[0] == CRASH


def test_a_power_by_an_exponent_apart_by_rounding_is_told_apart(torch, monkeypatch):
    """Seed 9034479: ``x ** e`` with ``e`` a float32 sum that is 1 in torch's order and
    1 - ulp in ours: nan for the negative ``x`` and ``0.`` for ``-0.`` (torch: ``x``
    itself, ``-0.``). Rounding, when the step read such a value; with exact operands a
    lost sign of zero is a wrong value."""
    program = [
        _leaf("v0", "L.tensor([-0.9, -0.0, 0.6])"),
        _leaf("v1", "L.tensor([0.5, 0.5])"),
        Step("sum", "v2", "{0}.sum()", ("v1",)),
        Step("pow", "v3", "{0} ** {1}", ("v0", "v2")),
    ]
    assert check(program, at, torch) == (PASS, [])
    with _sums_off_by(-6e-8):
        assert check(program, at, torch)[0] == "float rounding"
    pow_ = at.Tensor.__pow__
    monkeypatch.setattr(at.Tensor, "__pow__", lambda a, e: pow_(a, e) + 0.0)
    assert check(program, at, torch)[0] == "wrong forward value"  # exact operands


def test_the_sign_of_a_zero_sum_of_products_is_rounding(torch, monkeypatch):
    """The sign of an exactly-zero matmul depends on the BLAS kernel (torch's own addmm
    and mm disagree); anywhere else a lost sign of zero is a wrong value."""
    program = [
        _leaf("v0", "L.tensor([[0.7]])"),
        _leaf("v1", "L.tensor([[-0.0]])"),
        Step("matmul", "v2", "{0} @ {1}", ("v0", "v1")),
        Step("neg", "v3", "-{0}", ("v2",)),
    ]
    assert check(program, at, torch) == (PASS, [])
    matmul = at.Tensor.__matmul__
    monkeypatch.setattr(at.Tensor, "__matmul__", lambda a, b: -matmul(a, b))
    assert check(program, at, torch)[0] == "float rounding"
    monkeypatch.setattr(at.Tensor, "__matmul__", matmul)
    neg = at.Tensor.__neg__
    monkeypatch.setattr(at.Tensor, "__neg__", lambda a: neg(a) + 0.0)
    assert check(program, at, torch)[0] == "wrong forward value"


def test_a_gradient_read_after_rounding_noise_is_rounding(torch, monkeypatch):
    """50k campaign seed 9139249: ``|x.sum()|`` of a float32 sum that is 0. in our
    order and 6e-8 in torch's: abs's gradient is 0 against 1, and reading ``x.grad``
    as a step (not only in the final check) is rounding too; with exact values in the
    forward pass a gradient off by one is a wrong gradient."""
    program = [
        _leaf("v0", "L.tensor([0.5, -0.25, -0.25], requires_grad=True)"),
        Step("sum", "v1", "{0}.sum()", ("v0",)),
        Step("abs", "v2", "{0}.abs()", ("v1",)),
        Step("backward", None, "{0}.backward()", ("v2",)),
        Step(".grad", "v3", "{0}.grad", ("v0",), grad=True),
    ]
    assert check(program, at, torch) == (PASS, [])
    with _sums_off_by(6e-8, graph_as_it_was=True):
        assert check(program, at, torch)[0] == "float rounding"
    abs_ = at.Tensor.abs  # the same values, a gradient one too large
    monkeypatch.setattr(at.Tensor, "abs", lambda a: abs_(a) + (a - a.detach()))
    assert check(program, at, torch)[0] == "wrong gradient"


def test_a_clamp_branch_taken_apart_by_rounding_is_rounding(torch, monkeypatch):
    """50k campaign seed 9139936: a float64 sum that is 0.1 + ulp in our order and
    0.1 - ulp in torch's, clamped at ``min=0.1``: one side passes the gradient, the
    other stops it. Rounding, when the clamped values fall on two sides of a bound;
    a gradient that differs when both took the same branch is a wrong gradient."""
    program = [
        _leaf("v0", "L.tensor([0.3, -0.2], dtype=L.float64, requires_grad=True)"),
        Step("sum", "v1", "{0}.sum()", ("v0",)),
        Step("clamp", "v2", "{0}.clamp(min=0.1)", ("v1",)),
        Step("backward", None, "{0}.backward()", ("v2",)),
    ]
    assert check(program, at, torch) == (PASS, [])
    with _sums_off_by(
        3e-17, graph_as_it_was=True
    ):  # (torch's sum is 0.1 - ulp: clamped to 0.1)
        assert check(program, at, torch)[0] == "float rounding"
    clamp = at.Tensor.clamp  # the same branch on both sides, a wrong gradient
    monkeypatch.setattr(
        at.Tensor, "clamp", lambda a, **kw: clamp(a, **kw) + (a - a.detach())
    )
    assert check(program, at, torch)[0] == "wrong gradient"


def test_a_comparison_of_values_apart_by_rounding_is_told_apart(torch, monkeypatch):
    program = [
        _leaf("v0", "L.tensor([0.25, 0.5])"),
        Step("sum", "v1", "{0}.sum()", ("v0",)),
        Step(">", "v2", "{0} >= 0.75", ("v1",)),
    ]
    assert check(program, at, torch) == (PASS, [])
    with _sums_off_by(-6e-8):  # a sum added in another order: one ulp below 0.75
        assert check(program, at, torch)[0] == "float rounding"
    ge = at.Tensor.__ge__  # a comparison gone wrong on exact values
    monkeypatch.setattr(at.Tensor, "__ge__", lambda self, other: ~ge(self, other))
    assert check(program, at, torch)[0] == "wrong forward value"  # exact inputs


def test_a_value_divided_by_rounding_noise_is_told_apart(torch, monkeypatch):
    # seed 7100801: a float32 sum that is 0 up to rounding (6e-8 in one summation
    # order, 2e-7 in torch's); dividing by it gives numbers that differ without bound
    program = [
        _leaf("v0", "L.tensor([0.5, -0.25, -0.25])"),
        _leaf("v1", "L.tensor(-1.5)"),
        Step("sum", "v2", "{0}.sum()", ("v0",)),
        Step("/", "v3", "{0} / ({1} + 1e-7)", ("v1", "v2")),
    ]
    assert check(program, at, torch) == (PASS, [])
    with _sums_off_by(1.5e-7):
        assert check(program, at, torch)[0] == "float rounding"
    div = at.Tensor.__truediv__  # a quotient gone wrong on exact values
    monkeypatch.setattr(at.Tensor, "__truediv__", lambda a, b: div(a, b) * 1.5)
    assert check(program, at, torch)[0] == "wrong forward value"
    monkeypatch.setattr(at.Tensor, "__truediv__", lambda a, b: div(a, b).double())
    with _sums_off_by(1.5e-7):  # rounding noise, and a wrong dtype:
        assert check(program, at, torch)[0] == "wrong forward value"  # (values round)


def test_the_sign_of_a_zero_clamped_to_a_zero_bound_is_rounding(torch, monkeypatch):
    """seed 5011024: ``0.`` clamped to a tensor bound ``-0.`` is ``0.`` or ``-0.`` in
    torch depending on its kernel's path, not on the values (``zeros(4)`` gives 0.,
    ``zeros(8)`` of float64 -0.): that sign is rounding, any other value is compared."""
    program = [
        _leaf("v0", "L.tensor([[0.0, 0.5, -0.3]], dtype=L.float64)"),
        _leaf("v1", "L.tensor([[-0.0]], dtype=L.float64)"),
        Step("clamp", "v2", "{0}.clamp(min={1})", ("v0", "v1")),
    ]
    assert check(program, at, torch) == (PASS, [])  # [0., 0.5, -0.] on both sides
    clamp = at.Tensor.clamp

    def scaled(*factors):
        f = at.tensor([factors], dtype=at.float64)
        monkeypatch.setattr(at.Tensor, "clamp", lambda *a, **k: clamp(*a, **k) * f)

    scaled(-1.0, 1.0, 1.0)  # the bound where x and the bound are zeros: a tie
    assert check(program, at, torch)[0] == "float rounding"
    scaled(1.0, 1.0, -1.0)  # 0. for -0.3 clamped to -0.: a lost sign, no tie
    assert check(program, at, torch)[0] == "wrong forward value"
    scaled(1.0, 2.0, 1.0)
    assert check(program, at, torch)[0] == "wrong forward value"


def test_the_sign_of_a_zero_maximum_of_both_zeros_is_rounding(torch, monkeypatch):
    """seed 6349273: ``0.`` and ``-0.`` are equal; which one torch's ``min`` returns
    depends on its reduction's path (``[0., -0.]``: ``-0.``; nine float64 zeros with
    one ``-0.`` last: ``0.``): rounding, unless the operand had one kind of zero."""
    program = [
        _leaf("v0", "L.tensor([[0.0, 1.5], [-0.0, 2.0]], dtype=L.float64)"),
        Step("min", "v1", "{0}.min()", ("v0",)),
        Step("max", "v2", "{0}.max(1)", ("v0",)),
        _leaf("v3", "L.tensor([[0.0, -1.5], [0.0, -2.0]], dtype=L.float64)"),
        Step("max", "v4", "{0}.max()", ("v3",)),
    ]
    assert check(program, at, torch) == (PASS, [])
    minimum, maximum = at.Tensor.min, at.Tensor.max
    monkeypatch.setattr(at.Tensor, "min", lambda *a, **k: -minimum(*a, **k))
    assert (
        check(program, at, torch)[0] == "float rounding"
    )  # -0. for 0. (or 0. for -0.)
    monkeypatch.setattr(at.Tensor, "min", minimum)
    assert check(program[:3] + program[4:], at, torch) == (PASS, [])

    def flipped(self, *args, **kw):
        r = maximum(self, *args, **kw)
        return r if args else -r  # the whole maximum of v3, 0.: no -0. in v3

    monkeypatch.setattr(at.Tensor, "max", flipped)
    assert check(program, at, torch)[0] == "wrong forward value"


def test_gradients_through_a_value_that_is_0_up_to_rounding_are_rounding(
    torch, monkeypatch
):
    """seed 6313589: a weight Adam moved to 0 is -2e-8 on one side and -7e-9 on the
    other; its log is nan on both, but the gradient of the log, 1 / w, differs without
    bound: rounding. The gradients of a program that read no such value are compared."""
    program = [
        _leaf("v0", "L.tensor([0.5, -0.25, -0.25], requires_grad=True)"),
        Step("sum", "v1", "{0}.sum() - 1e-7", ("v0",)),
        Step("log", "v2", "{0}.log()", ("v1",)),
        Step("backward", None, "{0}.backward()", ("v2",)),
    ]
    assert check(program, at, torch) == (PASS, [])
    with _sums_off_by(
        -1.5e-7, graph_as_it_was=True
    ):  # the same graph, a value 1.5e-7 off
        assert check(program, at, torch)[0] == "float rounding"  # v0.grad: -4e6, -1e7
    backward = at.Tensor.backward

    def scaled(self, *args, **kw):  # a gradient gone wrong on exact values
        backward(self, *args, **kw)
        node = self.grad_fn
        while node.next_functions:  # down to the leaf's AccumulateGrad
            node = node.next_functions[0][0]
        node.variable.grad._data *= 1.5

    monkeypatch.setattr(at.Tensor, "backward", scaled)
    assert check(program, at, torch)[0] == "wrong gradient"


def test_dual_tensors_are_compared_with_their_tangent_printed(torch, monkeypatch):
    """A dual tensor's repr ends with ``tangent=...`` as torch's, and the fuzzer compares
    it; only where torch's tangent records a graph (a primal that requires grad: the
    README's difference) are both compared without it."""
    level = "L.autograd.forward_ad"
    program = [
        Step("line", None, f"{level}.enter_dual_level()"),
        _leaf("v0", "L.tensor([1.0, 2.0])"),
        _leaf("v1", "L.tensor([0.5, -1.0])"),
        Step("make_dual", "v2", f"{level}.make_dual({{0}}, {{1}})", ("v0", "v1")),
        Step("exp", "v3", "{0}.exp()", ("v2",)),
        _leaf("v4", "L.tensor([1.0, 2.0], requires_grad=True)"),
        Step("make_dual", "v5", f"{level}.make_dual({{0}}, {{1}})", ("v4", "v1")),
        Step("mul", "v6", "{0} * 2", ("v5",)),
        Step("line", None, f"{level}.exit_dual_level()"),
    ]
    with warnings.catch_warnings():  # torch's first make_dual loads torch.jit, which
        warnings.simplefilter("ignore")  # warns that it is deprecated
        check(program, at, torch)
    assert check(program, at, torch) == (PASS, [])
    import importlib

    tensor_module = importlib.import_module("autograd_tutor.tensor")
    plain = tensor_module.tensor_repr
    monkeypatch.setattr(  # the repr without its tangent, as before
        tensor_module, "tensor_repr", lambda t, tangent=None: plain(t)
    )
    klass, diffs = check(program, at, torch)
    assert klass == "cosmetic: printing"
    steps = {d.step for d in diffs}
    assert 3 in steps and 7 not in steps  # v2's tangent, not v6's (torch: a graph)


def test_a_0d_tangent_printed_apart_by_rounding_is_rounding(torch, monkeypatch):
    """Seeds 7800603, 7804372: a 0-d tangent prints every digit of its number
    (``tangent=-1.2999999999999998`` against torch's ``-1.3000000000000003``, a sum in
    another order): compared to rounding, as its value is; any other tangent exactly."""
    level = "L.autograd.forward_ad"
    program = [
        Step("line", None, f"{level}.enter_dual_level()"),
        _leaf("v0", "L.tensor([1.0, 2.0], dtype=L.float64)"),
        _leaf("v1", "L.tensor([-0.7, -0.6], dtype=L.float64)"),
        Step("make_dual", "v2", f"{level}.make_dual({{0}}, {{1}})", ("v0", "v1")),
        Step("sum", "v3", "{0}.sum()", ("v2",)),
        Step("line", None, f"{level}.exit_dual_level()"),
    ]
    with warnings.catch_warnings():  # (torch's first make_dual: see above)
        warnings.simplefilter("ignore")
        check(program, at, torch)
    assert check(program, at, torch) == (PASS, [])
    import importlib

    tensor_module = importlib.import_module("autograd_tutor.tensor")
    plain = tensor_module.tensor_repr

    def nudged(t, tangent=None):
        if tangent is not None and tangent.ndim == 0:
            tangent = tangent * (1 + 1e-9)  # the last digits differ
        return plain(t, tangent=tangent)

    monkeypatch.setattr(tensor_module, "tensor_repr", nudged)
    assert check(program, at, torch) == (PASS, [])

    def doubled(t, tangent=None):
        return plain(t, tangent=None if tangent is None else tangent * 2)

    monkeypatch.setattr(tensor_module, "tensor_repr", doubled)
    assert check(program, at, torch)[0] == "cosmetic: printing"


def test_a_tangent_torch_makes_require_grad_is_compared_without_printing(torch):
    """Seeds 9634974, 9648571: torch's tangent of a dual tensor that requires grad may
    say ``requires_grad=True`` (the README: our tangents are plain tensors): both reprs
    are compared without their tangents there, as for a tangent with a ``grad_fn``."""
    from .compare import _printed

    at_repr = "tensor([1.5000], requires_grad=True, tangent=tensor([-0.7000]))"
    torch_repr = (
        "tensor([1.5000], requires_grad=True,\n"
        "       tangent=tensor([-0.7000], requires_grad=True))"
    )
    same = "tensor([1.5000], requires_grad=True)"
    assert _printed(at_repr, torch_repr) == (same, same)
    other = "tensor([1.5000], requires_grad=True, tangent=tensor([-0.6000]))"
    assert _printed(at_repr, other) == (at_repr, other)  # a plain tangent: compared
