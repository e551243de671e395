"""``at.widgets``: step through autograd's forward pass, backward pass and updates.

PyTorch has no counterpart; this is the lesson's slow-motion replay of the real engine.

* ``model``: frames and a ``Timeline`` (pure Python, no ipywidgets);
* ``recorders``: run the engine once and snapshot frames;
* ``answers``: the lessons' answer checker (``Question``, ``check``; no ipywidgets);
* ``torch_recorders``: the same frames from real PyTorch (torch optional);
* ``payload``: frames to the compact JSON the browser plays, the graph laid out once;
* ``explorers``: ``ForwardExplorer``, ``BackwardExplorer``, ``UpdateExplorer``,
  ``TrainingExplorer`` (one anywidget front end, ``static/explorer.js``) and
  ``PredictReveal`` (ipywidgets);
* ``render``: small HTML helpers (heat maps, code) and number formatting.

The explorers are imported on first use, so ``model``, ``recorders``, ``payload`` and
``answers`` work without ipywidgets or anywidget installed.

Explorers
---------
``ForwardExplorer(loss_fn=None, names=None, code="")``, ``BackwardExplorer(loss=None,
names=None, loss_fn=None)``, ``UpdateExplorer(loss_fn=None, params=None, lr=None)``,
``TrainingExplorer(loss_fn=None, params=None, lr=None, iterations=200, interval=80)``.
With no arguments they explore the lessons' network. ``BackwardExplorer(torch_loss,
names={"model": model})`` and ``ForwardExplorer(fn)`` with torch tensors inside run
torch's own engine. Each has ``timeline`` (the Python cursor), ``index`` (synced with
the browser), ``data`` (the run sent to the browser) and ``summary()`` (its
``text/plain``).

Predict, then reveal (for lessons)
----------------------------------
Two forms share one checker (``answers.Question``), so they accept the same answers:
shapes as ``(100, 32)``, ``100x32``, ``[100, 32]`` or ``torch.Size([100, 32])``;
numbers with a tolerance (``18.6``, ``1/4``; one number for a tensor whose entries
are equal, or one per entry ``1.5, 2``); words case-insensitively (``accept=`` adds
other spellings). A wrong answer gets a hint (the next of ``hints`` per attempt,
else a generic one) and a retry; after ``tries`` wrong attempts (default 2) the
answer is revealed with ``explain``. Nothing shown before that contains the answer,
including the ``text/plain`` nbval compares.

In a code cell (prints one line; ``None`` = no prediction yet, shows the format)::

    my_guess = None  # your prediction for h.shape
    at.widgets.check(my_guess, tuple(h.shape), "the shape of h",
                     hints=["x is 100x3 and w1 is 3x32."],
                     explain="mm keeps x's rows and w1's columns.")
    # check(prediction, truth, what="the answer", tol=1e-3, *, hints=(), explain="",
    #       accept=(), mistakes=None, kind=None, rtol=1e-3, tries=2)
    # tol: absolute tolerance (as the lessons' old check), rtol: relative.

As a widget (text box with the format as placeholder, check / reveal buttons)::

    at.widgets.PredictReveal(
        compute=lambda: x.grad,            # or expected=(100, 32)
        question="After y.backward(), what is each entry of x.grad?",
        hints=["y = x.mean(): each of the 4 entries counts 1/4."],
        explain="mean divides by the number of entries, so each gets 1/4.",
    )
    # PredictReveal(target="x2.grad", compute=None, question=None, rtol=1e-3, *,
    #               expected=None, atol=1e-6, hints=(), explain="", accept=(),
    #               mistakes=None, tries=2, placeholder=None, kind=None)
    # mistakes={"6.2": "You forgot the factor 3."}: feedback for common wrong answers.

>>> check("100x32", (100, 32), "the shape of h")
Right! the shape of h is (100, 32).
"""

from .answers import Question, check
from .model import Timeline

_EXPLORERS = (
    "ForwardExplorer",
    "BackwardExplorer",
    "UpdateExplorer",
    "TrainingExplorer",
    "PredictReveal",
)

__all__ = ["Timeline", "Question", "check", *_EXPLORERS]


def __getattr__(name):
    if name in _EXPLORERS:
        try:
            from . import explorers
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError(
                f"at.widgets.{name} needs ipywidgets and anywidget: "
                "pip install 'autograd_tutor[widgets]'"
            ) from e
        return getattr(explorers, name)
    raise AttributeError(f"module 'autograd_tutor.widgets' has no attribute {name!r}")
