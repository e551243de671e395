"""The lessons' answer checker: predict first, then let the library reveal the truth.

PyTorch has no counterpart. One ``Question`` holds what an exercise needs: the true
value (or a function computing it), how to read a learner's answer, question-specific
hints, a retry before the answer is shown, and an explanation shown on reveal. Both
ways lessons ask use it: ``check(my_guess, truth, "what")`` in a code cell (prints one
line) and the ``PredictReveal`` widget (a text box with check / reveal buttons).

Answers are accepted in the forms lessons teach:

* shapes (truth: a tuple/list of ints, ``at.Size`` or ``torch.Size``): ``(100, 32)``,
  ``100x32``, ``[100, 32]``, ``100, 32``, ``torch.Size([100, 32])``;
* numbers (truth: a number, array or tensor): ``18.6``, ``1/4``, ``1e-3``; one number
  for a tensor whose entries are all equal, or one number per entry (``1.5, 2``);
  compared with a tolerance (``rtol`` relative, ``atol`` absolute);
* words (truth: a string): compared case-insensitively, quotes and spaces ignored;
  ``accept=`` lists other spellings that count (``("lower", "smaller")``).

>>> q = Question((100, 32), question="What is h.shape?")
>>> q.placeholder
'a shape, e.g. (2, 3)'
>>> q.attempt("100x32").ok
True
>>> q = Question(18.6, hints=["Multiply the local derivatives along the path."])
>>> v = q.attempt("18")
>>> v.ok, v.revealed, v.message
(False, False, 'Not quite: you said 18. Hint: Multiply the local derivatives along the path.')
>>> q.attempt("18.6").message
'Right! the answer is 18.6.'
"""

import math
import re
from dataclasses import dataclass

import numpy as np

from ..viz.spec import to_numpy

KINDS = ("shape", "number", "word")


@dataclass(frozen=True)
class Verdict:
    """What one attempt got: ``ok``, the ``message`` to show, and whether the answer
    was ``revealed`` (after a correct answer or the last allowed try)."""

    ok: bool
    message: str
    revealed: bool = False


def _is_shape(value):
    return (
        isinstance(value, (tuple, list))
        and len(value) > 0
        and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
        )
    ) or type(value).__name__ == "Size"


def infer_kind(truth):
    """``"shape"``, ``"number"`` or ``"word"`` for a true value.

    >>> infer_kind((2, 3)), infer_kind(1.5), infer_kind("MulBackward0")
    ('shape', 'number', 'word')
    """
    if isinstance(truth, (str, bool, np.bool_)):
        return "word"
    if _is_shape(truth):
        return "shape"
    return "number"


# ----------------------------------------------------------------------------------------
# Reading answers


_WRAPPERS = re.compile(r"^\s*(?:torch\.|at\.)?(?:Size|tensor|array)\s*\(", re.I)


def parse_shape(answer):
    """A shape from what a learner typed or wrote: ``"100x32"`` -> ``(100, 32)``.

    >>> parse_shape("(100, 32)"), parse_shape("100 x 32"), parse_shape("torch.Size([3])")
    ((100, 32), (100, 32), (3,))
    >>> parse_shape("()"), parse_shape([4, 5])
    ((), (4, 5))
    """
    if not isinstance(answer, str):
        if _is_shape(answer) or isinstance(answer, (tuple, list)):
            return tuple(int(v) for v in answer)
        if isinstance(answer, (int, np.integer)):
            return (int(answer),)
        raise ValueError(f"not a shape: {answer!r}")
    text = _WRAPPERS.sub("", answer.strip())
    parts = [p for p in re.split(r"[\s,x×X*()\[\]]+", text) if p]
    return tuple(int(p) for p in parts)


def _number(text):
    if "/" in text:
        num, den = text.split("/", 1)
        return float(num) / float(den)
    return float(text)


