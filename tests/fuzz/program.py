"""Programs as data: a list of ``Step`` records, run on ``torch`` or ``autograd_tutor``.

A step is one line of Python written against a library bound to ``L`` (``L.tensor``,
``L.no_grad``...), with the variables it reads named in ``uses``. The same records
are executed, shrunk (drop steps, and the steps that read what they made) and printed
as a runnable script, so what is printed is exactly what ran.
"""

import linecache
import sys
import warnings
from typing import NamedTuple


class Step(NamedTuple):
    """One line: ``out = code.format(*uses)`` (a statement when ``out`` is None)."""

    op: str  # a short label for coverage counts ("add_", "getitem", "backward"...)
    out: str | None  # the variable this line binds, or None for a statement
    code: str  # the expression (or statement), ``{0}`` ... refer to ``uses``
    uses: tuple = ()  # variable names the line reads
    mode: str | None = None  # "no_grad", "enable_grad", "set_grad_enabled(False)"
    grad: bool = False  # its result is a gradient (autograd.grad, .grad reads)
    then: str = ""  # statements run right after (``{0}`` = ``out``): setting weights


def render(step):
    """The step as Python source (one or two lines) for a library bound to ``L``."""
    body = step.code.format(*step.uses)
    if step.out is not None:
        body = f"{step.out} = {body}"
    if step.then:
        body += "\n" + step.then.format(step.out)
    if step.mode is None:
        return body
    mode = step.mode if "(" in step.mode else f"{step.mode}()"
    return f"with L.{mode}:\n" + "\n".join("    " + line for line in body.splitlines())


_CODE = {}


def _compiled(src):
    code = _CODE.get(src)
    if code is None:
        if len(_CODE) > 20000:
            _CODE.clear()
        code = _CODE[src] = compile(src, "<fuzz>", "exec")
    return code


class Outcome(NamedTuple):
    """What one step did: its result, or the exception it raised, and its warnings."""

    value: object
    error: BaseException | None
    warnings: list  # [(category name, message, filename)]


def run_step(step, ns):
    """Run ``step`` in the namespace ``ns`` (which holds ``L``, ``rec`` and the variables)."""
    src = render(step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(_compiled(src), ns)  # noqa: S102 - the fuzzer's own generated programs
            error = None
        except Exception as e:  # noqa: BLE001 - every exception is an observation
            error = e
    seen = [(w.category.__name__, str(w.message), w.filename) for w in caught]
    value = ns.get(step.out) if (step.out is not None and error is None) else None
    return Outcome(value, error, seen)


def new_namespace(lib):
    close_dual_levels(lib)
    return {"L": lib, "rec": [], "__builtins__": __builtins__}


def close_dual_levels(lib):
    """Exit the forward-AD level a program left open (it stopped between
    ``enter_dual_level()`` and ``exit_dual_level()``): the next program starts clean."""
    for _ in range(3):
        try:
            lib.autograd.forward_ad.exit_dual_level()
        except RuntimeError:
            return


def alive(program):
    """Drop the steps that read a variable no earlier step binds (after shrinking)."""
    bound, out = set(), []
    for step in program:
        if all(u in bound for u in step.uses):
            out.append(step)
            if step.out is not None:
                bound.add(step.out)
    return out


def script(program, show=()):
    """The program as a runnable script that runs it on autograd_tutor and on torch.

    ``show``: expressions printed at the end for each library (the difference found).
    """
    lines = [
        "import autograd_tutor as at",
        "import torch",
        "",
        "for L in (at, torch):",
        "    rec = []",
    ]
    for step in program:
        for line in render(step).splitlines():
            lines.append("    " + line)
    for expr in show:
        lines.append(f"    print(L.__name__, {expr!r}, repr({expr}))")
    return "\n".join(lines) + "\n"


def internal_frame(error):
    """True if ``error`` was raised by NumPy or Python itself rather than by the engine
    or the program line (an internal exception: a crash, not a refusal)."""
    tb = error.__traceback__
    last = line = None
    while tb is not None:
        last, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    if last is None or last == "<fuzz>":
        return (
            False  # Python refused the call itself (a missing method, wrong arguments)
        )
    if "site-packages" in last or last.startswith(sys.base_prefix):
        return True  # raised inside NumPy or the standard library
    # raised by the engine's own code: deliberate if the line is a ``raise``, else an
    # error of a NumPy or Python operation that line called (a crash)
    source = [linecache.getline(last, n).strip() for n in range(line - 3, line + 1)]
    deliberate = source[-1].startswith("raise") or (
        any(s.startswith("raise") for s in source) and not source[-1].endswith(":")
    )
    return not (deliberate and isinstance(error, _TORCH_ERRORS))


_TORCH_ERRORS = (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError)
