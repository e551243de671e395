"""The explorers: step through a forward pass, a backward pass, an update, training.

PyTorch has no counterpart: these replay what ``torch.autograd`` does, one operation at a
time, from frames recorded by the real engine (``recorders.py``, or torch's own engine
through node hooks, ``torch_recorders.py``). Each explorer is one ``anywidget`` view
(``static/explorer.js``): Python sends the whole recorded run once (``payload.py``) and
the browser plays it, with no round trip to the kernel per step. Where no widget front
end runs, the output is a static SVG of the current frame and a deterministic
``text/plain`` summary (what nbval compares).

>>> import autograd_tutor as at
>>> fwd = at.widgets.ForwardExplorer()        # the lesson's network, seeded
>>> fwd.timeline.next()                        # what the "step" button does
>>> fwd.timeline.frame.op, fwd.index
('Add', 1)
"""

import html
from pathlib import Path

import anywidget
import ipywidgets as W
import traitlets

import autograd_tutor as at
from autograd_tutor.assets import viz_js_source

from . import payload as P
from . import recorders as R
from . import render
from .answers import Question, to_numpy
from .model import Timeline

STATIC = Path(__file__).with_name("static")


class _Explorer(anywidget.AnyWidget):
    """One recorded run played in the browser: ``data`` (sent once) and ``index``.

    ``timeline`` is the Python side of the same cursor: moving either moves both.
    """

    _esm = STATIC / "explorer.js"
    _css = STATIC / "explorer.css"
    data = traitlets.Dict().tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    # the bundled WebAssembly Graphviz, sent only when the kernel has no Graphviz
    # (JupyterLite): the browser then lays the graph out itself
    _viz_js = traitlets.Unicode("").tag(sync=True)

    def _start(self, frames, data, title, intro, unit="step", interval=700, **kw):
        data.update(title=title, intro=intro, unit=unit, interval=interval)
        self.timeline = Timeline(frames)
        graph = data.get("graph")
        if graph and not graph.get("svg"):
            kw["_viz_js"] = viz_js_source()
        super().__init__(data=data, index=0, **kw)
        self.timeline.observe(lambda tl: setattr(self, "index", tl.index))
        self.observe(lambda ch: self.timeline.go_to(ch["new"]), names="index")

    def _replace(self, frames, data):
        data = {**self.data, **data}
        self.timeline.replace(frames)
        self.data = data

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        bundle = data[0] if isinstance(data, tuple) else data
        bundle["text/plain"] = self.summary()
        svg = self.static_svg()
        if svg:
            bundle["image/svg+xml"] = svg
        return data

    def __repr__(self):
        return self.summary()

    def static_svg(self):
        """The picture of the current frame, for viewers without a widget front end."""
        return P.static_svg(self.data, self.timeline.index)

    def summary(self):
        raise NotImplementedError


def _chain(names):
    return " -> ".join(names)


class ForwardExplorer(_Explorer):
    """Step through the forward pass: the code, each op's result, the graph growing.

    Args:
        loss_fn: a closure running your forward pass and returning the loss; default:
            the lesson's network (``x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)``).
            The closure may use torch tensors instead: torch's ops are then recorded.
        names: ``{name: tensor}`` (``locals()`` works) to label tensors.
        code: the source of ``loss_fn``'s body, to highlight each op in it.
    """

    def __init__(self, loss_fn=None, names=None, code="", params=None):
        from . import torch_recorders as T

        if T.uses_torch(loss_fn, names):
            self.problem = T.torch_problem(loss_fn, names, code)
            self.frames, self.records, self.loss, _ = T.record_forward_frames(
                self.problem
            )
        else:
            self.problem = R.as_problem(loss_fn, params, names, code)
            self.frames, self.records, self.loss, _ = R.record_forward_frames(
                self.problem
            )
        data = P.forward_data(
            self.frames, self.records, self.problem.names, self.problem.code
        )
        self._start(
            self.frames,
            data,
            "Forward pass in PyTorch: one torch operation at a time"
            if T.is_torch_tensor(self.loss)
            else "Forward pass: one operation at a time",
            "Each step runs one op of the code (highlighted) and shows its result. "
            "The graph is drawn once: the op running now is amber, ops that have not "
            "run yet are faint.",
        )

    def summary(self):
        f = self.frames
        return (
            f"ForwardExplorer: {len(f)} ops: {_chain(x.op for x in f)}\n"
            f"step {self.timeline.index + 1}/{len(f)}: "
            f"{self.timeline.frame.summary()}\n"
            f"loss = {render.fmt(float(to_numpy(self.loss)))}"
        )