def parse_numbers(answer):
    """The numbers in an answer: ``"1.5, 2"`` -> ``array([1.5, 2.])``; ``"1/4"`` works.

    >>> parse_numbers("[1.5; 2]").tolist(), parse_numbers("1/4").tolist()
    ([1.5, 2.0], [0.25])
    """
    if not isinstance(answer, str):
        return np.asarray(to_numpy(answer), dtype=float).reshape(-1)
    text = _WRAPPERS.sub("", answer.strip())
    parts = [p for p in re.split(r"[\s,;()\[\]]+", text) if p]
    return np.array([_number(p) for p in parts], dtype=float)


def normalize_word(answer):
    """How words are compared: case-insensitive, no quotes, single spaces.

    >>> normalize_word("  'AddBackward0' "), normalize_word("Below")
    ('addbackward0', 'below')
    """
    text = str(answer).strip().strip("'\"`").strip()
    return " ".join(text.split()).casefold()


# ----------------------------------------------------------------------------------------
# Formats shown to the learner (never the answer itself)


def show(value, kind=None):
    """A short, deterministic text of a true value (what the reveal shows).

    >>> show((100, 32)), show(np.float32(18.6)), show(np.full((2, 2), 0.25))
    ('(100, 32)', '18.6', '0.25 (every entry of a 2x2 tensor)')
    """
    kind = kind or infer_kind(value)
    if kind == "shape":
        dims = tuple(int(v) for v in value)
        return f"({dims[0]},)" if len(dims) == 1 else str(dims)
    if kind == "word":
        return str(value)
    a = np.asarray(to_numpy(value), dtype=float)
    if a.size == 1:
        return _fmt(a.reshape(()))
    flat = a.reshape(-1)
    if np.all(flat == flat[0]):
        return (
            f"{_fmt(flat[0])} (every entry of a {'x'.join(map(str, a.shape))} tensor)"
        )
    head = ", ".join(_fmt(v) for v in flat[:8])
    return f"[{head}{', ...' if flat.size > 8 else ''}] (shape {list(a.shape)})"


def _fmt(v):
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    return f"{v:.6g}"


_SHAPE_EXAMPLES = {0: [()], 1: [(5,), (7,)], 2: [(2, 3), (4, 5)]}


def placeholder_for(truth, kind=None):
    """The expected format with an example that is not the answer.

    >>> placeholder_for((100, 32)), placeholder_for(2.5), placeholder_for([1.0, 2.0])
    ('a shape, e.g. (2, 3)', 'a number, e.g. 0.5', 'one number per entry, e.g. 0.5, 1.5')
    """
    kind = kind or infer_kind(truth)
    if kind == "shape":
        dims = tuple(int(v) for v in truth)
        options = _SHAPE_EXAMPLES.get(len(dims), [(2, 3, 4), (5, 6, 7)])
        example = next((o for o in options if o != dims), options[-1])
        return f"a shape, e.g. {show(example, 'shape')}"
    if kind == "word":
        text = str(truth)
        if re.fullmatch(r"\w+Backward\d+", text):
            example = "MulBackward0" if text != "MulBackward0" else "AddBackward0"
            return f"a node name, e.g. {example}"
        return "a word"
    if isinstance(truth, (int, np.integer)):
        return f"a whole number, e.g. {7 if truth != 7 else 3}"
    a = np.asarray(to_numpy(truth), dtype=float)
    flat = a.reshape(-1)
    if a.size <= 1 or np.all(flat == flat[0]):
        example = "0.5" if not np.isclose(flat[0], 0.5) else "2.5"
        return f"a number, e.g. {example}"
    return "one number per entry, e.g. 0.5, 1.5"


# ----------------------------------------------------------------------------------------
# The question


_GENERIC_HINT = {
    "shape": "Write down the shape of each input and follow it through the ops.",
    "number": "Work it out one node at a time with the chain rule, then try again.",
    "word": "Look at the op that produced the tensor, then try again.",
}


