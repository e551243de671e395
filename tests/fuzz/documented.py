"""The README's "Where it differs from PyTorch" refusals, as data the fuzzer can check.

Each entry: a stable phrase of the error message autograd_tutor raises, the words of the
README's list that document it, and a short program (``L`` = the library) that torch runs
and autograd_tutor refuses with that phrase. ``tests/fuzz/test_documented.py`` ties each
entry to the README and to the engine; the fuzzer counts a refusal whose message holds
one of these phrases apart ("documented refusal"), and any other difference as a failure.
"""

from typing import NamedTuple


class Refusal(NamedTuple):
    phrase: str  # in the message autograd_tutor raises
    readme: str  # in the README's "Where it differs from PyTorch" paragraph
    example: str  # Python source; torch runs it, autograd_tutor raises with ``phrase``


REFUSALS = (
    Refusal(
        phrase="vectorize=True batches the passes with torch's vmap",
        readme="`functional.jacobian(vectorize=True)` is refused",
        example="L.autograd.functional.jacobian(lambda a: a * a, L.ones(2), vectorize=True)\n",
    ),
    Refusal(
        phrase="torch records the new tangent on the tangent tensor itself",
        readme="`mul_` and `div_` of a dual tensor are refused while it or the other "
        "operand requires grad",
        example=(
            "w = L.tensor([0.5, 2.0], requires_grad=True)\n"
            "t = L.ones(2)\n"
            "with L.autograd.forward_ad.dual_level():\n"
            "    L.autograd.forward_ad.make_dual(w * 1, t).mul_(2)\n"
            "assert t.grad_fn is not None or L.__name__ != 'torch'\n"
        ),
    ),
)


def documented_refusal(message):
    """The entry whose phrase ``message`` contains, or None."""
    return next((r for r in REFUSALS if r.phrase in message), None)
