"""The thin ipywidgets 8 layer: controls that move a ``Timeline``, HTML that shows it.

PyTorch has no counterpart. The timeline (``model.py``) is the single source of truth:
buttons and the slider only call ``next``/``previous``/``go_to``/``reset``; one observer
writes the new frame into ``HTML.value`` widgets. Nothing prints, so notebooks using
these views validate under nbval.
"""

import ipywidgets as W


def _button(description, tooltip, handler):
    b = W.Button(
        description=description, tooltip=tooltip, layout=W.Layout(width="auto")
    )
    b.on_click(lambda _: handler())
    return b


class StepperView(W.VBox):
    """Play / step / reset controls over a ``Timeline``, a picture and a details pane.

    Args:
        timeline: the ``Timeline`` to move.
        details: ``frame -> HTML`` for the details pane.
        picture: optional ``index -> SVG/HTML`` for the picture pane (cached per index).
        title: a line shown above the controls.
        interval: milliseconds between frames while playing.
    """

    def __init__(
        self, timeline, details, picture=None, title="", interval=700, extra=()
    ):
        self.timeline = timeline
        self._details, self._picture, self._cache = details, picture, {}
        n = len(timeline) - 1
        self.play = W.Play(
            value=0,
            min=0,
            max=n,
            interval=interval,
            description="play",
            layout=W.Layout(width="auto"),
        )
        self.slider = W.IntSlider(
            value=0,
            min=0,
            max=n,
            description="step",
            readout=True,
            continuous_update=True,
        )
        W.jslink((self.play, "value"), (self.slider, "value"))
        self.reset_button = _button("reset", "back to the first step", timeline.reset)
        self.prev_button = _button("◀ back", "one step back", timeline.previous)
        self.next_button = _button("step ▶", "one step forward", timeline.next)
        self.position = W.HTML()
        self.picture_html = W.HTML(layout=W.Layout(width="44%", min_width="260px"))
        self.details_html = W.HTML(
            layout=W.Layout(flex="1 1 0", min_width="320px", overflow="auto")
        )
        self.slider.observe(lambda ch: timeline.go_to(ch["new"]), names="value")
        timeline.observe(self._show)
        controls = W.HBox(
            [
                self.play,
                self.reset_button,
                self.prev_button,
                self.next_button,
                self.slider,
                self.position,
            ]
        )
        panes = (
            [self.picture_html, self.details_html] if picture else [self.details_html]
        )
        header = [W.HTML(f"<b>{title}</b>")] if title else []
        super().__init__(header + [controls, *extra, W.HBox(panes)])
        self._show(timeline)

    def picture_for(self, index):
        """The picture of frame ``index``, rendered once and then cached."""
        if index not in self._cache:
            self._cache[index] = self._picture(index)
        return self._cache[index]

    def _show(self, timeline):
        """Observer: write the current frame into the widgets (slider, HTML panes)."""
        i, n = timeline.index, len(timeline)
        self.play.max = self.slider.max = n - 1
        self.slider.value = i
        self.position.value = f"{i + 1} / {n}"
        self.prev_button.disabled = timeline.at_start
        self.next_button.disabled = timeline.at_end
        if self._picture is not None:
            self.picture_html.value = self.picture_for(i)
        self.details_html.value = self._details(timeline.frame)

    def set_frames(self, frames, picture=None):
        """New frames (e.g. another learning rate): clear the cache, keep the position."""
        self._cache.clear()
        if picture is not None:
            self._picture = picture
        self.timeline.replace(frames)