class Question:
    """One prediction exercise.

    Args:
        truth: the true value (a tensor, number, shape or word); or give ``compute``.
        compute: a function returning the true value, called once on first use.
        question: the question as shown to the learner (``what`` in messages).
        kind: ``"shape"``, ``"number"`` or ``"word"``; inferred from the truth.
        rtol, atol: relative and absolute tolerance for numbers.
        hints: question-specific hints, shown one per wrong attempt (the last repeats).
        explain: why the answer is what it is, shown with the answer.
        accept: other answers that count as right (words: other spellings).
        mistakes: ``{wrong answer: feedback}`` for common wrong answers.
        tries: wrong attempts before the answer is revealed (default 2: one retry).
        placeholder: the expected format (default: from the kind, never the answer).
        what: how messages name the answer (default ``"the answer"``).
    """

    def __init__(
        self,
        truth=None,
        *,
        compute=None,
        question="",
        kind=None,
        rtol=1e-3,
        atol=1e-6,
        hints=(),
        explain="",
        accept=(),
        mistakes=None,
        tries=2,
        placeholder=None,
        what="the answer",
    ):
        if truth is None and compute is None:
            raise ValueError("Question needs a truth or a compute function")
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        self._truth, self._compute, self._kind = truth, compute, kind
        self.question, self.what = question, what
        self.rtol, self.atol, self.tries = rtol, atol, max(1, int(tries))
        self.hints = (hints,) if isinstance(hints, str) else tuple(hints)
        self.explain, self.accept = explain, tuple(accept)
        self.mistakes = dict(mistakes or {})
        self._placeholder = placeholder
        self.wrong = 0  # wrong attempts so far
        self.solved = False
        self.revealed = False

    # the truth is computed lazily: building a question must not run the exercise
    @property
    def truth(self):
        if self._truth is None:
            self._truth = self._compute()
        return self._truth

    @property
    def kind(self):
        return self._kind or infer_kind(self.truth)

    @property
    def placeholder(self):
        return self._placeholder or placeholder_for(self.truth, self.kind)

    @property
    def answer_text(self):
        """The true value as the reveal shows it."""
        return show(self.truth, self.kind)

    def summary(self):
        """One deterministic line without the answer (the ``text/plain`` of a widget)."""
        q = self.question or f"predict {self.what}"
        return f"{q} (answer as {self.placeholder})"

    # ------------------------------------------------------------------------------------

    def judge(self, answer):
        """``(ok, feedback)`` for one answer, without counting it as an attempt.

        ``feedback`` explains a wrong answer without giving the right one away
        (``None`` when there is nothing specific to say); ``ok`` is ``None`` when the
        answer could not be read at all (it then costs no try).
        """
        if isinstance(answer, str) and not answer.strip():
            return None, f"Type an answer first ({self.placeholder})."
        for wrong, feedback in self.mistakes.items():
            if self._same(answer, wrong):
                return False, feedback
        if any(self._same(answer, a) for a in self.accept):
            return True, None
        try:
            return self._compare(answer)
        except (TypeError, ValueError, ZeroDivisionError):
            return None, f"Could not read {_said(answer)} as {self.placeholder}."

    def _same(self, answer, other):
        try:
            if self.kind == "word" or isinstance(other, str) and self.kind != "number":
                return normalize_word(answer) == normalize_word(other)
            if self.kind == "shape":
                return parse_shape(answer) == parse_shape(other)
            a, b = parse_numbers(answer), parse_numbers(other)
            return a.shape == b.shape and np.allclose(a, b, self.rtol, self.atol)
        except (TypeError, ValueError, ZeroDivisionError):
            return False

    def _compare(self, answer):
        kind, truth = self.kind, self.truth
        if kind == "word":
            return normalize_word(answer) == normalize_word(truth), None
        if kind == "shape":
            guess, dims = parse_shape(answer), tuple(int(v) for v in truth)
            if guess == dims:
                return True, None
            if sorted(guess) == sorted(dims):
                return False, "Right sizes, wrong order: which dimension comes first?"
            if len(guess) != len(dims):
                return False, f"A shape with {len(dims)} dimension(s) is expected."
            return False, None
        true = np.asarray(to_numpy(truth), dtype=float)
        guess = parse_numbers(answer)
        if guess.size == 0:
            return None, f"Type an answer first ({self.placeholder})."
        if guess.size not in (1, true.size):
            return None, f"Expected 1 or {true.size} numbers, got {guess.size}."
        guess = guess.reshape(()) if guess.size == 1 else guess.reshape(true.shape)
        close = lambda g: bool(
            np.allclose(g, true, rtol=self.rtol, atol=self.atol, equal_nan=True)
        )
        if close(guess):
            return True, None
        if np.any(true != 0) and close(-guess):
            return False, "Right size, wrong sign."
        return False, None

    def attempt(self, answer):
        """Judge an answer and count it: returns a ``Verdict``.

        A right answer reveals the truth (with the explanation). A wrong one gets a
        hint; after ``tries`` wrong attempts the answer is revealed.
        """
        ok, feedback = self.judge(answer)
        if ok is None:
            return Verdict(False, feedback)
        if ok:
            self.solved = self.revealed = True
            return Verdict(True, self._right())
        self.wrong += 1
        hint = feedback or (
            self.hints[min(self.wrong, len(self.hints)) - 1]
            if self.hints
            else _GENERIC_HINT[self.kind]
        )
        if feedback and self.hints:
            hint = f"{feedback} {self.hints[min(self.wrong, len(self.hints)) - 1]}"
        message = f"Not quite: you said {_said(answer)}. Hint: {hint}"
        if self.wrong >= self.tries:
            self.revealed = True
            return Verdict(False, f"{message}\n{self.reveal()}", True)
        return Verdict(False, message)

    def _right(self):
        text = f"Right! {self.what} is {self.answer_text}."
        return f"{text} {self.explain}" if self.explain else text

    def reveal(self):
        """The answer and its explanation."""
        self.revealed = True
        text = f"The answer: {self.what} is {self.answer_text}."
        return f"{text} {self.explain}" if self.explain else text