class BackwardExplorer(_Explorer):
    """Step through ``loss.backward()`` node by node, in the engine's real order.

    Each step shows the gradient arriving (and the fan-in sum when several edges meet),
    the node's local rule, the gradient sent along each ``next_functions`` slot (drawn
    against the data-flow arrows), and the leaves' ``.grad`` filling up.

    Args:
        loss: a scalar tensor whose backward pass to explore. Exploring it *runs* the
            backward pass (its leaves' ``.grad`` fill as with ``loss.backward()``).
            A torch tensor works too: torch's own engine runs, recorded through hooks
            on its ``grad_fn`` nodes. Default: the lesson's network, freshly built.
        names: ``{name: tensor or torch module}`` (``locals()`` works) for the leaves.
        loss_fn: alternatively, a closure returning the loss.
    """

    def __init__(self, loss=None, names=None, loss_fn=None, params=None):
        from . import torch_recorders as T

        if loss is None:
            self.problem = R.as_problem(loss_fn, params, names)
            loss = self.problem.loss_fn()
            names = self.problem.names
        self.loss, self.names = loss, names
        if T.is_torch_tensor(loss):
            self.frames, self.graph_names, self.nodes = T.record_backward_frames(
                loss, names
            )
        elif isinstance(loss, at.Tensor):
            self.frames, self.graph_names, self.nodes = R.record_backward_frames(
                loss, names
            )
        else:
            raise TypeError(
                "BackwardExplorer needs a tensor that has a grad_fn: an "
                f"autograd_tutor tensor or a torch tensor, not {type(loss).__name__}"
            )
        data = P.backward_data(self.frames, self.graph_names, self.nodes)
        torch = T.is_torch_tensor(loss)
        self._start(
            self.frames,
            data,
            "Backward pass in PyTorch: torch's own steps, in its real order"
            if torch
            else "Backward pass: the engine's steps, in its real order",
            "Each step is one node of loss.backward(): the gradient it received, its "
            "local rule and the gradients it sends (orange dashed arrows, drawn against "
            "the grey data-flow arrows of the forward pass).",
        )

    def summary(self):
        f = self.frames
        grads = ", ".join(
            f"{k}.grad {render.short(v)}" for k, v in f[-1].leaf_grads.items()
        )
        return (
            f"BackwardExplorer: {len(f)} steps: {_chain(x.node for x in f)}\n"
            f"step {self.timeline.index + 1}/{len(f)}: "
            f"{self.timeline.frame.summary()}\n"
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
        self._start(
            self.frames,
            P.update_data(self.frames, self.problem.lr),
            "Weight update: under no_grad, then zero the gradients",
            "Each parameter moves against its gradient: p.sub_(learning_rate * p.grad) "
            "inside with at.no_grad(), so nothing is recorded and p stays a leaf; then "
            "the gradients are zeroed for the next iteration.",
        )

    def summary(self):
        f = self.frames
        leaves = all(x.is_leaf and x.grad_fn == "None" for x in f)
        return (
            f"UpdateExplorer: learning_rate = {render.fmt(self.problem.lr)}, "
            f"{len(f)} steps over {', '.join(self.problem.params)}\n"
            f"step {self.timeline.index + 1}/{len(f)}: "
            f"{self.timeline.frame.summary().splitlines()[0]}\n"
            f"every parameter stays a leaf with grad_fn None: {leaves}"
        )


class TrainingExplorer(_Explorer):
    """Play through training iterations with a loss curve and what-if switches.

    Controls: play/pause/step/back/reset and speed (in the browser), the learning rate,
    "forget to zero the gradients" (gradients pile up across iterations) and "forget
    no_grad" (PyTorch's in-place error on a leaf, shown instead of raised). Each what-if
    re-runs training from the same starting weights in the kernel; the normal run stays
    drawn underneath as a baseline.

    Args:
        loss_fn, params: a closure returning the loss and ``{name: leaf}`` to train;
            default: the lesson's network.
        lr: the starting learning rate (default 1e-4).
        iterations: how many iterations to run (default 200, as in the lesson).
        interval: milliseconds per iteration when playing at speed 1x.
    """

    settings = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        loss_fn=None,
        params=None,
        lr=None,
        iterations=200,
        names=None,
        interval=80,
    ):
        self.problem = R.as_problem(loss_fn, params, names, lr=lr)
        self.iterations = iterations
        base = {"lr": float(self.problem.lr), "zero_grad": True, "no_grad": True}
        self.baseline = self._run(base)
        self.frames = self.baseline
        self._start(
            self.frames,
            P.training_data(self.frames, self.baseline, base, base),
            "Training: forward, loss, backward, update, zero - repeated",
            "Play the iterations and watch the loss fall; then try a what-if: each one "
            "re-runs training from the same starting weights (dashed: the normal run).",
            unit="iteration",
            interval=interval,
            settings=base,
        )
        self.observe(self._on_settings, names="settings")

    def _run(self, s):
        return R.record_training_frames(
            self.problem,
            s["lr"],
            self.iterations,
            zero_grad=s["zero_grad"],
            no_grad=s["no_grad"],
        )

    def _on_settings(self, change):
        s = {**self.data["base"], **change["new"]}
        self.frames = self._run(s)
        self._replace(
            self.frames,
            P.training_data(self.frames, self.baseline, s, self.data["base"]),
        )

    def what_if(self, lr=None, zero_grad=None, no_grad=None):
        """Re-run training with other settings (what the browser's controls do)."""
        s = dict(self.settings)
        for k, v in (("lr", lr), ("zero_grad", zero_grad), ("no_grad", no_grad)):
            if v is not None:
                s[k] = float(v) if k == "lr" else bool(v)
        self.settings = s

    def static_svg(self):
        return P.loss_svg(
            [f.loss for f in self.frames],
            [f.loss for f in self.baseline],
            self.timeline.index,
        )

    def summary(self):
        f, tl = self.frames, self.timeline
        return (
            f"TrainingExplorer: {len(f)} iterations at learning_rate = "
            f"{render.fmt(self.settings['lr'])}: loss {render.fmt(f[0].loss)} -> "
            f"{render.fmt(f[-1].loss)}\n"
            f"iteration {tl.index + 1}/{len(f)}: "
            f"{tl.frame.error or 'loss ' + render.fmt(tl.frame.loss)}"
        )


class PredictReveal(W.VBox):
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
                f"In the code above, after out.backward(), what is {target}?"
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
            f"{render.STYLE}<div class='agt-box'><b>{html.escape(self.question)}"
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
        self.feedback.value = f"{render.STYLE}<div class='agt-box {css}'>{lines}</div>"
        if self.quiz.wrong or verdict.ok:
            self.reveal_button.disabled = False
        if verdict.revealed and not verdict.ok:
            self._show_truth(prefix=lines)
        return verdict.ok

    def _show_truth(self, prefix=""):
        value = self.truth()
        table = render.heatmap(value) if self.quiz.kind == "number" else ""
        text = prefix or html.escape(self.quiz.reveal())
        self.feedback.value = f"{render.STYLE}<div class='agt-box'>{text}</div>{table}"

    def reveal(self):
        """Show the engine's value and the explanation."""
        self.reveal_button.disabled = False
        self._show_truth()

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        bundle = data[0] if isinstance(data, tuple) else data
        bundle["text/plain"] = self.summary()
        return data

    def __repr__(self):
        return self.summary()

    def summary(self):
        return f"PredictReveal: {self.quiz.summary()}"
