"""The explorers: step through a forward pass, a backward pass, an update, training.

PyTorch has no counterpart: these replay what ``torch.autograd`` does, one operation at a
time, from frames recorded by the real engine (``recorders.py``). Each explorer is an
ipywidgets ``VBox`` whose ``text/plain`` is a deterministic summary, so notebooks that
display one validate under nbval.

>>> import autograd_tutor as at
>>> fwd = at.widgets.ForwardExplorer()        # the lesson's network, seeded
>>> fwd.view.timeline.next()                   # what the "step" button does
>>> fwd.view.timeline.frame.op
'Add'
"""

import html

import ipywidgets as W

from . import recorders as R
from . import render
from .answers import Question, to_numpy
from .model import Timeline
from .views import StepperView


class _Explorer(W.VBox):
    """Common part: a ``StepperView`` plus a deterministic plain-text summary."""

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        bundle = data[0] if isinstance(data, tuple) else data
        bundle["text/plain"] = self.summary()
        return data

    def __repr__(self):
        return self.summary()

    def summary(self):
        raise NotImplementedError


def _chain(names):
    return " -> ".join(names)


class ForwardExplorer(_Explorer):
    """Step through the forward pass: the code, each op's result, the graph growing.

    Args:
        loss_fn: a closure running your forward pass and returning the loss; default:
            the lesson's network (``x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)``).
        names: ``{name: tensor}`` (``locals()`` works) to label tensors.
        code: the source of ``loss_fn``'s body, to highlight each op in it.
    """

    def __init__(self, loss_fn=None, names=None, code="", params=None):
        self.problem = R.as_problem(loss_fn, params, names, code)
        self.frames, self.records, self.loss, _ = R.record_forward_frames(self.problem)
        self.view = StepperView(
            Timeline(self.frames),
            lambda f: render.forward_html(f, self.problem.code, len(self.frames)),
            self._picture,
            title="Forward pass: one operation at a time",
        )
        super().__init__([self.view])

    def _picture(self, i):
        # the data-flow graph so far: ops 0..i, the newest one highlighted
        out = self.records[i].output
        return render.forward_svg(self.records[: i + 1], self.problem.names, [out])

    def summary(self):
        f = self.frames
        return (
            f"ForwardExplorer: {len(f)} ops: {_chain(x.op for x in f)}\n"
            f"step {self.view.timeline.index + 1}/{len(f)}: "
            f"{self.view.timeline.frame.summary()}\n"
            f"loss = {render.fmt(self.loss.item())}"
        )


class BackwardExplorer(_Explorer):
    """Step through ``loss.backward()`` node by node, in the engine's real order.

    Each step shows the gradient arriving (and the fan-in sum when several edges meet),
    the node's local rule, the gradient sent along each ``next_functions`` slot, and the
    leaves' ``.grad`` filling up; the picture highlights the node.

    Args:
        loss: a scalar tensor whose backward pass to explore. Exploring it *runs* the
            backward pass (its leaves' ``.grad`` fill as with ``loss.backward()``).
            Default: the lesson's network, freshly built and seeded.
        names: ``{name: tensor}`` (``locals()`` works) to label the leaves.
        loss_fn: alternatively, a closure returning the loss.
    """

    def __init__(self, loss=None, names=None, loss_fn=None, params=None):
        if loss is None:
            self.problem = R.as_problem(loss_fn, params, names)
            loss = self.problem.loss_fn()
            names = self.problem.names
        self.loss, self.names = loss, names
        self.frames, self.graph_names, self.nodes = R.record_backward_frames(
            loss, names
        )
        self.view = StepperView(
            Timeline(self.frames),
            lambda f: render.backward_html(f, len(self.frames)),
            self._picture,
            title="Backward pass: the engine's steps, most recent op first",
        )
        super().__init__([self.view])

    def _picture(self, i):
        # the node that runs, and the edges its gradients leave along
        node = self.nodes[i]
        edges = [(node, nxt) for nxt, _ in node.next_functions if nxt is not None]
        return render.graph_svg(self.loss, self.names, highlight=[node, *edges])

    def summary(self):
        f = self.frames
        grads = ", ".join(
            f"{k}.grad {render.short(v)}" for k, v in f[-1].leaf_grads.items()
        )
        return (
            f"BackwardExplorer: {len(f)} steps: {_chain(x.node for x in f)}\n"
            f"step {self.view.timeline.index + 1}/{len(f)}: "
            f"{self.view.timeline.frame.summary()}\n"
            f"after the last step: {grads}"
        )