def _said(answer):
    return answer.strip() if isinstance(answer, str) else repr(answer)


# ----------------------------------------------------------------------------------------
# check(): the code-cell form of a prediction


_WRONG = {}  # (what, answer) -> wrong attempts so far


def check(
    prediction,
    truth,
    what="the answer",
    tol=1e-3,
    *,
    hints=(),
    explain="",
    accept=(),
    mistakes=None,
    kind=None,
    rtol=1e-3,
    tries=2,
):
    """Predict first, then reveal: compare ``prediction`` with what the library computed.

    Prints one line (so lessons validate under nbval). ``None`` means "no prediction
    yet" and shows the expected format, never the answer. A wrong prediction gets a
    hint (``hints``, one per wrong attempt); after ``tries`` wrong attempts at the same
    ``what`` (re-running the cell with a new guess) the answer is revealed, with
    ``explain``. ``tol`` is the absolute tolerance for numbers, ``rtol`` the relative.

    >>> check(None, (100, 32), "the shape of h")
    No prediction yet for the shape of h: replace None with your guess (a shape, e.g. (2, 3)), run again.
    >>> check("100x32", (100, 32), "the shape of h")
    Right! the shape of h is (100, 32).
    >>> check("ABOVE", "below", "the final loss relative to 100", hints=["Does it learn?"])
    Not quite: you said ABOVE. Hint: Does it learn?
    >>> check("above", "below", "the final loss relative to 100", explain="It learns.")
    Not quite: you said above. Hint: Look at the op that produced the tensor, then try again.
    The answer: the final loss relative to 100 is below. It learns.
    """
    q = Question(
        truth,
        what=what,
        kind=kind,
        rtol=rtol,
        atol=tol,
        hints=hints,
        explain=explain,
        accept=accept,
        mistakes=mistakes,
        tries=tries,
    )
    if prediction is None:
        print(
            f"No prediction yet for {what}: replace None with your guess "
            f"({q.placeholder}), run again."
        )
        return
    # wrong attempts are remembered per question (re-running the cell with a new guess)
    key = (what, q.answer_text)
    q.wrong = _WRONG.get(key, 0)
    verdict = q.attempt(prediction)
    _WRONG[key] = 0 if verdict.revealed else q.wrong
    print(verdict.message)