class UpdateExplorer(_Explorer):
    """Step through the weight update: ``p.sub_(lr * p.grad)`` under no_grad, then zero.

    Runs one forward and backward pass, then records, per parameter, the values before
    and after the update (with ``grad_fn`` and ``is_leaf`` to prove nothing was
    recorded), and finally ``p.grad.zero_()``.

    Args:
        loss_fn, params: a closure returning the loss and ``{name: leaf}`` to update;
            default: the lesson's network.
        lr: the learning rate (default 1e-4).
    """

    def __init__(self, loss_fn=None, params=None, lr=None, names=None):
        self.problem = R.as_problem(loss_fn, params, names, lr=lr)
        self.loss = self.problem.loss_fn()
        self.loss.backward()
        self.frames = R.record_update_frames(self.problem.params, self.problem.lr)
        self.view = StepperView(
            Timeline(self.frames),
            lambda f: render.update_html(f, len(self.frames), self.problem.lr),
            title="Weight update: under no_grad, then zero the gradients",
        )
        super().__init__([self.view])

    def summary(self):
        f = self.frames
        leaves = all(x.is_leaf and x.grad_fn == "None" for x in f)
        return (
            f"UpdateExplorer: learning_rate = {render.fmt(self.problem.lr)}, "
            f"{len(f)} steps over {', '.join(self.problem.params)}\n"
            f"step {self.view.timeline.index + 1}/{len(f)}: "
            f"{self.view.timeline.frame.summary().splitlines()[0]}\n"
            f"every parameter stays a leaf with grad_fn None: {leaves}"
        )


class TrainingExplorer(_Explorer):
    """Play through training iterations with a loss curve and what-if switches.

    Controls: play/pause/step/reset, the learning rate, "forget to zero the gradients"
    (gradients pile up across iterations) and "forget no_grad" (PyTorch's in-place error
    on a leaf, shown instead of raised). Each setting re-runs training from the same
    starting weights.

    Args:
        loss_fn, params: a closure returning the loss and ``{name: leaf}`` to train;
            default: the lesson's network.
        lr: the starting learning rate (default 1e-4).
        iterations: how many iterations to run (default 200, as in the lesson).
    """

    def __init__(
        self,
        loss_fn=None,
        params=None,
        lr=None,
        iterations=200,
        names=None,
        interval=150,
    ):
        self.problem = R.as_problem(loss_fn, params, names, lr=lr)
        self.iterations = iterations
        self.curve = render.LossCurve()
        self.lr = W.FloatLogSlider(
            value=self.problem.lr,
            base=10,
            min=-6,
            max=-2,
            step=0.25,
            description="learning rate",
            style={"description_width": "initial"},
            readout_format=".1e",
            continuous_update=False,
        )
        self.forget_zero = W.Checkbox(
            False, description="forget to zero the gradients", indent=False
        )
        self.forget_no_grad = W.Checkbox(
            False, description="forget no_grad", indent=False
        )
        self.frames = self._run()
        self.view = StepperView(
            Timeline(self.frames),
            self._details,
            self._picture,
            title="Training: forward, loss, backward, update, zero - repeated",
            interval=interval,
            extra=[W.HBox([self.lr, self.forget_zero, self.forget_no_grad])],
        )
        for w in (self.lr, self.forget_zero, self.forget_no_grad):
            w.observe(lambda _: self.view.set_frames(self._run()), names="value")
        super().__init__([self.view])

    def _run(self):
        self.frames = R.record_training_frames(
            self.problem,
            self.lr.value,
            self.iterations,
            zero_grad=not self.forget_zero.value,
            no_grad=not self.forget_no_grad.value,
        )
        self.curve.set_run([f.loss for f in self.frames])
        return self.frames

    def _details(self, frame):
        return render.training_html(
            frame,
            len(self.frames),
            self.lr.value,
            not self.forget_zero.value,
            not self.forget_no_grad.value,
        )

    def _picture(self, i):
        return self.curve.html(i)

    def summary(self):
        f, tl = self.frames, self.view.timeline
        return (
            f"TrainingExplorer: {len(f)} iterations at learning_rate = "
            f"{render.fmt(self.lr.value)}: loss {render.fmt(f[0].loss)} -> "
            f"{render.fmt(f[-1].loss)}\n"
            f"iteration {tl.index + 1}/{len(f)}: "
            f"{tl.frame.error or 'loss ' + render.fmt(tl.frame.loss)}"
        )


class PredictReveal(_Explorer):
    """Predict a value, then let the engine reveal it (see ``answers.Question``).

    The learner types an answer in the expected format (the text box's placeholder),
    clicks "check" (or presses Enter): a right answer is confirmed with the
    explanation; a wrong one gets a hint and a retry; "reveal" becomes available after
    the first attempt, and after ``tries`` wrong attempts the answer is shown anyway.

    Args:
        target: for the seed example, one of ``"x1.grad"``, ``"x2.grad"``, ``"y.grad"``,
            ``"z.grad"`` (default ``"x2.grad"``).
        compute: alternatively, a function returning the true value (a tensor, number,
            shape or word) computed by the engine; ``question`` then says what it is.
        question: the question shown above the box.
        rtol: relative tolerance for numbers (``atol``: absolute).
        expected: the true value itself, instead of ``compute``.
        hints, explain, accept, mistakes, tries, placeholder, kind: as ``Question``.
    """

    def __init__(
        self,
        target="x2.grad",
        compute=None,
        question=None,
        rtol=1e-3,
        *,
        expected=None,
        atol=1e-6,
        hints=(),
        explain="",
        accept=(),
        mistakes=None,
        tries=2,
        placeholder=None,
        kind=None,
    ):
        code = ""
        if compute is None and expected is None:
            compute = lambda: R.seed_answers()[target]
            question = question or (
                f"Seed example: after out.backward(), what is {target}?"
            )
            code = R.SEED_CODE + "\ny.retain_grad(); z.retain_grad()\nout.backward()"
            if not hints:
                hints = (
                    "Go backwards from out: d out/d z = 1/4 for each of the 4 entries.",
                    f"Multiply the local derivatives along every path to {target}; "
                    "where several paths meet, add them up.",
                )
        self.question = question or "What value will the engine compute?"
        self.compute = compute if compute is not None else (lambda: expected)
        self.rtol = rtol
        self.quiz = Question(
            expected,
            compute=compute,
            question=self.question,
            kind=kind,
            rtol=rtol,
            atol=atol,
            hints=hints,
            explain=explain,
            accept=accept,
            mistakes=mistakes,
            tries=tries,
            placeholder=placeholder,
        )
        self.answer = W.Text(
            placeholder=self.quiz.placeholder,
            description="your answer",
            style={"description_width": "initial"},
            continuous_update=False,
            layout=W.Layout(width="22em"),
        )
        self.feedback = W.HTML()
        self.check_button = W.Button(description="check", button_style="primary")
        self.reveal_button = W.Button(
            description="reveal",
            disabled=True,
            tooltip="try once first: the answer is shown after one attempt",
        )
        self.check_button.on_click(lambda _: self.check())
        self.reveal_button.on_click(lambda _: self.reveal())
        self.answer.observe(lambda _: self.check(), names="value")  # Enter / blur
        self._judged = None  # the last answer judged (Enter then click counts once)
        head = W.HTML(
            f"{render._STYLE}<div class='agt-box'><b>{html.escape(self.question)}"
            f"</b></div>{render.code_html(code) if code else ''}"
        )
        super().__init__(
            [
                head,
                W.HBox([self.answer, self.check_button, self.reveal_button]),
                self.feedback,
            ]
        )

    def truth(self):
        """The engine's value, as a NumPy array (words and shapes: as given)."""
        value = self.quiz.truth
        if self.quiz.kind == "number":
            return to_numpy(value)
        return value

    def check(self):
        """Judge the typed answer and say so in the feedback; returns whether right."""
        text = self.answer.value
        if text == self._judged and self.feedback.value:
            return self.quiz.solved
        self._judged = text
        verdict = self.quiz.attempt(text)
        css = "agt-ok" if verdict.ok else "agt-bad"
        lines = "<br>".join(html.escape(x) for x in verdict.message.splitlines())
        self.feedback.value = f"{render._STYLE}<div class='agt-box {css}'>{lines}</div>"
        if self.quiz.wrong or verdict.ok:
            self.reveal_button.disabled = False
        if verdict.revealed and not verdict.ok:
            self._show_truth(prefix=lines)
        return verdict.ok

    def _show_truth(self, prefix=""):
        value = self.truth()
        table = render.heatmap(value) if self.quiz.kind == "number" else ""
        text = prefix or html.escape(self.quiz.reveal())
        self.feedback.value = f"{render._STYLE}<div class='agt-box'>{text}</div>{table}"

    def reveal(self):
        """Show the engine's value and the explanation."""
        self.reveal_button.disabled = False
        self._show_truth()

    def summary(self):
        return f"PredictReveal: {self.quiz.summary()}"
